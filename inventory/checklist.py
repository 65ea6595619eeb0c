"""The open-data guide checklist: its items, statuses derived from the entry, and hand ticks.

Items come from package data (`data/checklist.yaml`): ten ministry-level items M01–M10, ticked
by hand once per public body, and twenty dataset-level items D01–D20 per inventory entry.

A dataset item's status is one of `done`, `todo` or `na` (does not apply). `RULES` says, item
by item, how the entry answers it:

- derived items: the entry's fields (or its workflow) decide; a hand tick cannot override them,
  the officer completes the entry instead (the missing fields are listed);
- hand items: no field records them; an officer ticks them with a note and/or an evidence link
  (who and when are recorded);
- derived-or-hand items (D05, D10): done when the entry records the answer, else by hand.

Items D07–D20 prepare, publish and maintain the open data: they do not apply to an entry
classified restricted or not publishable. Progress counts done items among those that apply.

Domain operations (`tick_item`) flush and write an audit row; callers commit.
"""
from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa
import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from . import vocabularies as vocab
from .audit import record_audit
from .checklist_rules import CLOSED, RULES
from .errors import InventoryError
from .extensions import db
from .models import ChecklistTick, Dataset, ReviewEvent, User, utcnow
from .workflow import is_http_url

DONE, TODO, NA = "done", "todo", "na"
STATE_LABELS = {DONE: _l("Done"), TODO: _l("To do"), NA: _l("Does not apply")}
SOURCE_LABELS = {"entry": _l("From the entry"), "workflow": _l("From the workflow"),
                 "hand": _l("Ticked by hand")}
NOTE_MAX = 5000
URL_MAX = 2000


# --------------------------------------------------------------------------- items

@dataclass(frozen=True)
class Item:
    id: str
    scope: str  # "ministry" | "dataset"
    texts: dict

    def text(self, locale=None):
        locale = locale or vocab.current_locale()
        return self.texts.get(locale) or self.texts.get("fr") or self.texts.get("en") or self.id


def load_items(path=None):
    """Parse the checklist file (default: the package's `data/checklist.yaml`)."""
    path = path or vocab.DATA_DIR / "checklist.yaml"
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return tuple(Item(row["id"], row["scope"], {lang: str(row.get(lang) or "").strip()
                                                for lang in ("ar", "fr", "en")})
                 for row in data["items"])


@cache
def items():
    """Every item by id, in the file's order."""
    return {item.id: item for item in load_items()}


def ministry_items():
    return [i for i in items().values() if i.scope == "ministry"]


def dataset_items():
    return [i for i in items().values() if i.scope == "dataset"]


MINISTRY_EXPLANATION = _l("Ticked by hand by an officer of the organization or an "
                          "administrator, with evidence.")


def explanation(item_id):
    """The rule of an item, in words."""
    rule = RULES.get(item_id)
    return rule.explanation if rule else MINISTRY_EXPLANATION


def hand_tickable(item_id):
    """May this item be ticked by hand (ministry items, and dataset items the entry cannot
    settle on its own)?"""
    rule = RULES.get(item_id)
    return rule.hand if rule else items()[item_id].scope == "ministry"


# --------------------------------------------------------------------------- statuses

@dataclass
class ItemStatus:
    item: Item
    state: str
    source: str = ""  # entry | workflow | hand | ""
    missing: list = field(default_factory=list)  # [(field name, message or None)]
    reason: object = None  # why the item does not apply
    tick: ChecklistTick | None = None
    hand: bool = False  # may be ticked by hand now
    at: object = None
    by: str = ""

    @property
    def label(self):
        return STATE_LABELS[self.state]

    def missing_texts(self):
        """What the entry still lacks, as translated texts."""
        from .fields import field_label
        out = []
        for name, message in self.missing:
            text = str(message) if message is not None else str(field_label(name))
            if text not in out:
                out.append(text)
        return out

    def details(self):
        """One line saying why the item has this status (for exports)."""
        if self.state == NA:
            return str(self.reason or "")
        if self.missing and self.source != "hand":
            return str(_l("Missing: %(fields)s", fields="; ".join(self.missing_texts())))
        return ""


@dataclass
class Progress:
    done: int = 0
    applicable: int = 0

    @property
    def percent(self):
        return round(100 * self.done / self.applicable) if self.applicable else 100

    def add(self, other):
        self.done += other.done
        self.applicable += other.applicable


def progress_of(statuses):
    return Progress(sum(1 for s in statuses if s.state == DONE),
                    sum(1 for s in statuses if s.state != NA))


def _tick_status(item, tick, hand, status=None):
    status = status or ItemStatus(item, TODO, hand=hand)
    status.tick = tick
    if tick is not None and tick.done:
        status.state, status.source = DONE, "hand"
        status.at, status.by = tick.at, tick.by.display_name() if tick.by else ""
    return status


def dataset_statuses(dataset, ticks=None, people=False, events=None):
    """The status of every dataset item for `dataset`.

    `ticks`: the entry's ChecklistTicks (queried when None). `people`: also name who made the
    entry's derived statuses true (extra queries; for one entry, not for summaries), from
    `events` when given (the entry's ReviewEvents with actors, newest first).
    """
    if ticks is None:
        ticks = dataset_ticks([dataset.id]).get(dataset.id, [])
    by_item = {t.item_id: t for t in ticks}
    closed = dataset.classification in CLOSED
    approver = _approver(dataset, events) if people else ""
    editor = dataset.updated_by.display_name() if people and dataset.updated_by else ""
    out = []
    for item in dataset_items():
        rule = RULES[item.id]
        reason = None
        if rule.opening_step and closed:
            reason = _l("Does not apply: the entry is classified “%(classification)s” and "
                        "will not be opened.",
                        classification=vocab.CLASSIFICATION_LABELS[dataset.classification])
        elif rule.not_applicable is not None:
            reason = rule.not_applicable(dataset)
        if reason is not None:
            out.append(ItemStatus(item, NA, reason=reason, tick=by_item.get(item.id)))
            continue
        if rule.check is None:
            out.append(_tick_status(item, by_item.get(item.id), True))
            continue
        missing = rule.check(dataset)
        if not missing:
            at, by = dataset.updated_at, editor
            if item.id == "D16":
                at, by = dataset.approved_at, approver
            elif item.id == "D17":
                at, by = dataset.issued_at, ""
            out.append(ItemStatus(item, DONE, rule.source, tick=by_item.get(item.id),
                                  at=at, by=by))
            continue
        status = ItemStatus(item, TODO, rule.source, missing=missing, hand=rule.hand)
        if rule.hand:
            _tick_status(item, by_item.get(item.id), True, status)
        else:
            status.tick = by_item.get(item.id)
        out.append(status)
    return out


def _approver(dataset, events=None):
    if events is not None:
        event = next((e for e in events if e.action == "approve"), None)
        return event.actor.display_name() if event and event.actor else ""
    event = db.session.scalar(
        sa.select(ReviewEvent).where(ReviewEvent.dataset_id == dataset.id,
                                     ReviewEvent.action == "approve")
        .options(selectinload(ReviewEvent.actor)).order_by(ReviewEvent.at.desc()).limit(1))
    return event.actor.display_name() if event and event.actor else ""


def ministry_statuses(organization, ticks=None):
    """The status of every ministry item for `organization` (all ticked by hand)."""
    if ticks is None:
        ticks = organization_ticks(organization.id)
    by_item = {t.item_id: t for t in ticks}
    return [_tick_status(item, by_item.get(item.id), True) for item in ministry_items()]


# Built once (it runs on every entry page): a statement's cache key is computed once per
# statement object.
TICKS_OF_ENTRIES = (sa.select(ChecklistTick)
                    .where(ChecklistTick.dataset_id.in_(sa.bindparam("ids", expanding=True)))
                    .options(joinedload(ChecklistTick.by).lazyload(User.organizations))
                    .order_by(ChecklistTick.at))


def dataset_ticks(dataset_ids):
    """{dataset id: [ChecklistTick]} for these entries, each with who ticked it joined (one
    query per 500 ids, however many ticks)."""
    out = {}
    ids = list(dataset_ids)
    for start in range(0, len(ids), 500):
        rows = db.session.scalars(TICKS_OF_ENTRIES, {"ids": ids[start:start + 500]})
        for tick in rows:
            out.setdefault(tick.dataset_id, []).append(tick)
    return out


def organization_ticks(organization_id):
    return list(db.session.scalars(
        sa.select(ChecklistTick).where(ChecklistTick.organization_id == organization_id,
                                       ChecklistTick.dataset_id.is_(None))
        .options(joinedload(ChecklistTick.by)).order_by(ChecklistTick.at)))


@dataclass
class EntryChecklist:
    dataset: Dataset
    statuses: list
    progress: Progress

    def to_do(self):
        return [s.item.id for s in self.statuses if s.state == TODO]


@dataclass
class OrganizationChecklist:
    organization: object
    ministry: list
    ministry_progress: Progress
    entries: list  # [EntryChecklist]
    dataset_progress: Progress
    item_counts: dict  # item id -> {done, todo, na}
    generated_at: object = None


def organization_checklist(organization):
    """Ministry items plus every entry's dataset items (archived entries left out), computed
    with a fixed number of queries whatever the number of entries."""
    datasets = list(db.session.scalars(
        sa.select(Dataset).where(Dataset.organization_id == organization.id,
                                 Dataset.status != "archived")
        .order_by(Dataset.reference)))
    ticks = dataset_ticks(d.id for d in datasets)
    entries, total = [], Progress()
    counts = {item.id: {DONE: 0, TODO: 0, NA: 0} for item in dataset_items()}
    for ds in datasets:
        statuses = dataset_statuses(ds, ticks.get(ds.id, []))
        progress = progress_of(statuses)
        total.add(progress)
        for s in statuses:
            counts[s.item.id][s.state] += 1
        entries.append(EntryChecklist(ds, statuses, progress))
    ministry = ministry_statuses(organization)
    return OrganizationChecklist(organization, ministry, progress_of(ministry), entries, total,
                                 counts, utcnow())


def entry_checklist(dataset, events=None, ticks=None):
    """One entry's dataset items, naming who made each status true (`events`, `ticks`: see
    `dataset_statuses`)."""
    statuses = dataset_statuses(dataset, ticks, people=True, events=events)
    return EntryChecklist(dataset, statuses, progress_of(statuses))


# --------------------------------------------------------------------------- hand ticks

class TickInvalid(InventoryError):
    """A hand tick that cannot be recorded; `problems` maps form fields to messages."""

    status_code = 422

    def __init__(self, problems):
        super().__init__(_l("The checklist item could not be ticked."), problems=problems)
        self.problems = problems


def tick_problems(item_id, dataset, done, note, evidence_url):
    """Why this tick cannot be recorded: {field: [messages]} (empty when it can)."""
    p = {}
    item = items().get(item_id)
    expected = "dataset" if dataset is not None else "ministry"
    if item is None or item.scope != expected:
        return {"item": [_l("Unknown checklist item.")]}
    if dataset is not None:
        if not hand_tickable(item_id):
            p.setdefault("item", []).append(_l("This item follows from the entry: complete the "
                                               "entry instead of ticking it."))
        else:
            status = next(s for s in dataset_statuses(dataset, []) if s.item.id == item_id)
            if status.state == NA:
                p.setdefault("item", []).append(_l("This item does not apply to this entry."))
    if len(note) > NOTE_MAX:
        p.setdefault("note", []).append(_l("Keep the note under %(max)s characters.",
                                           max=NOTE_MAX))
    if evidence_url and (len(evidence_url) > URL_MAX or not is_http_url(evidence_url)):
        p.setdefault("evidence_url", []).append(_l("Give a full web address starting with "
                                                   "http:// or https://."))
    if done and not note and not evidence_url:
        p.setdefault("note", []).append(_l("Give the evidence: a link to the document, or a "
                                           "note saying where it is (decision number, "
                                           "date…)."))
    return p


def tick_item(user, item_id, *, dataset=None, organization=None, done=True, note="",
              evidence_url=""):
    """Record (or withdraw, with `done=False`) a hand tick on a dataset or ministry item, with
    who and when. Raises TickInvalid; flushes and writes an audit row."""
    note, evidence_url = (note or "").strip(), (evidence_url or "").strip()
    problems = tick_problems(item_id, dataset, done, note, evidence_url)
    if problems:
        raise TickInvalid(problems)
    query = sa.select(ChecklistTick).where(ChecklistTick.item_id == item_id)
    if dataset is not None:
        query = query.where(ChecklistTick.dataset_id == dataset.id)
    else:
        query = query.where(ChecklistTick.organization_id == organization.id,
                            ChecklistTick.dataset_id.is_(None))
    tick = db.session.scalars(query.order_by(ChecklistTick.at.desc())).first()
    if tick is None:
        tick = ChecklistTick(item_id=item_id, dataset_id=getattr(dataset, "id", None),
                             organization_id=None if dataset is not None else organization.id)
        db.session.add(tick)
    tick.done, tick.note, tick.evidence_url = done, note, evidence_url
    tick.by_id, tick.at = getattr(user, "id", None), utcnow()
    record_audit(user, "checklist.tick" if done else "checklist.untick",
                 dataset if dataset is not None else organization, item=item_id, note=note,
                 evidence_url=evidence_url)
    db.session.flush()
    return tick
