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
from .models import ReferenceVersion

CACHE_SIZE = 1024  # keys are (what, locale, visibility): a bound, not a working-set estimate


def reference_version():
    """The reference data's version, read once per request (None without a counter row).

    Read before the copy it keys is computed: a write committed in between makes the copy
    newer than its version, never older, and later requests read the new version."""
    if has_request_context() and "reference_version" in g:
        return g.reference_version
    version = db.session.scalar(sa.select(ReferenceVersion.version))
    if has_request_context():
        g.reference_version = version
    return version


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
