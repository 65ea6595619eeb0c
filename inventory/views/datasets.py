"""Inventory entries: list, detail, create, clone and workflow actions.

The guided edit wizard lives in `views/wizard.py`; it shares `load_dataset` from here.
"""
import uuid as uuid_lib
from datetime import UTC
from typing import NamedTuple

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload, lazyload

from .. import RTL_LANGUAGES, priority, vocabularies, workflow
from .. import fields as entry_fields
from ..activity import entry_activity
from ..entries import clone_entry, create_entry
from ..errors import PermissionDenied, SubmissionIncomplete, WorkflowError
from ..extensions import date_text, db, decimal_text, lazy_text
from ..form_inputs import without_controls
from ..models import Campaign, Dataset, Organization, User, localized, localized_lang
from ..reference_cache import cached_reference
from ..search import (
    DatasetFilters,
    filtered_datasets,
    list_page_rows,
    organization_choices,
    paginate,
    visibility_key,
)
from ..vocabularies import current_locale

bp = Blueprint("datasets", __name__)
# Labels of entry fields in every template (review comments, summary, wizard), from the one
# naming in inventory/fields.py: `field_label("distributions-0-format")`.
bp.add_app_template_global(entry_fields.field_label, "field_label")


# Statements run on every entry page, built once: SQLAlchemy computes a statement's cache key
# once per statement object, and building and keying them again cost a few tenths of a
# millisecond each, every request.
ENTRY_BY_UUID = sa.select(Dataset).where(Dataset.uuid == sa.bindparam("uuid"))


def load_dataset(dataset_uuid, predicate=workflow.can_view, statement=ENTRY_BY_UUID):
    """Load an entry by UUID (404 if malformed or unknown), then check `predicate` (403).
    `statement`: `ENTRY_BY_UUID`, or it with loader options (eager loading of what the page
    shows)."""
    try:
        uuid_lib.UUID(dataset_uuid)
    except (ValueError, TypeError):
        abort(404)
    dataset = db.session.execute(statement, {"uuid": dataset_uuid}).unique() \
        .scalar_one_or_none()
    if dataset is None:
        abort(404)
    if not predicate(current_user, dataset):
        abort(403)
    return dataset


def creatable_organizations(user):
    """Organizations `user` may create entries for."""
    if user.is_admin:
        return db.session.scalars(db.select(Organization).where(Organization.active)
                                  .order_by(Organization.code)).all()
    if user.role != "officer":
        return []
    return [o for o in user.organizations if o.active]


def organization_options(user, locale, selected):
    """The organization filter's `<option>`s as one safe string, the ids in `selected` marked.

    With ~400 public bodies, reading and formatting them cost ~3 ms a list page (and a
    template loop printing them ~1.5 ms more): the unmarked markup is kept per reference
    version, locale and scope (`reference_cache`); marking the choice is a string replace.
    Same markup as the template loop it replaced."""
    html = cached_reference(
        ("organization_options", locale, visibility_key(user)),
        lambda: "".join(f'<option value="{org_id:d}" >{escape(label)}</option>'
                        for org_id, label in organization_choices(user, locale)))
    for org_id in selected:
        html = html.replace(f'<option value="{org_id:d}" >',
                            f'<option value="{org_id:d}" selected>', 1)
    return Markup(html)


def campaign_choices(locale):
    """[(id, name)] of every campaign, newest first, for the list's campaign filter (kept per
    reference version and locale)."""
    def compute():
        campaigns = db.session.scalars(db.select(Campaign).options(
            lazyload(Campaign.organizations)).order_by(Campaign.id.desc()))
        return [(c.id, c.name(locale)) for c in campaigns]
    return cached_reference(("campaign_choices", locale), compute)


def active_campaigns():
    """The active campaigns, newest first, to file a new or edited entry under (without their
    organizations, which load by default and are not shown)."""
    return db.session.scalars(db.select(Campaign).where(Campaign.active)
                              .order_by(Campaign.id.desc())
                              .options(lazyload(Campaign.organizations))).all()


def may_create_entries(user):
    """True when `user` may create entries for at least one organization (no query for an
    officer, whose organizations are loaded with them; kept per reference version for
    admins)."""
    if user.is_admin:
        return cached_reference(("any_active_organization",), lambda: db.session.scalar(
            db.select(Organization.id).where(Organization.active).limit(1)) is not None)
    return bool(creatable_organizations(user))


class ListRow(NamedTuple):
    """What one row of the inventory list shows, ready to print."""
    url: str
    reference: str
    title: str
    title_lang: str
    title_dir: str
    org_code: str
    org_name: str
    status: str
    status_label: str
    tier: str | None
    tier_label: str
    score: str | None
    updated_iso: str
    updated: str


def list_rows(entries, lang):
    """The rows of the inventory list (`search.LIST_ROW`s), computed in Python once per
    request: per cell, Jinja macros, lazy labels and Babel formatting cost ~0.3 ms a row.
    Labels are translated once per request, days formatted once per process and locale
    (`extensions.date_text`) and the entry address built once, with the same output as the
    `_macros/ui.html` macros, `format_date` and `url_for` (tests/integration/test_list_page.py)."""
    statuses = {code: lazy_text(label) for code, label in vocabularies.STATUS_LABELS.items()}
    tiers = {code: lazy_text(label) for code, label in vocabularies.TIER_LABELS.items()}
    timezone = get_timezone()
    locale = get_locale()
    # An entry's uuid is letters, digits and dashes: written into the address as url_for would.
    url_head, _sep, url_tail = url_for("datasets.dataset_detail",
                                       dataset_uuid="UUID").rpartition("UUID")
    rows = []
    for entry in entries:
        # flask_babel.to_user_timezone, with the request's timezone looked up once. Its
        # `normalize` is left out: pytz's conversion from UTC already gives the right offset.
        updated_at = entry.updated_at
        day = updated_at.replace(tzinfo=UTC).astimezone(timezone).date()
        score = entry.priority_score
        title_lang = localized_lang(entry, "title", lang)
        rows.append(ListRow(
            url=f"{url_head}{entry.uuid}{url_tail}",
            reference=entry.reference, title=localized(entry, "title", lang),
            title_lang=title_lang, title_dir="rtl" if title_lang in RTL_LANGUAGES else "ltr",
            org_code=entry.org_code,
            org_name=localized(entry, "org_name", lang) or entry.org_code,
            status=entry.status, status_label=statuses.get(entry.status, entry.status),
            tier=entry.priority_tier,
            tier_label=tiers.get(entry.priority_tier, entry.priority_tier),
            score=None if score is None else decimal_text(score, locale),
            updated_iso=updated_at.isoformat(), updated=date_text(day, "medium", locale)))
    return rows


# The summary's "internal" tag (fields that are never published).
INTERNAL_TITLE, INTERNAL_TAG = _l("Never published"), _l("internal")


def fact_row(name, value, internal=False, label=None, text=False):
    """One `<dt>`/`<dd>` pair of the entry summary (`_summary.html`): the label of field `name`
    (or `label`), the "internal" tag, then `value`, isolated when `text` is typed by a user,
    or a dash. A function rather than a macro: the summary prints ~40 of them a page, and a
    Jinja macro call costs several times more. Same markup as the macro it replaced
    (tests/integration/test_entry_page.py)."""
    if isinstance(value, LazyString):  # a label: translated once, by the fast path
        value = lazy_text(value)
    out = ["\n<dt>", escape(label or entry_fields.field_label(name))]
    if internal:
        # Translated messages are markup, as `_()` gives them in templates.
        out.append(f' <span class="tag tag--internal" title="{lazy_text(INTERNAL_TITLE)}">'
                   f"{lazy_text(INTERNAL_TAG)}</span>")
    if value and text:
        out.append(f"</dt>\n<dd><bdi>{escape(value)}</bdi></dd>\n")
    elif value:
        out.append(f"</dt>\n<dd>{escape(value)}</dd>\n")
    else:
        out.append('</dt>\n<dd><span class="muted">—</span></dd>\n')
    return Markup("".join(out))


bp.add_app_template_global(fact_row, "fact_row")


def fact_link(url):
    """A web address of the summary: a link when it is http(s), else the text kept left to
    right; nothing when empty. Same markup as the `link` macro it replaced."""
    if workflow.is_http_url(url):
        url = escape(url)
        return Markup(f'<a href="{url}" class="url" dir="ltr" rel="noopener noreferrer">'
                      f"{url}</a>")
    return Markup(f'<span dir="ltr">{escape(url)}</span>') if url else Markup()


def fact_email(email):
    """An e-mail address of the summary, kept left to right; nothing when empty."""
    return Markup(f'<span dir="ltr">{escape(email)}</span>') if email else Markup()


def term_list(terms, codes, lang):
    """The labels of `codes` in vocabulary `terms`, in `lang`, separated with the language's
    comma. Same markup as the `list_of` macro it replaced (the locale passed in rather than
    looked up at each label)."""
    separator = "، " if lang == "ar" else ", "
    return Markup(separator.join(escape(vocabularies.label(terms, c, lang)) for c in codes))


for _helper in (fact_link, fact_email, term_list):
    bp.add_app_template_global(_helper)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("datasets.dataset_list"))
    return redirect(url_for("auth.login"))


@bp.route("/datasets")
@login_required
def dataset_list():
    filters = DatasetFilters.from_args(request.args)
    locale = current_locale()
    stmt = list_page_rows(filtered_datasets(current_user, filters, locale))
    page = request.args.get("page", 1, type=int)
    pagination = paginate(stmt, page, current_app.config["LIST_PAGE_SIZE"],
                          count_key=(visibility_key(current_user), filters.count_key()))
    return render_template("datasets/list.html", pagination=pagination, filters=filters,
                           rows=list_rows(pagination.items, locale),
                           organization_options=organization_options(current_user, locale,
                                                                     filters.organization),
                           campaigns=campaign_choices(locale),
                           can_create=may_create_entries(current_user))


@bp.route("/datasets/new", methods=["GET", "POST"])
@login_required
def dataset_new():
    orgs = creatable_organizations(current_user)
    if not orgs:
        abort(403)
    campaigns = active_campaigns()
    if request.method == "POST":
        org_id = request.form.get("organization", type=int)
        org = next((o for o in orgs if o.id == org_id), None)
        if org is None and len(orgs) == 1:
            org = orgs[0]
        if org is None:
            flash(_("Choose the organization that holds the data."), "error")
            return render_template("datasets/new.html", organizations=orgs,
                                   campaigns=campaigns), 400
        campaign_id = request.form.get("campaign", type=int)
        campaign = next((c for c in campaigns if c.id == campaign_id), None)
        dataset = create_entry(org, current_user, campaign_id=campaign.id if campaign else None)
        db.session.commit()
        flash(_("Draft %(ref)s created. Fill it in step by step: every step saves.",
                ref=dataset.reference), "success")
        return redirect(url_for("wizard.dataset_edit", dataset_uuid=dataset.uuid))
    return render_template("datasets/new.html", organizations=orgs, campaigns=campaigns)


# The entry with its themes, distributions and campaign in its own query rather than one
# query each, and without the organizations a campaign loads by default (the wizard's steps).
ENTRY_WITH_PARTS = ENTRY_BY_UUID.options(
    joinedload(Dataset.theme_rows), joinedload(Dataset.distributions),
    joinedload(Dataset.campaign).lazyload(Campaign.organizations))
# The entry page also names who last edited it and who set its tier by hand.
ENTRY_PAGE_ENTRY = ENTRY_WITH_PARTS.options(
    joinedload(Dataset.updated_by).lazyload(User.organizations),
    joinedload(Dataset.priority_override_by).lazyload(User.organizations))


@bp.route("/datasets/<dataset_uuid>")
@login_required
def dataset_detail(dataset_uuid):
    dataset = load_dataset(dataset_uuid, statement=ENTRY_PAGE_ENTRY)
    # Its history, hand ticks and portal attempts in one statement (inventory/activity.py).
    activity = entry_activity(dataset.id)
    problems = workflow.submission_problems(dataset) if workflow.allowed(
        "submit", dataset.status) else {}
    prio = priority.compute(dataset, priority.shown_weights())
    last_changes = next((e for e in activity.events if e.action == "request_changes"), None)
    return render_template("datasets/detail.html", dataset=dataset, events=activity.events,
                           activity=activity, problems=problems, prio=prio,
                           last_changes=last_changes,
                           actions=workflow.available_actions(current_user, dataset))


@bp.route("/datasets/<dataset_uuid>/clone", methods=["POST"])
@login_required
def dataset_clone(dataset_uuid):
    dataset = load_dataset(dataset_uuid, workflow.can_clone)
    clone = clone_entry(dataset, current_user)
    db.session.commit()
    flash(_("Copy %(ref)s created from %(source)s.", ref=clone.reference,
            source=dataset.reference), "success")
    return redirect(url_for("wizard.dataset_edit", dataset_uuid=clone.uuid))


WORKFLOW_OPERATIONS = {
    "submit": workflow.submit,
    "withdraw": workflow.withdraw,
    "reopen": workflow.reopen,
    "archive": workflow.archive,
    "restore": workflow.restore,
}
SUCCESS_MESSAGES = {
    "submit": lambda: _("The entry has been submitted for review."),
    "withdraw": lambda: _("The entry has been withdrawn."),
    "reopen": lambda: _("The entry is a draft again."),
    "archive": lambda: _("The entry has been archived."),
    "restore": lambda: _("The entry has been restored as a draft."),
}


@bp.route("/datasets/<dataset_uuid>/transition/<action>", methods=["POST"])
@login_required
def dataset_transition(dataset_uuid, action):
    """Officer-side workflow actions (review actions live in the review blueprint)."""
    operation = WORKFLOW_OPERATIONS.get(action)
    if operation is None:
        abort(404)
    dataset = load_dataset(dataset_uuid)
    if not workflow.PREDICATES[action](current_user, dataset):
        abort(403)
    try:
        # Control characters are invisible and PostgreSQL refuses NUL: dropped, not refused,
        # as the comment was typed in a dialog that cannot be shown again with an error.
        operation(dataset, current_user,
                  without_controls(request.form.get("comment", ""))[:5000])
    except SubmissionIncomplete as exc:
        db.session.rollback()
        if action == "submit":
            flash(_("The entry cannot be submitted yet: %(count)s point(s) to complete, listed "
                    "below.", count=sum(len(v) for v in exc.problems.values())), "error")
            return redirect(url_for("datasets.dataset_detail", dataset_uuid=dataset_uuid,
                                    _anchor="problems"))
        for messages in exc.problems.values():
            for message in messages:
                flash(str(message), "error")
        return redirect(url_for("datasets.dataset_detail", dataset_uuid=dataset_uuid))
    except (WorkflowError, PermissionDenied) as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("datasets.dataset_detail", dataset_uuid=dataset_uuid))
    db.session.commit()
    flash(SUCCESS_MESSAGES[action](), "success")
    return redirect(url_for("datasets.dataset_detail", dataset_uuid=dataset_uuid))
