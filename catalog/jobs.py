"""Background publishing: the outbox drained through a persistent queue by one paced writer.

    workflow.approve / withdraw ──(same transaction)──► PublicationRequest (outbox row)
    dispatch_pending (every QUEUE_SWEEP_SECONDS, in each worker) claims due rows ──► huey queue
    a worker takes a request id ──► writer slot (one at a time, CKAN_RATE_PER_SECOND)
        ──► catalog.publish.publish / withdraw ──► Publication row; request done or retried later

The outbox is the source of truth: a row is done only when an attempt reached a final outcome,
in the same commit as its `Publication`. A crash anywhere loses nothing (an unfinished claimed
row is dispatched again once its lease expires) and duplicates nothing (a second run of a done
row is a no-op; packages are found by their deterministic name before any create).

Queues (`QUEUE_URL`): "" — embedded, huey on a SQLite file under the instance folder, run by a
thread of the web process (no extra server); `sqlite:///path` — the same with an explicit file;
`redis://…` — huey on Redis, shared by any number of `inventory worker` processes; `memory://`
— in-process (tests). Retries: 409, 429, 5xx, timeouts and connection failures come back after
CKAN_RETRY_BASE_SECONDS × 2^(attempt-1) (capped at one hour), up to CKAN_MAX_ATTEMPTS;
validation, permission and SHACL failures are final until someone acts.
"""
import fcntl
import logging
import os
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, g
from huey import MemoryHuey, RedisHuey, SqliteHuey

from inventory import workflow
from inventory.extensions import db
from inventory.models import Publication, PublicationRequest, utcnow

from .ckan import RETRYABLE, PublishError
from .publish import publish, withdraw

log = logging.getLogger(__name__)

TASK_NAME = "catalog.publication_request"
MAX_BACKOFF_SECONDS = 3600


# --------------------------------------------------------------------------- writer slot

class WriterSlot:
    """One portal writer at a time, at most `rate` writes per second.

    Held around each request. Across processes: an flock on a file beside the SQLite queue
    (released by the OS if the process dies) or a Redis lock with a lease; in one process a
    thread lock. `pace()` is called by the client before each write, while the slot is held.
    """

    def __init__(self, rate, lock_path=None, redis=None, key=None, lease=600):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.lock_path = lock_path
        self.redis = redis
        self.key = key or "inventory:ckan-writer"
        self.lease = lease
        self._thread_lock = threading.Lock()
        self._last = 0.0
        self._fh = None

    @contextmanager
    def hold(self):
        with self._thread_lock:
            if self.redis is not None:
                lock = self.redis.lock(self.key + ":lock", timeout=self.lease, sleep=0.05)
                lock.acquire(blocking=True)
                try:
                    yield self
                finally:
                    try:
                        lock.release()
                    except Exception:  # noqa: BLE001 - lease expired: nothing left to release
                        log.warning("writer lock lease expired before release")
            elif self.lock_path is not None:
                with open(self.lock_path, "a+") as fh:
                    fcntl.flock(fh, fcntl.LOCK_EX)
                    self._fh = fh
                    try:
                        yield self
                    finally:
                        self._fh = None
                        fcntl.flock(fh, fcntl.LOCK_UN)
            else:
                yield self

    def _get_last(self):
        if self.redis is not None:
            value = self.redis.get(self.key + ":last")
            return float(value) if value else 0.0
        if self._fh is not None:
            self._fh.seek(0)
            text = self._fh.read().strip()
            return float(text) if text else 0.0
        return self._last

    def _set_last(self, value):
        if self.redis is not None:
            self.redis.set(self.key + ":last", repr(value), ex=3600)
        elif self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            self._fh.write(repr(value))
            self._fh.flush()
        self._last = value

    def pace(self):
        """Wait until the next write is allowed, then count it."""
        if not self.interval:
            return
        wait = self._get_last() + self.interval - time.time()
        if wait > 0:
            time.sleep(min(wait, self.interval))
        self._set_last(time.time())


# --------------------------------------------------------------------------- the queue

class JobQueue:
    """The app's job queue (huey) and writer slot, built from QUEUE_URL."""

    def __init__(self, app, url=None, name=None):
        cfg = app.config
        self.app = app
        self.url = cfg.get("QUEUE_URL", "") if url is None else url
        self.name = name or cfg.get("QUEUE_NAME", "inventory")
        self.lease = cfg.get("QUEUE_LEASE_SECONDS", 600)
        self.sweep_every = cfg.get("QUEUE_SWEEP_SECONDS", 2.0)
        rate = cfg.get("CKAN_RATE_PER_SECOND", 5.0)
        if self.url.startswith("redis://") or self.url.startswith("rediss://"):
            self.backend = "redis"
            self.huey = RedisHuey(self.name, url=self.url, results=False)
            self.writer = WriterSlot(rate, redis=self.huey.storage.conn,
                                     key=f"{self.name}:ckan-writer", lease=self.lease)
        elif self.url.startswith("memory://"):
            self.backend = "memory"
            self.huey = MemoryHuey(self.name, results=False)
            self.writer = WriterSlot(rate)
        else:
            self.backend = "sqlite"
            path = self.url[len("sqlite:///"):] if self.url.startswith("sqlite:///") else \
                str(Path(app.instance_path) / "queue.sqlite")
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.huey = SqliteHuey(self.name, filename=path, results=False)
            self.writer = WriterSlot(rate, lock_path=path + ".writer-lock")
        self.task = self.huey.task(name=TASK_NAME)(self._run_task)
        self._client = None

    def _run_task(self, request_id):
        with self.app.app_context():
            process_request(request_id, self)

    def enqueue(self, request_id):
        self.task(request_id)

    def queued(self):
        """Request ids waiting in the queue itself (not yet taken by a worker)."""
        return self.huey.pending_count()

    def client(self):
        """The worker's portal client (kept: it caches the portal's profile)."""
        if self._client is None:
            from .publish import client_from_app
            self._client = client_from_app(pace=self.writer.pace)
        return self._client

    def reset_client(self):
        if self._client is not None:
            self._client.close()
        self._client = None


def get_queue(app=None):
    """The app's JobQueue, built on first use (no connection is opened before)."""
    app = app or current_app._get_current_object()
    queue = app.extensions.get("catalog.queue")
    if queue is None:
        queue = app.extensions["catalog.queue"] = JobQueue(app)
    return queue


# --------------------------------------------------------------------------- outbox

def _due(now, lease):
    return sa.and_(PublicationRequest.done_at.is_(None), PublicationRequest.available_at <= now,
                   sa.or_(PublicationRequest.claimed_at.is_(None),
                          PublicationRequest.claimed_at < now - timedelta(seconds=lease)))


def dispatch_pending(queue, limit=100):
    """Claim due outbox rows (atomically: several workers may sweep at once) and queue them.
    Keeps at most `limit` ids in the queue, so a claim is taken soon after it is made."""
    room = limit - queue.queued()
    if room <= 0:
        return 0
    now = utcnow()
    due = _due(now, queue.lease)
    ids = db.session.scalars(sa.select(PublicationRequest.id).where(due)
                             .order_by(PublicationRequest.available_at, PublicationRequest.id)
                             .limit(room)).all()
    claimed = []
    for request_id in ids:
        result = db.session.execute(sa.update(PublicationRequest)
                                    .where(PublicationRequest.id == request_id, due)
                                    .values(claimed_at=now))
        if result.rowcount == 1:
            claimed.append(request_id)
    db.session.commit()
    for request_id in claimed:
        queue.enqueue(request_id)
    return len(claimed)


def backoff_seconds(attempt, base):
    """Delay before attempt `attempt + 1`: base, 2×base, 4×base… capped at one hour."""
    return min(MAX_BACKOFF_SECONDS, base * 2 ** max(0, attempt - 1))


def process_request(request_id, queue, client=None):
    """Carry out one outbox row under the writer slot and commit its outcome.

    Returns the attempt's Publication, or None when there was nothing to do (done already,
    not due yet, unknown)."""
    cfg = current_app.config
    g.channel = "job"
    with queue.writer.hold():
        req = db.session.get(PublicationRequest, request_id, populate_existing=True)
        now = utcnow()
        if req is None or req.done_at is not None or req.available_at > now + timedelta(
                seconds=1):
            db.session.rollback()
            return None
        req.attempts += 1
        attempt = req.attempts
        try:
            client = client or queue.client()
            if req.action == "withdraw":
                pub = withdraw(req.dataset, client, batch_id=req.batch_id, attempt=attempt)
            else:
                pub = publish(req.dataset, client, batch_id=req.batch_id, force=req.force,
                              attempt=attempt)
        except PublishError as exc:  # no client: the portal is not configured
            pub = Publication(dataset=req.dataset, action=req.action, outcome="failed",
                              attempt=attempt, batch_id=req.batch_id, error_code=exc.code,
                              error_message=exc.detail)
            db.session.add(pub)
        except Exception as exc:  # noqa: BLE001 - a bug or a database error: record, retry later
            log.exception("publication request %s failed", request_id)
            db.session.rollback()
            return record_crash(request_id, exc)
        settle(req, pub, now, cfg)
        db.session.commit()
        return pub


def settle(req, pub, now, cfg):
    retry = (pub.outcome == "failed" and pub.error_code in RETRYABLE
             and req.attempts < cfg.get("CKAN_MAX_ATTEMPTS", 8))
    if retry:
        req.available_at = now + timedelta(seconds=backoff_seconds(
            req.attempts, cfg.get("CKAN_RETRY_BASE_SECONDS", 5.0)))
        req.claimed_at = None
    else:
        req.done_at = now
        req.outcome = pub.outcome


def record_crash(request_id, exc):
    req = db.session.get(PublicationRequest, request_id)
    if req is None:
        return None
    req.attempts += 1
    pub = Publication(dataset_id=req.dataset_id, action=req.action, outcome="failed",
                      attempt=req.attempts, batch_id=req.batch_id, error_code="server_error",
                      error_message=f"internal error: {exc.__class__.__name__}")
    db.session.add(pub)
    settle(req, pub, utcnow(), current_app.config)
    db.session.commit()
    return pub


def request_batch(datasets, user=None, force=False, claim=False, batch_id=None):
    """One outbox row per entry under a batch id (new unless given; flushed, not committed).
    With `claim`, the caller carries them out itself (the CLI) and sweepers leave them
    alone."""
    batch_id = batch_id or str(uuid.uuid4())
    rows = []
    for dataset in datasets:
        row = workflow.request_publication(dataset, user, "publish", batch_id, force,
                                           flush=False)
        if claim:
            row.claimed_at = utcnow()
        rows.append(row)
    db.session.flush()
    return batch_id, rows


def retry_now(dataset, user, force=True):
    """An admin's "publish again": a new request, due at once (committed by the caller)."""
    return workflow.request_publication(dataset, user, "publish", None, force)


def batch_progress(batch_id):
    """Counts of a batch: total, done, ok, failed, skipped, waiting."""
    rows = db.session.execute(
        sa.select(PublicationRequest.outcome, PublicationRequest.done_at.is_(None),
                  sa.func.count())
        .where(PublicationRequest.batch_id == batch_id)
        .group_by(PublicationRequest.outcome, PublicationRequest.done_at.is_(None))).all()
    out = {"batch_id": batch_id, "total": 0, "done": 0, "ok": 0, "failed": 0, "skipped": 0,
           "waiting": 0}
    for outcome, waiting, count in rows:
        out["total"] += count
        if waiting:
            out["waiting"] += count
        else:
            out["done"] += count
            out[outcome or "failed"] += count
    out["percent"] = int(100 * out["done"] / out["total"]) if out["total"] else 100
    return out


def latest_batch():
    """Progress of the most recent batch (None when there was none)."""
    batch_id = db.session.scalar(
        sa.select(PublicationRequest.batch_id).where(PublicationRequest.batch_id.is_not(None))
        .order_by(PublicationRequest.created_at.desc(), PublicationRequest.id.desc()).limit(1))
    return batch_progress(batch_id) if batch_id else None


def waiting_count():
    return db.session.scalar(sa.select(sa.func.count(PublicationRequest.id))
                             .where(PublicationRequest.done_at.is_(None))) or 0


def queue_status(app):
    """For /healthz: the queue backend answers, and how much work waits."""
    queue = get_queue(app)
    status = {"status": "ok", "backend": queue.backend}
    try:
        status["queued"] = queue.queued()
    except Exception as exc:  # noqa: BLE001 - reported by the health probe
        return {"status": "error", "backend": queue.backend, "error": exc.__class__.__name__}
    status["waiting"] = waiting_count()
    return status


# --------------------------------------------------------------------------- workers

def run_worker(queue, stop, poll=0.5):
    """The worker loop: sweep the outbox now and then, run queued requests one by one, until
    `stop` (a threading.Event) is set. Runs in `inventory worker` and in the embedded thread."""
    app = queue.app
    last_sweep = 0.0
    while not stop.is_set():
        if time.monotonic() - last_sweep >= queue.sweep_every:
            last_sweep = time.monotonic()
            try:
                with app.app_context():
                    dispatch_pending(queue)
            except Exception:  # noqa: BLE001 - e.g. Redis or the database briefly down
                log.exception("outbox sweep failed; retrying")
                stop.wait(queue.sweep_every)
                continue
        try:
            task = queue.huey.dequeue()
        except Exception:  # noqa: BLE001
            log.exception("queue read failed; retrying")
            stop.wait(poll)
            continue
        if task is None:
            stop.wait(poll)
            continue
        queue.huey.execute(task)


_embedded = {}


def start_embedded_worker(app):
    """Run the jobs in a daemon thread of this process (embedded queue, no extra server)."""
    if app in _embedded:
        return _embedded[app]
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(get_queue(app), stop), daemon=True,
                              name="inventory-embedded-worker")
    thread.start()
    _embedded[app] = (thread, stop)
    return _embedded[app]


def init_app(app):
    """Report the queue on /healthz; with the embedded queue, start its worker thread with the
    first request this process serves (CLI commands never start one)."""
    app.extensions["inventory.queue_status"] = lambda: queue_status(app)
    embedded = app.config.get("QUEUE_URL", "") == "" or \
        app.config.get("QUEUE_URL", "").startswith("sqlite:///")
    if not (embedded and app.config.get("QUEUE_EMBEDDED_WORKER", True)) or app.testing:
        return
    if os.environ.get("FLASK_RUN_FROM_CLI") == "true" and \
            os.environ.get("WERKZEUG_RUN_MAIN") not in (None, "true"):
        return  # the reloader's watcher process serves nothing

    @app.before_request
    def _start_embedded_worker():
        if app not in _embedded:
            start_embedded_worker(app)
