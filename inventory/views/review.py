"""Review: the queue of submitted entries, the review page (approve / request changes with
comments overall and per field) and the reviewer's priority override.

Each view loads the entry, checks the same `workflow.can_*` predicate the templates use to
show the button, then calls the workflow operation and commits.
"""
from datetime import date, datetime, time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from .. import priority, workflow
from ..activity import entry_events
from ..admin_forms import (
    PriorityOverrideForm,
    ReviewForm,
    apply_problems,
    form_error_list,
    page_form,
)
from ..auth import role_required
from ..dashboard import visible_campaigns
from ..entries import check_version
from ..errors import ConflictError, InvalidInput, PermissionDenied, SubmissionIncomplete
from ..extensions import db
from ..models import Dataset
from ..search import (
    LIST_OPTIONS,
    DatasetFilters,
    apply_filters,
    organization_choices,
    paginate,
    visible_datasets,
)
from ..vocabularies import current_locale
from .datasets import ENTRY_PAGE_ENTRY, load_dataset

bp = Blueprint("review", __name__)

QUEUE_SORTS = {
    "submitted": (Dataset.submitted_at.asc(), Dataset.id.asc()),  # first come, first served
    "-submitted": (Dataset.submitted_at.desc(), Dataset.id.desc()),
}


@bp.app_template_global()
def review_field_link(dataset, name):
    """Where an officer fixes field `name`: the wizard, opened at that field."""
    return url_for("wizard.dataset_edit", dataset_uuid=dataset.uuid, field=name)


def _since(value):
    """(date or None, error message or None) from the `since` filter (YYYY-MM-DD)."""
    if not value:
        return None, None
    try:
        return date.fromisoformat(value), None
    except ValueError:
        return None, _("Give the date as YYYY-MM-DD, for example 2026-03-01.")


@bp.route("/review")
@role_required("reviewer")
def review_queue():
    """Submitted entries this reviewer may review (their organizations; admins: all)."""
    filters = DatasetFilters.from_args(request.args)
    filters.status = ["submitted"]
    sort = request.args.get("sort", "submitted")
    if sort not in QUEUE_SORTS and sort not in ("priority", "-priority", "reference",
                                                "-reference", "title", "-title"):
        sort = "submitted"
    filters.sort = sort if sort not in QUEUE_SORTS else "updated"
    since, since_error = _since(request.args.get("since", "").strip()[:10])
    stmt = apply_filters(visible_datasets(current_user), filters, current_locale())
    if since:
        stmt = stmt.where(Dataset.submitted_at >= datetime.combine(since, time.min))
    if sort in QUEUE_SORTS:
        stmt = stmt.order_by(None).order_by(*QUEUE_SORTS[sort])
    stmt = stmt.options(selectinload(Dataset.campaign), *LIST_OPTIONS)
    pagination = paginate(stmt, request.args.get("page", 1, type=int),
                          current_app.config["LIST_PAGE_SIZE"])
    filters.sort = sort
    active = filters.q or filters.organization or filters.theme or filters.tier or \
        filters.campaign or since
    return render_template("review/queue.html", pagination=pagination, filters=filters,
                           since=request.args.get("since", "")[:10], since_error=since_error,
                           filters_active=bool(active), today=date.today(),
                           organizations=organization_choices(current_user,
                                                              current_locale()),
                           campaigns=visible_campaigns(current_user))


def _load_for_review(dataset_uuid):
    """The entry, for a reviewer or admin who may see it (404 unknown, 403 foreign)."""
    # With what the page shows joined, as on the entry page (tests/integration/
    # test_query_counts.py).
    dataset = load_dataset(dataset_uuid, statement=ENTRY_PAGE_ENTRY)
    if current_user.role not in ("reviewer", "admin"):
        abort(403)
    return dataset


def _render_review(dataset, form, status=200, errors=None):
    problems = workflow.submission_problems(dataset)
    prio = priority.compute(dataset, priority.shown_weights())
    return render_template("review/review.html", dataset=dataset, form=form,
                           events=entry_events(dataset.id), problems=problems, prio=prio,
                           can_review=workflow.can_review(current_user, dataset),
                           errors=form_error_list(form, errors)), status


@bp.route("/review/<dataset_uuid>", methods=["GET", "POST"])
@role_required("reviewer")
def review_dataset(dataset_uuid):
    dataset = _load_for_review(dataset_uuid)
    form = page_form(ReviewForm)
    if request.method == "GET":
        if not form.kept:
            form.version.data = str(dataset.version)
        return _render_review(dataset, form)
    if not workflow.can_review(current_user, dataset):
        if workflow.allowed("approve", dataset.status):
            abort(403)
        # Someone else reviewed it meanwhile (or it was never submitted): say so, keep input.
        return _render_review(dataset, form, 409, [_(
            "This entry is no longer waiting for review: it is now “%(status)s”.",
            status=workflow.vocab.STATUS_LABELS.get(dataset.status, dataset.status))])
    if not form.validate():
        return _render_review(dataset, form, 400)
    try:
        version = (form.version.data or "").strip()
        check_version(dataset, version if version.isdigit() else None)
        if form.decision.data == "approve":
            workflow.approve(dataset, current_user, form.comment.data)
            message = _("%(ref)s is approved.", ref=dataset.reference)
        else:
            workflow.request_changes(dataset, current_user, form.comment.data,
                                     form.field_comments())
            message = _("Changes requested on %(ref)s: the officers will see your comments.",
                        ref=dataset.reference)
    except ConflictError:
        db.session.rollback()
        form.version.data = str(dataset.version)
        return _render_review(dataset, form, 409, [_(
            "The entry was changed while you were reviewing it. Check the current version "
            "below, then send your review again: your comments are kept.")])
    except SubmissionIncomplete as exc:
        db.session.rollback()
        return _render_review(dataset, form, 400, apply_problems(form, exc.problems))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("review.review_queue"))


# --------------------------------------------------------------------------- priority override

@bp.route("/review/<dataset_uuid>/priority", methods=["GET", "POST"])
@login_required
def priority_override(dataset_uuid):
    """Set the entry's priority tier by hand (with a reason), or go back to the computed one."""
    dataset = load_dataset(dataset_uuid, workflow.can_override_priority)
    form = page_form(PriorityOverrideForm)
    prio = priority.compute(dataset, priority.shown_weights())
    errors = None
    status = 200
    if request.method == "GET" and dataset.priority_override_tier and not form.kept:
        form.tier.data = dataset.priority_override_tier
    if request.method == "POST" and request.form.get("clear"):
        priority.clear_override(dataset, current_user)
        db.session.commit()
        flash(_("The tier is computed from the inputs again."), "success")
        return redirect(url_for("datasets.dataset_detail", dataset_uuid=dataset.uuid))
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                priority.override_tier(dataset, current_user, form.tier.data, form.reason.data)
            except InvalidInput as exc:
                db.session.rollback()
                errors = apply_problems(form, exc.problems)
            except PermissionDenied:
                abort(403)
            else:
                db.session.commit()
                flash(_("The priority tier of %(ref)s is now “%(tier)s”.", ref=dataset.reference,
                        tier=workflow.vocab.TIER_LABELS[form.tier.data]), "success")
                return redirect(url_for("datasets.dataset_detail", dataset_uuid=dataset.uuid))
    return render_template("review/priority.html", dataset=dataset, form=form, prio=prio,
                           errors=form_error_list(form, errors)), status
