"""Review queue and review actions (approve / request changes)."""
from flask import Blueprint, render_template
from flask_login import current_user

from ..auth import role_required
from ..search import DatasetFilters, filtered_datasets, paginate

bp = Blueprint("review", __name__)


@bp.route("/review")
@role_required("reviewer")
def review_queue():
    filters = DatasetFilters(status=["submitted"], sort="-updated")
    pagination = paginate(filtered_datasets(current_user, filters), 1, 50)
    return render_template("review/queue.html", pagination=pagination)


@bp.route("/review/<dataset_uuid>", methods=["GET", "POST"])
@role_required("reviewer")
def review_dataset(dataset_uuid):
    from flask import redirect, url_for
    return redirect(url_for("datasets.dataset_detail", dataset_uuid=dataset_uuid))
