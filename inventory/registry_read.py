"""Reading a register file: recognising it by its content (XLSX, CSV in UTF-8 or
Windows-1256, or something to refuse with a clear reason), choosing the sheet, finding the
merged cells, and naming its columns from headers in Arabic, French or English.
"""
import csv
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from functools import cache

import openpyxl
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from . import registry as reg
from .textfold import fold

log = logging.getLogger(__name__)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


class FileRejected(Exception):
    """The file cannot be read as a register; `message` is translated lazily."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --------------------------------------------------------------------------- reading files

@dataclass
class Table:
    file_type: str
    header: list
    rows: object  # iterator of (row number, sequence of raw values)
    total: int | None
    encoding: str = ""
    sheet: str = ""
    merged_rows: dict = field(default_factory=dict)  # row number -> (column letter, range)


def read_table(data, max_bytes):
    """Recognise the file by its content (never its name) and open its register table."""
    if not data:
        raise FileRejected(_l("The file is empty."))
    if len(data) > max_bytes:
        raise FileRejected(_l("The file is larger than the limit of %(size)s MB: split it "
                              "into smaller files.", size=round(max_bytes / 1024 / 1024, 1)))
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _read_xlsx(data, max_bytes)
    if data[:8] == OLE_MAGIC:
        if ENCRYPTED_PACKAGE in data:
            raise FileRejected(_l("The workbook is protected by a password: save it without "
                                  "a password, then import it."))
        raise FileRejected(_l("This is an old Excel 97-2003 (.xls) or another Office "
                              "document: save it as an Excel workbook (.xlsx) or as CSV."))
    if data[:5] == b"%PDF-":
        raise FileRejected(_l("This is a PDF document, not a spreadsheet."))
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise FileRejected(_l("This text file is in UTF-16: save the CSV as UTF-8."))
    if b"\x00" in data[:65536]:
        raise FileRejected(_l("This is not a spreadsheet: import an Excel workbook (.xlsx) or "
                              "a CSV file."))
    return _read_csv(data)


def _read_xlsx(data, max_bytes):
    damaged = _l("The workbook is damaged and cannot be read: open it in your spreadsheet "
                 "application and save it again as .xlsx.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if "mimetype" in names and archive.read("mimetype").startswith(
                b"application/vnd.oasis.opendocument"):
            raise FileRejected(_l("OpenDocument spreadsheets (.ods) are not accepted: save it "
                                  "as .xlsx or as CSV."))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError,
            RuntimeError):
        raise FileRejected(damaged) from None
    if "xl/workbook.xml" not in names:
        raise FileRejected(_l("This is a ZIP archive, not an Excel workbook."))
    if any(i.flag_bits & 0x1 for i in infos):
        raise FileRejected(_l("The workbook is protected by a password: save it without a "
                              "password, then import it."))
    if sum(i.file_size for i in infos) > 40 * max_bytes:
        raise FileRejected(_l("The workbook is too large once unpacked: split it into smaller "
                              "files."))
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        best, best_score, best_header = None, 0, []
        for ws in wb.worksheets:
            if not hasattr(ws, "reset_dimensions"):
                continue  # a chart sheet
            ws.reset_dimensions()
            header = list(next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ()))
            score = sum(1 for h in header if h is not None and match_header(h))
            if score > best_score:
                best, best_score, best_header = ws, score, header
        if best is None:
            raise FileRejected(_l("No column was recognised: row 1 must hold the column names "
                                  "(in Arabic, French or English). Download the template to "
                                  "see them."))
        merged = _merged_rows(wb, best)
        size = archive.getinfo(best._worksheet_path).file_size
    except FileRejected:
        raise
    except Exception:  # openpyxl raises many kinds of errors on damaged parts
        log.info("unreadable workbook", exc_info=True)
        raise FileRejected(damaged) from None
    rows = enumerate(best.iter_rows(min_row=2, values_only=True), start=2)
    # Rough row count for progress: the sheet's XML takes ~100 bytes per filled cell.
    total = max(1, size // max(1, 100 * best_score))
    return Table("xlsx", best_header, rows, total, sheet=best.title, merged_rows=merged)


def _merged_rows(wb, ws):
    """{row number: "A2:A4"} for every row a merged cell range covers (read-only workbooks do
    not expose merges, so the sheet's XML is scanned for them)."""
    out = {}
    with wb._archive.open(ws._worksheet_path) as fh:
        tail = b""
        while chunk := fh.read(1 << 20):
            text = tail + chunk
            for m in _MERGE.finditer(text):
                first, last = int(m.group(2)), int(m.group(4) or m.group(2))
                ref = m.group(0).split(b'"')[1].decode()
                for row in range(first, min(last, first + 100000) + 1):
                    out.setdefault(row, (m.group(1).decode(), ref))
            tail = text[-200:]
    return out


def _read_csv(data):
    if data.startswith(b"\xef\xbb\xbf"):
        data, encodings = data[3:], (("utf-8", "UTF-8 (BOM)"),)
    else:
        encodings = (("utf-8", "UTF-8"), ("cp1256", "Windows-1256"))
    text = encoding = None
    for codec, label in encodings:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        encoding = label
        break
    if text is None:
        raise FileRejected(_l("The text encoding of this CSV file is not recognised: save it "
                              "as CSV UTF-8."))
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, [])
    except csv.Error:
        raise FileRejected(_l("The CSV file is malformed.")) from None
    if not any(match_header(h) for h in header):
        raise FileRejected(_l("No column was recognised: row 1 must hold the column names (in "
                              "Arabic, French or English). Download the template to see "
                              "them."))
    return Table("csv", header, enumerate(reader, start=2), text.count("\n") or None,
                 encoding=encoding)


# --------------------------------------------------------------------------- headers

def _normal(text):
    return fold(re.sub(r"[*:]+$", "", str(text).strip())).strip()


@cache
def header_index():
    """{folded header: Column} for every known column, in the three languages and by key."""
    index = {}
    for column in reg.all_known_columns():
        index[_normal(column.key)] = column
        for lang in reg.LANGS:
            with force_locale(lang):
                index.setdefault(_normal(str(column.label)), column)
    return index


def match_header(text):
    """The Column a header cell names (whole text, or any line of a trilingual header)."""
    if text is None:
        return None
    index = header_index()
    text = str(text)
    found = index.get(_normal(text))
    if found is not None:
        return found
    parts = {index.get(_normal(p)) for p in re.split(r"\n|\s/\s|\|", text) if p.strip()}
    parts.discard(None)
    return parts.pop() if len(parts) == 1 else None
