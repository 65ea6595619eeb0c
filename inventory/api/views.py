"""The JSON API, /api/v1 (token-authenticated; CSRF-exempt because session cookies are never
accepted here: only `Authorization: Bearer <token>`).

Every view loads, authorizes with the same `workflow.can_*` predicates as the UI, then acts
through the same domain operations (`entries.create_entry`/`save_entry`, `workflow.submit`...),
so the API cannot bypass a permission or a transition rule, and every write is audited (the
audit channel is "api"). Entries the token's user may not see answer 404, exactly like
unknown identifiers: the API never reveals that another organization's entry exists. Entries
the user may see but not change answer 403.
"""
import json
import re
import uuid as uuid_lib

from flask import Blueprint, current_app, g, jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from .. import vocabularies as vocab
from .. import workflow
from ..entries import create_entry, fields_changed_since, save_entry
from ..errors import ConflictError
from ..extensions import db
from ..models import Campaign, Dataset, Organization
from ..search import SORTS, DatasetFilters, filtered_datasets, paginate
from ..tokens import TokenRejected, authenticate, parse_rate, record_use
from .errors import ApiError, register_handlers
from .schema import (
    CREATE_BODY,
    DISTRIBUTION_KINDS,
    ENTRY_KINDS,
    INT32_MAX,
    PATCH_BODY,
    TRANSITION_BODIES,
    WORKFLOW_ACTIONS,
    ArrayOf,
    Code,
    CodeList,
    Date,
    Integer,
    Problem,
    Text,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
register_handlers(bp)

PUBLIC_ENDPOINTS = {"api.openapi_json", "api.api_docs"}
WWW_AUTHENTICATE = 'Bearer realm="inventory"'
TOKEN_ERROR_DESCRIPTIONS = {  # ASCII for the header; the body carries the translated message
    "malformed": "Malformed Authorization header", "unknown": "Unknown token",
    "revoked": "Token revoked", "expired": "Token expired",
    "inactive_user": "User deactivated",
}


# --------------------------------------------------------------------------- request cycle

@bp.before_request
def authenticate_request():
    """Bearer token -> g.api_user, then the token's rate limit. Sessions are ignored."""
    g.channel = "api"
    g.api_user = g.api_token = g.rate_state = None
    request.max_content_length = current_app.config["API_MAX_BODY_BYTES"]
    if request.endpoint in PUBLIC_ENDPOINTS or request.method == "OPTIONS":
        return
    try:
        token = authenticate(request.headers.get("Authorization"))
    except TokenRejected as exc:
        header = WWW_AUTHENTICATE
        if exc.reason != "missing":
            header += (f', error="invalid_token", '
                       f'error_description="{TOKEN_ERROR_DESCRIPTIONS[exc.reason]}"')
        raise ApiError(401, "invalid_token" if exc.reason != "missing" else "missing_token",
                       exc.message, headers={"WWW-Authenticate": header}) from None
    g.rate_state = state = record_use(token)
    if not state.allowed:
        raise ApiError(429, "rate_limited", _l(
            "Too many requests with this token: at most %(limit)s per period. Try again in "
            "%(seconds)s seconds.", limit=state.limit, seconds=state.reset_in),
            headers={"Retry-After": str(state.reset_in)}, retry_after=state.reset_in)
    g.api_token = token
    g.api_user = token.user


@bp.after_request
def api_headers(response):
    if request.endpoint not in PUBLIC_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    response.vary.update(("Authorization", "Accept-Language"))
    state = g.get("rate_state")
    if state is not None:
        response.headers["X-RateLimit-Limit"] = str(state.limit)
        response.headers["X-RateLimit-Remaining"] = str(state.remaining)
        response.headers["X-RateLimit-Reset"] = str(state.reset_in)
    return response


# --------------------------------------------------------------------------- input helpers

def query_parameters(endpoint):
    """The query parameters an endpoint accepts: name -> (kind, repeatable). The OpenAPI
    document is written from the same table."""
    params = {"lang": (Code(lambda: dict.fromkeys(current_app.config["LANGUAGES"]),
                            nullable=False), False)}
    if endpoint == "api.dataset_list":
        params.update({
            "q": (Text(200), False),
            "organization": (ArrayOf(Text(20, min_length=1), 50), True),
            "status": (CodeList(lambda: vocab.STATUS_LABELS, unique=False), True),
            "theme": (CodeList(vocab.themes, unique=False), True),
            "tier": (CodeList(lambda: vocab.TIER_LABELS, unique=False), True),
            "classification": (CodeList(lambda: vocab.CLASSIFICATION_LABELS, unique=False),
                               True),
            "campaign": (Integer(1, INT32_MAX, nullable=False), False),
            "sort": (Code(lambda: dict.fromkeys(SORTS), nullable=False), False),
            "page": (Integer(1, 1_000_000, nullable=False), False),
            "per_page": (Integer(1, current_app.config["API_MAX_PER_PAGE"], nullable=False),
                         False),
        })
    return params


def read_query():
    """The request's query arguments validated against `query_parameters` (400 otherwise)."""
    params = query_parameters(request.endpoint)
    problems = [Problem(name, "unknown_parameter", _l("Unknown parameter “%(name)s”.",
                                                      name=name[:60]), "query")
                for name in request.args if name not in params]
    out = {}
    for name, (kind, repeatable) in params.items():
        values = request.args.getlist(name)
        if not values:
            continue
        if not repeatable and len(values) > 1:
            problems.append(Problem(name, "repeated", _l("Give this parameter only once."),
                                    "query"))
            continue
        value = values if repeatable else values[0]
        if isinstance(kind, Integer) and re.fullmatch(r"[0-9]{1,15}", value):
            value = int(value)
        found = []
        out[name] = kind.clean(value, name, found)
        for problem in found:
            problem.location = "query"
        problems += found
    if problems:
        raise ApiError(400, "invalid_parameters", _l("Some query parameters are not valid: "
                                                     "see `errors`."), problems)
    return out


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def read_json_body(required=True):
    """The request body as a JSON object (400 malformed, 413 too large, 415 not JSON). An
    absent body is `{}` when not `required`."""
    raw = request.get_data(cache=True)  # raises 413 when Content-Length is past the limit
    if request.max_content_length is not None and len(raw) >= request.max_content_length:
        # A chunked body is cut at the limit silently; reading on raises 413 if it was more.
        request.stream.read(1)
    if not raw:
        if required:
            raise ApiError(400, "empty_body", _l("Send the data as a JSON object in the "
                                                 "request body."))
        return {}
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not (mimetype.startswith("application/")
                                               and mimetype.endswith("+json")):
        raise ApiError(415, "unsupported_media_type", _l(
            "Send the data as JSON, with the header Content-Type: application/json."))
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates,
                          parse_constant=_reject_constant)
    except _DuplicateKey as exc:
        raise ApiError(400, "malformed_json", _l("The key “%(key)s” appears twice in the same "
                                                 "object.", key=str(exc)[:60])) from None
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        raise ApiError(400, "malformed_json", _l("The request body is not valid JSON (UTF-8)."
                                                 )) from None


def load_visible(dataset_uuid):
    """The entry if the token's user may see it; 404 otherwise (never 403: existence of
    another organization's entry is not revealed)."""
    try:
        key = str(uuid_lib.UUID(dataset_uuid))
    except (ValueError, TypeError):
        key = None
    dataset = key and db.session.scalar(db.select(Dataset).where(Dataset.uuid == key))
    if not dataset or not workflow.can_view(g.api_user, dataset):
        raise ApiError(404, "not_found", _l("There is no entry with this identifier that you "
                                            "can see."))
    return dataset


def check_version(dataset, version):
    """Optimistic locking: the body `version` and any If-Match header must name the current
    version, else 409 with `current_version` and the fields saved since `version`."""
    stale = version is not None and version != dataset.version
    if not stale and "If-Match" in request.headers:
        etags = request.if_match
        stale = not etags.star_tag and not etags.contains(str(dataset.version))
    if stale:
        conflict = ConflictError(current_version=dataset.version)
        changed = sorted(fields_changed_since(dataset, version)) if version else []
        raise ApiError(409, "version_conflict", conflict.message,
                       current_version=dataset.version, changed_fields=changed)


def check_campaign(data, current=None):
    """A campaign named in `data` must exist and be open (unless it is the current one)."""
    campaign_id = data.get("campaign_id")
    if campaign_id is None or campaign_id == current:
        return
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not campaign.active:
        raise ApiError(422, "validation_failed", _l("The data sent is not valid: see `errors`."),
                       [Problem("campaign_id", "invalid_choice",
                                _l("There is no open campaign with this number."))])


def split_entry_fields(data):
    """(field changes, themes or None, distributions or None) from a cleaned body. Each
    distribution is complete: a member left out is empty, not kept from before."""
    data = dict(data)
    themes = data.pop("themes", None)
    distributions = data.pop("distributions", None)
    if distributions is not None:
        blank = {"title": "", "description": "", "access_url": "", "download_url": ""}
        distributions = [{key: item.get(key, blank.get(key)) for key in DISTRIBUTION_KINDS}
                         for item in distributions]
    return data, themes, distributions


# --------------------------------------------------------------------------- representation

def iso_datetime(value):
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


def dataset_json(dataset, user):
    """An entry as the API returns it (schema: openapi `Dataset`)."""
    out = {
        "uuid": dataset.uuid, "reference": dataset.reference,
        "organization": dataset.organization.code, "status": dataset.status,
        "version": dataset.version,
        "created_at": iso_datetime(dataset.created_at),
        "updated_at": iso_datetime(dataset.updated_at),
        "submitted_at": iso_datetime(dataset.submitted_at),
        "approved_at": iso_datetime(dataset.approved_at),
        "issued_at": iso_datetime(dataset.issued_at),
        "withdrawn_at": iso_datetime(dataset.withdrawn_at),
    }
    for name, kind in ENTRY_KINDS.items():
        value = getattr(dataset, name)
        if isinstance(kind, Date):
            value = value.isoformat() if value else None
        elif isinstance(kind, CodeList | ArrayOf):
            value = list(value or [])
        out[name] = value
    out["distributions"] = [
        {**{key: getattr(d, key) for key in DISTRIBUTION_KINDS}, "media_type": d.media_type or ""}
        for d in dataset.distributions]
    out["priority_score"] = dataset.priority_score
    out["priority_tier"] = dataset.priority_tier
    out["links"] = {
        "self": url_for("api.dataset_read", dataset_uuid=dataset.uuid, _external=True),
        "html": url_for("datasets.dataset_detail", dataset_uuid=dataset.uuid, _external=True)}
    out["permissions"] = {"edit": workflow.can_edit(user, dataset),
                          "actions": workflow.available_actions(user, dataset)}
    return out


def entry_response(dataset, status=200):
    response = jsonify(dataset_json(dataset, g.api_user))
    response.status_code = status
    response.headers["ETag"] = f'"{dataset.version}"'
    return response


# --------------------------------------------------------------------------- endpoints

@bp.get("/datasets")
def dataset_list():
    args = read_query()
    codes = [c.upper() for c in args.get("organization", [])]
    org_ids = []
    if codes:
        org_ids = list(db.session.scalars(db.select(Organization.id)
                                          .where(Organization.code.in_(codes))))
        org_ids = org_ids or [0]  # unknown codes match nothing (an empty list would match all)
    filters = DatasetFilters(q=args.get("q", ""), organization=org_ids,
                             status=args.get("status", []), theme=args.get("theme", []),
                             tier=args.get("tier", []), campaign=args.get("campaign"),
                             classification=args.get("classification", []),
                             sort=args.get("sort", "updated"))
    per_page = args.get("per_page", current_app.config["LIST_PAGE_SIZE"])
    pagination = paginate(filtered_datasets(g.api_user, filters, vocab.current_locale()),
                          args.get("page", 1), per_page)
    last = max(pagination.pages, 1)

    def page_url(page):
        query = request.args.to_dict(flat=False)
        query["page"] = page
        return url_for("api.dataset_list", _external=True, **query)

    return jsonify({
        "items": [dataset_json(d, g.api_user) for d in pagination.items],
        "total": pagination.total, "page": pagination.page, "per_page": per_page,
        "pages": pagination.pages,
        "links": {"self": page_url(pagination.page), "first": page_url(1),
                  "last": page_url(last),
                  "prev": page_url(pagination.page - 1) if pagination.page > 1 else None,
                  "next": page_url(pagination.page + 1) if pagination.page < last else None},
    })


@bp.post("/datasets")
def dataset_create():
    user = g.api_user
    read_query()
    data = CREATE_BODY.validate(read_json_body())
    code = data.pop("organization")
    org = db.session.scalar(db.select(Organization).where(Organization.code == code.upper()))
    if org is None or not org.active or not workflow.can_create(user, org.id):
        allowed = [o.code for o in user.organizations if o.active
                   and workflow.can_create(user, o.id)]
        raise ApiError(403, "forbidden", _l(
            "You cannot create entries for the organization “%(code)s”. Yours: %(codes)s.",
            code=code, codes=", ".join(allowed) or "—"))
    check_campaign(data)
    changes, themes, distributions = split_entry_fields(data)
    if themes is not None:
        changes["themes"] = themes
    if distributions is not None:
        changes["distributions"] = distributions
    dataset = create_entry(org, user, **changes)
    db.session.commit()
    response = entry_response(dataset, 201)
    response.headers["Location"] = url_for("api.dataset_read", dataset_uuid=dataset.uuid,
                                           _external=True)
    return response


@bp.get("/datasets/<dataset_uuid>")
def dataset_read(dataset_uuid):
    read_query()
    return entry_response(load_visible(dataset_uuid))


@bp.patch("/datasets/<dataset_uuid>")
def dataset_update(dataset_uuid):
    user = g.api_user
    read_query()
    dataset = load_visible(dataset_uuid)
    if not workflow.can_edit(user, dataset):
        raise ApiError(403, "forbidden", _l(
            "You cannot change this entry while it is “%(status)s”.",
            status=vocab.STATUS_LABELS.get(dataset.status, dataset.status)))
    data = PATCH_BODY.validate(read_json_body())
    version = data.pop("version")
    check_version(dataset, version)
    check_campaign(data, current=dataset.campaign_id)
    changes, themes, distributions = split_entry_fields(data)
    if changes or themes is not None or distributions is not None:
        save_entry(dataset, user, changes, expected_version=version, themes=themes,
                   distributions=distributions)
        db.session.commit()
    return entry_response(dataset)


OPERATIONS = {
    "submit": lambda ds, user, data: workflow.submit(ds, user, data.get("comment", "")),
    "request_changes": lambda ds, user, data: workflow.request_changes(
        ds, user, data.get("comment", ""), data.get("field_comments")),
    "approve": lambda ds, user, data: workflow.approve(ds, user, data.get("comment", "")),
    "withdraw": lambda ds, user, data: workflow.withdraw(ds, user, data.get("comment", "")),
    "reopen": lambda ds, user, data: workflow.reopen(ds, user, data.get("comment", "")),
    "archive": lambda ds, user, data: workflow.archive(ds, user, data.get("comment", "")),
    "restore": lambda ds, user, data: workflow.restore(ds, user, data.get("comment", "")),
}
assert set(OPERATIONS) == set(WORKFLOW_ACTIONS) == set(workflow.PREDICATES)


@bp.post("/datasets/<dataset_uuid>/<any(" + ", ".join(WORKFLOW_ACTIONS) + "):action>")
def dataset_transition(dataset_uuid, action):
    """A workflow action, checked like the UI: transition table (409), permission (403),
    then the operation's own rules (422)."""
    user = g.api_user
    read_query()
    dataset = load_visible(dataset_uuid)
    data = TRANSITION_BODIES[action].validate(read_json_body(required=False))
    check_version(dataset, data.get("version"))
    if not workflow.allowed(action, dataset.status):
        raise ApiError(409, "transition_not_allowed", _l(
            "This action is not possible while the entry is “%(status)s”.",
            status=vocab.STATUS_LABELS.get(dataset.status, dataset.status)))
    if not workflow.PREDICATES[action](user, dataset):
        raise ApiError(403, "forbidden", _l("You are not allowed to do this on this entry."))
    OPERATIONS[action](dataset, user, data)
    db.session.commit()
    return entry_response(dataset)


@bp.get("/me")
def me():
    """Who the token acts as, and its limits."""
    read_query()
    user, token = g.api_user, g.api_token
    rate = parse_rate(current_app.config["API_RATE_LIMIT"])
    return jsonify({
        "email": user.email, "name": user.name, "role": user.role,
        "organizations": [o.code for o in user.organizations],
        "token": {"prefix": token.prefix, "name": token.name,
                  "created_at": iso_datetime(token.created_at),
                  "expires_at": iso_datetime(token.expires_at)},
        "rate_limit": {"limit": rate.limit, "period_seconds": rate.period},
    })


@bp.get("/openapi.json")
def openapi_json():
    from .openapi import openapi_document
    response = jsonify(openapi_document())
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/docs")
def api_docs():
    from .openapi import docs_context
    return render_template("api/docs.html", **docs_context())
