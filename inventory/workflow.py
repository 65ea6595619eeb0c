"""The inventory entry's state machine.

    draft -> submitted -> changes_requested <-> submitted -> approved -> published
    approved | published -> withdrawn -> draft (reopen)
    draft | changes_requested | withdrawn -> archived -> draft (restore)

`TRANSITIONS` is the whole table. Permission predicates `can_*(user, dataset)` answer for both
views and templates (the same predicate that guards an action hides its button). Operations
check the table and the predicate, change the state, write a `ReviewEvent` and an audit row,
and only flush: the request, CLI or job boundary commits.
"""
import re
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l

from . import vocabularies as vocab
from .audit import record_audit
from .errors import PermissionDenied, SubmissionIncomplete, WorkflowError
from .extensions import db
from .models import PublicationRequest, ReviewEvent, utcnow

# action -> (states it may start from, state it leads to)
TRANSITIONS = {
    "submit": ({"draft", "changes_requested"}, "submitted"),
    "request_changes": ({"submitted"}, "changes_requested"),
    "approve": ({"submitted"}, "approved"),
    "publish": ({"approved", "published"}, "published"),  # set by catalog.publish only
    "withdraw": ({"approved", "published"}, "withdrawn"),
    "reopen": ({"withdrawn"}, "draft"),
    "archive": ({"draft", "changes_requested", "withdrawn"}, "archived"),
    "restore": ({"archived"}, "draft"),
}

ACTION_LABELS = {
    "create": _l("Created"),
    "submit": _l("Submitted for review"),
    "request_changes": _l("Changes requested"),
    "approve": _l("Approved"),
    "publish": _l("Published on the portal"),
    "withdraw": _l("Withdrawn"),
    "reopen": _l("Reopened as a draft"),
    "archive": _l("Archived"),
    "restore": _l("Restored from the archive"),
    "adopt": _l("Adopted from the portal"),
}

EDITABLE_BY_OFFICER = {"draft", "changes_requested"}


def allowed(action, status):
    """True when the transition table allows `action` from `status`."""
    spec = TRANSITIONS.get(action)
    return spec is not None and status in spec[0]


# --------------------------------------------------------------------------- predicates

def _active(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.active


def _member(user, dataset_or_org_id):
    org_id = getattr(dataset_or_org_id, "organization_id", dataset_or_org_id)
    return org_id in user.organization_ids


def can_view(user, dataset):
    return _active(user) and (user.is_admin or _member(user, dataset))


def can_create(user, organization_id):
    """May `user` create entries for this organization?"""
    return _active(user) and (user.is_admin or (user.role == "officer"
                                                and _member(user, organization_id)))


def can_edit(user, dataset):
    if not _active(user) or dataset.status == "archived":
        return False
    if user.is_admin:
        return True
    return (user.role == "officer" and _member(user, dataset)
            and dataset.status in EDITABLE_BY_OFFICER)


def can_submit(user, dataset):
    return allowed("submit", dataset.status) and _active(user) and (
        user.is_admin or (user.role == "officer" and _member(user, dataset)))


def can_review(user, dataset):
    """May `user` approve this entry or request changes to it?"""
    return allowed("approve", dataset.status) and _active(user) and (
        user.is_admin or (user.role == "reviewer" and _member(user, dataset)))


can_approve = can_review
can_request_changes = can_review


def can_withdraw(user, dataset):
    return allowed("withdraw", dataset.status) and _active(user) and (
        user.is_admin or (user.role == "reviewer" and _member(user, dataset)))


def can_reopen(user, dataset):
    return allowed("reopen", dataset.status) and _active(user) and (
        user.is_admin or _member(user, dataset))


def can_archive(user, dataset):
    if not (allowed("archive", dataset.status) and _active(user)):
        return False
    if user.is_admin:
        return True
    return user.role == "officer" and _member(user, dataset) and dataset.status != \
        "changes_requested"


def can_restore(user, dataset):
    return allowed("restore", dataset.status) and _active(user) and user.is_admin


def can_clone(user, dataset):
    return can_view(user, dataset) and can_create(user, dataset.organization_id)


def can_override_priority(user, dataset):
    return _active(user) and dataset.status != "archived" and (
        user.is_admin or (user.role == "reviewer" and _member(user, dataset)))


def can_publish(user, dataset):
    """May `user` (re)start the portal publication of this entry by hand?"""
    return _active(user) and user.is_admin and dataset.status in ("approved", "published")


def can_view_organization(user, organization):
    """May `user` see this organization's checklist and register (members and admins)?"""
    return _active(user) and (user.is_admin or _member(user, organization.id))


def can_tick_ministry_item(user, organization):
    """May `user` tick the guide's ministry items (M..) of this organization?"""
    return _active(user) and (user.is_admin or (user.role == "officer"
                                                and _member(user, organization.id)))


def can_tick_dataset_item(user, dataset):
    """May `user` tick the guide's dataset items (D..) of this entry by hand?"""
    return _active(user) and dataset.status != "archived" and (
        user.is_admin or (user.role == "officer" and _member(user, dataset)))


def can_import_register(user, organization):
    """May `user` import a spreadsheet register into this organization's inventory?"""
    return organization.active and can_create(user, organization.id)


can_export_register = can_view_organization


PREDICATES = {
    "submit": can_submit,
    "request_changes": can_review,
    "approve": can_review,
    "withdraw": can_withdraw,
    "reopen": can_reopen,
    "archive": can_archive,
    "restore": can_restore,
}


def available_actions(user, dataset):
    """The workflow actions `user` may take on `dataset` now (for buttons)."""
    return [a for a, pred in PREDICATES.items() if pred(user, dataset)]


# --------------------------------------------------------------------------- operations

def _transition(dataset, user, action, comment="", field_comments=None, check=True, now=None):
    if not allowed(action, dataset.status):
        raise WorkflowError(_l("This action is not possible while the entry is “%(status)s”.",
                               status=vocab.STATUS_LABELS.get(dataset.status, dataset.status)))
    if check and not PREDICATES[action](user, dataset):
        raise PermissionDenied(_l("You are not allowed to do this on this entry."))
    from_status = dataset.status
    to_status = TRANSITIONS[action][1]
    now = now or utcnow()
    dataset.status = to_status
    dataset.updated_at = now
    if user is not None:
        dataset.updated_by_id = user.id
    event = ReviewEvent(dataset=dataset, actor_id=getattr(user, "id", None), at=now,
                        action=action, from_status=from_status, to_status=to_status,
                        comment=(comment or "").strip(),
                        field_comments={k: v.strip() for k, v in (field_comments or {}).items()
                                        if v and v.strip()})
    db.session.add(event)
    record_audit(user, f"dataset.{action}", dataset, from_status=from_status,
                 to_status=to_status, comment=event.comment)
    db.session.flush()
    return event


def submit(dataset, user, comment=""):
    """Send the entry for review after applying every submission rule."""
    if not allowed("submit", dataset.status):
        return _transition(dataset, user, "submit")  # raises the WorkflowError
    if not can_submit(user, dataset):
        raise PermissionDenied(_l("You are not allowed to do this on this entry."))
    problems = submission_problems(dataset)
    if problems:
        raise SubmissionIncomplete(problems)
    dataset.submitted_at = utcnow()
    return _transition(dataset, user, "submit", comment)


def request_changes(dataset, user, comment="", field_comments=None):
    """Send the entry back to its officers; needs an overall or per-field comment."""
    has_field_comment = any(v and v.strip() for v in (field_comments or {}).values())
    if not (comment or "").strip() and not has_field_comment:
        raise SubmissionIncomplete({"comment": [_l("Say what should change: write a comment "
                                                    "overall or next to a field.")]})
    return _transition(dataset, user, "request_changes", comment, field_comments)


def approve(dataset, user, comment=""):
    """Approve the entry; a publishable one is queued for the portal in the same transaction."""
    event = _transition(dataset, user, "approve", comment)
    dataset.approved_at = event.at
    if dataset.is_publishable:
        request_publication(dataset, user, "publish")
    return event


def withdraw(dataset, user, comment=""):
    """Withdraw the entry; if it may be on the portal, its withdrawal there is queued too."""
    if not (comment or "").strip():
        raise SubmissionIncomplete({"comment": [_l("Give the reason for the withdrawal.")]})
    event = _transition(dataset, user, "withdraw", comment)
    dataset.withdrawn_at = event.at
    if dataset.is_publishable or dataset.ckan_id or dataset.ckan_name:
        request_publication(dataset, user, "withdraw")
    return event


def request_publication(dataset, user, action="publish", batch_id=None, force=False,
                        flush=True):
    """Ask for the entry to be pushed to (or withdrawn from) the portal: an outbox row that
    commits with the caller's transaction; `catalog.jobs` carries it out in the background.
    (`flush=False`: the caller adds many and flushes once.)"""
    row = PublicationRequest(dataset=dataset, action=action, batch_id=batch_id, force=force,
                             requested_by_id=getattr(user, "id", None))
    db.session.add(row)
    if flush:
        db.session.flush()
    return row


def reopen(dataset, user, comment=""):
    return _transition(dataset, user, "reopen", comment)


def archive(dataset, user, comment=""):
    return _transition(dataset, user, "archive", comment)


def restore(dataset, user, comment=""):
    return _transition(dataset, user, "restore", comment)


def mark_published(dataset, actor=None, comment=""):
    """Called by the publishing job once the portal has the entry (no user permission check:
    the approval already authorised it). A re-publication of a published entry records no
    new review event."""
    if dataset.status == "published":
        return None
    if not allowed("publish", dataset.status):
        return _transition(dataset, actor, "publish", comment, check=False)  # raises
    now = utcnow()  # set before the transition flushes: one UPDATE of the entry, not two
    if dataset.issued_at is None:
        dataset.issued_at = now
    if dataset.actual_release_date is None:
        dataset.actual_release_date = now.date()
    return _transition(dataset, actor, "publish", comment, check=False, now=now)


# --------------------------------------------------------------------------- submission rules

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_URL = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)


def is_http_url(value):
    return bool(value) and bool(_URL.match(value))


def is_email(value):
    """True when `value` has the shape of an e-mail address (the form and the rules agree)."""
    return bool(value) and bool(_EMAIL.match(value))


def submission_problems(dataset):
    """Every rule an entry must meet to be submitted: {field: [translated messages]}.

    Field names are those of the inventory form (`title_ar`, `distributions-0-access_url`...),
    so the form can anchor each message next to its input.
    """
    p = {}

    def add(field, message):
        p.setdefault(field, []).append(message)

    langs_complete = [lang for lang in ("ar", "fr", "en")
                      if getattr(dataset, f"title_{lang}").strip()
                      and getattr(dataset, f"description_{lang}").strip()]
    required = current_app.config.get("REQUIRED_TEXT_LANGUAGES", ("ar", "fr"))
    if not langs_complete:
        add("title_ar", _l("Give a title and a description in at least one language."))
    elif required and not any(lang in langs_complete for lang in required):
        names = ", ".join(str(vocab.label(vocab.languages(), lang)) for lang in required)
        add("title_ar", _l("Give the title and description in one of: %(langs)s.", langs=names))
    for lang in ("ar", "fr", "en"):
        title = getattr(dataset, f"title_{lang}").strip()
        desc = getattr(dataset, f"description_{lang}").strip()
        if title and not desc:
            add(f"description_{lang}", _l("A title without a description: add the description."))
        if desc and not title:
            add(f"title_{lang}", _l("A description without a title: add the title."))
    if not dataset.owner_unit.strip():
        add("owner_unit", _l("Name the unit that produces or holds the data."))

    if not dataset.personal_data:
        add("personal_data", _l("Say whether the data contain personal data."))
    elif dataset.personal_data == "yes" and dataset.classification == "open":
        add("classification", _l("Data with personal data cannot be opened as they are: "
                                 "choose “open after treatment” or a restriction."))
    if not dataset.classification:
        add("classification", _l("Choose whether the data can be opened."))
    elif dataset.is_restricted:
        if not dataset.restriction_grounds:
            add("restriction_grounds", _l("Choose the legal ground (Organic Law 2016-22, "
                                          "art. 24) that keeps the data closed."))
        unknown = set(dataset.restriction_grounds or ()) - set(vocab.restriction_grounds())
        if unknown:
            add("restriction_grounds", _l("Unknown ground: %(codes)s.",
                                          codes=", ".join(sorted(unknown))))
        for field, message in (
                ("harm_note", _l("Explain the serious harm that opening would cause.")),
                ("public_interest_note", _l("Explain why the public interest does not "
                                            "outweigh this harm.")),
                ("proportionality_note", _l("Explain why a partial opening is not possible "
                                            "(proportionality)."))):
            if not getattr(dataset, field).strip():
                add(field, message)
        if not dataset.restriction_review_date:
            add("restriction_review_date", _l("Set the date when the restriction will be "
                                              "reviewed: it lapses when its reasons cease."))
        elif dataset.restriction_review_date <= date.today():
            add("restriction_review_date", _l("The review date must be in the future."))

    if not dataset.access_rights:
        add("access_rights", _l("Choose the access rights."))
    elif dataset.classification in ("open", "open_after_treatment") and \
            dataset.access_rights != "PUBLIC":
        add("access_rights", _l("Data that can be opened have public access rights."))
    elif dataset.is_restricted and dataset.access_rights == "PUBLIC":
        add("access_rights", _l("Restricted data cannot have public access rights."))

    publishable = dataset.is_publishable
    if publishable:
        if not dataset.license_code:
            add("license_code", _l("Choose the licence under which the data will be opened."))
        elif dataset.license_code not in vocab.licences():
            add("license_code", _l("Unknown licence."))
        if not dataset.contact_email.strip():
            add("contact_email", _l("Give a functional contact e-mail (not a personal one)."))
    if dataset.contact_email.strip() and not is_email(dataset.contact_email.strip()):
        add("contact_email", _l("This is not a valid e-mail address."))
    for field in ("landing_page", "documentation_url"):
        value = getattr(dataset, field).strip()
        if value and not is_http_url(value):
            add(field, _l("Give a full web address starting with http:// or https://."))

    themes = list(dataset.themes)
    if not themes:
        add("themes", _l("Choose at least one theme."))
    elif set(themes) - set(vocab.themes()):
        add("themes", _l("Unknown theme."))
    if not dataset.spatial:
        add("spatial", _l("Choose the governorates covered, or the whole country."))
    elif set(dataset.spatial) - set(vocab.governorates()):
        add("spatial", _l("Unknown governorate."))
    if not dataset.frequency:
        add("frequency", _l("Choose how often the data are updated."))
    elif dataset.frequency not in vocab.frequencies():
        add("frequency", _l("Unknown frequency."))
    if not dataset.languages:
        add("languages", _l("Choose the languages of the data."))
    if dataset.temporal_start and dataset.temporal_end and \
            dataset.temporal_end < dataset.temporal_start:
        add("temporal_end", _l("The end of the period is before its start."))

    if publishable and not dataset.distributions:
        add("distributions", _l("Add at least one distribution (a file or an API) for data "
                                "that will be opened."))
    for i, dist in enumerate(dataset.distributions):
        prefix = f"distributions-{i}-"
        if not is_http_url(dist.access_url):
            add(prefix + "access_url", _l("Give the web address where the data can be reached."))
        if dist.download_url and not is_http_url(dist.download_url):
            add(prefix + "download_url", _l("Give a full web address starting with http:// or "
                                            "https://."))
        if not dist.format:
            add(prefix + "format", _l("Choose the format."))
        elif dist.format not in vocab.formats():
            add(prefix + "format", _l("Unknown format."))
        if dist.byte_size is not None and dist.byte_size < 0:
            add(prefix + "byte_size", _l("The size cannot be negative."))

    if dataset.classification != "not_publishable":
        for field in ("demand", "value", "readiness", "risk"):
            if getattr(dataset, field) is None:
                add(field, _l("Answer this question: it sets the priority for opening."))
    return p
