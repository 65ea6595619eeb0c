"""Administration: users, organizations, campaigns, priority weights."""
from flask import Blueprint, render_template

from ..auth import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@role_required("admin")
def admin_index():
    return render_template("admin/index.html")
