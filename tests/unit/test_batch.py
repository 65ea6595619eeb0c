"""The pipelined batch (`inventory ckan publish`) without a portal: every entry gets exactly its
own outcome and commit, a crash in the middle keeps what was done and the next run finishes the
rest, and the SHACL gate computed ahead in the gate process answers exactly what the gate says
of each entry alone. (The same path runs against the real CKAN in
tests/integration/test_ckan_publish.py, through the CLI.)"""
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest
import sqlalchemy as sa
from rdflib import Graph
from rdflib.compare import isomorphic

from catalog import batch, dcat, fragments, jobs, shacl
from catalog.ckan import PublishError
from catalog.ckan_package import PortalProfile, package_name
from catalog.publish import gate_problems, problems_of
from inventory.entries import distribution_rows, save_entry
from inventory.extensions import db
from inventory.models import Dataset, Publication, PublicationRequest


class Killed(BaseException):
    """Stands for the process being stopped (not an error the batch may record)."""


class PortalStub:
    """Records the pushes, in order and in which thread; `faults` maps a package name to what
    its push raises."""

    url = "http://portal.invalid"

    def __init__(self, faults=None):
        self.faults = dict(faults or {})
        self.pushed = []
        self.threads = set()

    def profile(self):
        return PortalProfile()

    def package_get(self, name):
        return None

    def upsert(self, package, organization=None, existing=None, look_up=True, package_id=None):
        self.threads.add(threading.current_thread().name)
        fault = self.faults.pop(package["name"], None)
        if fault is not None:
            raise fault
        self.pushed.append(package["name"])
        return {"id": package_id, "name": package["name"]}


@pytest.fixture
def queue(app_ctx):
    return jobs.JobQueue(app_ctx, url="memory://")


def _shacl_violating(dataset):
    dataset.distributions[0].access_url = dataset.distributions[0].download_url = ""
    db.session.commit()
    return dataset


def _publications(dataset):
    return db.session.scalars(sa.select(Publication).where(Publication.dataset_id == dataset.id)
                              .order_by(Publication.id)).all()


def _request(dataset, batch_id):
    return db.session.scalar(sa.select(PublicationRequest).where(
        PublicationRequest.dataset_id == dataset.id, PublicationRequest.batch_id == batch_id))


def test_every_entry_gets_its_own_outcome(make, queue):
    org = make.org()
    good = [make.dataset(org, status="approved") for _ in range(4)]
    refused_by_portal = make.dataset(org, status="approved")
    violating = _shacl_violating(make.dataset(org, status="approved"))
    draft = make.dataset(org)
    stub = PortalStub({package_name(refused_by_portal): PublishError(
        "validation", field_errors={"title": ["Missing value"]})})
    entries = [good[0], refused_by_portal, good[1], violating, draft, good[2], good[3]]

    batch_id, counts, failed = batch.publish_batch(entries, queue, stub)

    assert counts == {"ok": 4, "skipped": 1, "failed": 2}
    assert stub.pushed == [package_name(d) for d in good]  # in order, never the refused ones
    assert stub.threads == {"ckan-writer_0"}  # one writer
    db.session.expire_all()
    for dataset in good:
        [pub] = _publications(dataset)
        assert (pub.outcome, pub.batch_id, dataset.status) == ("ok", batch_id, "published")
        assert _request(dataset, batch_id).outcome == "ok"
    [pub] = _publications(refused_by_portal)
    assert (pub.outcome, pub.error_code, pub.field_errors) == (
        "failed", "validation", {"title": ["Missing value"]})
    [pub] = _publications(violating)
    assert (pub.outcome, pub.error_code) == ("failed", "shacl")
    assert pub.field_errors == gate_problems(violating) and pub.field_errors
    [pub] = _publications(draft)
    assert (pub.outcome, pub.error_code) == ("skipped", "not_publishable")
    assert sorted(p.dataset_id for p in failed) == sorted(
        [refused_by_portal.id, violating.id, draft.id])
    assert refused_by_portal.status == violating.status == "approved"


def test_a_bug_in_one_push_is_recorded_and_retried_later(make, queue):
    org = make.org()
    entries = [make.dataset(org, status="approved") for _ in range(3)]
    stub = PortalStub({package_name(entries[1]): RuntimeError("bug")})
    batch_id, counts, _failed = batch.publish_batch(entries, queue, stub)
    assert counts["ok"] == 2 and counts["failed"] == 1
    db.session.expire_all()
    [pub] = _publications(entries[1])
    assert (pub.outcome, pub.error_code) == ("failed", "server_error")
    req = _request(entries[1], batch_id)
    assert req.done_at is None and req.claimed_at is None  # a worker takes it up again
    assert [d.status for d in entries] == ["published", "approved", "published"]


def test_a_stop_mid_batch_keeps_what_was_done_and_the_next_run_finishes(make, queue):
    org = make.org()
    entries = [make.dataset(org, status="approved") for _ in range(6)]
    ids = [d.id for d in entries]
    stub = PortalStub({package_name(entries[3]): Killed()})
    with pytest.raises(Killed):
        batch.publish_batch(entries, queue, stub)
    db.session.rollback()
    db.session.expire_all()
    done = db.session.scalars(sa.select(Dataset.id).where(Dataset.id.in_(ids),
                                                          Dataset.status == "published")).all()
    assert sorted(done) == ids[:3]  # each committed with its request, before the stop
    assert db.session.scalar(sa.select(sa.func.count(Publication.id)).where(
        Publication.dataset_id.in_(ids[3:]))) == 0  # nothing half-recorded after it
    undone = db.session.scalars(sa.select(PublicationRequest).where(
        PublicationRequest.dataset_id.in_(ids), PublicationRequest.batch_id.is_not(None),
        PublicationRequest.done_at.is_(None))).all()
    assert sorted(r.dataset_id for r in undone) == ids[3:]

    rest = db.session.scalars(sa.select(Dataset).where(Dataset.id.in_(ids[3:]))).all()
    _batch_id, counts, _failed = batch.publish_batch(rest, queue, stub)
    assert counts["ok"] == 3
    assert sorted(stub.pushed) == sorted(package_name(d) for d in entries)  # each once
    db.session.expire_all()
    assert all(d.status == "published" for d in db.session.scalars(
        sa.select(Dataset).where(Dataset.id.in_(ids))))


def test_the_gate_ahead_answers_what_the_gate_says_of_each_entry(make):
    org = make.org()
    entries = [make.dataset(org, status="approved") for _ in range(7)]
    for index in (1, 4):
        _shacl_violating(entries[index])
    answers = []
    with batch.gate_pool() as pool:
        gates = batch.GateAhead(entries, pool, ahead=5, batch=3)
        for index, dataset in enumerate(entries):
            gates.advance(index)
            answers.append(gates.problems(dataset))
    assert answers == [gate_problems(d) for d in entries]
    assert [bool(a) for a in answers] == [False, True, False, False, True, False, False]


def test_the_gate_gets_the_triples_of_the_entry_graph(make):
    # What the batch hands its gate is built without a Graph and with the vocabulary nodes
    # kept between entries: it must be the very graph the gate would check alone.
    org = make.org(website="https://ministere.example.org/", kind="establishment")
    entries = [
        make.dataset(org, status="approved", themes=["EDUC", "HEAL", "ECON"],
                     spatial=["TN", "TN-11", "TN-12"], languages=["ar", "fr", "en"],
                     keywords_en=["students", "schools"], title_en="Enrolled students",
                     description_en="Students by institution.",
                     distributions=[
                         {"title": "CSV", "format": "CSV", "access_url": "https://d.example/1",
                          "download_url": "https://d.example/1.csv", "byte_size": 10},
                         {"title": "API", "format": "JSON", "access_url": "https://d.example/api"}]),
        make.dataset(make.org(), status="approved", frequency="MONTHLY", themes=["EDUC"]),
        _shacl_violating(make.dataset(org, status="approved")),
    ]
    org.name_fr = "Ministère renommé"  # a publisher node reflects the organization as it is now
    db.session.commit()
    shared = {}
    for dataset in entries:
        own, pieces = fragments.entry_ntriples(dataset)
        for key, text in pieces.items():
            assert shared.setdefault(key, text) == text  # one key, one text
        sent = Graph().parse(data=own + "".join(pieces.values()), format="nt")
        assert isomorphic(sent, dcat.dataset_graph(dataset))
        assert len(sent) > 40
    assert any("Ministère renommé" in text for text in fragments.entry_ntriples(entries[0])[1]
               .values())
    # One run over the entries and their shared nodes sent once reports what the gate says of
    # each entry alone (here one entry violates; a batch without one is checked above).
    reports = shacl.validate_many_nt({d.id: (fragments.entry_ntriples(d)[0],
                                             list(fragments.entry_ntriples(d)[1]))
                                      for d in entries}, shared)
    assert [problems_of(reports[d.id]) for d in entries] == [gate_problems(d) for d in entries]
    assert [bool(problems_of(reports[d.id])) for d in entries] == [False, False, True]


def test_an_entry_changed_after_its_graph_was_built_is_gated_again(make):
    org = make.org()
    entries = [make.dataset(org, status="approved") for _ in range(2)]
    with batch.gate_pool() as pool:
        gates = batch.GateAhead(entries, pool)
        gates.advance(0)
        # Edited after its graph went to the gate (the way every edit is saved).
        rows = distribution_rows(entries[1])
        rows[0].update(access_url="", download_url="")
        save_entry(entries[1], None, {}, distributions=rows)
        db.session.commit()
        assert gates.problems(entries[0]) == {}
        assert gates.problems(entries[1]) is None  # the caller gates what it has now
    assert gate_problems(entries[1])


def test_one_run_over_many_graphs_reports_what_a_run_each_reports(make):
    org = make.org()
    entries = [make.dataset(org, status="approved") for _ in range(5)]
    _shacl_violating(entries[2])
    graphs = {d.id: dcat.dataset_graph(d) for d in entries}
    reports = shacl.validate_many(graphs)
    for key, graph in graphs.items():
        assert reports[key].results == shacl.validate(graph, violations_only=True).results
    assert reports[entries[2].id].violations and not reports[entries[0].id].results


def test_the_violation_shapes_find_every_violation_and_nothing_else(make):
    dataset = _shacl_violating(make.dataset(make.org(), status="approved"))
    dataset.description_fr = dataset.description_ar = dataset.description_en = ""
    graph = dcat.dataset_graph(dataset)
    full = shacl.validate(graph)
    gate = shacl.validate(graph, violations_only=True)
    assert full.warnings and not gate.warnings

    def what(results):  # a blank-node shape is named afresh in each report
        return [(r.focus, r.path, r.component, r.message, r.value) for r in results]
    assert what(gate.results) == what(full.violations) and gate.violations


def test_a_dead_gate_process_leaves_the_gate_to_the_batch(make, queue):
    org = make.org()
    entries = [make.dataset(org, status="approved") for _ in range(3)]
    _shacl_violating(entries[2])
    dead = ProcessPoolExecutor(1)
    dead.shutdown()  # every submit now fails, as with a killed gate process
    gates = batch.GateAhead(entries, dead)
    gates.advance(0)
    assert gates.failed and gates.problems(entries[0]) is None
    broken = BrokenGate()
    gates = batch.GateAhead(entries, broken)
    gates.advance(0)
    assert gates.problems(entries[0]) is None and gates.failed
    assert gates.problems(entries[1]) is None  # not waited for again
    stub = PortalStub()
    original = batch.gate_pool
    batch.gate_pool = lambda: broken
    try:
        _batch_id, counts, failed = batch.publish_batch(entries, queue, stub)
    finally:
        batch.gate_pool = original
    assert counts == {"ok": 2, "skipped": 0, "failed": 1}
    assert failed[0].error_code == "shacl" and failed[0].dataset_id == entries[2].id


class BrokenGate:
    """A gate pool whose answers never come (its process died)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, fn, *args):
        future = Future()
        future.set_exception(BrokenProcessPool("the gate process died"))
        return future


def test_the_gate_process_ends_with_its_batch(make, queue):
    """A forked gate process holds copies of the command's open files: it must not outlive
    the batch (a pipe it kept open left the browser driver waiting for ever at exit)."""
    import multiprocessing
    before = set(multiprocessing.active_children())
    entries = [make.dataset(make.org(), status="approved") for _ in range(2)]
    batch.publish_batch(entries, queue, PortalStub())
    assert set(multiprocessing.active_children()) - before == set()
