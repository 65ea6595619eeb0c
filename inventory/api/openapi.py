"""The OpenAPI 3.1 document of /api/v1 (docs.py renders it as the HTML docs page).

Written from the same definitions the views validate with (`kinds.py`/`schema.py` and
`inputs.query_parameters`), and listing every status each operation can return, so that the
document describes the real behaviour; `tests/integration/test_api_schemathesis.py` holds
the running API to it.
"""
from flask import request
from flask_babel import lazy_gettext as _l

from .. import vocabularies as vocab
from . import schema as s
from .inputs import query_parameters

REF = "#/components/"
ERROR_RESPONSES = {
    400: ("BadRequest", _l("Malformed JSON, an empty body, or invalid query parameters.")),
    401: ("Unauthorized", _l("No token, or an unknown, expired or revoked token, or the "
                             "token's account is deactivated.")),
    403: ("Forbidden", _l("The token's user may see the entry but not do this.")),
    404: ("NotFound", _l("No entry with this identifier that the token's user can see "
                         "(entries of other organizations answer 404 too).")),
    409: ("Conflict", _l("The version sent is not the current one (`current_version` says "
                         "which is, `changed_fields` what was saved since yours), or the "
                         "workflow does not allow this action now.")),
    413: ("PayloadTooLarge", _l("The request body is larger than the limit.")),
    415: ("UnsupportedMediaType", _l("The body is not sent as application/json.")),
    422: ("ValidationFailed", _l("Field problems, each with its path, code and translated "
                                "message; for workflow actions, the rules the entry does not "
                                "meet yet.")),
    429: ("TooManyRequests", _l("The token's rate limit is exhausted: wait `Retry-After` "
                               "seconds.")),
}
RATE_HEADERS = {
    "X-RateLimit-Limit": {"$ref": REF + "headers/RateLimitLimit"},
    "X-RateLimit-Remaining": {"$ref": REF + "headers/RateLimitRemaining"},
    "X-RateLimit-Reset": {"$ref": REF + "headers/RateLimitReset"},
}

ACTION_TEXTS = {
    "submit": (_l("Submit an entry for review"),
               _l("Applies every submission rule: when some are not met, 422 lists them per "
                  "field path. Officers of the entry's organization and administrators.")),
    "request_changes": (_l("Request changes"),
                        _l("Sends a submitted entry back to its officers; needs `comment` or "
                           "`field_comments` (else 422). Reviewers of the entry's "
                           "organization and administrators.")),
    "approve": (_l("Approve"), _l("Approves a submitted entry. Reviewers of the entry's "
                                  "organization and administrators.")),
    "withdraw": (_l("Withdraw"), _l("Withdraws an approved or published entry; needs a "
                                    "`comment` giving the reason (else 422).")),
    "reopen": (_l("Reopen as a draft"), _l("Turns a withdrawn entry into a draft again.")),
    "archive": (_l("Archive"), _l("Archives a draft, an entry with changes requested, or a "
                                  "withdrawn entry.")),
    "restore": (_l("Restore from the archive"), _l("Administrators only.")),
}


def _t(value):
    return str(value)


def _json(schema_ref, description):
    return {"description": _t(description),
            "content": {"application/json": {"schema": {"$ref": REF + "schemas/" + schema_ref}}}}


def _responses(ok, *codes):
    out = dict(ok)
    for code in codes:
        out[str(code)] = {"$ref": REF + "responses/" + ERROR_RESPONSES[code][0]}
    return out


def _entry_ok(code, description, location=False):
    headers = {"ETag": {"$ref": REF + "headers/ETag"}, **RATE_HEADERS}
    if location:
        headers["Location"] = {"$ref": REF + "headers/Location"}
    response = _json("Dataset", description)
    response["headers"] = headers
    return {str(code): response}


def _parameters(endpoint):
    out = []
    for name, (kind, repeatable) in query_parameters(endpoint).items():
        param = {"name": name, "in": "query", "required": False, "schema": kind.schema()}
        if repeatable:
            param.update(style="form", explode=True)
        param["description"] = _t(PARAMETER_TEXTS.get(name, ""))
        out.append(param)
    return out


PARAMETER_TEXTS = {
    "lang": _l("Language of messages (ar, fr, en); overrides Accept-Language."),
    "q": _l("Words to find in titles, descriptions, keywords and references (Arabic-aware: "
            "hamza, ta marbuta, diacritics and case are ignored)."),
    "organization": _l("Organization code; repeat for several."),
    "status": _l("Workflow status; repeat for several."),
    "theme": _l("Theme code; repeat for several."),
    "tier": _l("Priority tier; repeat for several."),
    "classification": _l("Openness classification; repeat for several."),
    "campaign": _l("Campaign number."),
    "sort": _l("Order: updated (newest first), -updated, created, reference, -reference, "
               "priority, -priority, status, title, -title."),
    "page": _l("Page number, from 1 (a page past the end gives the last page)."),
    "per_page": _l("Entries per page."),
}


def openapi_document():
    """The OpenAPI 3.1 document, with descriptions in the request's language."""
    uuid_param = {"name": "uuid", "in": "path", "required": True,
                  "schema": {"type": "string", "format": "uuid"},
                  "description": _t(_l("The entry's UUID."))}
    if_match = {"name": "If-Match", "in": "header", "required": False,
                "schema": {"type": "string"},
                "description": _t(_l("The ETag of the entry as read (e.g. \"3\"): the request "
                                     "fails with 409 if the entry changed since."))}
    lang = _parameters("api.dataset_read")
    paths = {
        "/api/v1/datasets": {
            "get": {
                "operationId": "listDatasets", "tags": ["datasets"],
                "summary": _t(_l("List the entries the token's user can see")),
                "description": _t(_l("Same filters, search, sorting and paging as the "
                                     "inventory list.")),
                "parameters": _parameters("api.dataset_list"),
                "responses": _responses({"200": {**_json("DatasetPage", _l("One page.")),
                                                 "headers": RATE_HEADERS}},
                                        400, 401, 429),
            },
            "post": {
                "operationId": "createDataset", "tags": ["datasets"],
                "summary": _t(_l("Create a draft entry")),
                "description": _t(_l("For one of the organizations the token's user may "
                                     "create entries for (officers: their organizations). "
                                     "Drafts accept incomplete data; submission checks it. "
                                     "Without a licence, an open or not yet classified entry "
                                     "gets the national open licence, as in the forms.")),
                "parameters": lang,
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": REF + "schemas/DatasetCreate"}}}},
                "responses": _responses(_entry_ok(201, _l("The new draft."), location=True),
                                        400, 401, 403, 413, 415, 422, 429),
            },
        },
        "/api/v1/datasets/{uuid}": {
            "parameters": [uuid_param],
            "get": {
                "operationId": "getDataset", "tags": ["datasets"],
                "summary": _t(_l("Read one entry")),
                "parameters": lang,
                "responses": _responses(_entry_ok(200, _l("The entry; its ETag is its "
                                                          "version.")), 400, 401, 404, 429),
            },
            "patch": {
                "operationId": "updateDataset", "tags": ["datasets"],
                "summary": _t(_l("Change some fields of an entry")),
                "description": _t(_l("Send only the fields to change, with the `version` you "
                                     "read. Lists (themes, keywords, distributions) are "
                                     "replaced whole; null clears a code, a date or a "
                                     "number.")),
                "parameters": [*lang, if_match],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": REF + "schemas/DatasetPatch"}}}},
                "responses": _responses(_entry_ok(200, _l("The entry as saved.")),
                                        400, 401, 403, 404, 409, 413, 415, 422, 429),
            },
        },
        "/api/v1/me": {"get": {
            "operationId": "getMe", "tags": ["account"],
            "summary": _t(_l("The user the token acts as")),
            "parameters": lang,
            "responses": _responses({"200": {**_json("Me", _l("The token's user.")),
                                             "headers": RATE_HEADERS}}, 400, 401, 429),
        }},
        "/api/v1/openapi.json": {"get": {
            "operationId": "getOpenApi", "tags": ["meta"], "security": [],
            "summary": _t(_l("This document")),
            "responses": {"200": {"description": _t(_l("OpenAPI 3.1 document.")),
                                  "content": {"application/json": {
                                      "schema": {"type": "object"}}}}},
        }},
        "/api/v1/docs": {"get": {
            "operationId": "getDocs", "tags": ["meta"], "security": [],
            "summary": _t(_l("This documentation as a web page")),
            "responses": {"200": {"description": _t(_l("HTML page.")),
                                  "content": {"text/html": {"schema": {"type": "string"}}}}},
        }},
    }
    for action in s.WORKFLOW_ACTIONS:
        summary, description = ACTION_TEXTS[action]
        body = "RequestChanges" if action == "request_changes" else "Transition"
        paths[f"/api/v1/datasets/{{uuid}}/{action}"] = {
            "parameters": [uuid_param],
            "post": {
                "operationId": f"{_camel(action)}Dataset", "tags": ["workflow"],
                "summary": _t(summary), "description": _t(description),
                "parameters": [*lang, if_match],
                "requestBody": {"required": False, "content": {"application/json": {
                    "schema": {"$ref": REF + "schemas/" + body}}}},
                "responses": _responses(_entry_ok(200, _l("The entry in its new state.")),
                                        400, 401, 403, 404, 409, 413, 415, 422, 429),
            }}
    return {
        "openapi": "3.1.0",
        "info": {"title": _t(_l("Public data inventory API")), "version": "1.0.0",
                 "description": _t(_l(
                     "Personal API tokens are created on the profile page and sent as "
                     "`Authorization: Bearer <token>`; a token acts as its user, with the "
                     "user's current role and organizations. Messages follow "
                     "`Accept-Language` (ar, fr, en). Entries of organizations the user "
                     "cannot see answer 404. Every write is audited."))},
        "servers": [{"url": request.url_root.rstrip("/") or "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "datasets"}, {"name": "workflow"}, {"name": "account"},
                 {"name": "meta"}],
        "paths": paths,
        "components": _components(),
    }


def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _components():
    error_item = {
        "type": "object", "additionalProperties": False,
        "required": ["in", "path", "code", "message"],
        "properties": {"in": {"type": "string", "enum": ["body", "query", "entry"]},
                       "path": {"type": "string"}, "code": {"type": "string"},
                       "message": {"type": "string"}, "label": {"type": "string"}}}
    error = {
        "type": "object", "additionalProperties": False, "required": ["error"],
        "properties": {"error": {
            "type": "object", "additionalProperties": False,
            "required": ["status", "title", "message"],
            "properties": {
                "status": {"type": "integer"}, "code": {"type": "string"},
                "title": {"type": "string"}, "message": {"type": "string"},
                "errors": {"type": "array", "items": {"$ref": REF + "schemas/ErrorItem"}},
                "current_version": {"type": ["integer", "null"]},
                "changed_fields": {"type": "array", "items": {"type": "string"}},
                "retry_after": {"type": "integer", "minimum": 1}}}}}
    link = {"type": ["string", "null"], "format": "uri"}
    page = {
        "type": "object", "additionalProperties": False,
        "required": ["items", "total", "page", "per_page", "pages", "links"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": REF + "schemas/Dataset"}},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 0},
            "links": {"type": "object", "additionalProperties": False,
                      "required": ["self", "first", "last", "prev", "next"],
                      "properties": {k: link for k in ("self", "first", "last", "prev",
                                                       "next")}}}}
    me = {
        "type": "object", "additionalProperties": False,
        "required": ["email", "name", "role", "organizations", "token", "rate_limit"],
        "properties": {
            "email": {"type": "string"}, "name": {"type": "string"},
            "role": {"type": "string", "enum": list(vocab.ROLE_LABELS)},
            "organizations": {"type": "array", "items": {"type": "string"}},
            "token": {"type": "object", "additionalProperties": False,
                      "required": ["prefix", "name", "created_at", "expires_at"],
                      "properties": {"prefix": {"type": "string"}, "name": {"type": "string"},
                                     "created_at": s.DATETIME,
                                     "expires_at": s.NULLABLE_DATETIME}},
            "rate_limit": {"type": "object", "additionalProperties": False,
                           "required": ["limit", "period_seconds"],
                           "properties": {"limit": {"type": "integer"},
                                          "period_seconds": {"type": "integer"}}}}}
    responses = {}
    for code, (name, description) in ERROR_RESPONSES.items():
        responses[name] = _json("Error", description)
        if code == 401:
            responses[name]["headers"] = {"WWW-Authenticate": {
                "required": True, "schema": {"type": "string"},
                "description": _t(_l("Bearer challenge (RFC 6750)."))}}
        if code == 429:
            responses[name]["headers"] = {"Retry-After": {
                "required": True, "schema": {"type": "integer", "minimum": 1},
                "description": _t(_l("Seconds to wait before the next request."))}}
    return {
        "securitySchemes": {"bearerAuth": {
            "type": "http", "scheme": "bearer", "bearerFormat": "inv_…",
            "description": _t(_l("A personal API token from the profile page."))}},
        "schemas": {
            "Dataset": s.entry_output_schema(),
            "Distribution": s.distribution_output_schema(),
            "DatasetCreate": s.CREATE_BODY.schema(),
            "DatasetPatch": s.PATCH_BODY.schema(),
            "Transition": s.TRANSITION_BODY.schema(),
            "RequestChanges": s.REQUEST_CHANGES_BODY.schema(),
            "DatasetPage": page, "Me": me, "Error": error, "ErrorItem": error_item,
        },
        "responses": responses,
        "headers": {
            "ETag": {"required": True, "schema": {"type": "string"},
                     "description": _t(_l("The entry's version, quoted: send it back in "
                                          "If-Match or as `version`."))},
            "Location": {"required": True, "schema": {"type": "string"},
                         "description": _t(_l("URL of the new entry."))},
            "RateLimitLimit": {"required": True, "schema": {"type": "integer"},
                               "description": _t(_l("Requests allowed per period."))},
            "RateLimitRemaining": {"required": True, "schema": {"type": "integer"},
                                   "description": _t(_l("Requests left in this period."))},
            "RateLimitReset": {"required": True, "schema": {"type": "integer"},
                               "description": _t(_l("Seconds until the period ends."))},
        },
    }
