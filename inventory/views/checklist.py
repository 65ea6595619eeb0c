"""The open-data guide checklist: a ministry's page, hand ticks, and the downloads (PDF, XLSX,
CSV, Markdown) of a ministry's or an entry's checklist.

The entry page shows the entry's checklist through `templates/datasets/_checklist_panel.html`,
which calls the `entry_checklist` template global registered here.
"""
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_sqlalchemy.pagination import Pagination
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Optional

from .. import checklist as cl
from .. import checklist_export as ce
from .. import workflow
from ..checklist_html import checklist_items
from ..extensions import db
from ..fields import field_label
from ..form_inputs import TextShape
from ..models import ChecklistTick, Organization
from ..textfold import fold
from ..vocabularies import current_locale
from .datasets import load_dataset

bp = Blueprint("checklist", __name__)
ENTRY_SORTS = ("reference", "-reference", "progress", "-progress", "status")


class TickForm(FlaskForm):
    note = TextAreaField(_l("Note (decision, document, where the evidence is)"),
                         validators=[Optional(), TextShape(cl.NOTE_MAX)])
    evidence_url = StringField(_l("Evidence link"),
                               validators=[Optional(), TextShape(cl.URL_MAX)])
    done = HiddenField(default="1")


class ListPagination(Pagination):
    """Paging over a list already in memory (statuses are computed in Python)."""

    def _query_items(self):
        start = (self.page - 1) * self.per_page
        return self._query_args["items"][start:start + self.per_page]

    def _query_count(self):
        return len(self._query_args["items"])


def paginate_list(items, page, per_page):
    pages = max(1, -(-len(items) // per_page))
    page = min(max(page if isinstance(page, int) else 1, 1), pages)
    return ListPagination(page=page, per_page=per_page, error_out=False, items=items)


def load_organization(code, predicate=workflow.can_view_organization):
    """Load an organization by code (404), then check `predicate` (403)."""
    org = db.session.scalar(db.select(Organization).where(Organization.code == code.upper()))
    if org is None:
        abort(404)
    if not predicate(current_user, org):
        abort(403)
    return org


def visible_organizations(user):
    if user.is_admin:
        return list(db.session.scalars(db.select(Organization).order_by(Organization.code)))
    return list(user.organizations)


@bp.app_context_processor
def checklist_helpers():
    return {"cl": cl, "field_label": field_label}


bp.add_app_template_global(checklist_items, "checklist_items")


@bp.app_template_global("entry_checklist")
def entry_checklist_global(dataset, events=None, ticks=None):
    """For `_checklist_panel.html`: the entry's checklist with who/when (`events`: the entry
    page's history, newest first, which names the approver without another query; `ticks`:
    its hand ticks, read with it)."""
    return cl.entry_checklist(dataset, events, ticks)


def export_choice():
    """(format, language) from the query string, 404 on anything else."""
    # Not `lang`: that query argument switches (and remembers) the interface language.
    fmt = request.args.get("format", "pdf")
    lang = request.args.get("language") or current_locale()
    if fmt not in ce.FORMATS or lang not in current_app.config["LANGUAGES"]:
        abort(404)
    return fmt, lang


def download(subject, fmt, lang):
    body = ce.export(subject, fmt, lang)
    name = ce.filename(subject, fmt, lang)
    return Response(body, mimetype=ce.MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store"})


# --------------------------------------------------------------------------- pages

@bp.route("/checklist")
@login_required
def checklist_index():
    orgs = visible_organizations(current_user)
    if len(orgs) == 1:
        return redirect(url_for("checklist.organization_checklist", code=orgs[0].code))
    q = (request.args.get("q") or "").strip()
    if q:
        folded = fold(q)
        orgs = [o for o in orgs if folded in fold(" ".join((o.code, o.name_ar, o.name_fr,
                                                             o.name_en)))]
    done = dict(db.session.execute(
        db.select(ChecklistTick.organization_id, db.func.count())
        .where(ChecklistTick.dataset_id.is_(None), ChecklistTick.done.is_(True))
        .group_by(ChecklistTick.organization_id)).all())
    pagination = paginate_list(orgs, request.args.get("page", 1, type=int), 50)
    return render_template("checklist/index.html", pagination=pagination, done=done, q=q,
                           total=len(cl.ministry_items()))


@bp.route("/organizations/<code>/checklist")
@login_required
def organization_checklist(code):
    org = load_organization(code)
    summary = cl.organization_checklist(org)
    entries = summary.entries
    item_filter = request.args.get("item", "")
    if item_filter in cl.RULES:
        state = request.args.get("state", cl.TODO)
        entries = [e for e in entries if any(s.item.id == item_filter and s.state == state
                                             for s in e.statuses)]
    sort = request.args.get("sort", "reference")
    sort = sort if sort in ENTRY_SORTS else "reference"
    key = {"reference": lambda e: e.dataset.reference,
           "progress": lambda e: (e.progress.percent, e.dataset.reference),
           "status": lambda e: (e.dataset.status, e.dataset.reference)}[sort.lstrip("-")]
    entries = sorted(entries, key=key, reverse=sort.startswith("-"))
    pagination = paginate_list(entries, request.args.get("page", 1, type=int),
                               current_app.config["LIST_PAGE_SIZE"])
    return render_template("checklist/organization.html", org=org, summary=summary,
                           pagination=pagination, sort=sort, item_filter=item_filter,
                           can_tick=workflow.can_tick_ministry_item(current_user, org),
                           form=TickForm())


@bp.route("/organizations/<code>/checklist/export")
@login_required
def organization_checklist_export(code):
    org = load_organization(code)
    fmt, lang = export_choice()
    return download(ce.organization_subject(org), fmt, lang)


@bp.route("/datasets/<dataset_uuid>/checklist/export")
@login_required
def dataset_checklist_export(dataset_uuid):
    dataset = load_dataset(dataset_uuid)
    fmt, lang = export_choice()
    return download(ce.dataset_subject(dataset), fmt, lang)


# --------------------------------------------------------------------------- hand ticks

def _tick(item_id, back, subject_kw, statuses, form_context):
    """Shared GET (form page) / POST (record) of a hand tick; `back` is where to return."""
    status = next((s for s in statuses if s.item.id == item_id), None)
    if status is None:
        abort(404)
    form = TickForm()
    if request.method == "GET" and status.tick is not None:
        form.note.data, form.evidence_url.data = status.tick.note, status.tick.evidence_url
    errors = {}
    if request.method == "POST" and form.validate_on_submit():
        done = form.done.data != "0"
        try:
            cl.tick_item(current_user, item_id, done=done, note=form.note.data or "",
                         evidence_url=form.evidence_url.data or "", **subject_kw)
        except cl.TickInvalid as exc:
            db.session.rollback()
            errors = exc.problems
        else:
            db.session.commit()
            flash(_("Item %(item)s marked as done.", item=item_id) if done else
                  _("Item %(item)s is no longer marked as done.", item=item_id), "success")
            return redirect(back)
    elif request.method == "POST":
        errors = {name: list(f.errors) for name, f in form._fields.items() if f.errors}
    for name, messages in errors.items():
        if name in form._fields:
            form._fields[name].errors = list(messages)
    summary = [(name if name in form._fields else "note",
                form._fields[name].label.text if name in form._fields else "",
                [str(m) for m in messages]) for name, messages in errors.items()]
    return render_template("checklist/tick.html", status=status, form=form, back=back,
                           errors=summary, **form_context), (422 if errors else 200)


@bp.route("/organizations/<code>/checklist/<item_id>", methods=["GET", "POST"])
@login_required
def organization_tick(code, item_id):
    org = load_organization(code, workflow.can_tick_ministry_item)
    back = url_for("checklist.organization_checklist", code=org.code, _anchor=f"item-{item_id}")
    return _tick(item_id, back, {"organization": org}, cl.ministry_statuses(org),
                 {"org": org, "dataset": None})


@bp.route("/datasets/<dataset_uuid>/checklist/<item_id>", methods=["GET", "POST"])
@login_required
def dataset_tick(dataset_uuid, item_id):
    dataset = load_dataset(dataset_uuid, workflow.can_tick_dataset_item)
    back = url_for("datasets.dataset_detail", dataset_uuid=dataset.uuid,
                   _anchor=f"item-{item_id}")
    return _tick(item_id, back, {"dataset": dataset}, cl.dataset_statuses(dataset),
                 {"org": dataset.organization, "dataset": dataset})
