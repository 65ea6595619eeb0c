"""Publishing entries to the CKAN portal: gate, map, push, record.

`publish(dataset, client)` and `withdraw(dataset, client)` never raise for portal trouble: every
attempt becomes a `Publication` row (outcome ok | failed | skipped, error code and field errors)
and the entry keeps its workflow state unless the portal has it. They only flush; the CLI or the
job that calls them commits. A batch (`inventory ckan publish --all`) is
`catalog.batch.publish_batch`: it goes on past failures, through outbox rows so that an
interrupted run resumes.
"""
import logging
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from inventory import workflow
from inventory.audit import record_audit
from inventory.extensions import db
from inventory.models import Dataset, Publication, utcnow

from . import dcat, shacl
from .ckan import PublishError
from .ckan_package import content_hash, package_from_dataset, package_name

log = logging.getLogger(__name__)

ELIGIBLE_STATUSES = ("approved", "published")


class Refused(Exception):
    """The entry may not go to the portal (decided before any portal call)."""

    def __init__(self, code, field_errors=None):
        super().__init__(code)
        self.code = code
        self.field_errors = field_errors or {}


def eligible(dataset):
    """Approved or published, public access, open classification."""
    return dataset.status in ELIGIBLE_STATUSES and dataset.is_publishable


def eligible_query():
    """Every entry a batch publication pushes, in a stable order."""
    return (sa.select(Dataset)
            .where(Dataset.status.in_(ELIGIBLE_STATUSES), Dataset.access_rights == "PUBLIC",
                   Dataset.classification.in_(("open", "open_after_treatment")))
            .order_by(Dataset.id))


def eligible_count():
    """How many entries `eligible_query` gives, counted from an index alone
    (ix_dataset_status_open): `count(*)`, as the index does not hold the ids, and without the
    query's order (counted as a subquery, it sorted every id first)."""
    return db.session.scalar(eligible_query().with_only_columns(sa.func.count())
                             .order_by(None))


def gate_problems(dataset):
    """Why the entry must not be pushed even though it is approved: DCAT-AP 3 SHACL violations
    of its graph, as {focus/path: [messages]} ({} when it conforms). The one place the SHACL
    gate is wired."""
    return problems_of(shacl.validate(dcat.dataset_graph(dataset), violations_only=True))


def problems_of(report):
    """{focus/path: [messages]} of a report's violations: what a refusal records."""
    problems = {}
    for violation in report.violations:
        key = violation.path or violation.focus or "dataset"
        problems.setdefault(key, []).append(violation.message)
    return problems


def _base_uri():
    return current_app.config["CATALOG_BASE_URI"]


def _record(pub, dataset, actor, started, flush=True):
    if pub.duration_ms is None:
        pub.duration_ms = int((time.perf_counter() - started) * 1000)
    db.session.add(pub)
    record_audit(actor, f"dataset.ckan_{pub.action}", dataset, outcome=pub.outcome,
                 error_code=pub.error_code, attempt=pub.attempt, ckan_name=pub.ckan_name)
    if flush:
        db.session.flush()
    return pub


def _portal_has_it(dataset, digest):
    """The portal already has exactly this content, which passed the gate when it was
    pushed: no write, and no SHACL run either (re-publishing stays cheap)."""
    return digest == dataset.ckan_hash and dataset.ckan_state == "active"


def _skipped(pub, dataset, actor):
    pub.outcome = "skipped"
    pub.ckan_id = dataset.ckan_id
    workflow.mark_published(dataset, actor)


def _fail(pub, code, detail="", field_errors=None, outcome="failed"):
    pub.outcome = outcome
    pub.error_code = code
    pub.error_message = detail or ""
    pub.field_errors = field_errors or {}


@dataclass(frozen=True)
class PortalOrganization:
    """What `CkanClient.organization_ensure` reads of a body, as plain values (a push may run
    in another thread than the database session)."""
    code: str
    name_ar: str | None
    name_fr: str | None
    name_en: str | None

    @classmethod
    def of(cls, organization):
        return cls(organization.code, organization.name_ar, organization.name_fr,
                   organization.name_en)


@dataclass
class Push:
    """One portal write, as plain data: no ORM object, so that `push_package` can carry it out
    in a writer thread while the next entry is prepared."""
    package: dict
    organization: PortalOrganization
    ckan_id: str | None
    package_id: str


@dataclass
class PublishPlan:
    """What publishing an entry takes, decided without writing anything: the portal already
    has it (`unchanged`), it is refused or failed before the portal (`refusal`, `error`), or
    `push` must be written."""
    name: str
    digest: str | None = None
    unchanged: bool = False
    refusal: Refused | None = None
    error: PublishError | None = None
    push: Push | None = None


def plan_publish(dataset, client, force=False, problems=None):
    """Eligibility, mapping, content hash and SHACL gate of one entry (database reads only).
    `problems` is the gate's answer when the caller already has it (`catalog.batch`)."""
    plan = PublishPlan(name=package_name(dataset))
    try:
        if not eligible(dataset):
            raise Refused("not_publishable")
        package = package_from_dataset(dataset, client.profile(), _base_uri())
        plan.digest = content_hash(package)
        if not force and _portal_has_it(dataset, plan.digest):
            plan.unchanged = True
            return plan
        problems = gate_problems(dataset) if problems is None else problems
        if problems:
            raise Refused("shacl", problems)
    except Refused as exc:
        plan.refusal = exc
        return plan
    except PublishError as exc:
        plan.error = exc
        return plan
    plan.push = Push(package, PortalOrganization.of(dataset.organization), dataset.ckan_id,
                     dataset.uuid)
    return plan


def push_package(push, client):
    """Write one planned package to the portal; returns CKAN's package, raises PublishError.
    Portal calls only: safe in a writer thread."""
    package, existing = push.package, None
    if push.ckan_id:
        existing = client.package_get(push.ckan_id)
        if existing is not None and existing["name"] != package["name"]:
            package["name"] = existing["name"]  # never rename a package the portal has
    # A first push creates directly, with the entry's UUID as package id: a package our
    # records missed (its response lost in a crash) answers "name in use" or "id exists" and
    # is then found and updated. Only a recorded package the portal no longer shows under its
    # id is looked up by name first. (CKAN 2.12 lets a create reuse the name of a deleted
    # package: a stranger's deleted package is left deleted, never revived.)
    return client.upsert(package, organization=push.organization, existing=existing,
                         look_up=bool(push.ckan_id) and existing is None,
                         package_id=push.package_id)


def record_publish(dataset, plan, portal_url, started, result=None, error=None, batch_id=None,
                   attempt=1, actor=None, flush=True):
    """The attempt's `Publication` and audit row, and on success the entry's portal state
    (`published`, id, name, URL, content hash). `started` is the attempt's
    `time.perf_counter()` when it was planned. Flushes (unless `flush` is false: a caller
    that commits at once saves a flush); returns the Publication."""
    pub = Publication(dataset=dataset, action="publish", attempt=attempt, batch_id=batch_id,
                      ckan_name=plan.name, content_hash=plan.digest,
                      duration_ms=int((time.perf_counter() - started) * 1000))
    db.session.add(pub)
    error = plan.error or error
    if plan.unchanged:
        _skipped(pub, dataset, actor)
    elif plan.refusal is not None:
        _fail(pub, plan.refusal.code, field_errors=plan.refusal.field_errors,
              outcome="skipped" if plan.refusal.code == "not_publishable" else "failed")
    elif error is not None:
        _fail(pub, error.code, error.detail, error.field_errors)
    else:
        dataset.ckan_id = result["id"]
        dataset.ckan_name = result["name"]
        dataset.ckan_url = f"{portal_url}/dataset/{result['name']}"
        dataset.ckan_hash = plan.digest
        dataset.ckan_state = "active"
        dataset.ckan_synced_at = utcnow()
        pub.outcome = "ok"
        pub.ckan_id = result["id"]
        pub.ckan_name = result["name"]
        workflow.mark_published(dataset, actor, dataset.ckan_url)
    return _record(pub, dataset, actor, started, flush)


def publish(dataset, client, batch_id=None, force=False, attempt=1, actor=None):
    """Push one entry to the portal (or skip it when the portal already has this content):
    `plan_publish`, `push_package`, `record_publish` in a row.

    Returns the flushed `Publication`. On success the entry is `published` and knows its
    portal id, name, URL and content hash.
    """
    started = time.perf_counter()
    plan = plan_publish(dataset, client, force)
    result = error = None
    if plan.push is not None:
        try:
            result = push_package(plan.push, client)
        except PublishError as exc:
            error = exc
    return record_publish(dataset, plan, client.url, started, result, error,
                          batch_id=batch_id, attempt=attempt, actor=actor)


def withdraw(dataset, client, mode=None, batch_id=None, attempt=1, actor=None):
    """Make the entry's package private (or delete it, `CKAN_WITHDRAW_MODE`) and record it.

    An entry approved or published again since the withdrawal was asked for is left alone:
    the latest decision wins."""
    started = time.perf_counter()
    mode = mode or current_app.config.get("CKAN_WITHDRAW_MODE", "private")
    name = dataset.ckan_name or package_name(dataset)
    pub = Publication(dataset=dataset, action="withdraw", attempt=attempt, batch_id=batch_id,
                      ckan_name=name, ckan_id=dataset.ckan_id)
    db.session.add(pub)
    if dataset.status in ELIGIBLE_STATUSES:
        pub.outcome = "skipped"
        return _record(pub, dataset, actor, started)
    try:
        result = client.withdraw(name, mode)
    except PublishError as exc:
        _fail(pub, exc.code, exc.detail, exc.field_errors)
        return _record(pub, dataset, actor, started)
    if result is None:
        pub.outcome = "skipped"  # the portal never had it: nothing to take down
        dataset.ckan_state = None
    else:
        pub.outcome = "ok"
        pub.ckan_id = result.get("id")
        dataset.ckan_state = "deleted" if mode == "delete" else "private"
    dataset.ckan_hash = None  # a later approval pushes (and makes public) again
    dataset.ckan_synced_at = utcnow()
    return _record(pub, dataset, actor, started)


def skip_unchanged(datasets, client, batch_id=None, actor=None):
    """Record a skipped attempt for every entry the portal already has exactly (same content
    hash, package active) and return the others, which need `publish`. No portal call and
    one flush for the lot: re-publishing a whole catalogue costs a mapping per entry."""
    portal, base_uri = client.profile(), _base_uri()
    remaining = []
    for dataset in datasets:
        started = time.perf_counter()
        if not eligible(dataset):
            remaining.append(dataset)  # `publish` records the refusal
            continue
        if dataset.ckan_hash is None or dataset.ckan_state != "active":
            remaining.append(dataset)  # never pushed, or withdrawn: no mapping needed to know
            continue
        digest = content_hash(package_from_dataset(dataset, portal, base_uri))
        if not _portal_has_it(dataset, digest):
            remaining.append(dataset)
            continue
        pub = Publication(dataset=dataset, action="publish", attempt=1, batch_id=batch_id,
                          ckan_name=package_name(dataset), content_hash=digest)
        _skipped(pub, dataset, actor)
        _record(pub, dataset, actor, started, flush=False)
    db.session.flush()
    return remaining


def dry_run(dataset, client=None):
    """What `publish` would do, without writing anywhere: 'create', 'update', 'unchanged' or
    a refusal code. Reads the portal profile only when a client is given."""
    if not eligible(dataset):
        return "not_publishable"
    portal = client.profile() if client is not None else None
    digest = content_hash(package_from_dataset(dataset, portal, _base_uri()))
    if digest == dataset.ckan_hash and dataset.ckan_state == "active":
        return "unchanged"
    if gate_problems(dataset):
        return "shacl"
    return "update" if dataset.ckan_id else "create"


def client_from_app(pace=None):
    """A CkanClient from the app's configuration; raises PublishError('not_configured')."""
    from .ckan import CkanClient
    return CkanClient.from_config(current_app.config, pace=pace)

