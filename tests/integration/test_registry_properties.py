"""Property-based tests: malformed files and rows never make the importer raise, and it never
writes part of a file: either the whole file is rejected and nothing changes, or exactly the
rows it reports as valid become entries."""
import csv
import io
import re
from datetime import date, datetime

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from inventory import registry_import as ri
from inventory.extensions import db
from inventory.models import AuditLog, Dataset, DatasetTheme, Distribution

HEADERS = ["Reference", "Title in Arabic", "Title in French", "Update frequency", "Themes",
           "Start of the period covered", "Demand from users", "Contact point e-mail",
           "Keywords in French", "Access-to-information requests received",
           "Legal obligation to publish", "Distribution 1: Format",
           "Distribution 1: Access address", "Description in French"]
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي ٠١٢٣٤٥٦٧٨٩،؛", max_size=30),
    st.sampled_from(["=1+1", "'=SUM(A1)", "+216", "-3", "@x", "<b>x</b>", "#REF!",
                     "annuelle", "ANNUAL", "EDUC; TECH", "31/12/2024", "2024-02-30", "٣",
                     "a@b.tn", "https://x.tn/d", "CSV", "MESRS-0001", "نعم", "\x00", "\t",
                     " ", "", "TN-11, TN-12", "Éducation, culture et sport"]),
)
cells = st.one_of(texts, st.none(), st.integers(-10, 10 ** 12), st.floats(allow_nan=True),
                  st.booleans(), st.dates(date(1900, 1, 1), date(2100, 1, 1)))
rows = st.lists(st.lists(cells, min_size=0, max_size=len(HEADERS)), max_size=8)


@pytest.fixture
def org(make):
    return make.org("MESRS")


def counts():
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))
                 for m in (Dataset, Distribution, DatasetTheme, AuditLog))


def reset(org):
    db.session.rollback()
    db.session.execute(sa.delete(AuditLog))
    db.session.execute(sa.delete(Dataset).where(Dataset.organization_id == org.id))
    db.session.commit()


def formulas(table):
    """Cells of `table` that a spreadsheet would evaluate (`=...`). A cell neutralised on export
    (`'=...`) is text and comes back as the text `=...`: that is not a formula getting in."""
    return {c for row in table for c in row if isinstance(c, str) and c.startswith("=")}


def check(data, org, forbidden=()):
    """Import `data` for real; assert the all-or-valid-rows-only property, and that no value
    in `forbidden` (formula cells) was stored."""
    before = counts()
    report = ri.import_file(data, "x", org, dry_run=False)  # must not raise
    if report.written:
        db.session.commit()
    else:
        db.session.rollback()
    after = counts()
    if report.file_error is not None:
        assert after == before, "a rejected file changed the database"
    else:
        assert after[0] - before[0] == report.created
        bad_rows = {p.row for p in report.problems}
        assert report.created + report.updated + report.unchanged + len(bad_rows) == report.rows
        for ds in db.session.scalars(sa.select(Dataset).where(Dataset.organization_id ==
                                                              org.id)):
            assert ds.status == "draft"
            for value in (ds.title_ar, ds.title_fr, ds.description_fr):
                assert not re.search(r"<\s*[a-zA-Z!/?]", value)  # no markup got in
                assert value not in forbidden  # no formula got in
    reset(org)
    return report


def csv_of(table, delimiter=","):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(
        [["" if c is None else str(c) for c in row] for row in table])
    return out.getvalue()


@SETTINGS
@given(table=rows, delimiter=st.sampled_from([",", ";", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1256"]))
def test_malformed_csv_rows(org, table, delimiter, encoding):
    text = csv_of([HEADERS] + table, delimiter)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    check(data, org, formulas(table))


@SETTINGS
@given(table=rows)
def test_malformed_xlsx_rows(org, table):
    wb = openpyxl.Workbook()
    wb.active.append(HEADERS)
    for row in table:
        values = []
        for value in row:
            if isinstance(value, str):
                # openpyxl refuses control characters in cells; spreadsheets cannot hold them
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            values.append(datetime(value.year, value.month, value.day)
                          if isinstance(value, date) else value)
        wb.active.append(values)
    out = io.BytesIO()
    wb.save(out)
    check(out.getvalue(), org, formulas(table))


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_random_bytes(org, data):
    report = check(data, org)
    if data.startswith((b"%PDF", b"\x89PNG")):
        assert report.file_error is not None


def _valid_workbook():
    wb = openpyxl.Workbook()
    wb.active.append(["Title in French", "Update frequency", "Themes"])
    for i in range(20):
        wb.active.append([f"Fiche {i}", "annuelle", "EDUC"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


VALID = None


@SETTINGS
@given(cut=st.integers(0, 20000), flips=st.lists(st.tuples(st.integers(0, 20000),
                                                             st.integers(0, 255)),
                                                   max_size=6))
def test_corrupted_workbooks_are_all_or_nothing(org, cut, flips):
    global VALID
    VALID = VALID or _valid_workbook()
    data = bytearray(VALID[:max(cut, 30)] if cut < len(VALID) else VALID)
    for pos, byte in flips:
        if pos < len(data):
            data[pos] = byte
    report = check(bytes(data), org)
    if report.file_error is None and report.rows:
        # Whatever survived the damage was read to the end, or not at all.
        assert report.rows == 20 or report.created == 0
