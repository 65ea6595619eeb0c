"""Importing a register (XLSX or CSV) into an organization's inventory.

`run_import` is a generator: it yields `Progress` while it reads and writes (for the upload
page and the CLI) and returns an `ImportReport`. Every row is read and checked before anything
is written:

- a file that cannot be read (not a spreadsheet, damaged, password-protected, too large, no
  recognisable header row...) is rejected as a whole: nothing is written;
- each cell problem is reported with its row (the header row is row 1, as the spreadsheet
  shows it), column, value and a translated message; a row with a problem is not written;
- a dry run writes nothing; a real import writes all valid rows in the caller's transaction
  (it only flushes; the CLI or the request commits) and, if writing fails, rolls back so that
  nothing is written;
- rows without a reference create draft entries; rows with a reference update that entry when
  it is still editable (draft or returned for changes), are `unchanged` when they hold what the
  entry holds, and are reported otherwise.
"""
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils import get_column_letter

from . import priority
from . import registry as reg
from . import vocabularies as vocab
from .audit import audit_values, record_audit
from .entries import DISTRIBUTION_FIELDS, reserve_references, set_distributions, set_themes, touch
from .extensions import db
from .models import AuditLog, Dataset, DatasetTheme, Distribution, new_uuid, utcnow
from .registry_read import FileRejected, match_header, read_table
from .sheets import restore
from .workflow import EDITABLE_BY_OFFICER

log = logging.getLogger(__name__)
PROGRESS_EVERY = 500
FLUSH_EVERY = 500
_CELL_TYPES = (str, int, float, bool, date, datetime, type(None))


@dataclass
class Problem:
    row: int | None  # spreadsheet row number (header = 1); None for the whole file
    column: str  # "C · Update frequency"
    value: str
    message: object
    kind: str = "error"  # error | not_editable


@dataclass
class Progress:
    phase: str  # reading | writing
    done: int
    total: int | None


@dataclass
class ImportReport:
    filename: str
    dry_run: bool
    file_type: str = ""
    encoding: str = ""
    sheet: str = ""
    rows: int = 0
    empty_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    not_editable: int = 0
    problems: list = field(default_factory=list)
    ignored_columns: list = field(default_factory=list)
    readonly_columns: list = field(default_factory=list)
    file_error: object = None
    written: bool = False

    @property
    def ok(self):
        return self.file_error is None and not self.problems


@dataclass
class _Row:
    number: int
    values: dict
    distributions: list | None
    uuid: str | None
    problems: list
    action: str = ""
    dataset: Dataset | None = None
    changes: list = field(default_factory=list)


def limits():
    cfg = current_app.config
    return (cfg.get("REGISTER_IMPORT_MAX_BYTES", 10 * 1024 * 1024),
            cfg.get("REGISTER_IMPORT_MAX_ROWS", 20000))


def map_columns(header, report):
    """[(position, Column)] of the importable columns; read-only and unknown ones noted."""
    mapping, seen = [], {}
    for i, text in enumerate(header):
        if text is None or not str(text).strip():
            continue
        letter = get_column_letter(i + 1)
        column = match_header(text)
        if column is None:
            report.ignored_columns.append(f"{letter} · {str(text)[:80]}")
            continue
        if column.key in seen:
            raise FileRejected(_l("Two columns are named “%(name)s” (%(a)s and %(b)s): keep "
                                  "only one.", name=str(text)[:80], a=seen[column.key],
                                  b=letter))
        seen[column.key] = letter
        if column.readonly and column.key != "uuid":
            report.readonly_columns.append(f"{letter} · {str(text)[:80]}")
            continue
        mapping.append((i, column, f"{letter} · {str(text)[:80]}"))
    return mapping


# --------------------------------------------------------------------------- rows

def _is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value):
    if value is None:
        return ""
    return str(value)[:200]


def _read_rows(table, mapping, report, max_rows, lookup):
    """Parse every row (generator of Progress; returns the list of _Row)."""
    rows = []
    groups = sorted({c.distribution[0] for _i, c, _name in mapping if c.distribution})
    formula = _l("Formulas are not accepted: type the value itself.")
    names = {name.split(" · ")[0]: name for _i, _c, name in mapping}
    for number, values in table.rows:
        if all(_is_empty(v) for v in values):
            report.empty_rows += 1
            continue
        report.rows += 1
        if report.rows > max_rows:
            raise FileRejected(_l("The file has more than %(max)s rows: split it into smaller "
                                  "files.", max=max_rows))
        parsed, dists, problems = {}, {g: {} for g in groups}, []
        for i, column, name in mapping:
            raw = values[i] if i < len(values) else None
            if not isinstance(raw, _CELL_TYPES):
                problems.append(Problem(number, name, "", formula))
                continue
            if isinstance(raw, str):
                if raw.startswith("="):
                    problems.append(Problem(number, name, _shown(raw), formula))
                    continue
                if raw.strip() in ERROR_CODES:
                    problems.append(Problem(number, name, raw, _l(
                        "The cell shows a spreadsheet error: type the value itself.")))
                    continue
                raw = restore(raw)
            try:
                value = reg.parse_cell(column, raw, lookup) if column.key != "uuid" else (
                    str(raw).strip() if raw is not None else None)
            except reg.CellError as exc:
                problems.append(Problem(number, name, _shown(raw), exc.message))
                continue
            if column.distribution:
                dists[column.distribution[0]][column.distribution[1]] = value
            else:
                parsed[column.key] = value
        if number in table.merged_rows:
            letter, cells = table.merged_rows[number]
            problems.append(Problem(number, names.get(letter, letter), cells, _l(
                "Merged cells are not accepted: unmerge them and fill in every row.")))
        distributions = None
        if groups:
            distributions = [d for _g, d in sorted(dists.items())
                             if any(not _is_empty(v) and v != [] for v in d.values())]
        rows.append(_Row(number, parsed, distributions, parsed.pop("uuid", None), problems))
        if report.rows % PROGRESS_EVERY == 0:
            yield Progress("reading", report.rows, table.total)
    return rows


def _current(dataset, key):
    if key == "themes":
        return sorted(dataset.themes)
    return getattr(dataset, key)


def _changes(dataset, row):
    changed = [k for k, v in row.values.items()
               if _current(dataset, k) != (sorted(v) if k == "themes" else v)]
    if row.distributions is not None:
        current = dataset.distributions
        if len(current) != len(row.distributions) or any(
                getattr(d, k) != v for d, new in zip(current, row.distributions, strict=True)
                for k, v in new.items()):
            changed.append("distributions")
    return changed


def _plan(rows, organization, mapping):
    """Decide each row's action (create, update, unchanged, or reported) with read queries
    only."""
    refs = sorted({r.values["reference"] for r in rows if r.values.get("reference")})
    existing = {}
    for start in range(0, len(refs), 500):
        for ds in db.session.scalars(sa.select(Dataset).where(
                Dataset.reference.in_(refs[start:start + 500]))):
            existing[ds.reference] = ds
    names = {c.key: name for _i, c, name in mapping}
    ref_col = names.get("reference", "")
    title_col = next((names[k] for k in ("title_ar", "title_fr", "title_en") if k in names), "")
    seen = {}
    for row in rows:
        ref = row.values.pop("reference", "") or ""
        if ref:
            if ref in seen:
                row.problems.append(Problem(row.number, ref_col, ref, _l(
                    "This reference is already used on row %(row)s.", row=seen[ref])))
            seen.setdefault(ref, row.number)
            ds = existing.get(ref)
            if ds is None:
                row.problems.append(Problem(row.number, ref_col, ref, _l(
                    "No entry has this reference. Leave the reference empty to create a new "
                    "entry.")))
            elif ds.organization_id != organization.id:
                row.problems.append(Problem(row.number, ref_col, ref, _l(
                    "This reference belongs to another organization.")))
            elif row.uuid and row.uuid != ds.uuid:
                row.problems.append(Problem(row.number, names.get("uuid", ""), row.uuid, _l(
                    "This identifier does not match the entry with this reference.")))
            else:
                row.dataset = ds
        elif not any(row.values.get(k) for k in ("title_ar", "title_fr", "title_en")):
            row.problems.append(Problem(row.number, title_col, "", _l(
                "A new entry needs a title in at least one language.")))
        if row.problems:
            row.action = "invalid"
        elif row.dataset is None:
            row.action = "create"
        else:
            row.changes = _changes(row.dataset, row)
            if not row.changes:
                row.action = "unchanged"
            elif row.dataset.status not in EDITABLE_BY_OFFICER:
                row.action = "not_editable"
                row.problems.append(Problem(row.number, ref_col, ref, _l(
                    "Not updated: this entry is “%(status)s”. Only drafts and entries returned "
                    "for changes are updated by an import.",
                    status=vocab.STATUS_LABELS.get(row.dataset.status)), kind="not_editable"))
            else:
                row.action = "update"


# --------------------------------------------------------------------------- writing

def _apply_values(dataset, row):
    values = dict(row.values)
    themes = values.pop("themes", None)
    for key, value in values.items():
        setattr(dataset, key, value)
    if themes is not None:
        set_themes(dataset, themes)
    if row.distributions is not None:
        set_distributions(dataset, [{k: v for k, v in d.items() if k in DISTRIBUTION_FIELDS}
                                    for d in row.distributions])


def _write(rows, organization, user, report):
    """Create and update entries (generator of Progress). New entries go in with bulk inserts
    (thousands per second); updates go through the ORM like an edit does. Flushes only."""
    weights = priority.get_weights()
    creates = [r for r in rows if r.action == "create"]
    updates = [r for r in rows if r.action == "update"]
    total = len(creates) + len(updates)
    done = 0
    for start in range(0, len(creates), FLUSH_EVERY):
        batch = creates[start:start + FLUSH_EVERY]
        _insert_entries(batch, organization, user, weights)
        done += len(batch)
        report.created += len(batch)
        yield Progress("writing", done, total)
    for row in updates:
        dataset = row.dataset
        _apply_values(dataset, row)
        touch(dataset, user, weights)
        record_audit(user, "dataset.update", dataset, fields=row.changes,
                     source="register import", row=row.number)
        report.updated += 1
        done += 1
        if done % FLUSH_EVERY == 0:
            db.session.flush()
            yield Progress("writing", done, total)
    record_audit(user, "register.import", organization, filename=report.filename,
                 created=report.created, updated=report.updated, unchanged=report.unchanged,
                 rejected=report.invalid + report.not_editable)
    db.session.flush()


def _insert_entries(rows, organization, user, weights):
    """Insert new draft entries with their themes, distributions and audit rows."""
    db.session.flush()
    user_id, now = getattr(user, "id", None), utcnow()
    references = reserve_references(organization, len(rows))
    entries = []
    for row, reference in zip(rows, references, strict=True):
        values = {k: v for k, v in row.values.items() if k != "themes"}
        values.update(uuid=new_uuid(), reference=reference, organization_id=organization.id,
                      status="draft", created_by_id=user_id, updated_by_id=user_id,
                      created_at=now, updated_at=now)
        if values.get("license_code") is None and values.get("classification") in (
                None, "open", "open_after_treatment"):
            values["license_code"] = vocab.DEFAULT_LICENCE
        # Derived fields are computed by the model's own code on an unsaved copy.
        probe = Dataset(**values)
        probe.refresh_search_text()
        priority.refresh(probe, weights)
        values.update(search_text=probe.search_text, priority_score=probe.priority_score,
                      priority_tier=probe.priority_tier)
        entries.append(values)
    keys = set().union(*(e.keys() for e in entries))
    db.session.execute(sa.insert(Dataset.__table__),
                       [{k: e.get(k) for k in keys} for e in entries])
    ids = dict(db.session.execute(sa.select(Dataset.reference, Dataset.id).where(
        Dataset.organization_id == organization.id, Dataset.reference.in_(references))).all())
    themes, distributions, audits = [], [], []
    for row, values in zip(rows, entries, strict=True):
        dataset_id = ids[values["reference"]]
        for code in dict.fromkeys(row.values.get("themes") or []):
            themes.append({"dataset_id": dataset_id, "code": code})
        for position, dist in enumerate(row.distributions or []):
            data = {k: EMPTY_DISTRIBUTION[k] for k in EMPTY_DISTRIBUTION}
            data.update({k: v for k, v in dist.items() if k in EMPTY_DISTRIBUTION})
            data.update(dataset_id=dataset_id, position=position,
                        media_type=vocab.media_type_for(data["format"]))
            distributions.append(data)
        audits.append(audit_values(user, "dataset.create", "dataset", values["uuid"],
                                   reference=values["reference"], source="register import",
                                   row=row.number))
    for table, data in ((DatasetTheme.__table__, themes),
                        (Distribution.__table__, distributions), (AuditLog.__table__, audits)):
        if data:
            db.session.execute(sa.insert(table), data)


EMPTY_DISTRIBUTION = {"title": "", "description": "", "access_url": "", "download_url": "",
                      "format": None, "byte_size": None, "license_code": None,
                      "availability": None}


def run_import(data, filename, organization, user=None, dry_run=True):
    """Check (and unless `dry_run`, import) a register file into `organization`.

    A generator: yields Progress, returns the ImportReport (`report = yield from ...`, or
    `import_file` to just get the report). Never raises for bad input.
    """
    report = ImportReport(filename=filename, dry_run=dry_run)
    max_bytes, max_rows = limits()
    try:
        table = read_table(data, max_bytes)
        report.file_type, report.encoding, report.sheet = (table.file_type, table.encoding,
                                                          table.sheet)
        mapping = map_columns(table.header, report)
        rows = yield from _read_rows(table, mapping, report, max_rows, reg.Lookup())
    except FileRejected as exc:
        report.file_error = exc.message
        return report
    except Exception:  # a damaged part found only while reading rows (zlib, XML, csv...)
        log.info("register file failed while reading rows", exc_info=True)
        report.file_error = _l("The file is damaged and cannot be read to the end: nothing "
                               "was imported.")
        return report
    yield Progress("reading", report.rows, report.rows)
    _plan(rows, organization, mapping)
    for row in rows:
        report.problems += row.problems
    report.invalid = sum(1 for r in rows if r.action == "invalid")
    report.not_editable = sum(1 for r in rows if r.action == "not_editable")
    report.unchanged = sum(1 for r in rows if r.action == "unchanged")
    if dry_run:
        report.created = sum(1 for r in rows if r.action == "create")
        report.updated = sum(1 for r in rows if r.action == "update")
        return report
    try:
        yield from _write(rows, organization, user, report)
    except Exception:
        db.session.rollback()
        log.exception("register import failed while writing: rolled back")
        report.created = report.updated = 0
        report.file_error = _l("The import could not be written (an entry may have been "
                               "changed meanwhile): nothing was imported. Try again.")
        return report
    report.written = True
    return report


def import_file(data, filename, organization, user=None, dry_run=True, on_progress=None):
    """`run_import` without the generator: returns the ImportReport."""
    gen = run_import(data, filename, organization, user, dry_run)
    while True:
        try:
            progress = next(gen)
        except StopIteration as stop:
            return stop.value
        if on_progress is not None:
            on_progress(progress)
