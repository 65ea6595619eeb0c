"""The entry page's portal panel (catalog.publishing_views.publication_state): the last five
attempts, newest first, and the request still waiting, read in one query."""
from datetime import timedelta

from catalog.publishing_views import publication_state
from inventory.extensions import db
from inventory.models import Publication, PublicationRequest, utcnow


def test_an_entry_never_sent_has_no_attempt_and_nothing_waiting(app_ctx, make, sql_statements):
    ds = make.dataset(make.org(), make.user("admin"))
    db.session.refresh(ds)  # loaded, as on the entry page
    state, statements = sql_statements(lambda: publication_state(ds))
    assert state == {"attempts": [], "waiting": None}
    assert len(statements) == 1


def test_the_five_newest_attempts_and_the_last_waiting_request(app_ctx, make, sql_statements):
    admin = make.user("admin")
    ds, other = make.dataset(make.org(), admin), make.dataset(make.org(), admin)
    start = utcnow() - timedelta(days=1)
    # Seven attempts, out of order in time, two at the same instant (the id decides).
    times = [3, 1, 6, 0, 5, 5, 2]
    attempts = [Publication(dataset_id=ds.id, at=start + timedelta(minutes=m), outcome="failed",
                            attempt=i + 1) for i, m in enumerate(times)]
    noise = [Publication(dataset_id=other.id, at=start + timedelta(hours=2), outcome="ok"),
             PublicationRequest(dataset_id=other.id)]
    done = PublicationRequest(dataset_id=ds.id, done_at=start, outcome="ok")
    older_waiting = PublicationRequest(dataset_id=ds.id, action="publish")
    db.session.add_all([*attempts, *noise, done, older_waiting])
    db.session.flush()
    last_waiting = PublicationRequest(dataset_id=ds.id, action="withdraw", attempts=2)
    db.session.add(last_waiting)
    db.session.commit()
    db.session.refresh(ds)

    state, statements = sql_statements(lambda: publication_state(ds))
    assert len(statements) == 1
    expected = sorted(attempts, key=lambda p: (p.at, p.id), reverse=True)[:5]
    assert [p.id for p in state["attempts"]] == [p.id for p in expected]
    assert state["waiting"].id == last_waiting.id and state["waiting"].action == "withdraw"

    last_waiting.done_at = utcnow()
    older_waiting.done_at = utcnow()
    db.session.commit()
    state = publication_state(ds)
    assert state["waiting"] is None and len(state["attempts"]) == 5
