"""Domain errors and the HTTP error pages (translated, never a bare 500 trace)."""
import logging

from flask import jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class InventoryError(Exception):
    """Base of the errors a domain operation raises for the request boundary to present."""

    status_code = 400

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class WorkflowError(InventoryError):
    """A transition that the state machine or the user's permissions do not allow."""

    status_code = 409


class PermissionDenied(InventoryError):
    status_code = 403


class ConflictError(InventoryError):
    """Someone else saved the entry since this user loaded it (optimistic locking)."""

    status_code = 409

    def __init__(self, message=None, current_version=None, **details):
        super().__init__(message or _l("This entry was changed by someone else while you were "
                                       "editing it."), current_version=current_version, **details)
        self.current_version = current_version


class SubmissionIncomplete(InventoryError):
    """Submission rules failed; `problems` maps field names to translated messages."""

    status_code = 422

    def __init__(self, problems):
        super().__init__(_l("The entry is not complete yet."), problems=problems)
        self.problems = problems


class InvalidInput(InventoryError):
    """Input that breaks a rule only the domain can check (a taken e-mail, an immutable code);
    `problems` maps form field names to translated messages, as for SubmissionIncomplete."""

    status_code = 422

    def __init__(self, problems):
        super().__init__(_l("Some values are not valid."), problems=problems)
        self.problems = problems


ERROR_TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please sign in"),
    403: _l("You do not have access to this page"),
    404: _l("This page does not exist"),
    405: _l("This action is not allowed here"),
    409: _l("Conflict"),
    413: _l("The data sent is too large"),
    422: _l("The data sent is not valid"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
}


def _wants_json():
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > \
        request.accept_mimetypes["text/html"]


def render_error(code, message=None):
    title = ERROR_TITLES.get(code, ERROR_TITLES[500])
    if _wants_json():
        body = {"error": {"status": code, "title": str(title), "message": str(message or title)}}
        return jsonify(body), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register_error_handlers(app):
    @app.errorhandler(HTTPException)
    def handle_http(exc):
        message = None
        if (exc.code or 500) >= 500:
            # Unhandled exceptions arrive here as InternalServerError (in production; tests
            # re-raise them). Leave the session usable for the error page.
            from .extensions import db
            db.session.rollback()
            original = getattr(exc, "original_exception", None)
            if original is not None:
                log.error("unhandled error on %s %s", request.method, request.path,
                          exc_info=original)
        if exc.code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH") or 0
            message = _("The limit is %(size)s MB.", size=round(limit / 1024 / 1024, 1))
        response = make_response(render_error(exc.code or 500, message))
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)  # required by RFC 9110
        return response

    @app.errorhandler(CSRFError)
    def handle_csrf(exc):
        # An expired session fails the CSRF check before any view runs: keep what was typed
        # (stash) and ask to sign in again, as for an expired session, instead of losing it.
        # Only for pages that can show the form again (GET), not for sign-in or actions.
        rule = request.url_rule
        if request.method == "POST" and request.form and not _wants_json() and \
                rule is not None and "GET" in rule.methods and \
                not (request.endpoint or "").startswith("auth."):
            from .auth import stash_and_reauthenticate
            return stash_and_reauthenticate()
        return render_error(400, _("Your form expired or was sent from another page. "
                                   "Please reload the page and try again."))

    @app.errorhandler(InventoryError)
    def handle_domain(exc):
        return render_error(exc.status_code, exc.message)
