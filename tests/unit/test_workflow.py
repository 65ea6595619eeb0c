"""The transition table, every allowed and forbidden transition, and what operations record."""
import itertools

import pytest

from inventory import workflow
from inventory.errors import PermissionDenied, SubmissionIncomplete, WorkflowError
from inventory.models import STATUSES, AuditLog
from tests.conftest import complete_fields

EXPECTED = {
    ("draft", "submit"): "submitted",
    ("changes_requested", "submit"): "submitted",
    ("submitted", "request_changes"): "changes_requested",
    ("submitted", "approve"): "approved",
    ("approved", "publish"): "published",
    ("published", "publish"): "published",
    ("approved", "withdraw"): "withdrawn",
    ("published", "withdraw"): "withdrawn",
    ("withdrawn", "reopen"): "draft",
    ("draft", "archive"): "archived",
    ("changes_requested", "archive"): "archived",
    ("withdrawn", "archive"): "archived",
    ("archived", "restore"): "draft",
}


@pytest.mark.parametrize("status, action", list(itertools.product(STATUSES, workflow.TRANSITIONS)))
def test_transition_table(status, action):
    expected = EXPECTED.get((status, action))
    assert workflow.allowed(action, status) == (expected is not None)
    if expected:
        assert workflow.TRANSITIONS[action][1] == expected


OPERATIONS = {
    "submit": lambda ds, u: workflow.submit(ds, u),
    "request_changes": lambda ds, u: workflow.request_changes(ds, u, "fix it"),
    "approve": lambda ds, u: workflow.approve(ds, u),
    "withdraw": lambda ds, u: workflow.withdraw(ds, u, "obsolete"),
    "reopen": lambda ds, u: workflow.reopen(ds, u),
    "archive": lambda ds, u: workflow.archive(ds, u),
    "restore": lambda ds, u: workflow.restore(ds, u),
}


@pytest.mark.parametrize("status, action", list(itertools.product(
    [s for s in STATUSES], OPERATIONS)))
def test_operations_follow_the_table(make, status, action):
    org = make.org()
    admin = make.user("admin")
    ds = make.dataset(org, status=status)
    before = ds.status
    events = len(ds.review_events)
    if workflow.allowed(action, status):
        event = OPERATIONS[action](ds, admin)
        assert ds.status == workflow.TRANSITIONS[action][1]
        assert (event.from_status, event.to_status, event.actor_id) == (before, ds.status, admin.id)
        assert len(ds.review_events) == events + 1
        audit = AuditLog.query.filter_by(action=f"dataset.{action}", object_id=ds.uuid)\
            .order_by(AuditLog.id.desc()).first()
        assert audit.actor_id == admin.id and audit.details["from_status"] == before
    else:
        with pytest.raises(WorkflowError):
            OPERATIONS[action](ds, admin)
        assert ds.status == before
        assert len(ds.review_events) == events


def test_submit_applies_every_rule_and_names_fields(make):
    org = make.org()
    officer = make.user("officer", [org])
    ds = make.dataset(org, officer, complete=False)
    with pytest.raises(SubmissionIncomplete) as info:
        workflow.submit(ds, officer)
    problems = info.value.problems
    for field in ("title_ar", "owner_unit", "personal_data", "classification", "access_rights",
                  "themes", "spatial", "frequency", "languages", "demand"):
        assert field in problems, field
    assert ds.status == "draft"


def test_restriction_needs_grounds_and_tests(make):
    org = make.org()
    officer = make.user("officer", [org])
    ds = make.dataset(org, officer, **complete_fields(
        classification="restricted", access_rights="RESTRICTED", distributions=[]))
    problems = workflow.submission_problems(ds)
    for field in ("restriction_grounds", "harm_note", "public_interest_note",
                  "proportionality_note", "restriction_review_date"):
        assert field in problems, field


def test_personal_data_cannot_be_opened_as_is(make):
    org = make.org()
    ds = make.dataset(org, personal_data="yes", classification="open")
    assert "classification" in workflow.submission_problems(ds)


def test_complete_entry_has_no_problem(make):
    ds = make.dataset(make.org())
    assert workflow.submission_problems(ds) == {}


def test_request_changes_needs_a_comment(make):
    org = make.org()
    reviewer = make.user("reviewer", [org])
    ds = make.dataset(org, status="submitted")
    with pytest.raises(SubmissionIncomplete):
        workflow.request_changes(ds, reviewer, "  ", {"title_ar": " "})
    event = workflow.request_changes(ds, reviewer, "", {"title_ar": "بالعربية من فضلك"})
    assert event.field_comments == {"title_ar": "بالعربية من فضلك"}


def test_permissions_are_checked_by_operations(make):
    org, other = make.org(), make.org()
    officer = make.user("officer", [org])
    foreign_officer = make.user("officer", [other])
    reviewer = make.user("reviewer", [org])
    foreign_reviewer = make.user("reviewer", [other])
    ds = make.dataset(org, officer)
    with pytest.raises(PermissionDenied):
        workflow.submit(ds, foreign_officer)
    with pytest.raises(PermissionDenied):
        workflow.submit(ds, reviewer)  # reviewers review; officers submit
    workflow.submit(ds, officer)
    with pytest.raises(PermissionDenied):
        workflow.approve(ds, officer)
    with pytest.raises(PermissionDenied):
        workflow.approve(ds, foreign_reviewer)
    workflow.approve(ds, reviewer)
    assert ds.status == "approved"
    assert [e.action for e in ds.review_events] == ["submit", "approve"]


def test_mark_published_sets_issue_date_once(make):
    ds = make.dataset(make.org(), status="approved")
    workflow.mark_published(ds)
    first = ds.issued_at
    assert ds.status == "published" and first is not None
    assert workflow.mark_published(ds) is None  # already published: no new event
    assert ds.issued_at == first


def test_inactive_users_can_do_nothing(make):
    org = make.org()
    officer = make.user("officer", [org], active=False)
    ds = make.dataset(org)
    assert not workflow.can_view(officer, ds)
    assert not workflow.can_edit(officer, ds)
    assert not workflow.can_submit(officer, ds)
