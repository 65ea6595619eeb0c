"""Review side: the queue (scope, filters, sorting, paging, empty states), the review page
(approve / request changes overall and per field, bad input, conflicts), the officer's view of
requested changes, withdrawal from the UI, and the reviewer's priority override."""
import re
from datetime import timedelta

import pytest

from inventory.extensions import db
from inventory.models import AuditLog, Campaign, Dataset, ReviewEvent, utcnow
from tests.conftest import restricted_fields


@pytest.fixture
def team(make):
    org, other = make.org("MESRS"), make.org("MS")
    return {
        "org": org, "other": other,
        "officer": make.user("officer", [org]),
        "reviewer": make.user("reviewer", [org]),
        "admin": make.user("admin"),
    }


def text(response):
    return response.get_data(as_text=True)


def refs_in(html):
    return re.findall(r'dir="ltr">([A-Z]+-\d{4})</a>', html)


def reload(ds):
    db.session.expire_all()
    return db.session.get(Dataset, ds.id)


# --------------------------------------------------------------------------- queue

def test_queue_lists_submitted_entries_of_reviewed_organizations_only(client, login, make, team):
    mine = make.dataset(team["org"], status="submitted", title_fr="Fiche à revoir")
    make.dataset(team["org"], status="draft", title_fr="Brouillon")
    make.dataset(team["org"], status="approved", title_fr="Déjà approuvée")
    make.dataset(team["other"], status="submitted", title_fr="Fiche d'un autre ministère")
    login(team["reviewer"])
    html = text(client.get("/review?lang=fr"))
    assert refs_in(html) == [mine.reference]
    assert "Brouillon" not in html and "autre ministère" not in html
    assert f"/review/{mine.uuid}" in html


def test_admin_queue_covers_every_organization(client, login, make, team):
    a = make.dataset(team["org"], status="submitted")
    b = make.dataset(team["other"], status="submitted")
    login(team["admin"])
    assert set(refs_in(text(client.get("/review")))) == {a.reference, b.reference}


def test_queue_filters(client, login, make, team):
    campaign = Campaign(name_fr="Campagne santé")
    db.session.add(campaign)
    db.session.commit()
    reviewer = make.user("reviewer", [team["org"], team["other"]])
    educ = make.dataset(team["org"], status="submitted", title_ar="عدد الطلبة المرسمين")
    heal = make.dataset(team["other"], status="submitted", themes=["HEAL"],
                        title_ar="قائمة المستشفيات", description_ar="المستشفيات العمومية",
                        campaign_id=campaign.id,
                        legal_obligation=True, demand=3, value=3, readiness=3, risk=0)
    login(reviewer)
    assert refs_in(text(client.get(f"/review?organization={team['other'].id}"))) == \
        [heal.reference]
    assert refs_in(text(client.get("/review?theme=EDUC"))) == [educ.reference]
    assert refs_in(text(client.get(f"/review?campaign={campaign.id}"))) == [heal.reference]
    assert refs_in(text(client.get(f"/review?tier={heal.priority_tier}"))) == [heal.reference]
    # Arabic-aware search: ta marbuta and alef forms folded.
    assert refs_in(text(client.get("/review?q=الطلبه"))) == [educ.reference]
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    html = text(client.get(f"/review?since={tomorrow}"))
    assert refs_in(html) == [] and "No entry waiting for review matches" in html


def test_bad_since_date_is_a_field_error_not_a_crash(client, login, make, team):
    ds = make.dataset(team["org"], status="submitted")
    login(team["reviewer"])
    response = client.get("/review?since=31/12/2026&q=<script>")
    assert response.status_code == 200
    html = text(response)
    assert 'id="since-error"' in html and 'aria-invalid="true"' in html
    assert refs_in(html) == []  # the search term matches nothing; the bad date is ignored
    assert "<script>" not in html.split("</header>")[1]
    assert ds.reference in text(client.get("/review?since=not-a-date"))


def test_queue_sorting_and_paging(app, client, login, make, team):
    entries = []
    for i in range(3):
        ds = make.dataset(team["org"], status="submitted")
        ds.submitted_at = utcnow() - timedelta(days=10 - i)  # entries[0] waits longest
        entries.append(ds)
    db.session.commit()
    login(team["reviewer"])
    refs = [e.reference for e in entries]
    assert refs_in(text(client.get("/review"))) == refs  # oldest first by default
    assert refs_in(text(client.get("/review?sort=-submitted"))) == refs[::-1]
    assert refs_in(text(client.get("/review?sort=-reference"))) == sorted(refs, reverse=True)
    app.config["LIST_PAGE_SIZE"] = 2
    try:
        first, second = text(client.get("/review")), text(client.get("/review?page=2"))
        assert refs_in(first) == refs[:2] and refs_in(second) == refs[2:]
        assert refs_in(text(client.get("/review?page=99"))) == refs[2:]  # clamped
        assert refs_in(text(client.get("/review?page=-3"))) == refs[:2]
    finally:
        app.config["LIST_PAGE_SIZE"] = 25


def test_queue_empty_state(client, login, team):
    login(team["reviewer"])
    html = text(client.get("/review"))
    assert "Nothing to review" in html


# --------------------------------------------------------------------------- review page

def test_review_page_shows_summary_priority_history_and_form(client, login, make, team):
    ds = make.dataset(team["org"], status="submitted", owner_unit="Direction des études")
    login(team["reviewer"])
    html = text(client.get(f"/review/{ds.uuid}"))
    assert "Direction des études" in html  # the full summary
    assert "Priority for opening" in html and "How the score is made" in html
    assert "Submitted for review" in html  # history
    assert 'name="decision"' in html and 'name="fc_title_ar"' in html
    assert f'name="version" type="hidden" value="{ds.version}"' in html
    # Per-field comment boxes are grouped by wizard step.
    assert "Legal assessment and personal data" in html and 'name="fc_harm_note"' in html


def test_review_page_lists_rules_the_entry_no_longer_meets(client, login, make, team):
    ds = make.dataset(team["org"], status="submitted")
    ds.owner_unit = ""
    db.session.commit()
    login(team["reviewer"])
    html = text(client.get(f"/review/{ds.uuid}"))
    assert "Rules this entry does not meet" in html and "Producing unit" in html


def test_review_page_of_an_entry_not_waiting(client, login, make, team):
    ds = make.dataset(team["org"], status="approved")
    login(team["reviewer"])
    response = client.get(f"/review/{ds.uuid}")
    assert response.status_code == 200
    assert "not waiting for review" in text(response) and 'name="decision"' not in text(response)


def test_approve_with_optional_comment(client, login, make, team):
    ds = make.dataset(team["org"], status="submitted")
    login(team["reviewer"])
    response = client.post(f"/review/{ds.uuid}", data={
        "decision": "approve", "comment": "Fiche complète", "version": str(ds.version)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/review")
    ds = reload(ds)
    assert ds.status == "approved" and ds.approved_at is not None
    event = ds.review_events[-1]
    assert (event.action, event.actor_id, event.comment) == ("approve", team["reviewer"].id,
                                                             "Fiche complète")
    assert db.session.scalar(db.select(AuditLog).where(
        AuditLog.action == "dataset.approve", AuditLog.object_id == ds.uuid)) is not None
    # Approving without a comment is fine too.
    other = make.dataset(team["org"], status="submitted")
    assert client.post(f"/review/{other.uuid}", data={"decision": "approve"}).status_code == 302
    assert reload(other).status == "approved"


def test_request_changes_per_field_reaches_the_officer(client, login, make, team):
    ds = make.dataset(team["org"], status="submitted")
    login(team["reviewer"])
    response = client.post(f"/review/{ds.uuid}", data={
        "decision": "request_changes", "comment": "Quelques précisions",
        "fc_title_ar": "العنوان غير دقيق", "fc_license_code": "  ",
        "fc_distributions": "Ajouter le lien de téléchargement"})
    assert response.status_code == 302
    ds = reload(ds)
    assert ds.status == "changes_requested"
    event = ds.review_events[-1]
    assert event.field_comments == {"title_ar": "العنوان غير دقيق",
                                    "distributions": "Ajouter le lien de téléchargement"}

    officer = client.application.test_client()
    login(team["officer"], c=officer)
    html = text(officer.get(f"/datasets/{ds.uuid}?lang=en"))
    panel = html.split('id="changes-requested"')[1].split("</section>")[0]
    assert "Quelques précisions" in panel
    assert f'href="/datasets/{ds.uuid}/edit?field=title_ar">Title in Arabic</a>' in panel
    assert f'href="/datasets/{ds.uuid}/edit?field=distributions">Distributions</a>' in panel
    assert "العنوان غير دقيق" in panel
    # The history names fields by their label too, in the chosen language.
    html_fr = text(officer.get(f"/datasets/{ds.uuid}?lang=fr"))
    history = html_fr.split('id="history-title"')[1]
    assert "field_comments" not in history and "title_ar</strong>" not in history


def test_request_changes_without_any_comment_is_refused_and_keeps_input(client, login, make,
                                                                         team):
    ds = make.dataset(team["org"], status="submitted")
    login(team["reviewer"])
    response = client.post(f"/review/{ds.uuid}", data={
        "decision": "request_changes", "comment": " ", "fc_title_fr": ""})
    assert response.status_code == 400
    html = text(response)
    assert 'id="comment-error"' in html and "Say what should change" in html
    assert 'href="#field-comment"' in html  # the error summary links to the field
    assert 'value="request_changes" checked' in html or \
        'checked type="radio" value="request_changes"' in html or \
        re.search(r'<input[^>]*checked[^>]*value="request_changes"', html)
    assert reload(ds).status == "submitted"


def test_missing_decision_and_oversized_comments_keep_everything_typed(client, login, make,
                                                                        team):
    ds = make.dataset(team["org"], status="submitted")
    login(team["reviewer"])
    response = client.post(f"/review/{ds.uuid}", data={
        "comment": "Mon commentaire", "fc_owner_unit": "x" * 2001, "fc_themes": "Thème ?"})
    assert response.status_code == 400
    html = text(response)
    assert 'id="decision-error"' in html and 'id="fc_owner_unit-error"' in html
    assert "Mon commentaire" in html and "Thème ?" in html
    # The step group holding an error is open, so the linked field is visible.
    assert re.search(r'<details class="review-step" open>\s*<summary>Identification', html)
    assert reload(ds).status == "submitted" and len(reload(ds).review_events) == 1


def test_hostile_comments_are_shown_escaped(client, login, make, team):
    ds = make.dataset(team["org"], status="submitted")
    login(team["reviewer"])
    client.post(f"/review/{ds.uuid}", data={
        "decision": "request_changes", "comment": "<script>alert(1)</script>",
        "fc_title_fr": "<img src=x onerror=alert(2)>"})
    html = text(client.get(f"/datasets/{ds.uuid}"))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html


def test_entry_changed_during_review_is_a_conflict_that_keeps_the_comments(client, login, make,
                                                                            team):
    ds = make.dataset(team["org"], status="submitted")
    old_version = ds.version
    ds.description_fr = "Corrigée par l'administrateur pendant la revue"
    db.session.commit()
    login(team["reviewer"])
    response = client.post(f"/review/{ds.uuid}", data={
        "decision": "request_changes", "comment": "Voir le titre",
        "fc_title_fr": "Trop long", "version": str(old_version)})
    assert response.status_code == 409
    html = text(response)
    assert "changed while you were reviewing" in html
    assert "Voir le titre" in html and "Trop long" in html
    assert f'value="{reload(ds).version}"' in html  # a second send goes through
    assert reload(ds).status == "submitted"


def test_second_reviewer_gets_a_clear_message(client, login, make, team):
    ds = make.dataset(team["org"], status="submitted")
    workflow_version = ds.version
    from inventory import workflow
    workflow.approve(ds, team["admin"])
    db.session.commit()
    login(team["reviewer"])
    response = client.post(f"/review/{ds.uuid}", data={
        "decision": "request_changes", "comment": "Trop tard", "version": str(workflow_version)})
    assert response.status_code == 409
    assert "no longer waiting for review" in text(response) and "Trop tard" in text(response)
    assert reload(ds).status == "approved"


def test_review_without_a_valid_csrf_token_is_not_applied_but_kept(csrf_app, make, team):
    ds = make.dataset(team["org"], status="submitted")
    client = csrf_app.test_client()

    def get_token(path):
        page = text(client.get(path))
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    client.post("/login", data={"email": team["reviewer"].email, "password": "Correct-horse-42",
                                "csrf_token": get_token("/login")})
    response = client.post(f"/review/{ds.uuid}", data={
        "decision": "request_changes", "comment": "Commentaire gardé",
        "fc_title_fr": "Précisez l'année"})
    assert response.status_code == 302 and "stash=" in response.headers["Location"]
    assert reload(ds).status == "submitted"
    page = text(client.get(response.headers["Location"]))
    assert "Commentaire gardé" in page and "Précisez l&#39;année" in page
    token = get_token(f"/review/{ds.uuid}")
    response = client.post(f"/review/{ds.uuid}", data={"decision": "approve",
                                                       "csrf_token": token})
    assert response.status_code == 302 and reload(ds).status == "approved"


def test_expired_session_keeps_the_review_until_signed_in_again(app, make, team):
    ds = make.dataset(team["org"], status="submitted")
    client = app.test_client()  # no session: it expired
    response = client.post(f"/review/{ds.uuid}", data={
        "decision": "request_changes", "comment": "Écrit avant l'expiration",
        "fc_owner_unit": "Quelle direction ?"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(response.headers["Location"], data={
        "email": team["reviewer"].email, "password": "Correct-horse-42"})
    page = text(client.get(response.headers["Location"]))
    assert "Écrit avant l&#39;expiration" in page and "Quelle direction ?" in page
    assert re.search(r'<details class="review-step" open>\s*<summary>Identification', page)
    assert reload(ds).status == "submitted"


# --------------------------------------------------------------------------- withdraw

def test_withdraw_from_the_entry_page_needs_a_reason(client, login, make, team):
    ds = make.dataset(team["org"], status="approved")
    login(team["reviewer"])
    html = text(client.get(f"/datasets/{ds.uuid}"))
    form = re.search(rf'<form[^>]*action="/datasets/{ds.uuid}/transition/withdraw"[^>]*>(.*?)</form>',
                     html, re.S)
    assert "data-confirm=" in form.group(0)
    assert re.search(r'<input[^>]*name="comment"[^>]*required', form.group(1))
    response = client.post(f"/datasets/{ds.uuid}/transition/withdraw", data={"comment": " "},
                           follow_redirects=True)
    assert "Give the reason for the withdrawal." in text(response)
    assert reload(ds).status == "approved"
    client.post(f"/datasets/{ds.uuid}/transition/withdraw", data={"comment": "Données erronées"})
    ds = reload(ds)
    assert ds.status == "withdrawn" and ds.review_events[-1].comment == "Données erronées"


# --------------------------------------------------------------------------- priority override

def test_override_the_tier_with_a_reason_then_clear_it(client, login, make, team):
    ds = make.dataset(team["org"], status="submitted", demand=0, value=0, readiness=0, risk=3,
                      ati_requests=0)
    assert ds.priority_tier == "low"
    login(team["reviewer"])
    assert "Set the tier by hand" in text(client.get(f"/datasets/{ds.uuid}"))
    response = client.post(f"/review/{ds.uuid}/priority", data={
        "tier": "high", "reason": "Priorité du ministre"})
    assert response.status_code == 302
    ds = reload(ds)
    assert (ds.priority_tier, ds.priority_override_tier, ds.priority_override_reason,
            ds.priority_override_by_id) == ("high", "high", "Priorité du ministre",
                                            team["reviewer"].id)
    assert ds.priority_override_at is not None and ds.priority_score is not None
    audit = db.session.scalar(db.select(AuditLog).where(
        AuditLog.action == "dataset.priority_override"))
    assert audit.details["to_tier"] == "high" and audit.details["from_tier"] == "low"
    html = text(client.get(f"/datasets/{ds.uuid}"))
    assert "Tier set by hand" in html and "Priorité du ministre" in html
    # The review queue's tier filter follows the override.
    assert refs_in(text(client.get("/review?tier=high"))) == [ds.reference]

    client.post(f"/review/{ds.uuid}/priority", data={"clear": "1"})
    ds = reload(ds)
    assert ds.priority_override_tier is None and ds.priority_tier == "low"
    assert db.session.scalar(db.select(AuditLog).where(
        AuditLog.action == "dataset.priority_override_cleared")).details["previous_tier"] == \
        "high"


@pytest.mark.parametrize("data, field", [
    ({"tier": "high", "reason": "  "}, "reason"),
    ({"tier": "urgent", "reason": "Pourquoi pas"}, "tier"),
    ({"reason": "Sans niveau"}, "tier"),
    ({"tier": "low", "reason": "x" * 2001}, "reason"),
])
def test_bad_override_is_refused_field_by_field(client, login, make, team, data, field):
    ds = make.dataset(team["org"], status="submitted")
    tier = ds.priority_tier
    login(team["reviewer"])
    response = client.post(f"/review/{ds.uuid}/priority", data=data)
    assert response.status_code == 400
    html = text(response)
    assert f'id="{field}-error"' in html
    if data.get("reason", "").strip() and len(data["reason"]) < 100:
        assert data["reason"] in html  # kept
    ds = reload(ds)
    assert ds.priority_tier == tier and ds.priority_override_tier is None


def test_entries_excluded_from_opening_have_no_tier_to_override(client, login, make, team):
    ds = make.dataset(team["org"], status="submitted", **restricted_fields())
    assert ds.priority_tier == "excluded"
    login(team["reviewer"])
    page = text(client.get(f"/review/{ds.uuid}/priority"))
    assert "will not be opened" in page and 'name="tier"' not in page
    response = client.post(f"/review/{ds.uuid}/priority", data={"tier": "high",
                                                                "reason": "Quand même"})
    assert response.status_code == 400 and "no priority tier to override" in text(response)
    assert reload(ds).priority_tier == "excluded"


def test_review_events_are_not_written_by_a_priority_override(client, login, make, team):
    ds = make.dataset(team["org"], status="submitted")
    login(team["admin"])
    client.post(f"/review/{ds.uuid}/priority", data={"tier": "medium", "reason": "Équilibre"})
    assert db.session.scalar(db.select(db.func.count(ReviewEvent.id)).where(
        ReviewEvent.dataset_id == ds.id)) == 1
