"""Public catalogue endpoints (no sign-in): the DCAT-AP 3 catalogue, Hydra-paged, and each
public entry's description.

    /catalog.ttl | .rdf | .jsonld | .nt   ?page=N  ?modified_since=YYYY-MM-DD[THH:MM:SSZ]
    /catalog                              the same, format from the Accept header
    /datasets/<uuid>.ttl | .rdf | .jsonld | .nt

Responses carry ETag and Last-Modified and answer 304 to conditional requests before any
work is done. Only entries of the public catalogue are served (others: 404).
"""
import uuid as uuid_lib
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import gettext as _

from inventory.extensions import db
from inventory.models import Dataset

from . import dcat, fragments
from .serialize import MEDIA_TYPES

bp = Blueprint("catalog", __name__)

EXT_FORMATS = {"ttl": "ttl", "rdf": "xml", "jsonld": "jsonld", "nt": "nt"}
FORMAT_EXTS = {fmt: ext for ext, fmt in EXT_FORMATS.items()}
# Accept negotiation: offered media types (and common aliases) -> format.
NEGOTIABLE = {
    "text/turtle": "ttl", "application/x-turtle": "ttl",
    "application/rdf+xml": "xml", "application/xml": "xml",
    "application/ld+json": "jsonld", "application/json": "jsonld",
    "application/n-triples": "nt",
}


def _commit():
    """Keep rebuilt pieces; a failure to store them never fails the response."""
    try:
        db.session.commit()
    except Exception:  # e.g. a concurrent writer holding the SQLite lock
        db.session.rollback()
        current_app.logger.warning("catalogue pieces not stored", exc_info=True)


def _plain_error(message, status):
    return Response(message + "\n", status, mimetype="text/plain")


def _not_modified(etag, last_modified):
    """True when the client's cached copy is current (If-None-Match, else If-Modified-Since)."""
    if request.if_none_match:
        return request.if_none_match.contains(etag)
    since = request.if_modified_since
    if since is not None:
        return last_modified.replace(microsecond=0) <= since.astimezone(UTC).replace(tzinfo=None)
    return False


def _rdf_response(body, fmt, etag, last_modified, status=200):
    if body is None:
        response = Response(status=304)
    else:
        response = Response(body, status, mimetype=MEDIA_TYPES[fmt])
        response.charset = "utf-8"
    response.set_etag(etag)
    response.last_modified = last_modified.replace(tzinfo=UTC)
    response.headers["Cache-Control"] = "public, max-age=60, must-revalidate"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.add("Accept")
    return response


def parse_modified_since(value):
    """`YYYY-MM-DD` or an ISO 8601 date-time (naive = UTC) -> naive UTC datetime; None if
    the value is not a date."""
    text = (value or "").strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _catalog(fmt):
    page_number = request.args.get("page", "1")
    if not page_number.isdigit() or int(page_number) < 1:
        return _plain_error(_("The page must be a whole number starting at 1."), 400)
    raw_since = request.args.get("modified_since")
    since = None
    if raw_since is not None:
        since = parse_modified_since(raw_since)
        if since is None:
            return _plain_error(_("modified_since must be a date (YYYY-MM-DD) or a date and "
                                  "time (YYYY-MM-DDTHH:MM:SSZ)."), 400)
    size = max(1, int(current_app.config.get("CATALOG_PAGE_SIZE", 100)))
    page = fragments.catalog_page(int(page_number), size, since)
    if page is None:
        return _plain_error(_("This page does not exist."), 404)
    base = dcat.base_uri()
    ext = FORMAT_EXTS[fmt]

    def page_url(n):
        args = {"page": n}
        if raw_since is not None:
            args["modified_since"] = raw_since
        return f"{base}/catalog.{ext}?{urlencode(args)}"

    etag = page.etag(fmt, extra=str(since))
    if _not_modified(etag, page.last_modified):
        return _rdf_response(None, fmt, etag, page.last_modified)
    body = "".join(fragments.page_document(fmt, page, page_url, commit=_commit))
    return _rdf_response(body, fmt, etag, page.last_modified)


@bp.route("/catalog.<any(ttl, rdf, jsonld, nt):ext>")
def catalog_rdf(ext):
    return _catalog(EXT_FORMATS[ext])


@bp.route("/catalog")
def catalog_negotiated():
    best = request.accept_mimetypes.best_match(list(NEGOTIABLE)) if request.accept_mimetypes \
        else "text/turtle"
    if best is None:
        return _plain_error(_("Available formats: %(types)s.",
                              types=", ".join(sorted(set(MEDIA_TYPES.values())))), 406)
    return _catalog(NEGOTIABLE[best])


@bp.route("/datasets/<dataset_uuid>.<any(ttl, rdf, jsonld, nt):ext>")
def dataset_rdf(dataset_uuid, ext):
    try:
        uuid_lib.UUID(dataset_uuid)
    except ValueError:
        abort(404)
    dataset = db.session.scalar(db.select(Dataset).where(Dataset.uuid == dataset_uuid))
    if dataset is None or not dataset.in_public_catalogue:
        return _plain_error(_("No public entry has this identifier."), 404)
    fmt = EXT_FORMATS[ext]
    stamp = fragments.entry_stamp(dataset)
    digest = f"{dcat.mapping_stamp()}|{fmt}|{stamp.key()}"
    etag = uuid_lib.uuid5(uuid_lib.NAMESPACE_URL, digest).hex
    if _not_modified(etag, stamp.last_modified):
        return _rdf_response(None, fmt, etag, stamp.last_modified)
    body = fragments.entry_document(fmt, dataset, commit=_commit)
    return _rdf_response(body, fmt, etag, stamp.last_modified)
