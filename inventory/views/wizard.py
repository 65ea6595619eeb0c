"""The guided, multi-step inventory form (`/datasets/<uuid>/edit?step=<key>`).

Every step is a form (`inventory.forms`) that saves a draft. Nothing typed is lost:
- a shape error re-renders the step with the input intact and field-anchored messages (422);
- a stale version (someone else saved meanwhile) re-renders it with the other person's values
  next to the user's and the new version in the form, so saving again applies on top (409);
- an expired session stashes the post (`auth.stash_and_reauthenticate`, also on a CSRF
  failure) and `?stash=<token>` refills the step after sign-in.
The summary step lists what submission still needs, each message linking to its field.
"""
import re
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal, format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from .. import auth, workflow
from .. import fields as entry_fields
from .. import vocabularies as vocab
from ..entries import (
    DISTRIBUTION_FIELDS,
    distribution_rows,
    fields_changed_since,
    save_entry,
)
from ..errors import ConflictError, PermissionDenied, SubmissionIncomplete, WorkflowError
from ..extensions import db
from ..form_inputs import join_keywords
from ..forms import (
    RESTRICTED_CLASSIFICATIONS,
    RESTRICTION_FIELDS,
    DistributionsForm,
    LegalForm,
    build_form,
)
from ..models import Campaign, Dataset, ReviewEvent
from .datasets import ENTRY_WITH_PARTS, active_campaigns, load_dataset

bp = Blueprint("wizard", __name__)

STEP_KEYS = entry_fields.STEP_KEYS
_FIELD_NAME = re.compile(r"^[a-z_]+(-\d{1,4}-[a-z_]+)?$")


def step_url(dataset, step, field=None):
    """The wizard page of `step`, scrolled to `field` when given."""
    return url_for("wizard.dataset_edit", dataset_uuid=dataset.uuid, step=step,
                   _anchor=f"field-{field}" if field else None)


def _step_key(value):
    return value if value in STEP_KEYS else STEP_KEYS[0]


def _step_form(step, dataset, formdata=None):
    """The form of `step` (`build_form`). Only the priority step offers campaigns: the active
    ones, plus the entry's own; the other steps do not read them."""
    campaigns = []
    if step == "priority":
        campaigns = active_campaigns()
        if dataset.campaign is not None and dataset.campaign not in campaigns:
            campaigns.append(dataset.campaign)
    return build_form(step, dataset, formdata, campaigns)


@bp.route("/datasets/<dataset_uuid>/edit", methods=["GET", "POST"])
@login_required
def dataset_edit(dataset_uuid):
    dataset = load_dataset(dataset_uuid, workflow.can_edit, statement=ENTRY_WITH_PARTS)
    if request.method == "POST":
        return _post_step(dataset)
    field = request.args.get("field")
    if field is not None:  # links from submission problems: `?field=<name>` opens its step
        return redirect(step_url(dataset, entry_fields.step_of(field) or STEP_KEYS[0],
                                 field if _FIELD_NAME.match(field) else None))
    stash = auth.take_stash(request.args.get("stash"), request.path)
    if stash is not None:
        step = _step_key(stash.get("step"))
        form = _step_form(step, dataset, stash)
        db.session.commit()  # the stash is consumed; its input is now in the page
        flash(_("Your input has been restored: check it and save it."), "info")
        return _render(dataset, step, form)
    step = _step_key(request.args.get("step"))
    form = _step_form(step, dataset)
    if step == "distributions" and request.args.get("add") and dataset.distributions:
        form.distributions.append_entry()  # (an entry without any already shows one empty row)
    return _render(dataset, step, form)


def _next_step(step, offset):
    index = min(max(STEP_KEYS.index(step) + offset, 0), len(STEP_KEYS) - 1)
    return STEP_KEYS[index]


def _destination(step):
    """The step to show after saving `step`, from the button pressed."""
    goto = request.form.get("goto")
    if goto in STEP_KEYS:
        return goto
    nav = request.form.get("nav")
    if nav == "next":
        return _next_step(step, 1)
    if nav == "back":
        return _next_step(step, -1)
    return step


def _post_step(dataset):
    step = _step_key(request.form.get("step") or request.args.get("step"))
    form = _step_form(step, dataset, request.form)
    if step == "summary":
        if request.form.get("nav") == "submit":
            return _submit(dataset, form)
        return redirect(step_url(dataset, _destination(step)))
    adding = isinstance(form, DistributionsForm) and request.form.get("nav") == "add_distribution"
    removed = request.form.get("remove_distribution")
    if isinstance(form, DistributionsForm) and removed is not None:
        form.remove_row(removed)
    if not form.validate():
        if adding:
            form.distributions.append_entry()
        return _render(dataset, step, form, status=422)
    expected = form.expected_version()
    if expected != dataset.version:
        conflict = conflict_report(dataset, form, expected)
        if conflict["differences"]:
            form.version.data = str(dataset.version)  # saving again applies on top
            return _render(dataset, step, form, status=409, conflict=conflict)
        expected = dataset.version  # saved meanwhile, but nothing the user typed differs
    changes, themes, distributions = form.to_changes()
    try:
        changed = save_entry(dataset, current_user, changes, expected, themes=themes,
                             distributions=distributions, step=step)
        db.session.commit()
    except (ConflictError, StaleDataError):  # a save landed between our read and our write
        db.session.rollback()
        dataset = db.session.scalar(db.select(Dataset).where(Dataset.id == dataset.id))
        form.version.data = str(dataset.version)
        return _render(dataset, step, form, status=409,
                       conflict=conflict_report(dataset, form, expected))

    if changed:
        flash(_("Saved at %(time)s.", time=format_time(None, "short")), "success")
    elif request.form.get("nav") == "save":
        flash(_("Nothing has changed since the last save."), "info")
    if isinstance(form, LegalForm) and dataset.classification in RESTRICTED_CLASSIFICATIONS \
            and request.form.get("restriction_shown") != "1":
        # Chosen without JavaScript: the restriction questions appear only now; answer them.
        flash(_("A restriction must be justified: answer the questions that now appear."),
              "warning")
        return redirect(step_url(dataset, step, "restriction_grounds"))
    if adding:
        index = len(dataset.distributions)
        return redirect(url_for("wizard.dataset_edit", dataset_uuid=dataset.uuid,
                                step="distributions", add=1,
                                _anchor=f"field-distributions-{index}-title"))
    return redirect(step_url(dataset, _destination(step)))


def _submit(dataset, form):
    """Submit from the summary step, with the version the user reviewed."""
    if form.expected_version() != dataset.version:
        flash(_("The entry changed since you opened this summary: check it again before "
                "submitting."), "warning")
        return _render(dataset, "summary", build_form("summary", dataset), status=409)
    try:
        workflow.submit(dataset, current_user)
    except SubmissionIncomplete:
        db.session.rollback()
        flash(_("The entry cannot be submitted yet: complete the points listed below."), "error")
        return _render(dataset, "summary", build_form("summary", dataset), status=422)
    except (WorkflowError, PermissionDenied) as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("datasets.dataset_detail", dataset_uuid=dataset.uuid))
    db.session.commit()
    flash(_("The entry has been submitted for review."), "success")
    return redirect(url_for("datasets.dataset_detail", dataset_uuid=dataset.uuid))


# --------------------------------------------------------------------------- page

def problem_links(dataset, problems):
    """Submission problems as [(step, field, label, message, url)] in wizard order."""
    items = []
    for field, messages in problems.items():
        step = entry_fields.step_of(field) or STEP_KEYS[0]
        for message in messages:
            items.append((step, field, entry_fields.field_label(field), message,
                          step_url(dataset, step, field)))
    items.sort(key=lambda item: STEP_KEYS.index(item[0]))
    return items


def _last_change_request(dataset):
    """The reviewer's latest request for changes, while the entry waits for them."""
    if dataset.status != "changes_requested":
        return None
    return db.session.scalar(
        db.select(ReviewEvent).where(ReviewEvent.dataset_id == dataset.id,
                                     ReviewEvent.action == "request_changes")
        .order_by(ReviewEvent.at.desc(), ReviewEvent.id.desc()).limit(1))


def _render(dataset, step, form, status=200, conflict=None):
    problems = problem_links(dataset, workflow.submission_problems(dataset))
    review = _last_change_request(dataset)
    counts = {key: sum(1 for p in problems if p[0] == key) for key in STEP_KEYS}
    show_restriction = isinstance(form, LegalForm) and (
        form.classification.data in RESTRICTED_CLASSIFICATIONS
        or any(form[name].errors for name in RESTRICTION_FIELDS))
    return render_template(
        "datasets/wizard.html", dataset=dataset, step=step, form=form,
        step_number=STEP_KEYS.index(step) + 1, steps=entry_fields.STEPS, counts=counts,
        problems=problems, errors=form.error_items(), conflict=conflict,
        show_restriction=show_restriction, restricted_values=RESTRICTED_CLASSIFICATIONS,
        can_submit=workflow.can_submit(current_user, dataset),
        previous_step=_next_step(step, -1) if step != STEP_KEYS[0] else None,
        review=review, review_comments=(review.field_comments or {}) if review else {},
        step_url=step_url, step_of=entry_fields.step_of,
    ), status


# --------------------------------------------------------------------------- conflicts

VALUE_TERMS = {
    "personal_data": lambda: vocab.PERSONAL_DATA_LABELS,
    "classification": lambda: vocab.CLASSIFICATION_LABELS,
    "restriction_grounds": vocab.restriction_grounds,
    "access_rights": vocab.access_rights,
    "license_code": vocab.licences,
    "hvd_category": vocab.hvd_categories,
    "themes": vocab.themes,
    "spatial": vocab.governorates,
    "frequency": vocab.frequencies,
    "languages": vocab.languages,
    "demand": lambda: vocab.LEVEL_LABELS,
    "value": lambda: vocab.LEVEL_LABELS,
    "readiness": lambda: vocab.LEVEL_LABELS,
    "risk": lambda: vocab.LEVEL_LABELS,
}


def display_value(name, value):
    """A stored or typed value as text for people (labels for codes, dates per locale)."""
    if value is None or value == "" or value == []:
        return "—"
    if name == "distributions":
        return " | ".join(" · ".join(str(v) for v in (
            row.get("title"), vocab.label(vocab.formats(), row.get("format")),
            row.get("access_url")) if v) or "—" for row in value)
    if name == "campaign_id":
        campaign = db.session.get(Campaign, value) if isinstance(value, int) else None
        return campaign.name(vocab.current_locale()) if campaign else str(value)
    if name.startswith("keywords_"):
        return join_keywords(value, name[-2:])
    terms = VALUE_TERMS.get(name)
    if terms is not None:
        values = value if isinstance(value, list) else [value]
        return ", ".join(vocab.label(terms(), v) for v in values)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, date):
        return format_date(value, "long")
    if isinstance(value, int):
        return format_decimal(value)
    return str(value)


def conflict_report(dataset, form, version):
    """What to show when the user's `version` is stale: the step's fields where the input
    differs from what is saved now (saved value, the user's value, and whether someone else
    changed that field since `version`), the other fields changed meanwhile, and by whom."""
    others = fields_changed_since(dataset, version)
    changes, themes, distributions = form.to_changes()
    if themes is not None:
        changes["themes"] = themes
    keys = [k for k in DISTRIBUTION_FIELDS if k != "media_type"]
    if distributions is not None:
        changes["distributions"] = [{k: row.get(k) for k in keys} for row in distributions]
    rows = []
    for name, yours in changes.items():
        if name == "themes":
            saved = list(dataset.themes)
        elif name == "distributions":
            saved = [{k: row[k] for k in keys} for row in distribution_rows(dataset)]
        else:
            saved = getattr(dataset, name)
        if saved != yours:
            rows.append({"name": name, "label": entry_fields.field_label(name),
                         "saved": display_value(name, saved), "yours": display_value(name, yours),
                         "by_other": name in others})
    elsewhere = [entry_fields.field_label(name) for name in sorted(others)
                 if name not in changes]
    return {"differences": rows, "elsewhere": elsewhere, "by": dataset.updated_by,
            "at": dataset.updated_at}
