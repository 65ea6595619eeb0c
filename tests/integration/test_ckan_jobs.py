"""The publishing queue against the real CKAN: approval → outbox → queue → portal, on the
embedded SQLite queue and on Redis; CKAN stopped in the middle of a batch; several
`inventory worker` processes sharing one Redis queue. Every entry ends on the portal exactly
once."""
import os
import signal
import subprocess
import sys
import threading
import uuid

import pytest
import sqlalchemy as sa

from catalog import jobs
from inventory import workflow
from inventory.extensions import db
from inventory.models import Dataset, Publication, PublicationRequest
from tests.integration.ckan_support import (
    PORTAL_CONFIG,
    needs_ckan,
    org_packages,
    start_ckan_server,
    stop_ckan_server,
    unique_code,
    wait_for,
)

pytestmark = [pytest.mark.ckan, needs_ckan]
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def portal(app):
    saved = {k: app.config.get(k) for k in PORTAL_CONFIG}
    app.config.update(PORTAL_CONFIG)
    yield app
    app.config.update(saved)


def _queue(app, backend, tmp_path):
    if backend == "sqlite":
        return jobs.JobQueue(app, url=f"sqlite:///{tmp_path / 'queue.sqlite'}")
    queue = jobs.JobQueue(app, url=REDIS_URL, name=f"test-{uuid.uuid4().hex[:10]}")
    try:
        queue.huey.storage.conn.ping()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"no Redis on 127.0.0.1:6379 ({exc.__class__.__name__})")
    return queue


def _drop(queue):
    if queue.backend == "redis":
        conn = queue.huey.storage.conn
        keys = list(conn.scan_iter(f"*{queue.name}*"))
        if keys:
            conn.delete(*keys)


@pytest.fixture
def worker_thread():
    """worker_thread(queue) runs the worker loop in a thread, stopped at teardown."""
    running = []

    def start(queue):
        stop = threading.Event()
        thread = threading.Thread(target=jobs.run_worker, args=(queue, stop, 0.05), daemon=True)
        thread.start()
        running.append((thread, stop, queue))
        return stop

    yield start
    for thread, stop, queue in running:
        stop.set()
        thread.join(timeout=30)
        queue.reset_client()
        _drop(queue)


def _approve(make, org, n):
    admin = make.user("admin")
    entries = [make.dataset(org, status="submitted") for _ in range(n)]
    for ds in entries:
        workflow.approve(ds, admin)  # writes the outbox row in the same transaction
    db.session.commit()
    return [ds.id for ds in entries]


def _all_done(ids):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).where(
        PublicationRequest.dataset_id.in_(ids), PublicationRequest.done_at.is_(None))) == 0


def _assert_on_portal_exactly_once(org, ids):
    db.session.expire_all()
    entries = db.session.scalars(sa.select(Dataset).where(Dataset.id.in_(ids))).all()
    assert {d.status for d in entries} == {"published"}
    names = sorted(p["name"] for p in org_packages(org.code.lower()))
    assert names == sorted(d.ckan_name for d in entries)  # each once, nothing else


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_approval_reaches_the_portal_through_the_queue(make, portal, tmp_path, backend,
                                                      worker_thread):
    org = make.org(code=unique_code("Q"))
    ids = _approve(make, org, 3)
    queue = _queue(portal, backend, tmp_path)
    worker_thread(queue)
    wait_for(lambda: _all_done(ids), what="the queue to publish every approved entry")
    _assert_on_portal_exactly_once(org, ids)
    outcomes = db.session.scalars(sa.select(Publication.outcome)
                                  .where(Publication.dataset_id.in_(ids))).all()
    assert outcomes == ["ok"] * 3

    # Withdrawal goes the same way.
    admin = make.user("admin")
    ds = db.session.get(Dataset, ids[0])
    workflow.withdraw(ds, admin, "no longer maintained")
    db.session.commit()
    wait_for(lambda: _all_done(ids), what="the withdrawal")
    db.session.expire_all()
    assert db.session.get(Dataset, ids[0]).ckan_state == "private"


def test_ckan_stopped_mid_batch_then_everything_published_once(make, portal, tmp_path,
                                                              worker_thread):
    portal.config["CKAN_RATE_PER_SECOND"] = 3.0  # slow enough to stop CKAN mid-batch
    org = make.org(code=unique_code("S"))
    ids = _approve(make, org, 8)
    queue = _queue(portal, "sqlite", tmp_path)

    def published_count():
        db.session.expire_all()
        return db.session.scalar(sa.select(sa.func.count()).where(
            Dataset.id.in_(ids), Dataset.status == "published"))

    try:
        worker_thread(queue)
        wait_for(lambda: published_count() >= 2, what="the first publications")
        stop_ckan_server()
        assert published_count() < 8

        def failed_while_down():
            db.session.expire_all()
            return db.session.scalar(sa.select(sa.func.count()).where(
                Publication.dataset_id.in_(ids), Publication.outcome == "failed")) >= 2
        wait_for(failed_while_down, what="failures to be recorded while CKAN is down")
    finally:
        start_ckan_server()
    wait_for(lambda: _all_done(ids), timeout=180, what="the batch to finish after CKAN is back")
    _assert_on_portal_exactly_once(org, ids)
    codes = set(db.session.scalars(sa.select(Publication.error_code).where(
        Publication.dataset_id.in_(ids), Publication.outcome == "failed")))
    assert codes <= {"unreachable", "server_error", "timeout"} and codes
    outcomes = db.session.execute(sa.select(PublicationRequest.outcome, sa.func.count())
                                  .where(PublicationRequest.dataset_id.in_(ids))
                                  .group_by(PublicationRequest.outcome)).all()
    assert outcomes == [("ok", 8)]


def test_several_worker_processes_share_a_redis_queue(make, portal, tmp_path):
    org = make.org(code=unique_code("W"))
    name = f"test-{uuid.uuid4().hex[:10]}"
    queue = _queue(portal, "redis", tmp_path)  # skips without Redis
    env = dict(os.environ,
               DATABASE_URL=portal.config["SQLALCHEMY_DATABASE_URI"],
               INSTANCE_PATH=str(tmp_path), QUEUE_URL=REDIS_URL, QUEUE_NAME=name,
               QUEUE_SWEEP_SECONDS="0.2", CKAN_URL=portal.config["CKAN_URL"],
               CKAN_API_TOKEN=portal.config["CKAN_API_TOKEN"], CKAN_RATE_PER_SECOND="20",
               CKAN_RETRY_BASE_SECONDS="0.2")
    command = [os.path.join(os.path.dirname(sys.executable), "inventory"), "worker",
               "--poll", "0.1"]
    workers = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE) for _ in range(2)]
    try:
        ids = _approve(make, org, 6)
        wait_for(lambda: _all_done(ids), timeout=120, what="two workers to publish everything")
    finally:
        for proc in workers:
            proc.send_signal(signal.SIGTERM)
        for proc in workers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        queue.name = name
        _drop(queue)
    assert all(p.returncode == 0 for p in workers), [p.stderr.read()[-2000:] for p in workers]
    _assert_on_portal_exactly_once(org, ids)
    assert db.session.scalar(sa.select(sa.func.count()).where(
        Publication.dataset_id.in_(ids))) == 6  # one attempt each: no duplicate work


def test_healthz_reports_the_queue(client, portal):
    body = client.get("/healthz").get_json()
    assert body["queue"]["status"] == "ok" and body["queue"]["backend"] == "memory"
    assert body["queue"]["waiting"] == 0
