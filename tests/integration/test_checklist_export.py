"""Checklist exports (PDF read back with poppler's pdftotext and rendered with pdftoppm, XLSX,
CSV, Markdown), the CLI command, and the checklist pages and ticks in the web UI."""
import csv
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser

import openpyxl
import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from inventory import checklist as cl
from inventory import checklist_export as ce
from inventory.extensions import db
from inventory.models import ChecklistTick
from inventory.textfold import fold
from tests.conftest import ARTIFACTS, restricted_fields

TITLES_AR = ["عدد الطلبة المرسمين بمؤسسات التعليم العالي", "خارطة المدارس الابتدائية"]

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils missing: run `make system-deps`")


@pytest.fixture
def ministry(make):
    """A ministry with an officer, three entries (one restricted) and some ticks."""
    org = make.org("MESRS", name_ar="وزارة التعليم العالي والبحث العلمي",
                   name_fr="Ministère de l'Enseignement supérieur")
    officer = make.user("officer", [org], name="Leila Ben Salah")
    a = make.dataset(org, officer, title_ar=TITLES_AR[0], source_system="Salima")
    b = make.dataset(org, officer, title_ar=TITLES_AR[1], status="published",
                     landing_page="https://mes.tn/donnees")
    c = make.dataset(org, officer, **restricted_fields(title_ar="سجل الأطباء",
                                                       title_fr="Registre des médecins"))
    cl.tick_item(officer, "M01", organization=org, note="مقرر عدد 12 بتاريخ 3 مارس 2024",
                 evidence_url="https://mes.tn/decision-12.pdf")
    cl.tick_item(officer, "D02", dataset=a, note="=HYPERLINK(\"http://evil\") | <b>x</b>")
    db.session.commit()
    return org, officer, (a, b, c)


def pdf_text(pdf, *args):
    out = subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True,
                         check=True)
    return out.stdout.decode("utf-8")


def squeeze(text):
    """Fold (Arabic letter variants, marks, bidi controls) and drop whitespace: pdftotext
    breaks lines and spaces around punctuation differently from the source."""
    return re.sub(r"\s+", "", fold(text))


def page_count(pdf):
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    return int(re.search(rb"Pages:\s+(\d+)", info.stdout).group(1))


class _Words(HTMLParser):
    """Words and their boxes from `pdftotext -bbox` output, per page."""

    def __init__(self):
        super().__init__()
        self.pages, self._word = [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "page":
            self.pages.append({"width": float(a["width"]), "words": []})
        elif tag == "word":
            self._word = (float(a["xmin"]), float(a["xmax"]))

    def handle_data(self, data):
        if self._word is not None:
            self.pages[-1]["words"].append((data.strip(), *self._word))
            self._word = None


def word_positions(pdf):
    parser = _Words()
    parser.feed(pdf_text(pdf, "-bbox"))
    return parser.pages


# --------------------------------------------------------------------------- PDF

ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670]")
LATIN_RUN = re.compile(r"[A-Za-z0-9]")


def test_arabic_pdf_has_the_item_wording_in_logical_order_and_the_titles(ministry):
    org, _officer, _entries = ministry
    pdf = ce.export(ce.organization_subject(org), "pdf", "ar")
    assert pdf.startswith(b"%PDF")
    text = squeeze(pdf_text(pdf))
    text_words = " ".join(fold(pdf_text(pdf)).split())
    whole = 0
    for item in cl.items().values():
        wording = item.text("ar")
        # pdftotext puts combining marks (shadda) on lines of their own, splitting their
        # word, and reorders Latin runs inside Arabic lines; words and sentences free of
        # both are checked whole.
        for word in wording.split():
            if not LATIN_RUN.search(word) and not ARABIC_MARKS.search(word):
                assert fold(word).strip("():،,") in text_words, (item.id, word)
        if not ARABIC_MARKS.search(wording) and not LATIN_RUN.search(wording):
            assert squeeze(wording) in text, item.id
            # Reversed (visual-order) Arabic would not match: the check is about order.
            assert squeeze(wording[::-1]) not in text
            whole += 1
    assert whole >= 12
    for title in TITLES_AR + ["سجل الأطباء"]:
        assert squeeze(title) in text
    assert squeeze("وزارة التعليم العالي والبحث العلمي") in text
    assert squeeze("مقرر عدد 12 بتاريخ 3 مارس 2024") in text  # the tick's evidence note


def test_pdf_page_numbers_and_direction(ministry):
    org, _officer, _entries = ministry
    for lang in ("ar", "fr"):
        pdf = ce.export(ce.organization_subject(org), "pdf", lang)
        pages = page_count(pdf)
        assert pages >= 5  # cover, ministry items, per-item summary, entries, rules
        with force_locale(lang):
            footer = _("Page %(page)s of %(pages)s", page=2, pages=pages)
        assert squeeze(footer) in squeeze(pdf_text(pdf, "-f", "2", "-l", "2"))
        # The item ids sit in the table's first column: on the right in Arabic, on the left
        # in French.
        page = word_positions(pdf)[1]
        m01 = next(w for w in page["words"] if w[0] == "M01")
        if lang == "ar":
            assert m01[1] > page["width"] * 0.8
        else:
            assert m01[2] < page["width"] * 0.2


def test_pdf_pages_rendered_as_png_artifacts(ministry):
    org, _officer, (a, _b, _c) = ministry
    folder = ARTIFACTS / "checklist-pdf"
    folder.mkdir(parents=True, exist_ok=True)
    for name, subject in (("ministry", ce.organization_subject(org)),
                          ("entry", ce.dataset_subject(a))):
        for lang in ("ar", "fr"):
            pdf = ce.export(subject, "pdf", lang)
            (folder / f"{name}-{lang}.pdf").write_bytes(pdf)
            for old in folder.glob(f"{name}-{lang}-*.png"):
                old.unlink()
            subprocess.run(["pdftoppm", "-r", "60", "-png", str(folder / f"{name}-{lang}.pdf"),
                            str(folder / f"{name}-{lang}")], check=True)
            pngs = sorted(folder.glob(f"{name}-{lang}-*.png"))
            assert len(pngs) == page_count(pdf)
            assert all(p.stat().st_size > 3000 for p in pngs)


def test_entry_pdf_lists_every_dataset_item_with_evidence(ministry):
    _org, _officer, (a, _b, _c) = ministry
    pdf = ce.export(ce.dataset_subject(a), "pdf", "fr")
    text = squeeze(pdf_text(pdf))
    for item in cl.dataset_items():
        assert squeeze(item.text("fr")) in text, item.id
    assert squeeze(a.reference) in text
    assert squeeze('=HYPERLINK("http://evil") | <b>x</b>') in text  # shown as text


def test_css_page_counter_is_escaped():
    assert ce._css_string('a"b\\c') == '"a\\"b\\\\c"'


def test_compact_ids():
    assert ce.compact_ids(["D01", "D02", "D03", "D05", "D07", "D08"]) == "D01–03, 05, 07–08"
    assert ce.compact_ids([]) == "—"


# --------------------------------------------------------------------------- XLSX, CSV, MD

def test_xlsx_structure(ministry):
    org, _officer, (a, b, c) = ministry
    wb = openpyxl.load_workbook(io.BytesIO(ce.export(ce.organization_subject(org), "xlsx",
                                                     "ar")))
    assert len(wb.sheetnames) == 4
    summary, ministry_sheet, entries, items = wb.worksheets
    assert all(ws.sheet_view.rightToLeft for ws in wb.worksheets)
    assert ministry_sheet.freeze_panes == "C2" and entries.freeze_panes == "C2"
    assert ministry_sheet.max_row == 11 and entries.max_row == 4 and items.max_row == 21
    header = [cell.value for cell in entries[1]]
    assert header[-20:] == [f"D{n:02d}" for n in range(1, 21)]
    assert [r[0].value for r in entries.iter_rows(min_row=2)] == [a.reference, b.reference,
                                                                  c.reference]
    assert ministry_sheet["A2"].value == "M01"
    assert ministry_sheet["B2"].value == cl.items()["M01"].text("ar")
    # Status cells are coloured by status.
    fills = {ministry_sheet["C2"].fill.fgColor.rgb, ministry_sheet["C3"].fill.fgColor.rgb}
    assert fills == {"00D8F0E0", "00FFE9C2"}
    assert ministry_sheet.column_dimensions["B"].width >= 40
    # A note starting with "=" stays text (neutralised).
    flat = [cell.value for row in entries.iter_rows() for cell in row]
    assert not any(isinstance(v, str) and v.startswith("=") for v in flat)

    wb = openpyxl.load_workbook(io.BytesIO(ce.export(ce.dataset_subject(a), "xlsx", "fr")))
    sheet = wb.worksheets[1]
    assert not sheet.sheet_view.rightToLeft
    assert [r[0].value for r in sheet.iter_rows(min_row=2)] == [i.id for i in
                                                                 cl.dataset_items()]
    note = sheet["F3"].value  # D02's note
    assert note.startswith("'=HYPERLINK")


def test_csv_structure(ministry):
    org, _officer, (a, _b, _c) = ministry
    data = ce.export(ce.organization_subject(org), "csv", "fr")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 1 + 10 + 3 * 20
    assert len({len(r) for r in rows}) == 1
    d02 = next(r for r in rows if r[1] == a.reference and r[3] == "D02")
    assert d02[8].startswith("'=HYPERLINK")  # neutralised formula
    assert rows[1][3] == "M01" and "Désigner" in rows[1][4]


def test_markdown_escapes_cells(ministry):
    _org, _officer, (a, _b, _c) = ministry
    md = ce.export(ce.dataset_subject(a), "md", "en").decode()
    assert md.startswith("# ")
    table = [line for line in md.splitlines() if line.startswith("| D")]
    assert len(table) == 20
    d02 = next(line for line in table if line.startswith("| D02"))
    assert "\\<b\\>x\\</b\\>" in d02 and "\\|" in d02 and "<b>" not in d02
    assert all(line.count(" | ") == 6 for line in table)  # 7 columns, pipes escaped


# --------------------------------------------------------------------------- CLI

def test_cli_checklist_export(app, ministry, tmp_path):
    org, _officer, (a, _b, _c) = ministry
    runner = app.test_cli_runner()
    out = tmp_path / "org.md"
    result = runner.invoke(args=["checklist", "export", "--org", org.code, "--format", "md",
                                 "--lang", "fr", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Désigner" in out.read_text()
    out = tmp_path / "entry.pdf"
    result = runner.invoke(args=["checklist", "export", "--dataset", a.uuid, "--format", "pdf",
                                 "--lang", "ar", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    for args in ([], ["--org", org.code, "--dataset", a.uuid], ["--org", "NOPE"]):
        result = runner.invoke(args=["checklist", "export", *args, "--format", "md",
                                     "--lang", "fr", "-o", str(tmp_path / "x.md")])
        assert result.exit_code == 2


# --------------------------------------------------------------------------- web

def test_ministry_page_and_downloads(client, login, make, ministry):
    org, officer, (a, _b, _c) = ministry
    outsider = make.user("officer", [make.org()])
    login(officer)
    page = client.get(f"/organizations/{org.code}/checklist")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert cl.items()["M02"].text("en") in html
    assert f"/organizations/{org.code}/checklist/M02" in html  # officer may tick
    assert a.reference in html
    filtered = client.get(f"/organizations/{org.code}/checklist?item=D02&state=todo")
    assert a.reference not in filtered.get_data(as_text=True)  # D02 ticked on `a`
    for fmt, magic in (("pdf", b"%PDF"), ("xlsx", b"PK"), ("csv", b"\xef\xbb\xbf"),
                       ("md", b"# ")):
        r = client.get(f"/organizations/{org.code}/checklist/export?format={fmt}&language=ar")
        assert r.status_code == 200 and r.data.startswith(magic)
        assert f'checklist-{org.code}-ar-' in r.headers["Content-Disposition"]
    assert client.get(f"/organizations/{org.code}/checklist/export?format=doc").status_code == 404
    r = client.get(f"/datasets/{a.uuid}/checklist/export?format=md&language=fr")
    assert r.status_code == 200 and "Identifier le jeu" in r.get_data(as_text=True)
    client.post("/logout")
    login(outsider)
    assert client.get(f"/organizations/{org.code}/checklist").status_code == 403
    assert client.get(f"/organizations/{org.code}/checklist/export").status_code == 403
    assert client.get(f"/datasets/{a.uuid}/checklist/export").status_code == 403
    assert client.get("/organizations/NOPE/checklist").status_code == 404


def test_entry_page_shows_the_checklist_panel(client, login, make, ministry):
    org, officer, (a, _b, _c) = ministry
    reviewer = make.user("reviewer", [org])
    login(officer)
    html = client.get(f"/datasets/{a.uuid}").get_data(as_text=True)
    assert 'id="checklist"' in html
    assert str(escape(cl.items()["D13"].text("en"))) in html
    assert f"/datasets/{a.uuid}/checklist/D08" in html  # hand item: a form
    assert f"/datasets/{a.uuid}/checklist/D01\"" not in html  # derived item: no form
    assert f"/datasets/{a.uuid}/checklist/export" in html
    client.post("/logout")
    login(reviewer)
    html = client.get(f"/datasets/{a.uuid}").get_data(as_text=True)
    assert 'id="checklist"' in html and f"/datasets/{a.uuid}/checklist/D08" not in html


def test_ticking_from_the_ui(client, login, make, ministry):
    org, officer, (a, _b, _c) = ministry
    login(officer)
    r = client.post(f"/datasets/{a.uuid}/checklist/D08", data={
        "done": "1", "note": "Extraction au niveau établissement",
        "evidence_url": "https://mes.tn/extraction"})
    assert r.status_code == 302 and r.headers["Location"].endswith("#item-D08")
    tick = db.session.scalar(db.select(ChecklistTick).where(ChecklistTick.item_id == "D08"))
    assert tick.by_id == officer.id and tick.evidence_url == "https://mes.tn/extraction"
    # Missing evidence: the form comes back with a field-anchored error, nothing recorded.
    r = client.post(f"/organizations/{org.code}/checklist/M05", data={"done": "1"})
    assert r.status_code == 422
    assert 'href="#field-note"' in r.get_data(as_text=True)
    assert db.session.scalar(db.select(ChecklistTick).where(ChecklistTick.item_id == "M05")) \
        is None
    r = client.post(f"/datasets/{a.uuid}/checklist/D01", data={"done": "1", "note": "x"})
    assert r.status_code == 422  # derived from the entry
    assert client.post(f"/datasets/{a.uuid}/checklist/D99", data={"note": "x"}).status_code \
        == 404
    r = client.post(f"/organizations/{org.code}/checklist/M05", data={
        "done": "1", "note": "Plan adopté le 2 février"})
    assert r.status_code == 302
    r = client.post(f"/organizations/{org.code}/checklist/M05", data={"done": "0"})
    assert r.status_code == 302
    assert cl.ministry_statuses(org)[4].state == cl.TODO


def test_reviewers_cannot_tick_and_csrf_is_checked(app, client, login, make, ministry):
    org, officer, (a, _b, _c) = ministry
    reviewer = make.user("reviewer", [org])
    login(reviewer)
    r = client.post(f"/organizations/{org.code}/checklist/M05", data={"note": "x"})
    assert r.status_code == 403
    assert client.post(f"/datasets/{a.uuid}/checklist/D08", data={"note": "x"}).status_code \
        == 403
    client.post("/logout")
    login(officer)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        r = client.post(f"/organizations/{org.code}/checklist/M05", data={"note": "x"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    # Refused before the view runs (the form is kept and shown again for a new try).
    assert r.status_code == 302 and "/checklist/M05" in r.headers["Location"]
    assert db.session.scalar(db.select(ChecklistTick).where(ChecklistTick.item_id == "M05")) \
        is None


def test_checklist_index(client, login, make, ministry):
    org, officer, _entries = ministry
    admin = make.user("admin")
    make.org("MS")
    login(officer)
    r = client.get("/checklist")
    assert r.status_code == 302 and r.headers["Location"].endswith(
        f"/organizations/{org.code}/checklist")
    client.post("/logout")
    login(admin)
    html = client.get("/checklist").get_data(as_text=True)
    assert f"/organizations/{org.code}/checklist" in html and "1 / 10" in html
    assert org.code not in client.get("/checklist?q=zzz").get_data(as_text=True)
