"""Writing the register of a ministry (XLSX or CSV, headers in one language) and the blank
XLSX template (trilingual headers, instructions, drop-down lists).

Both workbooks share one layout: the `Register` sheet (frozen header row and reference column,
a drop-down on every controlled column, right to left for Arabic), an instructions sheet and
a sheet of the controlled lists (label and code). Every text cell is neutralised against
formula injection (`sheets.neutralise`).
"""
import io
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from . import registry as reg
from . import sheets
from .extensions import db
from .models import Dataset, Distribution

FORMATS = ("xlsx", "csv")
MEDIA_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "csv": "text/csv; charset=utf-8"}
READONLY_FILL = PatternFill("solid", fgColor="5A636D")
FIRST_DATA_ROW, LAST_VALIDATED_ROW = 2, 20001


CHUNK = 500


def organization_datasets(organization):
    """Every entry of the organization (archived ones too), by reference, loaded CHUNK at a
    time: the session only holds unchanged entries weakly, so each chunk is let go once used
    and the register of a large body streams in bounded memory."""
    ids = list(db.session.scalars(sa.select(Dataset.id).where(
        Dataset.organization_id == organization.id).order_by(Dataset.reference)))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        rows = {d.id: d for d in db.session.scalars(
            sa.select(Dataset).where(Dataset.id.in_(chunk)))}
        for dataset_id in chunk:
            yield rows[dataset_id]


def _distribution_groups(organization):
    """How many distribution column groups the register needs (at least one)."""
    per_entry = (sa.select(sa.func.count(Distribution.id).label("n"))
                 .join(Dataset, Dataset.id == Distribution.dataset_id)
                 .where(Dataset.organization_id == organization.id)
                 .group_by(Distribution.dataset_id).subquery())
    return max(db.session.scalar(sa.select(sa.func.max(per_entry.c.n))) or 0, 1)


def register_filename(organization, fmt, lang, template=False):
    stem = "register-template" if template else f"register-{organization.code}"
    return f"{stem}-{lang}-{date.today().isoformat()}.{fmt}"


def export_register(organization, fmt, lang, datasets=None):
    """The organization's register as bytes: one row per entry, headers in `lang`."""
    out = io.BytesIO()
    write_register(out, organization, fmt, lang, datasets)
    return out.getvalue()


def write_register(out, organization, fmt, lang, datasets=None):
    """Write the register to the binary file `out`, streaming: entries are read a chunk at a
    time (twice for XLSX: column widths come first in a streamed sheet) and rows are never
    all held in memory. `datasets` (a list) replaces the organization's entries."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    groups = _distribution_groups(organization) if datasets is None else max(
        [len(d.distributions) for d in datasets] + [1])
    columns = reg.register_columns(groups, readonly=True)
    with force_locale(lang):
        header = [str(c.label) for c in columns]
        cache = {}

        def rows():  # called once per pass over the entries
            entries = organization_datasets(organization) if datasets is None else datasets
            for dataset in entries:
                yield [reg.cell_value(dataset, c, lang, cache) for c in columns]

        if fmt == "csv":
            sheets.write_csv(out, header, rows())
        else:
            _workbook(columns, [header], rows, lang).save(out)


def template_workbook(lang):
    """The blank register template: trilingual headers, instructions and lists in `lang`."""
    columns = reg.register_columns(reg.TEMPLATE_DISTRIBUTIONS, readonly=False)
    headers = []
    for code in reg.LANGS:
        with force_locale(code):
            headers.append([str(c.label) for c in columns])
    with force_locale(lang):
        return sheets.workbook_bytes(_workbook(columns, headers, list, lang))


# --------------------------------------------------------------------------- workbook

def _workbook(columns, headers, rows, lang):
    """The write-only workbook, ready to save. `headers`: one list of labels per language
    shown (joined by line breaks in row 1); `rows()` gives the data rows, and is called twice
    (widths, then cells)."""
    wb = sheets.new_workbook()
    rtl = lang == "ar"
    ws = wb.create_sheet(_("Register")[:31])
    lists_title = _("Lists")[:31]
    ws.sheet_view.rightToLeft = rtl
    ws.freeze_panes = "B2"
    header_text = ["\n".join(dict.fromkeys(h[i] for h in headers)) for i in range(len(columns))]
    widths = [max(len(line) for line in text.split("\n")) for text in header_text]
    for row in rows():
        for i, value in enumerate(row):
            widths[i] = max(widths[i], sheets.display_width(value))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(sheets.MIN_WIDTH,
                                                               min(sheets.MAX_WIDTH, width + 2))
    if len(headers) > 1:
        ws.row_dimensions[1].height = 15 * len(headers) + 4
    lists = _list_columns(columns, lang)
    for i, column in enumerate(columns, start=1):
        validation = _validation(column, lists, lists_title)
        if validation is not None:
            letter = get_column_letter(i)
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_VALIDATED_ROW}")
            ws.data_validations.append(validation)
    ws.append([_header(ws, text, column) for text, column in zip(header_text, columns,
                                                                   strict=True)])
    for row in rows():
        ws.append([_cell(ws, value) for value in row])
    _instructions(wb, columns, lang, rtl)
    _lists_sheet(wb, lists_title, lists, rtl)
    return wb


def _header(ws, text, column):
    cell = WriteOnlyCell(ws, value=sheets.neutralise(text))
    cell.font = sheets.HEADER_FONT
    cell.fill = READONLY_FILL if column.readonly else sheets.HEADER_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    return cell


def _cell(ws, value):
    if value is None:
        return None
    cell = WriteOnlyCell(ws, value=sheets.neutralise(value))
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd" if value.__class__ is date else "yyyy-mm-dd hh:mm"
    elif isinstance(value, str) and ("\n" in value or len(value) > sheets.MAX_WIDTH):
        cell.alignment = sheets.WRAP
    return cell


def _list_columns(columns, lang):
    """{vocabulary getter: (position on the Lists sheet, title, [(label, code)])}."""
    lists = {}
    for column in columns:
        if column.terms is None or column.terms in lists:
            continue
        terms = column.terms()
        entries = [(reg.term_label(terms, code, lang), str(code)) for code in terms]
        lists[column.terms] = (len(lists), str(column.label), entries)
    return lists


def _validation(column, lists, lists_title):
    if column.terms is None or column.readonly:
        return None
    position, _title, entries = lists[column.terms]
    letter = get_column_letter(2 * position + 1)
    formula = f"{quote_sheetname(lists_title)}!${letter}$2:${letter}${len(entries) + 1}"
    several = column.kind == "codes"
    return DataValidation(
        type="list", formula1=formula, allow_blank=True,
        showErrorMessage=not several, errorStyle="warning",
        promptTitle=str(column.label)[:32], showInputMessage=several,
        prompt=_("Several values: separate them with a semicolon (;).")[:255] if several
        else None,
        error=_("Choose a value from the list (or type its code).")[:255])


def _lists_sheet(wb, title, lists, rtl):
    ws = wb.create_sheet(title)
    ws.sheet_view.rightToLeft = rtl
    ws.freeze_panes = "A2"
    ordered = sorted(lists.values(), key=lambda x: x[0])
    header = []
    for _pos, name, entries in ordered:
        header += [name, _("Code")]
        width = max([len(label) for label, _code in entries] + [len(name)])
        ws.column_dimensions[get_column_letter(len(header) - 1)].width = min(60, width + 2)
        ws.column_dimensions[get_column_letter(len(header))].width = min(
            30, max([len(code) for _label, code in entries] + [6]) + 2)
    ws.append([_header(ws, h, reg.REFERENCE) for h in header])
    depth = max([len(entries) for _p, _n, entries in ordered] + [0])
    for i in range(depth):
        row = []
        for _pos, _name, entries in ordered:
            row += list(entries[i]) if i < len(entries) else [None, None]
        ws.append([sheets.neutralise(v) for v in row])


def _accepted(column, lang):
    kind = column.kind
    if kind in ("code", "codes", "level", "bool", "campaign"):
        terms = column.terms()
        several = _(" Several values: separate them with ;.") if kind == "codes" else ""
        if kind == "campaign":
            return _("The name of a campaign, or its number.")
        if len(terms) <= 12:
            return _("One of: %(values)s (a code or a label).", values=", ".join(
                f"{c} ({reg.term_label(terms, c, lang)})" for c in terms)) + several
        return _("A value of the Lists sheet (a code or a label).") + several
    limit = reg.max_length(column)
    return {
        "text": _("Text, at most %(max)s characters.", max=limit) if limit else _("Text."),
        "keywords": _("Keywords separated by ;."),
        "date": _("A date: YYYY-MM-DD or DD/MM/YYYY."),
        "int": _("A whole number (digits only)."),
        "email": _("An e-mail address."),
        "url": _("A web address starting with http:// or https://."),
        "reference": _("Empty for a new entry; the reference of the entry to update."),
        "readonly": _("Filled by the application; ignored on import."),
    }.get(kind, "")


def _instructions(wb, columns, lang, rtl):
    cfg = current_app.config
    max_mb = round(cfg.get("REGISTER_IMPORT_MAX_BYTES", 10 * 1024 * 1024) / 1024 / 1024, 1)
    max_rows = cfg.get("REGISTER_IMPORT_MAX_ROWS", 20000)
    notes = [
        _("One row per dataset, from row 2. Row 1 holds the column names: keep it. Names in "
          "Arabic, French or English are all recognised, in any order."),
        _("Leave the reference empty for a new entry: it is given on import, and the entry is "
          "created as a draft. Rows with a reference update that entry (re-importing the same "
          "file creates no duplicate); only drafts and entries returned for changes are "
          "updated, the others are reported."),
        _("Controlled columns offer a drop-down list. You may also type the code shown in the "
          "Lists sheet, or the label in Arabic, French or English."),
        _("Several values in one cell (themes, governorates, languages, keywords, legal "
          "grounds): separate them with a semicolon (;)."),
        _("Dates: YYYY-MM-DD (2024-03-31), DD/MM/YYYY (31/03/2024) or a date cell. Numbers: "
          "digits only; Arabic-Indic digits are accepted."),
        _("No formulas, no merged cells, no HTML: type plain values. Cells starting with an "
          "apostrophe followed by =, +, - or @ are read as text without the apostrophe."),
        _("At most %(rows)s rows and %(size)s MB per file, as XLSX or CSV (UTF-8 or "
          "Windows-1256).", rows=max_rows, size=max_mb),
        _("Grey columns are filled by the application and ignored on import."),
        _("Try a dry run first: every problem is listed (row, column, value) and nothing is "
          "written."),
    ]
    rows = [[n] for n in notes] + [[""]]
    rows.append([_("Column"), _("Internal name"), _("Inventory only"), _("Accepted values")])
    rows += [[str(c.label), c.key, _("yes") if c.internal else "", _accepted(c, lang)]
             for c in columns]
    ws = wb.create_sheet(_("Instructions")[:31])
    ws.sheet_view.rightToLeft = rtl
    for letter, width in zip("ABCD", (60, 30, 14, 70), strict=True):
        ws.column_dimensions[letter].width = width
    ws.append([_header(ws, _("How to fill in the register"), reg.REFERENCE)])
    bold = Font(bold=True)
    for i, row in enumerate(rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=sheets.neutralise(value))
            cell.alignment = sheets.WRAP
            if i == len(notes) + 1:
                cell.font = bold
            cells.append(cell)
        ws.append(cells)
