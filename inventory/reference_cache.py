"""Per-process copies of what pages show from the reference data (organizations, campaigns,
settings).

With 400 public bodies, reading and formatting the organization filter on every list page
cost about a seventh of the page's CPU, for data that changes a few times a year. Copies are
kept in `app.extensions` under the reference version (one indexed row, see
`models.ReferenceVersion`), which database triggers change with every committed write to
`organization`, `campaign` and `setting`, whatever path the write takes (ORM, bulk SQL, imports). A page
therefore never shows an organization or campaign older than the last committed write.
"""
import sqlalchemy as sa
from flask import current_app, g, has_request_context

from .extensions import db
from .models import EntriesVersion, ReferenceVersion

CACHE_SIZE = 1024  # keys are (what, locale, visibility): a bound, not a working-set estimate


def reference_version():
    """The reference data's version, read once per request (None without a counter row).

    Read before the copy it keys is computed: a write committed in between makes the copy
    newer than its version, never older, and later requests read the new version."""
    return _version_once_per_request("reference_version", ReferenceVersion)


def entries_version():
    """The entries' version (`models.EntriesVersion`), read once per request, as above."""
    return _version_once_per_request("entries_version", EntriesVersion)


def _version_once_per_request(name, model):
    if has_request_context() and name in g:
        return g.get(name)
    version = db.session.scalar(sa.select(model.version).limit(1))
    if has_request_context():
        setattr(g, name, version)
    return version


def version_columns():
    """Both versions as columns to add to the request's first query (the user's load,
    `auth.load_user`), which saves a round trip to the database for each on every page;
    hand the values to `remember_versions`. Reading them that early keeps the order the
    caches rely on: versions first, then the data."""
    return (sa.select(ReferenceVersion.version).limit(1).scalar_subquery(),
            sa.select(EntriesVersion.version).limit(1).scalar_subquery())


def remember_versions(reference, entries):
    """Keep the versions read with `version_columns()` for the rest of the request."""
    g.reference_version, g.entries_version = reference, entries


def cached_reference(key, compute):
    """`compute()`, kept per process under the reference version and `key`, which must
    identify everything else the value depends on (locale, the user's scope).

    `compute` may read only organizations, campaigns and settings (and constants): other
    tables do not change the version. Only for requests that have not written those tables:
    their own writes change the version when they commit, after it was read."""
    return kept_under_version("inventory_reference", reference_version(), key, compute)


def kept_under_version(slot, version, key, compute, size=CACHE_SIZE):
    """`compute()`, kept per process in `app.extensions[slot]` under `key` while the data
    version (a trigger-maintained counter read by the caller before computing) stays
    `version`; at most `size` keys. Computed every time when `version` is None (no counter
    row). Used for the reference data here and for the list totals (`search.cached_count`)."""
    if version is None:
        return compute()
    cache = current_app.extensions.get(slot)
    if cache is None or cache[0] != version:
        cache = current_app.extensions[slot] = (version, {})
    values = cache[1]
    if key not in values:
        if len(values) >= size:
            values.clear()
        values[key] = compute()
    return values[key]
