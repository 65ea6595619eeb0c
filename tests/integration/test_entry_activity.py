"""What the entry page reads of an entry's activity (inventory.activity.entry_activity): its
review events newest first, its hand ticks oldest first, its five newest portal attempts
and the newest portal request still waiting, all in one statement, none of another entry's."""
from datetime import timedelta

from inventory.activity import entry_activity, entry_events
from inventory.extensions import db
from inventory.models import ChecklistTick, Publication, PublicationRequest, ReviewEvent, utcnow


def test_an_entry_with_no_activity(app_ctx, make, sql_statements):
    dataset_id = make.dataset(make.org(), make.user("admin")).id
    activity, statements = sql_statements(lambda: entry_activity(dataset_id))
    assert activity == ([], [], [], None)
    assert len(statements) == 1


def test_each_list_in_its_order_and_only_this_entrys(app_ctx, make, sql_statements):
    admin = make.user("admin")
    org = make.org()
    ds, other = make.dataset(org, admin), make.dataset(org, admin)
    reviewer, officer = make.user("reviewer", [org]), make.user("officer", [org])
    start = utcnow() - timedelta(days=1)
    # Out of order in time, two at the same instant (the id decides).
    times = [3, 1, 6, 0, 5, 5, 2]
    attempts = [Publication(dataset_id=ds.id, at=start + timedelta(minutes=m), outcome="failed",
                            attempt=i + 1) for i, m in enumerate(times)]
    events = [ReviewEvent(dataset_id=ds.id, actor_id=reviewer.id, action="comment",
                          from_status="submitted", to_status="submitted", comment=f"note {m}",
                          at=start + timedelta(minutes=m)) for m in times]
    ticks = [ChecklistTick(item_id=item, dataset_id=ds.id, by_id=officer.id,
                           at=start + timedelta(minutes=m), note=item)
             for item, m in (("D02", 9), ("D05", 4), ("D06", 7))]
    noise = [Publication(dataset_id=other.id, at=start + timedelta(hours=2), outcome="ok"),
             PublicationRequest(dataset_id=other.id),
             ReviewEvent(dataset_id=other.id, actor_id=reviewer.id, action="comment",
                         from_status="draft", to_status="draft"),
             ChecklistTick(item_id="D02", dataset_id=other.id, by_id=officer.id),
             ChecklistTick(item_id="M01", organization_id=org.id, by_id=officer.id)]
    done = PublicationRequest(dataset_id=ds.id, done_at=start, outcome="ok")
    older_waiting = PublicationRequest(dataset_id=ds.id, action="publish")
    db.session.add_all([*attempts, *events, *ticks, *noise, done, older_waiting])
    db.session.flush()
    last_waiting = PublicationRequest(dataset_id=ds.id, action="withdraw", attempts=2)
    db.session.add(last_waiting)
    db.session.commit()
    dataset_id, reviewer_email, officer_email = ds.id, reviewer.email, officer.email

    def newest_first(rows):
        return [r.id for r in sorted(rows, key=lambda r: (r.at, r.id), reverse=True)]

    expected_events, expected_attempts = newest_first(events), newest_first(attempts)[:5]
    waiting_ids = last_waiting.id, older_waiting.id
    db.session.expunge_all()  # a new session, as on the entry page

    activity, statements = sql_statements(lambda: entry_activity(dataset_id))
    assert len(statements) == 1
    assert [e.id for e in activity.events] == expected_events
    alone, statements = sql_statements(lambda: entry_events(dataset_id))  # the review page's
    assert [e.id for e in alone] == expected_events and len(statements) == 1
    assert [t.note for t in activity.ticks] == ["D05", "D06", "D02"]
    assert [p.id for p in activity.attempts] == expected_attempts
    assert activity.waiting.id == waiting_ids[0] and activity.waiting.action == "withdraw"
    # The people are read with them: naming them runs no statement.
    names, statements = sql_statements(lambda: {e.actor.email for e in activity.events}
                                       | {t.by.email for t in activity.ticks})
    assert names == {reviewer_email, officer_email} and statements == []

    for request_id in waiting_ids:
        db.session.get(PublicationRequest, request_id).done_at = utcnow()
    db.session.commit()
    activity = entry_activity(dataset_id)
    assert activity.waiting is None and len(activity.attempts) == 5
