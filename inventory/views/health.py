"""/healthz: database (and, when catalog registers one, queue) status for load balancers."""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    status = {"status": "ok"}
    code = 200
    try:
        db.session.execute(text("SELECT 1"))
        status["database"] = {"status": "ok", "dialect": db.engine.dialect.name}
    except Exception as exc:  # noqa: BLE001 - reported, not raised: this is a health probe
        db.session.rollback()
        status["database"] = {"status": "error", "error": exc.__class__.__name__}
        status["status"] = "error"
        code = 503
    # catalog.init_app registers a callable reporting the job queue's state.
    queue_status = current_app.extensions.get("inventory.queue_status")
    if queue_status is not None:
        try:
            status["queue"] = queue_status()
        except Exception as exc:  # noqa: BLE001
            status["queue"] = {"status": "error", "error": exc.__class__.__name__}
        if status["queue"].get("status") != "ok":
            status["status"] = "degraded" if code == 200 else status["status"]
    response = jsonify(status)
    response.headers["Cache-Control"] = "no-store"
    return response, code
