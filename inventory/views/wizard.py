"""The guided, multi-step inventory form (`/datasets/<uuid>/edit`)."""
from flask import Blueprint, render_template
from flask_login import login_required

from .. import workflow
from .datasets import load_dataset

bp = Blueprint("wizard", __name__)


@bp.route("/datasets/<dataset_uuid>/edit", methods=["GET", "POST"])
@login_required
def dataset_edit(dataset_uuid):
    dataset = load_dataset(dataset_uuid, workflow.can_edit)
    return render_template("datasets/detail.html", dataset=dataset, events=[], problems={},
                           prio=None, last_changes=None, actions=[])
