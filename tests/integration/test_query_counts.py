"""No N+1 queries: a page runs the same number of SQL statements whatever the number of rows
it shows. Each page is requested with few and with many rows and the counts compared.

The requests run with no app context around them (`app.test_client()`, not the `client`
fixture, which runs inside the test's app context and so shares its session): each request
then has its own session, as under gunicorn, and nothing that the test or an earlier request
loaded hides a lazy load in its identity map."""
import pytest

from tests.conftest import PASSWORD, Factory


def _signed_in_client(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("path", ["/datasets", "/datasets?sort=title",
                                  "/datasets?q=%D8%B7%D9%84%D8%A8%D8%A9"])
def test_list_queries_do_not_grow_with_rows(app, path):
    from inventory.extensions import db
    from inventory.models import User

    make = Factory()  # one counter for both rounds: organization codes stay unique
    with app.app_context():
        admin = make.user("admin")
        email, admin_id = admin.email, admin.id
        make.dataset(make.org(), admin)
        db.session.remove()
    client = _signed_in_client(app, email)
    _html, few = _statements_of_request(app, client, path)
    with app.app_context():
        admin = db.session.get(User, admin_id)
        for i in range(12):  # distinct organizations: a lazy load per row would show
            make.dataset(make.org(), admin, status="submitted" if i % 3 else "draft")
        db.session.remove()
    _html, many = _statements_of_request(app, client, path)
    assert len(many) == len(few), f"{path}: {len(few)} statements with 1 row, {len(many)} with 13"


def _statements_of_request(app, client, path):
    """The page at `path` and the SQL statements its request runs, with no app context around
    it: each request then has its own session, as under gunicorn, and nothing loaded by the
    test or by an earlier request hides a lazy load. The page is viewed once before: the
    first view after a change also reads what later views find kept in the process (the
    reference data, the organization filter's options)."""
    client.get(path)
    import sqlalchemy as sa

    from inventory.extensions import db

    with app.app_context():
        engine = db.engine
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True), statements


def test_entry_page_queries_do_not_grow_with_its_history(app):
    """Events by many people, many portal attempts, hand ticks, a campaign, an editor and a
    tier set by hand: still the same statements as a new draft with none of them (each list
    is one query with its people joined, and those people's organizations are not loaded)."""
    from datetime import UTC, datetime

    from inventory.extensions import db
    from inventory.models import (
        Campaign,
        ChecklistTick,
        Dataset,
        Organization,
        Publication,
        ReviewEvent,
    )

    make = Factory()  # one counter for both rounds: e-mails stay unique
    with app.app_context():
        admin = make.user("admin")
        org = make.org()
        ds = make.dataset(org, admin, status="draft")
        email, path, dataset_id, org_id = admin.email, f"/datasets/{ds.uuid}", ds.id, org.id
        db.session.remove()
    client = _signed_in_client(app, email)
    _html, few = _statements_of_request(app, client, path)
    with app.app_context():
        org = db.session.get(Organization, org_id)
        for i in range(6):
            actor = make.user("reviewer", [org])
            db.session.add_all([
                ReviewEvent(dataset_id=dataset_id, actor_id=actor.id, action="comment",
                            from_status="approved", to_status="approved",
                            comment=f"note {i}"),
                Publication(dataset_id=dataset_id, outcome="failed", attempt=i + 1),
            ])
        officer = make.user("officer", [org])
        db.session.add(ChecklistTick(item_id="D01", dataset_id=dataset_id, done=True,
                                     note="PV 12", by_id=officer.id))
        campaign = Campaign(name_ar="حملة القطاعات", name_fr="Campagne des secteurs",
                            name_en="Sector campaign")
        db.session.add(campaign)
        db.session.flush()
        overrider = make.user("reviewer", [org], name="Salma Trabelsi")  # no event of hers
        ds = db.session.get(Dataset, dataset_id)
        ds.status, ds.campaign_id, ds.updated_by_id = "approved", campaign.id, officer.id
        ds.priority_override_tier, ds.priority_override_reason = "high", "Demande du ministre"
        ds.priority_override_by_id, ds.priority_override_at = overrider.id, datetime.now(UTC)
        db.session.commit()
        db.session.remove()
    html, many = _statements_of_request(app, client, path)
    assert "note 5" in html and "PV 12" in html and "Sector campaign" in html
    assert "Salma Trabelsi" in html.split('id="prio-title"')[1]
    assert len(many) == len(few), "\n".join(s.split(" FROM ")[0][:60] for s in many)
