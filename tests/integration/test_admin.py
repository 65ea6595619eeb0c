"""Administration: users, organizations (merge, immutable codes), campaigns, priority weights
(with re-scoring of every entry) and the vocabulary browser; bad input gets field errors and
keeps what was typed; every write leaves an audit row."""
import re

import pytest
import sqlalchemy as sa

from inventory import priority
from inventory.extensions import db
from inventory.models import AuditLog, Campaign, Dataset, Organization, Setting, User
from inventory.vocabularies import ministries
from tests.conftest import PASSWORD, restricted_fields

NEW_PASSWORD = "Another-strong-pass-7"


@pytest.fixture
def admin(make, client, login):
    user = make.user("admin", email="root@example.org")
    login(user)
    return user


def text(response):
    return response.get_data(as_text=True)


def audit_actions():
    return [a.action for a in db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id))]


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def new_user_data(org, **overrides):
    data = {"email": "Nouvelle.Personne@Example.org ", "name": " Nouvelle ", "role": "officer",
            "organizations": [str(org.id)], "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD}
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- users

def test_create_user_who_can_then_sign_in(app, client, make, admin):
    org = make.org("MESRS")
    response = client.post("/admin/users/new", data=new_user_data(org))
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "nouvelle.personne@example.org"))
    assert (user.name, user.role, user.active, [o.code for o in user.organizations]) == (
        "Nouvelle", "officer", True, ["MESRS"])
    assert "user.create" in audit_actions()
    other = app.test_client()
    assert other.post("/login", data={"email": user.email,
                                      "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize("overrides, field", [
    ({"email": "root@example.org"}, "email"),  # taken
    ({"email": "not an address"}, "email"),
    ({"password": "short", "password_confirm": "short"}, "password"),
    ({"password": "alllowercaseletters", "password_confirm": "alllowercaseletters"},
     "password"),
    ({"password_confirm": "Something-else-99"}, "password_confirm"),
    ({"organizations": []}, "organizations"),
    ({"organizations": ["999999"]}, "organizations"),
    ({"organizations": ["abc"]}, "organizations"),
    ({"role": "superuser"}, "role"),
    ({"name": "x" * 201}, "name"),
])
def test_bad_new_user_is_refused_field_by_field(client, make, admin, overrides, field):
    org = make.org("MESRS")
    data = new_user_data(org, **overrides)
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 400
    html = text(response)
    assert f'id="{field}-error"' in html and f'href="#field-{field}"' in html
    if field != "email":
        assert 'value="Nouvelle.Personne@Example.org"' in html  # typed input is kept
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1  # only the admin
    assert NEW_PASSWORD not in html  # passwords are never echoed back


def test_edit_role_and_organizations(app, client, make, admin, login):
    a, b = make.org("AAA"), make.org("BBB")
    officer = make.user("officer", [a])
    their_client = app.test_client()
    login(officer, c=their_client)
    response = client.post(f"/admin/users/{officer.id}", data={
        "user-name": "Relecteur", "user-role": "reviewer",
        "user-organizations": [str(a.id), str(b.id)]})
    assert response.status_code == 302
    officer = fresh(User, officer.id)
    assert officer.role == "reviewer" and [o.code for o in officer.organizations] == ["AAA",
                                                                                     "BBB"]
    # New rights take effect at once: the old session is gone.
    assert their_client.get("/dashboard").status_code == 302
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "user.update"))
    assert audit.details["changes"]["role"] == ["officer", "reviewer"]


def test_admins_cannot_lock_themselves_out(client, admin):
    response = client.post(f"/admin/users/{admin.id}", data={"user-role": "officer",
                                                             "user-name": "Moi"})
    assert response.status_code == 400
    assert "You cannot remove your own administrator role." in text(response)
    response = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"},
                           follow_redirects=True)
    assert "You cannot deactivate your own account." in text(response)
    assert fresh(User, admin.id).active and fresh(User, admin.id).role == "admin"


def test_reset_password_signs_the_user_out(app, client, make, admin, login):
    org = make.org()
    officer = make.user("officer", [org])
    their_client = app.test_client()
    login(officer, c=their_client)
    response = client.post(f"/admin/users/{officer.id}/password", data={
        "pw-password": NEW_PASSWORD, "pw-password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert their_client.get("/dashboard").status_code == 302
    assert app.test_client().post("/login", data={
        "email": officer.email, "password": PASSWORD}).status_code == 401
    assert app.test_client().post("/login", data={
        "email": officer.email, "password": NEW_PASSWORD}).status_code == 302
    assert "user.password_reset" in audit_actions()


@pytest.mark.parametrize("password, confirm, field", [
    ("weak", "weak", "pw-password"), (NEW_PASSWORD, "other", "pw-password_confirm"),
    ("", "", "pw-password")])
def test_bad_password_reset(client, make, admin, password, confirm, field):
    officer = make.user("officer", [make.org()])
    before = officer.password_hash
    response = client.post(f"/admin/users/{officer.id}/password", data={
        "pw-password": password, "pw-password_confirm": confirm})
    assert response.status_code == 400 and f'id="{field}-error"' in text(response)
    assert fresh(User, officer.id).password_hash == before


def test_deactivate_keeps_history_and_blocks_sign_in(app, client, make, admin):
    org = make.org()
    officer = make.user("officer", [org])
    make.dataset(org, officer)
    page = text(client.get(f"/admin/users/{officer.id}"))
    assert "cannot be deleted, only deactivated" in page
    assert re.search(r'<form[^>]*/active"[^>]*data-confirm=', page)
    assert client.post(f"/admin/users/{officer.id}/active",
                       data={"active": "0"}).status_code == 302
    assert not fresh(User, officer.id).active
    assert app.test_client().post("/login", data={
        "email": officer.email, "password": PASSWORD}).status_code == 401
    # Deleting an account with history is refused, whatever the page shows.
    response = client.post(f"/admin/users/{officer.id}/delete", follow_redirects=True)
    assert "has a history" in text(response) and fresh(User, officer.id) is not None
    client.post(f"/admin/users/{officer.id}/active", data={"active": "1"})
    assert fresh(User, officer.id).active
    assert {"user.deactivate", "user.activate"} <= set(audit_actions())


def test_delete_an_account_that_never_did_anything(client, make, admin):
    idle = make.user("officer", [make.org()])
    page = text(client.get(f"/admin/users/{idle.id}"))
    assert re.search(r'<form[^>]*/delete"[^>]*data-confirm=', page)
    assert client.post(f"/admin/users/{idle.id}/delete").status_code == 302
    assert fresh(User, idle.id) is None
    assert "user.delete" in audit_actions()


def test_user_list_search_filters_and_paging(client, make, admin):
    org = make.org()
    for i in range(27):
        make.user("officer", [org], email=f"agent{i:02d}@example.org", name=f"Agent {i}")
    make.user("reviewer", [org], email="relecteur@example.org", name="<b>Relecteur</b>")
    html = text(client.get("/admin/users"))
    assert "28 accounts" not in html and "29 accounts" in html
    assert len(re.findall(r'href="/admin/users/\d+"', html)) == 25 and "?page=2" in html
    html = text(client.get("/admin/users?q=RELECT"))
    assert "relecteur@example.org" in html and "agent01" not in html
    assert "&lt;b&gt;Relecteur&lt;/b&gt;" in html and "<b>Relecteur</b>" not in html
    assert "relecteur@example.org" in text(client.get("/admin/users?role=reviewer"))
    assert "agent" not in text(client.get("/admin/users?role=reviewer&q=%25"))
    assert "No account matches." in text(client.get("/admin/users?q=nobody-here"))


# --------------------------------------------------------------------------- organizations

ORG_DATA = {"code": "mtc2", "name_ar": "وزارة تكنولوجيات الاتصال", "name_fr": "Ministère TIC",
            "name_en": "", "kind": "ministry", "parent_id": "", "email": "contact@mtc.tn",
            "website": "https://www.mtc.gov.tn", "active": "y"}


def test_create_organization(client, admin):
    assert client.post("/admin/organizations/new", data=ORG_DATA).status_code == 302
    org = db.session.scalar(sa.select(Organization).where(Organization.code == "MTC2"))
    assert org.name_ar == "وزارة تكنولوجيات الاتصال" and org.active
    assert "organization.create" in audit_actions()


@pytest.mark.parametrize("overrides, field", [
    ({"code": "وزارة"}, "code"),
    ({"code": "1ABC"}, "code"),
    ({"code": "A"}, "code"),
    ({"code": "AB-CD"}, "code"),
    ({"code": "EXIST"}, "code"),
    ({"name_ar": "", "name_fr": "", "name_en": " "}, "name_ar"),
    ({"website": "javascript:alert(1)"}, "website"),
    ({"email": "pas une adresse"}, "email"),
    ({"kind": "empire"}, "kind"),
    ({"parent_id": "999999"}, "parent_id"),
])
def test_bad_organization_is_refused_field_by_field(client, make, admin, overrides, field):
    make.org("EXIST")
    data = {**ORG_DATA, **overrides}
    response = client.post("/admin/organizations/new", data=data)
    assert response.status_code == 400
    html = text(response)
    assert f'id="{field}-error"' in html
    if field != "name_ar":
        assert "وزارة تكنولوجيات الاتصال" in html  # kept
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 1


def test_code_is_immutable_once_entries_carry_it(client, make, admin):
    org = make.org("MEH")
    ds = make.dataset(org)
    data = {**ORG_DATA, "code": "MEHX", "name_fr": "Ministère de l'Équipement (renommé)"}
    response = client.post(f"/admin/organizations/{org.id}", data=data)
    assert response.status_code == 400 and "cannot change" in text(response)
    assert fresh(Organization, org.id).code == "MEH"
    # Renaming is fine, and the entry's reference stays.
    response = client.post(f"/admin/organizations/{org.id}", data={**data, "code": "MEH"})
    assert response.status_code == 302
    org = fresh(Organization, org.id)
    assert org.name_fr == "Ministère de l'Équipement (renommé)"
    assert fresh(Dataset, ds.id).reference == "MEH-0001"
    page = text(client.get(f"/admin/organizations/{org.id}"))
    assert re.search(r'<input[^>]*name="code"[^>]*readonly', page)


def test_code_can_be_fixed_while_no_entry_carries_it(client, make, admin):
    org = make.org("TYPO")
    response = client.post(f"/admin/organizations/{org.id}", data={**ORG_DATA, "code": "FIXED"})
    assert response.status_code == 302 and fresh(Organization, org.id).code == "FIXED"


def test_an_organization_cannot_sit_under_its_own_unit(client, make, admin):
    parent = make.org("PARENT")
    child = make.org("CHILD", parent_id=parent.id)
    response = client.post(f"/admin/organizations/{parent.id}", data={
        **ORG_DATA, "code": "PARENT", "parent_id": str(child.id)})
    assert response.status_code == 400 and 'id="parent_id-error"' in text(response)


def test_merge_moves_entries_members_and_campaigns_keeping_references(client, make, admin):
    old, new = make.org("OLDM"), make.org("NEWM")
    officer = make.user("officer", [old])
    both = make.user("reviewer", [old, new])
    ds = make.dataset(old, officer, status="submitted")
    version = ds.version
    campaign = Campaign(name_fr="C")
    campaign.organizations = [old]
    db.session.add(campaign)
    db.session.commit()
    page = text(client.get(f"/admin/organizations/{old.id}/merge"))
    assert "data-confirm=" in page and "1 entry will move" in page
    response = client.post(f"/admin/organizations/{old.id}/merge", data={"target": new.id})
    assert response.status_code == 302
    db.session.expire_all()
    ds = db.session.get(Dataset, ds.id)
    assert ds.organization_id == new.id and ds.reference == "OLDM-0001" and ds.version > version
    assert [o.code for o in db.session.get(User, officer.id).organizations] == ["NEWM"]
    assert [o.code for o in db.session.get(User, both.id).organizations] == ["NEWM"]
    assert [o.code for o in db.session.get(Campaign, campaign.id).organizations] == ["NEWM"]
    old = db.session.get(Organization, old.id)
    assert not old.active and old.replaced_by_id == new.id
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "organization.merge"))
    assert audit.details["entries"] == 1 and audit.details["into"] == "NEWM"
    # The next entry of the successor continues its own numbering.
    assert make.dataset(db.session.get(Organization, new.id)).reference == "NEWM-0001"


@pytest.mark.parametrize("target", ["self", "inactive", "", "999999", "abc"])
def test_bad_merge_targets(client, make, admin, target):
    org = make.org("SRC")
    inactive = make.org("GONE", active=False)
    value = {"self": str(org.id), "inactive": str(inactive.id)}.get(target, target)
    response = client.post(f"/admin/organizations/{org.id}/merge", data={"target": value})
    assert response.status_code == 400 and 'id="target-error"' in text(response)
    assert fresh(Organization, org.id).active


def test_seed_reference_ministries(client, admin):
    page = text(client.get("/admin/organizations"))
    assert "Add the reference ministries" in page
    client.post("/admin/organizations/seed")
    count = db.session.scalar(sa.select(sa.func.count(Organization.id)))
    assert count == len(ministries())
    client.post("/admin/organizations/seed")
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == count
    assert "Add the reference ministries" not in text(client.get("/admin/organizations"))
    html = text(client.get("/admin/organizations?q=التعليم العالي"))
    assert "MESRS" in html and "MS<" not in html


# --------------------------------------------------------------------------- campaigns

def campaign_data(orgs, **overrides):
    data = {"name_ar": "حملة الجرد", "name_fr": "Campagne d'inventaire", "name_en": "",
            "description": "Secteurs prioritaires", "organizations": [str(o.id) for o in orgs],
            "sectors": ["EDUC", "HEAL"], "start_date": "2026-01-15", "deadline": "2026-12-31",
            "active": "y"}
    data.update(overrides)
    return data


def test_campaign_create_edit_and_dashboard_link(client, make, admin):
    a, b = make.org("AAA"), make.org("BBB")
    assert client.post("/admin/campaigns/new", data=campaign_data([a, b])).status_code == 302
    campaign = db.session.scalar(sa.select(Campaign))
    assert campaign.sectors == ["EDUC", "HEAL"] and [o.code for o in campaign.organizations] \
        == ["AAA", "BBB"]
    assert str(campaign.deadline) == "2026-12-31"
    response = client.post(f"/admin/campaigns/{campaign.id}", data=campaign_data(
        [a], name_fr="Campagne 2027", active=""))
    assert response.status_code == 302
    campaign = fresh(Campaign, campaign.id)
    assert campaign.name_fr == "Campagne 2027" and not campaign.active
    assert [o.code for o in campaign.organizations] == ["AAA"]
    listing = text(client.get("/admin/campaigns"))
    assert f"/dashboard/campaigns/{campaign.id}" in listing and "<progress" in listing
    assert {"campaign.create", "campaign.update"} <= set(audit_actions())


@pytest.mark.parametrize("overrides, field", [
    ({"name_ar": "", "name_fr": "", "name_en": ""}, "name_ar"),
    ({"deadline": "2025-01-01"}, "deadline"),
    ({"deadline": "31/12/2026"}, "deadline"),
    ({"start_date": "demain"}, "start_date"),
    ({"sectors": ["NOPE"]}, "sectors"),
    ({"organizations": ["999999"]}, "organizations"),
    ({"description": "x" * 5001}, "description"),
])
def test_bad_campaign_is_refused_field_by_field(client, make, admin, overrides, field):
    org = make.org()
    response = client.post("/admin/campaigns/new", data=campaign_data([org], **overrides))
    assert response.status_code == 400
    html = text(response)
    assert f'id="{field}-error"' in html
    if field not in ("name_ar", "description"):
        assert "Campagne d&#39;inventaire" in html  # kept
    assert db.session.scalar(sa.select(sa.func.count(Campaign.id))) == 0


def test_campaign_with_entries_is_closed_not_deleted(client, make, admin):
    org = make.org()
    used, empty = Campaign(name_fr="Utilisée"), Campaign(name_fr="Vide")
    db.session.add_all([used, empty])
    db.session.commit()
    make.dataset(org, campaign_id=used.id)
    response = client.post(f"/admin/campaigns/{used.id}/delete", follow_redirects=True)
    assert "close it" in text(response) and fresh(Campaign, used.id) is not None
    page = text(client.get(f"/admin/campaigns/{empty.id}"))
    assert re.search(r'<form[^>]*/delete"[^>]*data-confirm=', page)
    assert client.post(f"/admin/campaigns/{empty.id}/delete").status_code == 302
    assert fresh(Campaign, empty.id) is None
    assert "campaign.delete" in audit_actions()


# --------------------------------------------------------------------------- priority weights

WEIGHTS = {"demand": "0", "ati_requests": "0", "value": "0", "obligation": "100",
           "readiness": "0", "risk": "0"}


def test_changing_weights_rescores_every_entry(client, make, admin):
    org = make.org()
    obliged = make.dataset(org, legal_obligation=True, demand=0, value=0, readiness=0, risk=3,
                           ati_requests=0)
    plain = make.dataset(org, demand=3, value=3, readiness=3, risk=0, hvd_category=None)
    closed = make.dataset(org, **restricted_fields())
    overridden = make.dataset(org, demand=3, value=3, readiness=3, risk=0)
    priority.override_tier(overridden, admin, "low", "Pas maintenant")
    db.session.commit()
    versions = {d.id: d.version for d in (obliged, plain, closed, overridden)}
    assert obliged.priority_tier == "low" and plain.priority_tier == "high"
    response = client.post("/admin/priority", data=WEIGHTS)
    assert response.status_code == 302
    assert priority.get_weights() == {k: int(v) for k, v in WEIGHTS.items()}
    db.session.expire_all()
    get = lambda d: db.session.get(Dataset, d.id)  # noqa: E731
    assert (get(obliged).priority_score, get(obliged).priority_tier) == (100, "high")
    assert (get(plain).priority_score, get(plain).priority_tier) == (0, "low")
    assert get(closed).priority_tier == "excluded" and get(closed).priority_score is None
    assert get(overridden).priority_tier == "low" and get(overridden).priority_score == 0
    # Re-scoring is not an edit: nobody editing an entry gets a conflict for it.
    assert {d: db.session.get(Dataset, d).version for d in versions} == versions
    audit = db.session.scalar(sa.select(AuditLog).where(
        AuditLog.action == "settings.priority_weights"))
    assert audit.details["after"]["obligation"] == 100 and audit.details["rescored"] == 3


def test_recompute_works_in_batches_and_only_writes_changes(make):
    org = make.org()
    entries = [make.dataset(org, demand=i % 4, value=(i + 1) % 4) for i in range(7)]
    Dataset.query.filter(Dataset.id.in_([d.id for d in entries[:3]])).update(
        {"priority_score": 1, "priority_tier": "low"}, synchronize_session=False)
    db.session.commit()
    assert priority.recompute_all(batch_size=2) == 3
    assert priority.recompute_all(batch_size=2) == 0
    db.session.expire_all()
    for d in entries:
        result = priority.compute(db.session.get(Dataset, d.id), priority.get_weights())
        assert db.session.get(Dataset, d.id).priority_score == result.score


@pytest.mark.parametrize("overrides, field", [
    ({"demand": "-1"}, "demand"), ({"value": "101"}, "value"), ({"risk": "beaucoup"}, "risk"),
    ({"readiness": ""}, "readiness"),
    ({k: "0" for k in WEIGHTS}, "demand"),  # all zero
])
def test_bad_weights_are_refused(client, admin, overrides, field):
    response = client.post("/admin/priority", data={**WEIGHTS, **overrides})
    assert response.status_code == 400
    html = text(response)
    assert f'id="{field}-error"' in html and f'href="#field-{field}"' in html
    assert db.session.get(Setting, priority.SETTING_KEY) is None


def test_default_weights_button_fills_without_saving(client, admin):
    client.post("/admin/priority", data=WEIGHTS)
    html = text(client.post("/admin/priority", data={**WEIGHTS, "defaults": "1"}))
    assert re.search(r'id="demand"[^>]*value="25"', html) or \
        re.search(r'value="25"[^>]*id="demand"', html)
    assert priority.get_weights()["obligation"] == 100


# --------------------------------------------------------------------------- vocabularies

def test_vocabulary_browser(client, admin):
    html = text(client.get("/admin/vocabularies"))
    assert "/admin/vocabularies/themes" in html and "/admin/vocabularies/statuses" in html
    themes = text(client.get("/admin/vocabularies/themes"))
    assert "EDUC" in themes and "التربية والثقافة والرياضة" in themes
    assert "http://publications.europa.eu/resource/authority/data-theme/EDUC" in themes
    statuses = text(client.get("/admin/vocabularies/statuses"))
    assert "changes_requested" in statuses and "Changes requested" in statuses
    assert "<form" not in statuses.split("</header>")[1].replace(
        'action="/logout"', "")  # read-only: no form besides sign-out


# --------------------------------------------------------------------------- CSRF

def test_admin_form_without_a_valid_csrf_token_is_not_applied_but_kept(csrf_app, make):
    user = make.user("admin")
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      text(client.get("/login"))).group(1)
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    response = client.post("/admin/organizations/new", data=ORG_DATA)
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 0
    page = text(client.get(response.headers["Location"]))
    assert "وزارة تكنولوجيات الاتصال" in page and 'value="MTC2"' in page
    # A password is never kept.
    response = client.post("/admin/users/new", data=new_user_data(make.org()))
    page = text(client.get(response.headers["Location"]))
    assert "Nouvelle.Personne@Example.org" in page and NEW_PASSWORD not in page
