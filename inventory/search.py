"""List queries: visibility scope, filters, Arabic-aware search, sorting and paging.

Folding (see `textfold`) is applied both to the stored `Dataset.search_text` and to the
query, so search ignores hamza/alef variants, ta marbuta, alef maqsura, diacritics, tatweel,
Latin accents and case.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm

from .api.kinds import INT32_MAX
from .extensions import db
from .models import Dataset, DatasetTheme, Organization, fallback_order
from .reference_cache import entries_version, kept_under_version
from .textfold import fold, fold_terms

__all__ = ["fold", "fold_terms", "DatasetFilters", "visible_datasets", "filtered_datasets",
           "paginate", "LIST_OPTIONS", "LIST_ROW", "list_page_rows"]

SORTS = {
    "updated": (Dataset.updated_at.desc(), Dataset.id.desc()),
    "-updated": (Dataset.updated_at.asc(), Dataset.id.asc()),
    "created": (Dataset.created_at.desc(), Dataset.id.desc()),
    "reference": (Dataset.reference.asc(),),
    "-reference": (Dataset.reference.desc(),),
    "priority": (Dataset.priority_score.desc().nulls_last(), Dataset.id.desc()),
    "-priority": (Dataset.priority_score.asc().nulls_last(), Dataset.id.asc()),
    "status": (Dataset.status.asc(), Dataset.updated_at.desc()),
    "title": None,  # depends on the locale: see _title_order
    "-title": None,
}


@dataclass
class DatasetFilters:
    q: str = ""
    organization: list = field(default_factory=list)  # organization ids
    status: list = field(default_factory=list)
    theme: list = field(default_factory=list)
    tier: list = field(default_factory=list)
    campaign: int | None = None
    classification: list = field(default_factory=list)
    sort: str = "updated"

    @classmethod
    def from_args(cls, args):
        """Build from request args, silently ignoring malformed values (a filter UI never
        errors: it shows what matches the valid part)."""
        def ints(name):
            # isdecimal, not isdigit: int("²") fails. Ids are 32-bit: a larger one matches
            # nothing, and is dropped like any malformed value.
            return [int(v) for v in args.getlist(name)
                    if v.isdecimal() and int(v) <= INT32_MAX]

        sort = args.get("sort", "updated")
        return cls(
            q=(args.get("q") or "")[:200],
            organization=ints("organization"),
            status=[s for s in args.getlist("status") if s][:10],
            theme=[s for s in args.getlist("theme") if s][:20],
            tier=[s for s in args.getlist("tier") if s][:5],
            campaign=next(iter(ints("campaign")), None),
            classification=[s for s in args.getlist("classification") if s][:5],
            sort=sort if sort in SORTS else "updated",
        )

    def count_key(self):
        """What the number of matching entries depends on: every filter, not the sort."""
        return (self.q, tuple(self.organization), tuple(self.status), tuple(self.theme),
                tuple(self.tier), self.campaign, tuple(self.classification))

    def active(self):
        return bool(self.q or self.organization or self.status or self.theme or self.tier
                    or self.campaign or self.classification)


def organization_choices(user, locale, organizations=None):
    """[(id, "CODE — name")] of the organizations `user` may filter on (every one for admins),
    read as plain columns: at 400 public bodies, loading full objects per list page shows."""
    if organizations is not None or not user.is_admin:
        orgs = organizations if organizations is not None else user.organizations
        return [(o.id, f"{o.code} — {o.name(locale)}") for o in orgs]
    names = [getattr(Organization, f"name_{lang}") for lang in fallback_order(locale)]
    rows = db.session.execute(sa.select(Organization.id, Organization.code, *names)
                              .order_by(Organization.code))
    return [(row[0], f"{row[1]} — {next((n for n in row[2:] if n), row[1])}") for row in rows]


# List pages show reference, title, organization, status, tier and a date: the entries'
# collections (themes, distributions; eagerly loaded elsewhere) would be wasted queries.
LIST_OPTIONS = (sa.orm.lazyload(Dataset.theme_rows), sa.orm.lazyload(Dataset.distributions))

# The inventory list page reads only these columns, as plain rows rather than entries: a full
# row also carries the folded search text (up to 20,000 characters), the descriptions and six
# JSON columns, all transferred and decoded for nothing (about a third of the page's CPU at 25
# rows), and building 25 entries and their organizations (identity map, instance state) cost
# more than the query itself.
LIST_ROW = sa.orm.Bundle(
    "list_row", Dataset.uuid, Dataset.reference, Dataset.title_ar, Dataset.title_fr,
    Dataset.title_en, Dataset.status, Dataset.priority_tier, Dataset.priority_score,
    Dataset.updated_at, Organization.code.label("org_code"),
    Organization.name_ar.label("org_name_ar"), Organization.name_fr.label("org_name_fr"),
    Organization.name_en.label("org_name_en"))


def list_page_rows(stmt):
    """`stmt`, a SELECT of entries (`filtered_datasets`), reading `LIST_ROW`s instead."""
    return stmt.join(Organization, Organization.id == Dataset.organization_id) \
        .with_only_columns(LIST_ROW)


# Filter values are written into the SQL text (quoted by SQLAlchemy at execution) rather than
# bound: psycopg prepares a statement run five times on a connection, and PostgreSQL then plans
# it once for every value. A plan made for the average value is a poor one for a rare status,
# a small organization or a search term: the Arabic search cost PostgreSQL 24 ms a page on such
# a plan instead of 3. Written in, each set of values is planned for itself.
def planned_in(values):
    """An IN list of `values` written into the statement (see above)."""
    return sa.bindparam(None, list(values), expanding=True, literal_execute=True)


def planned_value(value):
    """`value` written into the statement (see above)."""
    return sa.literal(value, literal_execute=True)


def visible_datasets(user):
    """SELECT of the entries `user` may see (all for admins, their organizations otherwise)."""
    stmt = sa.select(Dataset)
    if not user.is_admin:
        org_ids = sorted(user.organization_ids)
        stmt = stmt.where(Dataset.organization_id.in_(planned_in(org_ids)) if org_ids
                          else sa.false())
    return stmt


def visibility_key(user):
    """What `visible_datasets(user)` depends on, for cache keys."""
    return "all" if user.is_admin else tuple(sorted(user.organization_ids))


def _escape_like(term):
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Substrings this long or longer are served by the trigram indexes (see the search_index
# migration); shorter terms are matched by a scan of the folded text.
MIN_INDEXED_TERM = 3


def text_conditions(query):
    """WHERE conditions matching every folded term of `query` as a substring of the entry's
    folded search text, through the trigram index of the database in use."""
    conditions = []
    dialect = db.session.get_bind().dialect.name
    for term in fold_terms(query)[:8]:
        if dialect == "sqlite" and len(term) >= MIN_INDEXED_TERM:
            # FTS5 trigram phrase query: a substring match answered from the index.
            phrase = '"' + term.replace('"', '""') + '"'
            index = sa.table("dataset_search", sa.column("rowid"))
            conditions.append(Dataset.id.in_(
                sa.select(index.c.rowid)
                .where(sa.literal_column("dataset_search").op("MATCH")(phrase))))
        else:
            # PostgreSQL's pg_trgm GIN index serves this LIKE; short terms scan.
            conditions.append(Dataset.search_text.like(
                planned_value(f"%{_escape_like(term)}%"), escape="\\"))
    return conditions


def apply_filters(stmt, filters, locale="ar"):
    if filters.q:
        stmt = stmt.where(*text_conditions(filters.q))
    if filters.organization:
        stmt = stmt.where(Dataset.organization_id.in_(planned_in(filters.organization)))
    if filters.status:
        stmt = stmt.where(Dataset.status.in_(planned_in(filters.status)))
    if filters.classification:
        stmt = stmt.where(Dataset.classification.in_(planned_in(filters.classification)))
    if filters.tier:
        stmt = stmt.where(Dataset.priority_tier.in_(planned_in(filters.tier)))
    if filters.campaign:
        stmt = stmt.where(Dataset.campaign_id == planned_value(filters.campaign))
    if filters.theme:
        stmt = stmt.where(sa.exists().where(DatasetTheme.dataset_id == Dataset.id,
                                            DatasetTheme.code.in_(planned_in(filters.theme))))
    return stmt.order_by(*_order(filters.sort, locale))


def _order(sort, locale):
    if sort in ("title", "-title"):
        order = {"ar": ("ar", "fr", "en"), "fr": ("fr", "ar", "en")}.get(locale,
                                                                        ("en", "fr", "ar"))
        expr = sa.func.coalesce(*[sa.func.nullif(getattr(Dataset, f"title_{lang}"), "")
                                  for lang in order])
        return (expr.desc() if sort.startswith("-") else expr.asc(), Dataset.id.asc())
    return SORTS.get(sort) or SORTS["updated"]


def filtered_datasets(user, filters, locale="ar"):
    return apply_filters(visible_datasets(user), filters, locale)


# Counting 100,000 entries costs PostgreSQL 10-20 ms on every list page. Counts are kept per
# process (in app.extensions) under the entries version (one indexed row, see
# models.EntriesVersion), which every committed write to the entries changes.
COUNT_CACHE_SIZE = 4096


def cached_count(stmt, key):
    """The number of rows of `stmt`, counted once per entries version and `key`, which must
    identify everything else the rows depend on (visibility, filters).

    Only for requests that have not written entries: their own writes are counted but only
    change the version when they commit."""
    # The version is read before counting: a write committed in between makes the count newer
    # than its version, never older, and later requests read the new version.
    return kept_under_version("inventory_counts", entries_version(), key, lambda: _count(stmt),
                              COUNT_CACHE_SIZE)


def _count(stmt):
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        stmt.options(sa.orm.lazyload("*")).order_by(None).subquery()))


def paginate(stmt, page, per_page, count_key=None):
    """Flask-SQLAlchemy pagination of `stmt`, with out-of-range pages clamped, not 404.
    With `count_key`, the total comes from `cached_count(stmt, count_key)`."""
    page = page if isinstance(page, int) and page > 0 else 1

    def _page(number):
        result = db.paginate(stmt, page=number, per_page=per_page, error_out=False,
                             count=count_key is None)
        if count_key is not None:
            result.total = cached_count(stmt, count_key)
        return result

    result = _page(page)
    if page > 1 and not result.items and result.total:
        result = _page(result.pages)
    return result
