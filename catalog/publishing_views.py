"""Portal publishing pages: /publications (history, filters, batch progress), publish again,
publish all, drift (reconcile) and adopt. Each view: load → authorize → act."""
import re
import uuid as uuid_lib

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from inventory import workflow
from inventory.auth import role_required
from inventory.extensions import db
from inventory.models import Dataset, Organization, Publication
from inventory.search import paginate

from . import jobs
from .ckan import PublishError, error_message
from .ckan_package import organization_name
from .publish import client_from_app, eligible_count, eligible_query

bp = Blueprint("publications", __name__)

OUTCOMES = ("ok", "failed", "skipped")
CKAN_NAME = re.compile(r"[a-z0-9_-]{2,100}")  # CKAN's rule for dataset names
ACTIONS = ("publish", "withdraw", "adopt")


@bp.app_template_global()
def publish_error_text(code):
    """Plain words for a recorded error code."""
    return error_message(code)


def _visible_publications():
    stmt = sa.select(Publication).join(Dataset, Publication.dataset_id == Dataset.id)
    if not current_user.is_admin:
        stmt = stmt.where(Dataset.organization_id.in_(current_user.organization_ids or {-1}))
    return stmt


def _dispatch_soon():
    """Queue the new requests now rather than at the next sweep (best effort: the sweep of a
    worker does it anyway if the queue cannot be reached from here)."""
    try:
        jobs.dispatch_pending(jobs.get_queue())
    except Exception:  # noqa: BLE001 - the outbox keeps the request; a worker will take it
        db.session.rollback()
        current_app.logger.warning("could not queue publication requests now", exc_info=True)


@bp.route("/publications")
@login_required
def publication_list():
    args = request.args
    stmt = _visible_publications()
    outcome = args.get("outcome") if args.get("outcome") in OUTCOMES else None
    action = args.get("action") if args.get("action") in ACTIONS else None
    org_code = args.get("org") or None
    batch = args.get("batch") or None
    q = (args.get("q") or "").strip()
    if outcome:
        stmt = stmt.where(Publication.outcome == outcome)
    if action:
        stmt = stmt.where(Publication.action == action)
    if org_code:
        stmt = stmt.join(Organization, Dataset.organization_id == Organization.id)\
            .where(Organization.code == org_code)
    if batch:
        stmt = stmt.where(Publication.batch_id == batch)
    if q:
        from inventory.textfold import fold
        stmt = stmt.where(sa.or_(Dataset.reference.ilike(f"%{q}%"),
                                 Dataset.search_text.contains(fold(q))))
    stmt = stmt.order_by(Publication.at.desc(), Publication.id.desc())
    pagination = paginate(stmt, args.get("page", 1, type=int),
                          current_app.config["LIST_PAGE_SIZE"])
    if current_user.is_admin:
        organizations = db.session.scalars(sa.select(Organization)
                                           .order_by(Organization.code)).all()
    else:
        organizations = list(current_user.organizations)
    return render_template(
        "publications/index.html", pagination=pagination, organizations=organizations,
        filters={"outcome": outcome, "action": action, "org": org_code, "batch": batch, "q": q},
        outcomes=OUTCOMES, actions=ACTIONS, batch=jobs.latest_batch(),
        waiting=jobs.waiting_count(), eligible_count=eligible_count())


@bp.route("/publications/publish-all", methods=["POST"])
@role_required("admin")
def publication_publish_all():
    datasets = db.session.scalars(eligible_query()).all()
    if not datasets:
        flash(_("No approved public entry to publish."), "info")
        return redirect(url_for("publications.publication_list"))
    batch_id, _rows = jobs.request_batch(datasets, current_user,
                                         force=request.form.get("force") == "1")
    db.session.commit()
    _dispatch_soon()
    flash(_("%(count)s entries queued for the portal. Progress is shown below.",
            count=len(datasets)), "success")
    return redirect(url_for("publications.publication_list", batch=batch_id))


@bp.route("/datasets/<dataset_uuid>/publish", methods=["POST"])
@login_required
def dataset_publish(dataset_uuid):
    try:
        uuid_lib.UUID(dataset_uuid)
    except ValueError:
        abort(404)
    dataset = db.session.scalar(sa.select(Dataset).where(Dataset.uuid == dataset_uuid))
    if dataset is None:
        abort(404)
    if not workflow.can_publish(current_user, dataset):
        abort(403)
    jobs.retry_now(dataset, current_user, force=True)  # asked by hand: push even if unchanged
    db.session.commit()
    _dispatch_soon()
    flash(_("The entry is queued for the portal; its result will appear below."), "success")
    return redirect(url_for("datasets.dataset_detail", dataset_uuid=dataset_uuid,
                            _anchor="publication"))


@bp.route("/publications/reconcile")
@role_required("admin")
def publication_reconcile():
    from .reconcile import reconcile
    report, error = None, None
    try:
        report = reconcile(client_from_app())
    except PublishError as exc:
        error = error_message(exc.code)
    entries = {}
    if report is not None:
        uuids = {i.dataset_uuid for i in report.missing + report.edited}
        if uuids:
            entries = {d.uuid: d for d in db.session.scalars(
                sa.select(Dataset).where(Dataset.uuid.in_(uuids)))}
    return render_template("publications/reconcile.html", report=report, error=error,
                           entries=entries)


@bp.route("/publications/adopt", methods=["POST"])
@role_required("admin")
def publication_adopt():
    from .reconcile import adopt
    name = (request.form.get("name") or "").strip().lower()
    back = redirect(url_for("publications.publication_reconcile"))
    if not CKAN_NAME.fullmatch(name):  # the form offers portal names; anything else is none
        flash(_("Choose the portal dataset to adopt."), "error")
        return back
    if db.session.scalar(sa.select(Dataset.id).where(Dataset.ckan_name == name)):
        flash(_("An inventory entry already stands for this portal dataset."), "error")
        return back
    try:
        package = client_from_app().package_get(name)
    except PublishError as exc:
        flash(str(error_message(exc.code)), "error")
        return back
    if package is None or package.get("state") != "active":
        flash(_("This dataset is no longer on the portal."), "error")
        return back
    org_name = (package.get("organization") or {}).get("name")
    organization = next((o for o in db.session.scalars(sa.select(Organization))
                         if organization_name(o) == org_name), None)
    if organization is None:
        flash(_("The dataset belongs to an organization the inventory does not know."), "error")
        return back
    dataset = adopt(package, organization, current_user)
    db.session.commit()
    flash(_("The portal dataset is now inventory entry %(ref)s (published). Complete its "
            "inventory-only fields.", ref=dataset.reference), "success")
    return redirect(url_for("datasets.dataset_detail", dataset_uuid=dataset.uuid))
