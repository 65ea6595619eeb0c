"""The spreadsheet register: export (XLSX/CSV), template, import with dry run, round trip,
workflow rules on re-import, bad files and bad cells, CLI and the upload page."""
import csv
import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from inventory import registry as reg
from inventory import registry_export as rx
from inventory import registry_import as ri
from inventory.extensions import db
from inventory.fields import FIELDS, FIELDS_BY_NAME
from inventory.models import Campaign, Dataset, Organization
from tests.conftest import complete_fields, restricted_fields

DIST_KEYS = ("title", "description", "access_url", "download_url", "format", "media_type",
             "byte_size", "license_code", "availability")
FIELD_NAMES = [f.name for f in FIELDS if f.name not in ("themes", "distributions")]


def snapshot(dataset):
    """Everything the register carries for an entry (not its identity or timestamps)."""
    db.session.refresh(dataset)
    data = {name: getattr(dataset, name) for name in FIELD_NAMES}
    data["themes"] = sorted(dataset.themes)
    data["distributions"] = [{k: getattr(d, k) for k in DIST_KEYS}
                             for d in dataset.distributions]
    return data


def entries_of(org):
    return list(db.session.scalars(sa.select(Dataset).where(Dataset.organization_id == org.id)
                                   .order_by(Dataset.reference)))


def run(data, org, dry_run=False, user=None, name="file"):
    report = ri.import_file(data, name, org, user, dry_run=dry_run)
    if report.written:
        db.session.commit()
    else:
        db.session.rollback()
    return report


def xlsx(rows):
    """An XLSX file whose first sheet holds `rows` (lists of cell values)."""
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8", delimiter=","):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def org(make):
    return make.org("MESRS", name_ar="وزارة التعليم العالي", name_fr="Ministère de l'ES")


@pytest.fixture
def full(make, org):
    """Entries using every field, with values that are hard to carry through a spreadsheet."""
    campaign = Campaign(name_fr="Campagne 2026", name_ar="حملة 2026", name_en="2026 campaign")
    db.session.add(campaign)
    db.session.commit()
    officer = make.user("officer", [org])
    a = make.dataset(org, officer, **complete_fields(
        title_fr="=1+1 danger", title_en="+216 71 000 000",
        description_ar="سطر أول\nسطر ثان", description_en="- a list\n- of things",
        keywords_ar=["طلبة", "تعليم عالي"], keywords_fr=["effectifs, inscrits"],
        keywords_en=["@handle", "students"],
        owner_unit="Direction des statistiques", steward="Leila", source_system="Salima",
        storage_location="Serveur", volume="12 Go", update_mechanism="Extraction",
        personal_data="aggregated", personal_data_categories="",
        other_constraints="Secret statistique", legal_basis="Décret 2021-3",
        landing_page="https://mes.tn/donnees", documentation_url="https://mes.tn/doc",
        hvd_category="STATISTICS", spatial=["TN-11", "TN-12", "TN-51"],
        languages=["ar", "fr", "en"], themes=["EDUC", "TECH"], frequency="QUARTERLY",
        ati_requests=12, legal_obligation=True, planned_release_date=date(2026, 6, 30),
        next_update_due=date(2026, 9, 30), campaign_id=campaign.id,
        distributions=[
            {"title": "CSV", "description": "Fichier principal", "format": "CSV",
             "access_url": "https://mes.tn/a", "download_url": "https://mes.tn/a.csv",
             "byte_size": 123456789, "license_code": "CC-BY-4.0", "availability": "STABLE"},
            {"title": "API", "format": "REST", "access_url": "https://mes.tn/api"},
            {"title": "Carte", "format": "GEOJSON", "access_url": "https://mes.tn/g"}]))
    b = make.dataset(org, officer, **restricted_fields(
        title_ar="سجل الأطباء", personal_data_categories="noms; adresses",
        restriction_grounds=["PERSONAL_DATA", "PRIVACY"]))
    c = make.dataset(org, officer, complete=False, title_fr="Brouillon presque vide")
    d = make.dataset(org, officer, status="submitted")
    return org, officer, [a, b, c, d]


# --------------------------------------------------------------------------- export

def test_register_xlsx_structure(full):
    org, _officer, entries = full
    make_archived = entries[0]
    wb = openpyxl.load_workbook(io.BytesIO(rx.export_register(org, "xlsx", "ar")))
    register, instructions, lists = wb.worksheets
    assert register.sheet_view.rightToLeft and register.freeze_panes == "B2"
    header = [c.value for c in register[1]]
    columns = reg.register_columns(3)
    assert len(header) == len(columns)
    with force_locale("ar"):
        assert header == [str(c.label) for c in columns]  # one language: the chosen one
    assert register.max_row == 1 + len(entries)
    refs = [r[0].value for r in register.iter_rows(min_row=2)]
    assert refs == sorted(e.reference for e in entries)
    row = {columns[i].key: c.value for i, c in enumerate(register[2])}
    assert row["owner_unit"] == "Direction des statistiques"  # internal fields too
    assert row["title_fr"] == "'=1+1 danger"  # neutralised
    assert row["title_en"] == "'+216 71 000 000"
    assert row["temporal_start"] == datetime(2020, 1, 1)  # a real date cell
    assert row["distributions-2-format"] == "GeoJSON"
    assert row["uuid"] == make_archived.uuid
    # Every controlled column has a drop-down pointing at the Lists sheet.
    controlled = {i for i, c in enumerate(columns) if c.terms and not c.readonly}
    validated = set()
    for dv in register.data_validations.dataValidation:
        assert dv.type == "list" and "!$" in dv.formula1
        for cell_range in dv.sqref.ranges:
            validated.add(cell_range.min_col - 1)
    assert validated == controlled
    assert lists.max_row > 20 and instructions.max_row > 30
    widths = [register.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
              for i in range(len(columns))]
    assert all(6 <= w <= 62 for w in widths)


def test_register_csv_structure(full):
    org, _officer, entries = full
    data = rx.export_register(org, "csv", "fr")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    with force_locale("fr"):
        assert rows[0] == [str(c.label) for c in reg.register_columns(3)]
    assert len(rows) == 1 + len(entries) and len({len(r) for r in rows}) == 1
    assert "'=1+1 danger" in rows[1]
    assert "Secret statistique" in rows[1]


def test_register_streams_in_chunks_in_reference_order(full, monkeypatch, tmp_path):
    """Entries are read a chunk at a time and let go after use; the file comes out the same,
    every entry once, by reference, and the entries the caller holds stay usable."""
    org, officer, entries = full
    whole = rx.export_register(org, "csv", "fr")
    monkeypatch.setattr(rx, "CHUNK", 2)
    path = tmp_path / "register.csv"
    with open(path, "wb") as fh:
        rx.write_register(fh, org, "csv", "fr")
    assert path.read_bytes() == whole
    rows = list(csv.reader(io.StringIO(whole.decode("utf-8-sig"))))[1:]
    assert [r[0] for r in rows] == sorted(d.reference for d in entries)
    assert all(d in db.session for d in entries)
    xlsx = openpyxl.load_workbook(io.BytesIO(rx.export_register(org, "xlsx", "fr")))
    assert [row[0].value for row in xlsx.worksheets[0].iter_rows(min_row=2)] == [
        r[0] for r in rows]


def test_template(app_ctx):
    wb = openpyxl.load_workbook(io.BytesIO(rx.template_workbook("fr")))
    register = wb.worksheets[0]
    header = [c.value for c in register[1]]
    columns = reg.register_columns(reg.TEMPLATE_DISTRIBUTIONS, readonly=False)
    assert len(header) == len(columns)
    # The three languages in each header cell (a label still untranslated appears once).
    for h, c in zip(header, columns, strict=True):
        labels = []
        for lang in ("ar", "fr", "en"):
            with force_locale(lang):
                labels.append(str(c.label))
        assert h.split("\n") == list(dict.fromkeys(labels))
    assert all(ri.match_header(h) is c for h, c in zip(header, columns, strict=True))
    assert register.max_row == 1
    controlled = sum(1 for c in columns if c.terms)
    assert len(register.data_validations.dataValidation) == controlled
    assert [ws.title for ws in wb.worksheets][1:] == ["Instructions", "Listes"]  # in French
    assert run(rx.template_workbook("ar"), None, dry_run=True).ok  # an empty template reads


def test_template_rows_import_as_drafts(make, org):
    wb = openpyxl.load_workbook(io.BytesIO(rx.template_workbook("ar")))
    ws = wb.worksheets[0]
    columns = reg.register_columns(reg.TEMPLATE_DISTRIBUTIONS, readonly=False)
    pos = {c.key: i + 1 for i, c in enumerate(columns)}
    values = {"title_ar": "قائمة المخابر", "title_fr": "Liste des laboratoires",
              "frequency": "annuelle", "themes": "Éducation, culture et sport; TECH",
              "spatial": "TN-11; صفاقس", "languages": "ar;fr", "demand": "٣",
              "temporal_start": "01/01/2020", "temporal_end": date(2024, 12, 31),
              "distributions-0-format": "CSV", "distributions-0-access_url": "https://x.tn/l",
              "legal_obligation": "نعم", "classification": "Open",
              "restriction_review_date": "٢٠٢٧-٠٦-٣٠"}
    for key, value in values.items():
        ws.cell(row=2, column=pos[key], value=value)
    out = io.BytesIO()
    wb.save(out)
    report = run(out.getvalue(), org)
    assert report.ok and report.created == 1, [(p.column, p.value, str(p.message))
                                               for p in report.problems]
    ds = entries_of(org)[0]
    assert (ds.status, ds.reference) == ("draft", "MESRS-0001")
    assert ds.frequency == "ANNUAL" and sorted(ds.themes) == ["EDUC", "TECH"]
    assert ds.spatial == ["TN-11", "TN-61"] and ds.demand == 3
    assert ds.temporal_start == date(2020, 1, 1) and ds.temporal_end == date(2024, 12, 31)
    assert ds.restriction_review_date == date(2027, 6, 30) and ds.legal_obligation is True
    assert ds.license_code == "TN-OPEN"  # the default licence of a new open entry
    assert ds.distributions[0].media_type == "text/csv"
    assert ds.priority_score is not None and "مخابر" in ds.search_text


# --------------------------------------------------------------------------- round trip

@pytest.mark.parametrize("fmt, lang", [("xlsx", "ar"), ("xlsx", "fr"), ("csv", "en"),
                                       ("csv", "ar")])
def test_round_trip_restores_every_field(full, fmt, lang):
    org, officer, entries = full
    before = {e.uuid: snapshot(e) for e in entries}
    data = rx.export_register(org, fmt, lang)
    assert run(data, org, dry_run=True).unchanged == len(entries)
    # Change the editable entries everywhere, then import the register again.
    for e in entries[:3]:
        e.title_fr, e.keywords_ar, e.spatial, e.demand = "changé", [], ["TN-83"], 0
        e.distributions = e.distributions[:1]
        e.frequency = "NEVER"
    db.session.commit()
    report = run(data, org, user=officer)
    assert report.ok, [(p.row, p.column, str(p.message)) for p in report.problems]
    assert (report.updated, report.unchanged, report.created) == (3, 1, 0)
    assert {e.uuid: snapshot(e) for e in entries_of(org)} == before


def test_round_trip_into_a_new_organization(full, make):
    org, officer, entries = full
    target = make.org("MS")
    data = rx.export_register(org, "xlsx", "fr")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    for row in ws.iter_rows(min_row=2):  # a register filled by hand: no references yet
        row[0].value = None
    header = [c.value for c in ws[1]]
    with force_locale("fr"):  # the register's headers are in French
        uuid_header = str(reg.READONLY_COLUMNS[1].label)
    ws.delete_cols(header.index(uuid_header) + 1)  # no UUID either
    out = io.BytesIO()
    wb.save(out)
    report = run(out.getvalue(), target, user=officer)
    assert report.ok and report.created == len(entries)
    created = entries_of(target)
    assert [e.status for e in created] == ["draft"] * len(entries)
    assert [snapshot(e) for e in created] == [snapshot(e) for e in entries_of(org)]


def test_reimport_creates_no_duplicates(org):
    data = xlsx([["Title in French", "Reference"], ["Nouveau", None]])
    assert run(data, org).created == 1
    exported = rx.export_register(org, "xlsx", "fr")
    for _ in range(2):
        report = run(exported, org)
        assert report.ok and report.unchanged == 1 and report.created == 0
    assert len(entries_of(org)) == 1


def test_only_editable_entries_are_updated(full):
    org, _officer, entries = full
    submitted = entries[3]
    returned = entries[2]
    returned.status = "changes_requested"
    db.session.commit()
    data = rx.export_register(org, "csv", "fr").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    title = [c.key for c in reg.register_columns(3)].index("title_fr")
    for row in rows[1:]:
        row[title] = row[title] + " (révisé)"
    report = run(b"\xef\xbb\xbf" + csv_bytes(rows), org)
    assert report.not_editable == 1 and report.updated == 3
    locked = [p for p in report.problems if p.kind == "not_editable"]
    assert [p.value for p in locked] == [submitted.reference]
    assert locked[0].row == 1 + sorted(e.reference for e in entries).index(
        submitted.reference) + 1
    db.session.refresh(submitted)
    db.session.refresh(returned)
    assert not submitted.title_fr.endswith("(révisé)")
    assert returned.title_fr.endswith("(révisé)") and returned.status == "changes_requested"


# --------------------------------------------------------------------------- bad files

def _count():
    return db.session.scalar(sa.select(sa.func.count(Dataset.id)))


def _encrypted():
    from msoffcrypto.format.ooxml import OOXMLFile
    plain = io.BytesIO(xlsx([["Title in French"], ["x"]]))
    out = io.BytesIO()
    OOXMLFile(plain).encrypt("secret", out)
    return out.getvalue()


def _ods():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x/>")
    return out.getvalue()


def _zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    return out.getvalue()


BAD_FILES = {
    "empty": (b"", "empty"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "not a spreadsheet"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    "truncated xlsx": (None, "damaged"),
    "password": (None, "password"),
    "old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096), ".xls"),
    "ods": (None, ".ods"),
    "zip": (None, "ZIP archive"),
    "utf-16 csv": ("Title in French\nx\n".encode("utf-16"), "UTF-16"),
    "no header": (b"a,b,c\n1,2,3\n", "No column was recognised"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_files_are_rejected_whole(org, name):
    data, expected = BAD_FILES[name]
    if name == "truncated xlsx":
        data = xlsx([["Title in French"], ["x"]])[:-300]
    elif name == "password":
        data = _encrypted()
    elif name == "ods":
        data = _ods()
    elif name == "zip":
        data = _zip()
    report = run(data, org)
    assert report.file_error is not None and not report.written
    assert expected in str(report.file_error)
    assert _count() == 0


def test_size_and_row_limits(app, org):
    data = csv_bytes([["Title in French"]] + [[f"t{i}"] for i in range(30)])
    app.config["REGISTER_IMPORT_MAX_BYTES"] = 100
    try:
        report = run(data, org)
    finally:
        app.config["REGISTER_IMPORT_MAX_BYTES"] = 10 * 1024 * 1024
    assert "larger than the limit" in str(report.file_error) and "MB" in str(report.file_error)
    app.config["REGISTER_IMPORT_MAX_ROWS"] = 10
    try:
        report = run(data, org)
    finally:
        app.config["REGISTER_IMPORT_MAX_ROWS"] = 20000
    assert "more than 10 rows" in str(report.file_error)
    assert _count() == 0


def test_duplicate_columns_are_rejected(org):
    report = run(csv_bytes([["Title in French", "title_fr"], ["a", "b"]]), org)
    assert "Two columns" in str(report.file_error)


def problems_of(report):
    """{(row, column letter): all messages of that cell}."""
    found = {}
    for p in report.problems:
        key = (p.row, p.column.split(" · ")[0])
        found[key] = (found.get(key, "") + " " + str(p.message)).strip()
    return found


def test_cell_problems_are_reported_by_row_and_column(make, org):
    other = make.org("MS")
    foreign = make.dataset(other)
    rows = [
        ["Reference", "Title in French", "Update frequency", "Start of the period covered",
         "Demand from users", "Contact point e-mail", "Themes", "Description in French"],
        [None, "Bon", "annuelle", "2024-03-31", "2", "a@b.tn", "EDUC", "ok"],  # row 2: fine
        [None, None, None, None, None, None, None, None],  # row 3: empty, skipped
        [None, "Mauvais", "WEEKLYX", "31/02/2024", "7", "pas-un-email", "EDUC; NOPE",
         "<script>alert(1)</script>"],  # row 4
        [None, "=SUM(A1:A3)", None, None, None, None, None, None],  # row 5: formula
        ["MESRS-0099", "Inconnue", None, None, None, None, None, None],  # row 6
        [foreign.reference, "Étrangère", None, None, None, None, None, None],  # row 7
        [None, None, "annuelle", None, None, None, None, None],  # row 8: no title
    ]
    for data in (xlsx(rows), csv_bytes(rows)):
        report = run(data, org, dry_run=True)
        found = problems_of(report)
        assert report.rows == 6 and report.empty_rows == 1
        assert set(found) == {(4, "C"), (4, "D"), (4, "E"), (4, "F"), (4, "G"), (4, "H"),
                              (5, "B"), (6, "A"), (7, "A"), (8, "B")}, found
        assert "WEEKLYX" in found[(4, "C")] and "HTML" in found[(4, "H")]
        assert "Formulas" in found[(5, "B")]
        assert "another organization" in found[(7, "A")]
        assert (report.created, report.invalid) == (1, 5)
        value = next(p.value for p in report.problems if p.column.startswith("H"))
        assert value == "<script>alert(1)</script>"
    report = run(xlsx(rows), org)
    assert report.written and report.created == 1 and _count() == 2  # + the foreign entry


def test_xlsx_specifics_formulas_merges_dates(org):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Title in French", "Start of the period covered", "End of the period covered",
               "Volume"])
    ws.append(["A", datetime(2020, 1, 1), 45291, "1"])  # a date cell and an Excel serial
    ws.append(["B", "2020-01-01", "٣١/١٢/٢٠٢٣", "2"])  # ISO, Arabic-Indic DD/MM/YYYY
    ws.append(["C", None, None, None])
    ws["D4"] = "=1+1"  # a real formula cell
    ws.append(["D", None, None, "x"])
    ws.append([None, None, None, "y"])
    ws.merge_cells("A5:A6")
    out = io.BytesIO()
    wb.save(out)
    report = run(out.getvalue(), org)
    found = problems_of(report)
    assert set(found) == {(4, "D"), (5, "A"), (6, "A")}, found
    assert "Merged" in found[(5, "A")]
    assert report.created == 2
    a, b = entries_of(org)
    assert (a.temporal_start, a.temporal_end) == (date(2020, 1, 1), date(2023, 12, 31))
    assert (b.temporal_start, b.temporal_end) == (date(2020, 1, 1), date(2023, 12, 31))


@pytest.mark.parametrize("encoding, bom, delimiter", [
    ("utf-8", False, ","), ("utf-8", True, ";"), ("cp1256", False, ";"),
    ("cp1256", False, "\t")])
def test_csv_encodings_and_arabic_headers(org, encoding, bom, delimiter):
    with force_locale("ar"):  # Arabic headers (as translated when the catalogs are)
        header = [str(FIELDS_BY_NAME[k].label) for k in ("title_ar", "title_fr", "frequency")]
    rows = [header, ["قائمة المستشفيات", "Liste des hôpitaux é", "سنوي"]]
    data = csv_bytes(rows, encoding, delimiter)
    if bom:
        data = b"\xef\xbb\xbf" + data
    report = run(data, org)
    assert report.ok and report.created == 1, problems_of(report)
    ds = entries_of(org)[0]
    assert (ds.title_ar, ds.title_fr, ds.frequency) == ("قائمة المستشفيات",
                                                       "Liste des hôpitaux é", "ANNUAL")
    assert report.encoding.startswith("Windows-1256" if encoding == "cp1256" else "UTF-8")


def test_a_failed_write_leaves_nothing(org, monkeypatch):
    data = xlsx([["Title in French"], ["a"], ["b"]])
    seq = org.entry_seq

    def boom(*args, **kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("disk full"))
    monkeypatch.setattr(ri, "audit_values", boom)
    report = run(data, org)
    assert not report.written and "nothing was imported" in str(report.file_error)
    assert _count() == 0
    assert db.session.get(Organization, org.id).entry_seq == seq


# --------------------------------------------------------------------------- CLI and web

def test_cli_import_and_export(app, full, tmp_path):
    org, officer, entries = full
    runner = app.test_cli_runner()
    out = tmp_path / "register.xlsx"
    r = runner.invoke(args=["export", "register", "--org", org.code, "--format", "xlsx",
                            "--lang", "ar", "-o", str(out)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["import", str(out), "--org", org.code, "--dry-run"])
    assert r.exit_code == 0 and "4 unchanged" in r.output, r.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["Title in French", "Update frequency"], ["x", "NOPE"],
                               ["y", "annuelle"]]))
    r = runner.invoke(args=["import", str(bad), "--org", org.code, "--dry-run"])
    assert r.exit_code == 1 and "Row 2, column B · Update frequency" in r.output
    assert len(entries_of(org)) == 4
    r = runner.invoke(args=["import", str(bad), "--org", org.code, "--user", officer.email])
    assert r.exit_code == 1 and "1 created" in r.output
    assert len(entries_of(org)) == 5
    assert entries_of(org)[-1].created_by_id == officer.id
    r = runner.invoke(args=["import", str(bad), "--org", "NOPE"])
    assert r.exit_code == 2


def test_register_page_upload_and_confirm(client, login, make, full):
    org, officer, entries = full
    reviewer = make.user("reviewer", [org])
    login(officer)
    page = client.get(f"/organizations/{org.code}/register")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(
        as_text=True)
    r = client.get(f"/organizations/{org.code}/register/export?format=csv&language=fr")
    assert r.status_code == 200 and r.data.startswith(b"\xef\xbb\xbf")
    assert "register-MESRS-fr-" in r.headers["Content-Disposition"]
    r = client.get("/register/template?language=ar")
    assert r.status_code == 200 and r.data.startswith(b"PK")
    data = csv_bytes([["Title in French", "Description in French"],
                      ["Nouvelle fiche", "<img src=x onerror=alert(1)>"], ["Autre", "ok"]])
    r = client.post(f"/organizations/{org.code}/register/import",
                    data={"file": (io.BytesIO(data), "fiches.csv"), "dry_run": "y"},
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html
    assert len(entries_of(org)) == 4  # a dry run writes nothing
    token = html.split('name="token" type="hidden" value="')[1].split('"')[0]
    r = client.post(f"/organizations/{org.code}/register/import", data={"token": token})
    html = r.get_data(as_text=True)  # the report is streamed: reading it runs the import
    assert r.status_code == 200 and len(entries_of(org)) == 5
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the invalid row, reported again
    r = client.post(f"/organizations/{org.code}/register/import", data={"token": token})
    assert r.status_code == 410  # used once
    r = client.post(f"/organizations/{org.code}/register/import", data={},
                    content_type="multipart/form-data")
    assert r.status_code == 422
    client.post("/logout")
    login(reviewer)
    assert client.get(f"/organizations/{org.code}/register").status_code == 200
    r = client.post(f"/organizations/{org.code}/register/import",
                    data={"file": (io.BytesIO(data), "x.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 403


def test_upload_page_reports_a_rejected_file(client, login, make, org):
    officer = make.user("officer", [org])
    login(officer)
    r = client.post(f"/organizations/{org.code}/register/import",
                    data={"file": (io.BytesIO(b"%PDF-1.4 nope"), "x.xlsx")},
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "PDF document" in html and 'role="alert"' in html
    assert _count() == 0


def test_large_upload_streams_progress_before_the_report(client, login, make, org):
    officer = make.user("officer", [org])
    login(officer)
    data = csv_bytes([["Title in French"]] + [[f"Fiche {i}"] for i in range(1200)])
    r = client.post(f"/organizations/{org.code}/register/import",
                    data={"file": (io.BytesIO(data), "big.csv"), "dry_run": "y"},
                    content_type="multipart/form-data", buffered=False)
    assert r.is_streamed and r.headers["X-Accel-Buffering"] == "no"
    chunks = [c.decode() if isinstance(c, bytes) else c for c in r.response]
    progress = [i for i, c in enumerate(chunks) if "1,000 rows read" in c or
                "1000 rows read" in c]
    report = [i for i, c in enumerate(chunks) if 'id="report-title"' in c]
    assert progress and report and progress[0] < report[0]
    assert "<progress" in "".join(chunks)


def test_controlled_labels_name_one_code_each(app_ctx):
    """Labels are written in the register's language and read back in any language: no label
    may name two codes of one list, or the round trip would depend on luck."""
    lookup = reg.Lookup()
    for column in reg.all_known_columns():
        if column.terms is None:
            continue
        _terms, index = lookup.index(column)
        ambiguous = {label: codes for label, codes in index.items() if len(codes) > 1}
        assert not ambiguous, (column.key, ambiguous)


@pytest.mark.parametrize("text, expected", [
    ("2024-03-31", date(2024, 3, 31)), ("31/03/2024", date(2024, 3, 31)),
    ("31-03-2024", date(2024, 3, 31)), ("2024/3/1", date(2024, 3, 1)),
    ("٣١/٠٣/٢٠٢٤", date(2024, 3, 31)), ("2024-03-31 00:00:00", date(2024, 3, 31)),
    (datetime(2024, 3, 31, 12), date(2024, 3, 31)), (45382, date(2024, 3, 31))])
def test_dates_in_every_accepted_form(text, expected):
    assert reg.parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2024", "03/31/2024", "mars 2024", "2024", "-5", 0])
def test_dates_refused(text):
    with pytest.raises(reg.CellError):
        reg.parse_date(text)


def test_neutralisation_round_trip():
    from inventory.sheets import neutralise, restore
    for value in ["=1+1", "+216", "-x", "@a", "'=x", "''=y", "'plain", "plain", "\tt", "", "ok="]:
        assert restore(neutralise(value)) == value
        assert not str(neutralise(value)).startswith(("=", "+", "-", "@", "\t"))
