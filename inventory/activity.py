"""What has happened to one entry, for its page: its review events, its hand-ticked checklist
items, its last portal attempts and the portal request still waiting, read in one statement.

Read as four queries, these cost the entry page a quarter of its database CPU on the web
side: each ORM statement costs ~0.3 ms of Python before and after its round trip, whatever it
returns, and the four lists are short. One statement returns them as one sparse union: a
"kind" column numbers the lists, and each list's table is outer-joined on its own kind only,
so that a row carries one record (or none, for an empty list) and no list multiplies another.
The review page shows only the events: `entry_events`, the same list in its own statement.
"""
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from .extensions import db
from .models import ChecklistTick, Publication, PublicationRequest, ReviewEvent, User

EVENTS, TICKS, ATTEMPTS, WAITING = 1, 2, 3, 4
ATTEMPTS_SHOWN = 5

_dataset_id = sa.bindparam("dataset_id")
_EVENTS_ORDER = (ReviewEvent.at.desc(), ReviewEvent.id.desc())  # newest first
# The people named, joined (one user per row), without their organizations, which load by
# default and are not shown.
_ACTORS = joinedload(ReviewEvent.actor).lazyload(User.organizations)
_TICK_AUTHORS = joinedload(ChecklistTick.by).lazyload(User.organizations)


def _kind(kind):
    # Written into the statement, so that a plan is made knowing which kind each join takes.
    return sa.literal(kind, literal_execute=True)


# The kinds as a UNION ALL of constants (a VALUES list is compiled again at every run).
_KINDS = sa.union_all(*[sa.select(_kind(kind).label("kind"))
                        for kind in (EVENTS, TICKS, ATTEMPTS, WAITING)]).subquery("kinds")
_LAST_ATTEMPTS = (sa.select(Publication.id).where(Publication.dataset_id == _dataset_id)
                  .order_by(Publication.at.desc(), Publication.id.desc()).limit(ATTEMPTS_SHOWN))
_WAITING_ID = (sa.select(sa.func.max(PublicationRequest.id))
               .where(PublicationRequest.dataset_id == _dataset_id,
                      PublicationRequest.done_at.is_(None)).scalar_subquery())
# Built once: a statement's cache key is computed once per statement object.
ENTRY_ACTIVITY = (
    sa.select(_KINDS.c.kind, ReviewEvent, ChecklistTick, Publication, PublicationRequest)
    .select_from(_KINDS)
    .outerjoin(ReviewEvent, sa.and_(_KINDS.c.kind == _kind(EVENTS),
                                    ReviewEvent.dataset_id == _dataset_id))
    .outerjoin(ChecklistTick, sa.and_(_KINDS.c.kind == _kind(TICKS),
                                      ChecklistTick.dataset_id == _dataset_id))
    .outerjoin(Publication, sa.and_(_KINDS.c.kind == _kind(ATTEMPTS),
                                    Publication.id.in_(_LAST_ATTEMPTS)))
    .outerjoin(PublicationRequest, sa.and_(_KINDS.c.kind == _kind(WAITING),
                                           PublicationRequest.id == _WAITING_ID))
    .options(_ACTORS, _TICK_AUTHORS)
    .order_by(_KINDS.c.kind, *_EVENTS_ORDER, ChecklistTick.at, ChecklistTick.id,
              Publication.at.desc(), Publication.id.desc()))
# The review events alone (the review page), as ENTRY_ACTIVITY gives them.
ENTRY_EVENTS = (sa.select(ReviewEvent).where(ReviewEvent.dataset_id == _dataset_id)
                .options(_ACTORS).order_by(*_EVENTS_ORDER))


class EntryActivity(NamedTuple):
    """One entry's records, each list in the order its page shows it."""
    events: list  # ReviewEvents, newest first, with their actors
    ticks: list  # ChecklistTicks, oldest first, with who ticked
    attempts: list  # the last `ATTEMPTS_SHOWN` Publications, newest first
    waiting: PublicationRequest | None  # the newest request not done yet


def entry_activity(dataset_id):
    """The `EntryActivity` of the entry with id `dataset_id`, in one statement."""
    events, ticks, attempts, waiting = [], [], [], None
    for _number, event, tick, attempt, request in db.session.execute(
            ENTRY_ACTIVITY, {"dataset_id": dataset_id}):
        if event is not None:
            events.append(event)
        elif tick is not None:
            ticks.append(tick)
        elif attempt is not None:
            attempts.append(attempt)
        elif request is not None:
            waiting = request
    return EntryActivity(events, ticks, attempts, waiting)


def entry_events(dataset_id):
    """The review events of the entry with id `dataset_id`, as `entry_activity` gives them."""
    return db.session.scalars(ENTRY_EVENTS, {"dataset_id": dataset_id}).all()
