"""Publishing many entries now, in this process (`inventory ckan publish`): the outbox path of
`catalog.jobs`, pipelined so that our own work hides behind the portal's.

    main thread    plan(i) · wait for push(i-1) · start push(i) · record(i-1), commit · plan(i+1)…
    writer thread                                 push(i) ──────────────────────────────►
    gate process   SHACL gate of the entries ahead, in batches (graphs built by the main thread)

What does not change: one portal write at a time, under the writer slot (held for a chunk of
requests, then released so that workers get their turn); a commit per entry, the request done
in the commit of its Publication; every attempt recorded. A crash loses at most the record of
the one write in flight, which is the case of a lost response: the request is still claimed,
not done, and its next run finds the package by id or name and updates it. Nothing is lost and
nothing is pushed twice. Database work stays in the main thread; the writer thread gets plain
data (`publish.Push`), the gate process N-Triples. (The gate is a process, not a thread:
pyshacl is pure Python, and in a thread it held the interpreter lock the main thread needs
after each database statement.)
"""
import gc
import logging
import multiprocessing
import os
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from inventory.extensions import db
from inventory.models import PublicationRequest, utcnow

from . import fragments, shacl
from .ckan import PublishError
from .jobs import record_crash, request_batch, settle
from .publish import (
    PublishPlan,
    eligible,
    plan_publish,
    problems_of,
    push_package,
    record_publish,
    skip_unchanged,
)

log = logging.getLogger(__name__)

LOOKAHEAD = 100  # entries whose gate is computed ahead of the writer
GATE_BATCH = 50  # entries per pyshacl run (the gate costs 20 ms an entry alone, 10 in 50)
CHUNK = 100  # requests per hold of the writer slot
GATE_NICENESS = 10  # the gate process's priority, below the writer's and the web workers'
GATE_TIMEOUT = 120  # seconds to wait for a gate answer before gating in this process
SWITCH_INTERVAL = 0.0005  # seconds (sys.setswitchinterval) while a batch runs
URGENT = 10  # graphs are handed over at once when an entry among them is due this soon


class GateAhead:
    """The SHACL gate of `datasets`, run by another process ahead of the entry being pushed.

    `advance(i)` builds the graph of entry i if it is not built yet and up to two graphs in
    all, so that the lead over the writer grows by one entry a step up to `ahead`; graphs are
    handed over in batches of `batch`, or sooner when an entry among them is due within
    URGENT steps (so the first push waits for one entry's gate only). `problems(dataset)` is
    the gate's answer, or None when the entry changed since its graph was built (the caller
    then runs the gate itself)."""

    def __init__(self, datasets, pool, ahead=LOOKAHEAD, batch=GATE_BATCH):
        self.datasets = datasets
        self.pool = pool
        self.ahead = ahead
        self.batch = batch
        self._next = 0
        self._positions = {}
        self._graphs = {}  # id: (own N-Triples, keys in _shared), not handed over yet
        self._shared = {}  # key: N-Triples of the shared nodes they reference
        self._futures = {}
        self._stamps = {}
        self.failed = False

    @staticmethod
    def _stamp(dataset):
        # The stamp the stored DCAT pieces and the entry page's report are kept under: every
        # edit goes through `inventory.entries.save_entry`, which moves the version.
        return fragments.entry_stamp(dataset)

    def advance(self, index):
        if self.failed:
            return
        limit = min(len(self.datasets), index + self.ahead)
        built = 0
        while self._next < limit and (self._next <= index or built < 2):
            dataset = self.datasets[self._next]
            self._next += 1
            built += 1
            if eligible(dataset):  # the others are refused before the gate
                own, shared = fragments.entry_ntriples(dataset)
                self._graphs[dataset.id] = (own, list(shared))
                self._shared.update(shared)
                self._stamps[dataset.id] = self._stamp(dataset)
                self._positions[dataset.id] = self._next - 1
        # Batches are large when the lead allows it (pyshacl's cost per entry halves from 1 to
        # 50 entries), handed over while the gate has time for all of them before the first
        # is due: an entry's gate takes less than a push, so one step per graph, and URGENT
        # to spare. (Waiting until the first was due within URGENT steps made the writer wait
        # for 50 graphs at once, up to 0.2 s.)
        first = self._positions[next(iter(self._graphs))] if self._graphs else None
        pending = len(self._graphs)
        if first is not None and (pending >= self.batch or first - index <= URGENT + pending
                                  or self._next == len(self.datasets)):
            self._hand_over()

    def _hand_over(self):
        if not self._graphs:
            return
        graphs, self._graphs = self._graphs, {}
        shared, self._shared = self._shared, {}
        try:
            future = self.pool.submit(shacl.validate_many_nt, graphs, shared)
        except Exception:  # noqa: BLE001 - e.g. BrokenProcessPool: the caller gates
            log.exception("gate process unavailable; validating in this process")
            self.failed = True
            return
        for key in graphs:
            self._futures[key] = future

    def problems(self, dataset):
        if dataset.id in self._graphs:
            self._hand_over()
        future = self._futures.pop(dataset.id, None)
        stamp = self._stamps.pop(dataset.id, None)
        self._positions.pop(dataset.id, None)
        if future is None or stamp != self._stamp(dataset) or self.failed:
            return None
        try:
            return problems_of(future.result(timeout=GATE_TIMEOUT)[dataset.id])
        except Exception:  # noqa: BLE001 - the gate process died or hangs: from now on the
            log.exception("gate process failed; validating in this process")  # caller gates
            self.failed = True
            return None


def gate_pool():
    """A process to run the SHACL gate of one batch (use it as a context manager: it ends with
    the batch). Forked, so it has rdflib and pyshacl loaded at once (0.2 s to its first answer;
    a fork server would start a fresh interpreter and import the whole command again, 1.5 s).
    It must not outlive the batch: a forked child holds copies of every file the command had
    open, and a pipe held open that way keeps whoever waits on its other end waiting. It runs
    at a lower CPU priority: it works well ahead of the writer, and its bursts (50 graphs at a
    time) must not slow the web workers or the push in flight."""
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                               initializer=os.nice, initargs=(GATE_NICENESS,))


@dataclass
class Step:
    """One request on its way through the pipeline."""
    request_id: int
    started: float
    plan: PublishPlan | None = None
    crash: Exception | None = None


def _plan_step(request_id, client, gates):
    """Load the request and plan its entry (database reads only); None when there is nothing
    to do (done already, not due)."""
    started = time.perf_counter()
    try:
        req = db.session.get(PublicationRequest, request_id, populate_existing=True)
        if req is None or req.done_at is not None or req.available_at > utcnow() + timedelta(
                seconds=1):
            db.session.rollback()
            return None
        problems = gates.problems(req.dataset)
        return Step(request_id, started, plan_publish(req.dataset, client, force=req.force,
                                                      problems=problems))
    except Exception as exc:  # noqa: BLE001 - a bug or a database error: recorded, retried
        log.exception("planning publication request %s failed", request_id)
        db.session.rollback()
        return Step(request_id, started, crash=exc)


def _finish(step, client, result=None, error=None):
    """Record the attempt and close (or reschedule) its request, in one commit."""
    if step.crash is None:
        try:
            req = db.session.get(PublicationRequest, step.request_id)
            req.attempts += 1
            pub = record_publish(req.dataset, step.plan, client.url, step.started, result,
                                 error, batch_id=req.batch_id, attempt=req.attempts,
                                 flush=False)  # the commit below flushes it all at once
            settle(req, pub, utcnow(), current_app.config)
            db.session.commit()
            return pub
        except Exception as exc:  # noqa: BLE001
            log.exception("recording publication request %s failed", step.request_id)
            db.session.rollback()
            step.crash = exc
    return record_crash(step.request_id, step.crash)


def _wait(in_flight):
    """(step, result, error) of the push in flight."""
    step, future = in_flight
    try:
        return step, future.result(), None
    except PublishError as exc:
        return step, None, exc
    except Exception as exc:  # noqa: BLE001 - e.g. a bug in the mapping of a response
        log.exception("push of publication request %s failed", step.request_id)
        step.crash = exc
        return step, None, None


def _pipeline(work, offset, client, writer, gates):
    """Carry out `work` ([(request id, entry)]); yields each attempt's Publication (or None)
    in order, once committed."""
    in_flight = None
    for n, (request_id, _dataset) in enumerate(work):
        gates.advance(offset + n)
        step = _plan_step(request_id, client, gates)
        settled = _wait(in_flight) if in_flight else None
        in_flight = None
        if step is not None and step.plan is not None and step.plan.push is not None:
            in_flight = step, writer.submit(push_package, step.plan.push, client)
        if settled:
            yield _finish(settled[0], client, settled[1], settled[2])
        if step is not None and (step.plan is None or step.plan.push is None):
            yield _finish(step, client)
        elif step is None:
            yield None
    if in_flight:
        step, result, error = _wait(in_flight)
        yield _finish(step, client, result, error)


def publish_batch(datasets, queue, client, force=False, progress=None):
    """Publish `datasets` now, in this process (`inventory ckan publish`): what the portal
    already has is recorded as skipped in one commit, the rest goes through claimed outbox
    rows, pipelined (see the module), a commit each, so that an interrupted run resumes.
    `progress(n)` is called as entries are done. Returns (batch id, counts by outcome, failed
    or refused Publications)."""
    shacl.compile_gate()  # once per process, before the fork: each gate process inherits it
    with gate_pool() as pool:
        pool.submit(shacl.validate_many_nt, {})  # the gate process starts meanwhile
        return _publish_batch_with_gate(datasets, queue, client, force, progress, pool)


def _publish_batch_with_gate(datasets, queue, client, force, progress, pool):
    session = db.session()
    # The entries were read a moment ago and are read for their gate a moment before their
    # push: keep them across the commits instead of reading each again (a concurrent edit
    # still wins: the entry's version is checked when its outcome is written, and the request
    # is then retried).
    session.expire_on_commit = False
    # The writer thread needs the interpreter lock back for a moment each time the portal's
    # answer arrives; by default the main thread keeps it up to 5 ms at a time.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    # What the process holds already (the entries, the shapes, the vocabularies) is set aside
    # from the garbage collector's full passes: each scanned all of it, 0.1-0.15 s in which
    # the writer thread could not start the next push.
    gc.freeze()
    try:
        return _publish_batch(datasets, queue, client, force, progress, pool)
    finally:
        gc.unfreeze()
        session.expire_on_commit = True
        sys.setswitchinterval(switch_interval)


def _publish_batch(datasets, queue, client, force, progress, pool):
    batch_id = str(uuid.uuid4())
    todo = datasets
    if not force:
        try:
            todo = skip_unchanged(datasets, client, batch_id)
        except PublishError:  # no portal profile: every entry records the failure below
            todo = datasets
    gates = GateAhead(todo, pool)
    gates.advance(0)  # the first entries' gate runs while their requests are written
    batch_id, rows = request_batch(todo, None, force=force, claim=True, batch_id=batch_id)
    work = [(row.id, dataset) for row, dataset in zip(rows, todo, strict=True)]
    db.session.commit()
    counts = {"ok": 0, "skipped": len(datasets) - len(todo), "failed": 0}
    if progress is not None:
        progress(counts["skipped"])
    failed = []
    with ThreadPoolExecutor(1, "ckan-writer") as writer:
        for start in range(0, len(work), CHUNK):
            with queue.writer.hold():
                for pub in _pipeline(work[start:start + CHUNK], start, client, writer, gates):
                    if progress is not None:
                        progress(1)
                    if pub is None:
                        continue
                    counts[pub.outcome] = counts.get(pub.outcome, 0) + 1
                    refused = pub.outcome == "skipped" and pub.error_code == "not_publishable"
                    if pub.outcome == "failed" or refused:
                        failed.append(pub)
    return batch_id, counts, failed
