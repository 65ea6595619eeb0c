"""Progress figures for dashboards: counts per status, overdue items, top priorities and the
entries excluded from opening, all computed in SQL (GROUP BY, COUNT, LIMIT) over a scope.

A *scope* is a SQL condition on `Dataset` (what a user may see, narrowed to a campaign or an
organization). Nothing here loads entries one by one: each figure is one query, and lists
are bounded by `limit`.
"""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from .extensions import db
from .models import STATUSES, Campaign, Dataset, DatasetTheme, campaign_organization
from .search import LIST_OPTIONS

NOT_YET_APPROVED = ("draft", "submitted", "changes_requested")
DONE = ("approved", "published")
# Archived entries have left the active inventory: they count in no total.
INACTIVE = ("archived",)
TIER_RANK = {"high": 0, "medium": 1, "low": 2}


@dataclass
class StatusCounts:
    """Entries per workflow status, with the progress of the inventory (approved or better)."""

    counts: dict = field(default_factory=dict)

    def add(self, status, n):
        self.counts[status] = self.counts.get(status, 0) + n

    def get(self, status):
        return self.counts.get(status, 0)

    @property
    def total(self):
        return sum(n for s, n in self.counts.items() if s not in INACTIVE)

    @property
    def done(self):
        return sum(self.get(s) for s in DONE)

    @property
    def percent(self):
        return int(100 * self.done / self.total) if self.total else 0

    def __iter__(self):
        """(status, count) in workflow order, every status included (zeros too)."""
        return ((s, self.get(s)) for s in STATUSES)


@dataclass
class ItemList:
    """A bounded list of entries and how many there are in all."""

    total: int
    items: list


# --------------------------------------------------------------------------- scopes

def visible_scope(user):
    """SQL condition: the entries `user` may see (admins: all; others: their organizations)."""
    if user.is_admin:
        return sa.true()
    org_ids = sorted(user.organization_ids)
    return Dataset.organization_id.in_(org_ids) if org_ids else sa.false()


def visible_campaigns(user, active_only=False):
    """Campaigns `user` may follow: all for admins; for others, campaigns open to every body
    (no organization listed), naming one of their organizations, or holding one of their
    entries."""
    stmt = sa.select(Campaign)
    if active_only:
        stmt = stmt.where(Campaign.active)
    if not user.is_admin:
        org_ids = sorted(user.organization_ids) or [-1]
        listed = sa.exists().where(campaign_organization.c.campaign_id == Campaign.id)
        mine = sa.exists().where(campaign_organization.c.campaign_id == Campaign.id,
                                 campaign_organization.c.organization_id.in_(org_ids))
        holds = sa.exists().where(Dataset.campaign_id == Campaign.id,
                                  Dataset.organization_id.in_(org_ids))
        stmt = stmt.where(sa.or_(~listed, mine, holds))
    return db.session.scalars(stmt.order_by(Campaign.active.desc(),
                                            Campaign.deadline.asc().nulls_last(),
                                            Campaign.id.desc())).all()


def campaign_visible(user, campaign):
    return user.is_admin or any(c.id == campaign.id for c in visible_campaigns(user))


# --------------------------------------------------------------------------- counts

def status_counts(scope):
    """StatusCounts of every entry matching `scope`."""
    result = StatusCounts()
    rows = db.session.execute(sa.select(Dataset.status, sa.func.count())
                              .where(scope).group_by(Dataset.status))
    for status, n in rows:
        result.add(status, n)
    return result


def status_counts_by(column, scope):
    """{value of `column`: StatusCounts} in one GROUP BY (column, status) query."""
    result = {}
    rows = db.session.execute(sa.select(column, Dataset.status, sa.func.count())
                              .where(scope).group_by(column, Dataset.status))
    for key, status, n in rows:
        result.setdefault(key, StatusCounts()).add(status, n)
    return result


def status_counts_by_theme(scope, codes):
    """{theme code: StatusCounts} for the themes `codes` (an entry with two of them counts in
    both)."""
    if not codes:
        return {}
    result = {code: StatusCounts() for code in codes}
    rows = db.session.execute(
        sa.select(DatasetTheme.code, Dataset.status, sa.func.count())
        .join(Dataset, Dataset.id == DatasetTheme.dataset_id)
        .where(scope, DatasetTheme.code.in_(list(codes)))
        .group_by(DatasetTheme.code, Dataset.status))
    for code, status, n in rows:
        result[code].add(status, n)
    return result


# --------------------------------------------------------------------------- lists



def _bounded(stmt, order, limit, options=(), ranked_by_id=False):
    """ItemList of `stmt`'s first `limit` entries in `order`, and how many match.
    `ranked_by_id`: the entries are ranked by a query of their ids, which an index can answer
    alone, and only the rows shown are read (the matching entries may be tens of thousands,
    and sorting their rows reads the table)."""
    # Count over the same FROM and WHERE, without dragging every column through a subquery.
    total = db.session.scalar(stmt.with_only_columns(sa.func.count(Dataset.id))
                              .order_by(None))
    if not total:
        return ItemList(0, [])
    if ranked_by_id:
        ranked = stmt.with_only_columns(Dataset.id).order_by(*order).limit(limit)
        stmt = sa.select(Dataset).where(Dataset.id.in_(ranked.scalar_subquery()))
    items = db.session.scalars(stmt.options(*LIST_OPTIONS, *options).order_by(*order)
                               .limit(limit)).all()
    return ItemList(total, items)


def overdue(scope, today=None, limit=10):
    """Entries late on a date, by kind:

    - `campaign`: their campaign's deadline has passed and they are not approved yet;
    - `restriction_review`: a restriction whose review date has passed (it may have lapsed);
    - `planned_release`: the planned release date has passed and nothing was released.
    """
    today = today or date.today()
    base = sa.select(Dataset).where(scope)
    campaign_late = base.join(Campaign, Campaign.id == Dataset.campaign_id).where(
        Campaign.deadline < today, Dataset.status.in_(NOT_YET_APPROVED))
    review_late = base.where(Dataset.classification.in_(("restricted", "not_publishable")),
                             Dataset.restriction_review_date < today,
                             Dataset.status.notin_(INACTIVE))
    release_late = base.where(Dataset.planned_release_date < today,
                              Dataset.actual_release_date.is_(None),
                              Dataset.status.notin_(("published", "withdrawn", "archived")))
    return {
        "campaign": _bounded(campaign_late, (Campaign.deadline, Dataset.id), limit,
                             (contains_eager(Dataset.campaign),)),
        "restriction_review": _bounded(review_late, (Dataset.restriction_review_date,
                                                     Dataset.id), limit),
        "planned_release": _bounded(release_late, (Dataset.planned_release_date, Dataset.id),
                                    limit),
    }


def top_priority(scope, limit=10):
    """The highest-priority entries not approved yet (effective tier first, then score);
    entries excluded from opening are not here: see `excluded`."""
    rank = sa.case(TIER_RANK, value=Dataset.priority_tier, else_=3)
    stmt = sa.select(Dataset).where(scope, Dataset.status.in_(NOT_YET_APPROVED),
                                    Dataset.priority_tier.in_(tuple(TIER_RANK)))
    # Ranked from ix_dataset_status_tier alone: an admin's scope holds ~45,000 such entries
    # at national scale.
    return _bounded(stmt, (rank, Dataset.priority_score.desc().nulls_last(), Dataset.id), limit,
                    ranked_by_id=True)


def excluded(scope, limit=10):
    """Entries that will not be opened (restricted or not publishable), listed apart rather
    than scored low."""
    stmt = sa.select(Dataset).where(scope, Dataset.priority_tier == "excluded",
                                    Dataset.status.notin_(INACTIVE))
    return _bounded(stmt, (Dataset.updated_at.desc(), Dataset.id.desc()), limit)


def summary(scope, today=None, limit=10):
    """Everything a dashboard shows for one scope."""
    return {
        "counts": status_counts(scope),
        "overdue": overdue(scope, today, limit),
        "top": top_priority(scope, limit),
        "excluded": excluded(scope, limit),
    }
