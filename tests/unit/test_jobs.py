"""The outbox and the job logic without a portal: approval writes the request in its own
transaction, claims are atomic, retries back off, final failures stop, a done request is
never redone. (The same paths run against the real CKAN in tests/integration/test_ckan_jobs.py.)"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from catalog import jobs
from catalog.ckan import PublishError
from catalog.ckan_package import PortalProfile
from inventory import workflow
from inventory.extensions import db
from inventory.models import Publication, PublicationRequest, utcnow
from tests.conftest import restricted_fields


class PortalStub:
    """Stands in for CkanClient where these tests only exercise the queue's decisions."""

    url = "http://portal.invalid"

    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = 0

    def profile(self):
        return PortalProfile()

    def package_get(self, name):
        return None

    def upsert(self, package, organization=None, existing=None, look_up=True, package_id=None):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"id": f"id-{package['name']}", "name": package["name"]}


@pytest.fixture
def queue(app_ctx):
    return jobs.JobQueue(app_ctx, url="memory://")


def _requests():
    return db.session.scalars(sa.select(PublicationRequest).order_by(PublicationRequest.id)).all()


def test_approval_writes_the_request_in_its_transaction(make):
    org = make.org()
    admin = make.user("admin")
    ds = make.dataset(org, status="submitted")
    workflow.approve(ds, admin)
    db.session.rollback()
    assert _requests() == []  # rolled back together with the approval
    ds = make.dataset(org, status="approved")
    [req] = _requests()
    assert (req.dataset_id, req.action, req.done_at) == (ds.id, "publish", None)


def test_restricted_approval_asks_for_nothing_and_withdraw_asks_for_withdrawal(make):
    org = make.org()
    make.dataset(org, status="approved", **restricted_fields())
    assert _requests() == []
    make.dataset(org, status="withdrawn")
    assert [r.action for r in _requests()] == ["publish", "withdraw"]


def test_dispatch_claims_each_request_once(make, queue):
    make.dataset(make.org(), status="approved")
    assert jobs.dispatch_pending(queue) == 1
    assert jobs.dispatch_pending(queue) == 0  # claimed, lease not expired
    assert queue.queued() == 1
    [req] = _requests()
    req.claimed_at = utcnow() - timedelta(seconds=queue.lease + 1)  # its worker died
    db.session.commit()
    assert jobs.dispatch_pending(queue) == 1


def test_transient_failures_back_off_then_succeed(make, queue, app_ctx):
    app_ctx.config["CKAN_RETRY_BASE_SECONDS"] = 10
    ds = make.dataset(make.org(), status="approved")
    [req] = _requests()
    stub = PortalStub(PublishError("unreachable"), PublishError("rate_limited"))
    pub = jobs.process_request(req.id, queue, stub)
    assert (pub.outcome, pub.error_code, pub.attempt) == ("failed", "unreachable", 1)
    db.session.refresh(req)
    assert req.done_at is None and req.claimed_at is None
    assert timedelta(seconds=9) < req.available_at - utcnow() <= timedelta(seconds=10)
    assert jobs.process_request(req.id, queue, stub) is None  # not due yet: nothing happens
    for _ in range(2):
        req.available_at = utcnow()
        db.session.commit()
        pub = jobs.process_request(req.id, queue, stub)
    assert jobs.backoff_seconds(2, 10) == 20 and jobs.backoff_seconds(30, 10) == 3600
    assert (pub.outcome, pub.attempt) == ("ok", 3)
    db.session.refresh(req)
    assert req.outcome == "ok" and req.done_at is not None and ds.status == "published"
    assert jobs.process_request(req.id, queue, stub) is None  # done: never redone
    assert stub.calls == 3


@pytest.mark.parametrize("code", ["validation", "unauthorized", "name_taken"])
def test_final_failures_are_not_retried(make, queue, code):
    ds = make.dataset(make.org(), status="approved")
    [req] = _requests()
    pub = jobs.process_request(req.id, queue, PortalStub(PublishError(code)))
    db.session.refresh(req)
    assert (pub.outcome, req.outcome) == ("failed", "failed") and req.done_at is not None
    assert ds.status == "approved"


def test_retries_stop_after_the_maximum(make, queue, app_ctx):
    app_ctx.config["CKAN_MAX_ATTEMPTS"] = 2
    make.dataset(make.org(), status="approved")
    [req] = _requests()
    stub = PortalStub(*[PublishError("server_error")] * 5)
    jobs.process_request(req.id, queue, stub)
    req.available_at = utcnow()
    db.session.commit()
    jobs.process_request(req.id, queue, stub)
    db.session.refresh(req)
    assert (req.attempts, req.outcome) == (2, "failed") and req.done_at is not None


def test_unconfigured_portal_is_recorded(make, queue, app_ctx):
    app_ctx.config["CKAN_URL"] = ""
    ds = make.dataset(make.org(), status="approved")
    [req] = _requests()
    pub = jobs.process_request(req.id, queue)
    assert (pub.outcome, pub.error_code) == ("failed", "not_configured")
    assert db.session.scalar(sa.select(sa.func.count(Publication.id))) == 1
    assert ds.status == "approved"


def test_batch_progress_counts(make, queue):
    org = make.org()
    entries = [make.dataset(org, status="approved") for _ in range(3)]
    db.session.execute(sa.delete(PublicationRequest))
    batch_id, rows = jobs.request_batch(entries)
    db.session.commit()
    jobs.process_request(rows[0].id, queue, PortalStub())
    jobs.process_request(rows[1].id, queue, PortalStub(PublishError("validation")))
    progress = jobs.latest_batch()
    assert (progress["batch_id"], progress["total"], progress["done"], progress["ok"],
            progress["failed"], progress["waiting"], progress["percent"]) == (
        batch_id, 3, 2, 1, 1, 1, 66)


def test_writer_slot_paces_writes(tmp_path):
    import time
    slot = jobs.WriterSlot(rate=20, lock_path=str(tmp_path / "lock"))
    started = time.perf_counter()
    with slot.hold():
        for _ in range(5):
            slot.pace()
    # 5 writes at 20/s: at least 4 intervals of 50 ms (a count, not a timing benchmark).
    assert time.perf_counter() - started >= 0.2
