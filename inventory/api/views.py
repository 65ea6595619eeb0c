"""The JSON API, /api/v1 (token-authenticated; CSRF-exempt because session cookies are never
accepted here: only `Authorization: Bearer <token>`).

Every view loads, authorizes with the same `workflow.can_*` predicates as the UI, then acts
through the same domain operations (`entries.create_entry`/`save_entry`, `workflow.submit`...),
so the API cannot bypass a permission or a transition rule, and every write is audited (the
audit channel is "api"). Entries the token's user may not see answer 404, exactly like
unknown identifiers: the API never reveals that another organization's entry exists. Entries
the user may see but not change answer 403.
"""
from flask import Blueprint, current_app, g, jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from .. import vocabularies as vocab
from .. import workflow
from ..entries import create_entry, save_entry
from ..extensions import db
from ..models import Organization
from ..search import DatasetFilters, filtered_datasets, paginate
from ..tokens import TokenRejected, authenticate, parse_rate, record_use
from .errors import ApiError, register_handlers
from .inputs import (
    check_campaign,
    check_version,
    load_visible,
    read_json_body,
    read_query,
    split_entry_fields,
)
from .kinds import ArrayOf, CodeList, Date
from .schema import (
    CREATE_BODY,
    DISTRIBUTION_KINDS,
    ENTRY_KINDS,
    PATCH_BODY,
    TRANSITION_BODIES,
    WORKFLOW_ACTIONS,
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
    from .docs import docs_context
    return render_template("api/docs.html", **docs_context())
