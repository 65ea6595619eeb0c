"""No N+1 queries: a page runs the same number of SQL statements whatever the number of rows
it shows. Each page is requested with few and with many rows and the counts compared.

The test client's requests share the test's app context, hence its session: each measured
request starts from an empty identity map (as in test_dashboard.py), or the objects the test
made would hide lazy loads, as they hid four on the entry page."""
import pytest

from inventory.extensions import db


def _page(client, sql_statements, path):
    """The page at `path` and the SQL statements its request runs. The page is viewed once
    before: the first view after a change also reads what later views find kept in the
    process (the reference data, the organization filter's options)."""
    client.get(path)
    db.session.remove()
    response, statements = sql_statements(lambda: client.get(path))
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True), statements


@pytest.mark.parametrize("path", ["/datasets", "/datasets?sort=title",
                                  "/datasets?q=%D8%B7%D9%84%D8%A8%D8%A9"])
def test_list_queries_do_not_grow_with_rows(make, client, login, sql_statements, path):
    admin = make.user("admin")
    login(admin)
    make.dataset(make.org(), admin)
    _html, few = _page(client, sql_statements, path)
    for i in range(12):  # distinct organizations: a lazy load per row would show
        make.dataset(make.org(), admin, status="submitted" if i % 3 else "draft")
    _html, many = _page(client, sql_statements, path)
    assert len(many) == len(few), f"{path}: {len(few)} statements with 1 row, {len(many)} with 13"


def _bare_entry(make, client, login, sql_statements, status, page):
    """An admin signed in and a new entry in `status`, whose page (`page` formatted with the
    entry's uuid) has been measured: (organization, entry, path, statements). The two are
    read again in a new session, for the history to be added to."""
    from inventory.models import Dataset, Organization

    admin = make.user("admin")
    login(admin)
    org = make.org()
    ds = make.dataset(org, admin, status=status)
    path = page.format(ds.uuid)
    _html, statements = _page(client, sql_statements, path)
    return (db.session.get(Organization, org.id), db.session.get(Dataset, ds.id), path,
            statements)


def _give_a_history(make, org, ds, status):
    """Give entry `ds` (in a new session) comments by six reviewers, a campaign, an editor
    and a tier set by hand by a seventh reviewer, who has no event of her own. Returns the
    editor, for more rows of theirs."""
    from datetime import UTC, datetime

    from inventory.models import Campaign, ReviewEvent

    reviewers = [make.user("reviewer", [org]) for _ in range(6)]
    db.session.add_all(ReviewEvent(dataset_id=ds.id, actor_id=actor.id, action="comment",
                                   from_status=status, to_status=status, comment=f"note {i}")
                       for i, actor in enumerate(reviewers))
    officer = make.user("officer", [org], name="Karim Jaziri")
    campaign = Campaign(name_ar="حملة القطاعات", name_fr="Campagne des secteurs",
                        name_en="Sector campaign")
    db.session.add(campaign)
    db.session.flush()
    overrider = make.user("reviewer", [org], name="Salma Trabelsi")
    ds.status, ds.campaign_id, ds.updated_by_id = status, campaign.id, officer.id
    ds.priority_override_tier, ds.priority_override_reason = "high", "Demande du ministre"
    ds.priority_override_by_id, ds.priority_override_at = overrider.id, datetime.now(UTC)
    return officer


def test_entry_page_queries_do_not_grow_with_its_history(make, client, login, sql_statements):
    """Events by many people, many portal attempts, hand ticks, a campaign, an editor and a
    tier set by hand: still the same statements as a new draft with none of them (each list
    is one query with its people joined, and those people's organizations are not loaded)."""
    from inventory.models import ChecklistTick, Publication

    org, ds, path, few = _bare_entry(make, client, login, sql_statements, "draft",
                                     "/datasets/{}")
    officer = _give_a_history(make, org, ds, "approved")
    db.session.add_all(Publication(dataset_id=ds.id, outcome="failed", attempt=i + 1)
                       for i in range(6))
    db.session.add(ChecklistTick(item_id="D01", dataset_id=ds.id, done=True, note="PV 12",
                                 by_id=officer.id))
    db.session.commit()
    html, many = _page(client, sql_statements, path)
    assert "note 5" in html and "PV 12" in html and "Sector campaign" in html
    assert "Salma Trabelsi" in html.split('id="prio-title"')[1]
    assert len(many) == len(few), "\n".join(s.split(" FROM ")[0][:60] for s in many)


def test_review_page_queries_do_not_grow_with_its_history(make, client, login, sql_statements):
    """The review page of an entry with events by many reviewers, a campaign, an editor and a
    tier set by hand runs the same statements as that of a bare submitted entry."""
    org, ds, path, few = _bare_entry(make, client, login, sql_statements, "submitted",
                                     "/review/{}")
    _give_a_history(make, org, ds, "submitted")
    db.session.commit()
    html, many = _page(client, sql_statements, path)
    assert "note 5" in html and "Sector campaign" in html and "Salma Trabelsi" in html
    assert len(many) == len(few), "\n".join(s.split(" FROM ")[0][:60] for s in many)


@pytest.mark.parametrize("step", ["identification", "legal", "access", "coverage",
                                  "distributions", "priority", "summary"])
def test_wizard_step_reads_the_entry_in_one_statement(make, client, login, sql_statements,
                                                      step):
    """A wizard step reads the signed-in user and the entry, with its themes, distributions
    and campaign joined: two statements, and a third on the priority step for the campaigns it
    offers. The same for an entry with three themes, three distributions and a campaign as for
    an empty draft (they were one statement each, and the campaigns were read on every step)."""
    from inventory.models import Campaign

    admin = make.user("admin")
    login(admin)
    org = make.org()
    campaign = Campaign(name_ar="حملة القطاعات", name_fr="Campagne des secteurs",
                        name_en="Sector campaign")
    db.session.add(campaign)
    db.session.commit()
    bare = make.dataset(org, admin, complete=False)
    full = make.dataset(org, admin, campaign_id=campaign.id, themes=["EDUC", "HEAL", "GOVE"],
                        distributions=[{"title": f"Fichier {i}", "format": "CSV",
                                        "access_url": f"https://data.example.org/{i}"}
                                       for i in range(3)])
    bare_path, full_path = (f"/datasets/{ds.uuid}/edit?step={step}" for ds in (bare, full))
    campaign_id = campaign.id
    _html, few = _page(client, sql_statements, bare_path)
    html, many = _page(client, sql_statements, full_path)
    expected = 3 if step == "priority" else 2
    assert len(few) == len(many) == expected, \
        "\n".join(s.split(" FROM ")[0][:60] for s in many)
    if step == "distributions":
        assert "Fichier 2" in html
    if step == "priority":
        assert f'<option selected value="{campaign_id}">' in html
