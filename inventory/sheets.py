"""Spreadsheet output shared by the register and the checklist exports: formula-injection
safety, CSV with a byte-order mark, and XLSX sheets with a styled, frozen header, fitted
column widths and the right-to-left view for Arabic.

Cells that start with `=`, `+`, `-`, `@`, a tab or a carriage return would run as formulas in
a spreadsheet application: `neutralise` prefixes them with an apostrophe, and `restore` (used
by the importer) removes exactly that apostrophe, so the round trip is lossless and no formula
gets in.
"""
import csv
import io
import re
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

_NEUTRALISED = re.compile(r"'*[=+\-@\t\r]")
MAX_WIDTH = 60
MIN_WIDTH = 6

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0B5D4B")
WRAP = Alignment(wrap_text=True, vertical="top")
# Status colours (fill, font) chosen for WCAG AA contrast with the text on them.
STATE_STYLES = {
    "done": (PatternFill("solid", fgColor="D8F0E0"), Font(color="0B5D2F", bold=True)),
    "todo": (PatternFill("solid", fgColor="FFE9C2"), Font(color="7A3E00", bold=True)),
    "na": (PatternFill("solid", fgColor="ECEEF0"), Font(color="4A5360")),
}


def neutralise(value):
    """`value` made safe for a spreadsheet cell (strings only; numbers and dates pass)."""
    if isinstance(value, str) and _NEUTRALISED.match(value):
        return "'" + value
    return value


def restore(value):
    """Undo `neutralise` on a text read back from a spreadsheet."""
    if isinstance(value, str) and value.startswith("'") and _NEUTRALISED.match(value, 1):
        return value[1:]
    return value


def csv_bytes(header, rows):
    """UTF-8 CSV with a byte-order mark (so Excel reads Arabic correctly), every text cell
    neutralised."""
    out = io.BytesIO()
    write_csv(out, header, rows)
    return out.getvalue()


def write_csv(out, header, rows):
    """`csv_bytes` written to the binary file `out` as the rows come (any iterable)."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        text.write("\ufeff")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([neutralise(str(h)) for h in header])
        for row in rows:
            writer.writerow([neutralise(_csv_text(v)) for v in row])
        text.flush()
    finally:
        text.detach()  # leave `out` open for the caller


def _csv_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def new_workbook():
    """A streaming (write-only) workbook: memory stays flat with large registers."""
    return Workbook(write_only=True)


def display_width(value):
    """Rough column width (in characters) that `value` needs on one line."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def table_sheet(wb, title, header, rows, rtl=False, widths=None, styles=None, freeze="A2",
                header_height=None):
    """Write one sheet: styled frozen header, `rows` (lists of values), fitted widths.

    `styles(row_index, col_index, value)` may return (fill, font) for a cell (status
    colours). Returns the worksheet (write-only: nothing can be added after saving).
    """
    ws = wb.create_sheet(title=title[:31])
    ws.sheet_view.rightToLeft = rtl
    rows = [list(r) for r in rows]
    if widths is None:
        widths = [display_width(h) for h in header]
        for row in rows:
            for i, value in enumerate(row):
                widths[i] = max(widths[i], display_width(value))
    from openpyxl.utils import get_column_letter
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(MIN_WIDTH,
                                                               min(MAX_WIDTH, width + 2))
    if freeze:
        ws.freeze_panes = freeze
    if header_height:
        ws.row_dimensions[1].height = header_height
    ws.append([_header_cell(ws, h) for h in header])
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            cell = WriteOnlyCell(ws, value=neutralise(value))
            if isinstance(value, str) and ("\n" in value or len(value) > MAX_WIDTH):
                cell.alignment = WRAP
            if isinstance(value, date) and not isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            style = styles(r, c, value) if styles else None
            if style:
                cell.fill, cell.font = style
            cells.append(cell)
        ws.append(cells)
    return ws


def _header_cell(ws, text):
    cell = WriteOnlyCell(ws, value=neutralise(str(text)))
    cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    return cell


def workbook_bytes(wb):
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
