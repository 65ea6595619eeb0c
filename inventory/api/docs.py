"""The context of the API's HTML documentation page (templates/api/docs.html): the
operations of the OpenAPI document, and the entry fields with their types and codes, labels
in the page's language."""
from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l

from .. import vocabularies as vocab
from ..fields import DISTRIBUTION_FIELDS_BY_NAME, FIELDS_BY_NAME, FieldSpec
from . import kinds as k
from . import schema as s
from .openapi import ERROR_RESPONSES, openapi_document


def describe_kind(kind):
    """A short translated description of a field's type and limits, for the docs page."""
    if isinstance(kind, k.Text):
        return _l("text, at most %(max)s characters", max=kind.max_length)
    if isinstance(kind, k.TextList):
        return _l("list of texts (at most %(items)s, each at most %(max)s characters)",
                  items=kind.max_items, max=kind.item.max_length)
    if isinstance(kind, k.Code):
        return _l("one code (or null): see the list below")
    if isinstance(kind, k.CodeList):
        return _l("list of distinct codes: see the list below")
    if isinstance(kind, k.Date):
        return _l("date YYYY-MM-DD (or null)")
    if isinstance(kind, k.Boolean):
        return _l("true or false")
    if isinstance(kind, k.Integer):
        return _l("whole number from %(min)s to %(max)s (or null)", min=kind.minimum,
                  max=kind.maximum)
    if isinstance(kind, k.ArrayOf):
        return _l("list of at most %(items)s distributions (replaced whole)",
                  items=kind.max_items)
    if isinstance(kind, s.FieldComments):
        return _l("comments keyed by entry field name (e.g. title_fr)")
    return ""


def _field_rows(kinds, specs):
    rows = []
    for name, kind in kinds.items():
        spec = specs.get(name)
        terms = None
        if isinstance(kind, k.Code | k.CodeList):
            terms = [(code, vocab.label(kind.terms(), code)) for code in kind.terms()]
        rows.append({"name": name, "label": spec.label if spec else "",
                     "internal": bool(spec and spec.internal), "type": describe_kind(kind),
                     "codes": terms})
    return rows


BODY_FIELD_LABELS = {
    "comment": FieldSpec("comment", "", _l("Comment (kept in the review trail)")),
    "field_comments": FieldSpec("field_comments", "", _l("Comments next to fields")),
    "version": FieldSpec("version", "", _l("The version you read (checked if given)")),
}


def docs_context():
    """Everything templates/api/docs.html shows: the operations of the OpenAPI document and
    the entry fields with their types and codes (labels in the page's language)."""
    doc = openapi_document()
    operations = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            operations.append({
                "id": op["operationId"], "method": method.upper(), "path": path,
                "summary": op["summary"], "description": op.get("description", ""),
                "public": op.get("security") == [],
                "parameters": [p for p in [*item.get("parameters", []),
                                           *op.get("parameters", [])]],
                "body": (op.get("requestBody") or {}).get("content", {}).get(
                    "application/json", {}).get("schema", {}).get("$ref", "").rsplit("/", 1)[-1],
                "responses": [(code, _response_description(doc, r))
                              for code, r in op["responses"].items()],
            })
    small_bodies = {"Transition": s.TRANSITION_BODY, "RequestChanges": s.REQUEST_CHANGES_BODY}
    for op in operations:
        body = small_bodies.get(op["body"])
        op["body_rows"] = _field_rows(body.properties, BODY_FIELD_LABELS) if body else None
    return {
        "doc": doc, "operations": operations,
        "entry_fields": _field_rows(s.ENTRY_KINDS, FIELDS_BY_NAME),
        "distribution_fields": _field_rows(s.DISTRIBUTION_KINDS, DISTRIBUTION_FIELDS_BY_NAME),
        "read_only": s.ENTRY_READ_ONLY,
        "error_statuses": [(code, text) for code, (_name, text) in ERROR_RESPONSES.items()],
        "base_url": request.url_root.rstrip("/"),
        "openapi_url": url_for("api.openapi_json"),
        "profile_url": url_for("auth.profile"),
        "rate_limit": current_app.config["API_RATE_LIMIT"],
        "max_body": current_app.config["API_MAX_BODY_BYTES"],
        "max_per_page": current_app.config["API_MAX_PER_PAGE"],
        "token_max_days": current_app.config["API_TOKEN_MAX_DAYS"],
    }


def _response_description(doc, response):
    ref = response.get("$ref")
    if ref:
        response = doc["components"]["responses"][ref.rsplit("/", 1)[-1]]
    return response.get("description", "")
