"""The API's one error shape, and the handlers that turn every failure into it.

    {"error": {"status": 422, "code": "validation_failed", "title": "...", "message": "...",
               "errors": [{"in": "body", "path": "distributions/0/format",
                           "code": "invalid_choice", "message": "...", "label": "..."}]}}

`status`, `title` and `message` are what the application's generic error handler already
returns for /api/ paths (unknown URLs, methods), so every JSON error of the API has at least
those; API views add `code`, and `errors` (validation), `current_version` (conflicts) or
`retry_after` (rate limit) when they apply. Messages follow `Accept-Language`.
"""
from flask import jsonify
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ..errors import (
    ERROR_TITLES,
    ConflictError,
    InventoryError,
    PermissionDenied,
    SubmissionIncomplete,
    WorkflowError,
)
from ..extensions import db
from .kinds import Problem, ValidationFailed

TITLES = {**ERROR_TITLES,
          415: _l("Unsupported content type"),
          428: _l("Precondition required")}
HTTP_CODES = {400: "bad_request", 401: "invalid_token", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "body_too_large",
              415: "unsupported_media_type", 422: "validation_failed", 429: "rate_limited"}


class ApiError(Exception):
    """An API failure to report: status, stable code, translated message, and optionally
    field problems, extra body members and headers."""

    def __init__(self, status, code, message, problems=None, headers=None, **extra):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.problems = problems or []
        self.headers = headers or {}
        self.extra = extra


def error_response(exc):
    body = {"status": exc.status, "code": exc.code,
            "title": str(TITLES.get(exc.status, TITLES[500])), "message": str(exc.message)}
    if exc.problems:
        body["errors"] = [p.to_json() for p in exc.problems]
    body.update(exc.extra)
    response = jsonify({"error": body})
    response.status_code = exc.status
    response.headers.update(exc.headers)
    return response


def _submission_problems(problems):
    """workflow.submission_problems' {form field name: [messages]} as API problems about the
    stored entry, with JSON paths (`distributions-0-access_url` -> `distributions/0/access_url`)."""
    out = []
    for field, messages in problems.items():
        path = field
        if field.startswith("distributions-"):
            path = "/".join(field.split("-", 2))
        # `comment` is what request_changes/withdraw lack in the request, not in the entry.
        location = "body" if field == "comment" else "entry"
        out.extend(Problem(path, "incomplete", message, location) for message in messages)
    return out


def register_handlers(bp):
    @bp.errorhandler(ApiError)
    def handle_api_error(exc):
        db.session.rollback()
        return error_response(exc)

    @bp.errorhandler(ValidationFailed)
    def handle_validation(exc):
        db.session.rollback()
        return error_response(ApiError(422, "validation_failed",
                                       _l("The data sent is not valid: see `errors`."),
                                       exc.problems))

    @bp.errorhandler(InventoryError)
    def handle_domain(exc):
        db.session.rollback()
        if isinstance(exc, SubmissionIncomplete):
            return error_response(ApiError(422, "incomplete", exc.message,
                                           _submission_problems(exc.problems)))
        if isinstance(exc, ConflictError):
            return error_response(ApiError(409, "version_conflict", exc.message,
                                           current_version=exc.current_version))
        if isinstance(exc, WorkflowError):
            return error_response(ApiError(409, "transition_not_allowed", exc.message))
        if isinstance(exc, PermissionDenied):
            return error_response(ApiError(403, "forbidden", exc.message))
        return error_response(ApiError(exc.status_code, "invalid", exc.message))

    @bp.errorhandler(StaleDataError)
    def handle_stale(exc):
        # Two writers passed the version check at the same time; the database let one in.
        from flask import request

        from ..models import Dataset
        db.session.rollback()
        uuid = (request.view_args or {}).get("dataset_uuid")
        current = db.session.scalar(db.select(Dataset.version).where(Dataset.uuid == uuid))
        conflict = ConflictError(current_version=current)
        return error_response(ApiError(409, "version_conflict", conflict.message,
                                       current_version=current))

    @bp.errorhandler(HTTPException)
    def handle_http(exc):
        db.session.rollback()
        status = exc.code or 500
        message = TITLES.get(status, TITLES[500])
        headers = {}
        if status == 413:
            from flask import current_app
            limit = current_app.config["API_MAX_BODY_BYTES"]
            message = _l("The request body is larger than the limit of %(size)s bytes.",
                         size=limit)
        if status == 405 and getattr(exc, "valid_methods", None):
            headers["Allow"] = ", ".join(exc.valid_methods)
        return error_response(ApiError(status, HTTP_CODES.get(status, "error"), message,
                                       headers=headers))
