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
    version = reference_version()
    if version is None:  # no counter row: compute every time
        return compute()
    cache = current_app.extensions.get("inventory_reference")
    if cache is None or cache[0] != version:
        cache = current_app.extensions["inventory_reference"] = (version, {})
    values = cache[1]
    if key not in values:
        if len(values) >= CACHE_SIZE:
            values.clear()
        values[key] = compute()
    return values[key]
