"""The audit trail: one append-only row per write that matters."""
from flask import g, has_app_context, has_request_context, request

from .extensions import db
from .models import AuditLog


def current_channel():
    """'api', 'ui', 'job' or 'cli': where the write came from."""
    if has_request_context():
        return g.get("channel") or ("api" if request.path.startswith("/api/") else "ui")
    if has_app_context():
        return g.get("channel") or "cli"
    return "cli"


def record_audit(actor, action, obj, **details):
    """Add an audit row for `action` on `obj` (a model with `id`/`uuid`) by `actor`; flushes
    nothing itself: it commits with the write it describes."""
    object_type = type(obj).__name__.lower() if obj is not None else ""
    object_id = str(getattr(obj, "uuid", None) or getattr(obj, "id", None) or
                    getattr(obj, "code", "") or "")
    row = AuditLog(**audit_values(actor, action, object_type, object_id, **details))
    db.session.add(row)
    return row


def audit_values(actor, action, object_type, object_id, **details):
    """The column values of one audit row (what `record_audit` adds; bulk writers insert
    many at once)."""
    token = g.get("api_token") if has_app_context() else None
    if token is not None:  # which personal API token did it (its visible prefix)
        details = {**details, "api_token": token.prefix}
    return {
        "actor_id": getattr(actor, "id", None),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id)[:64],
        "channel": current_channel(),
        "ip": (request.remote_addr or "")[:64] if has_request_context() else "",
        "details": _jsonable(details),
    }


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
