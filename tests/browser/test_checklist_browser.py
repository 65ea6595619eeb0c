"""In Chromium, in Arabic: the ministry checklist page, its PDF and XLSX downloads, a hand tick
on the entry page, and a register upload checked then imported."""
import io
import subprocess

import openpyxl

from inventory.extensions import db
from inventory.models import ChecklistTick, Dataset
from tests.browser.conftest import sign_in
from tests.conftest import ARTIFACTS, PASSWORD, restricted_fields

ORG_AR = "وزارة التعليم العالي والبحث العلمي"


def _ministry(make):
    org = make.org("MESRS", name_ar=ORG_AR, name_fr="Ministère de l'Enseignement supérieur")
    officer = make.user("officer", [org], email="checklist@example.org")
    entry = make.dataset(org, officer, title_ar="عدد الطلبة المرسمين")
    make.dataset(org, officer, **restricted_fields(title_ar="سجل الأطباء"))
    return org, officer, entry


def test_download_the_arabic_pdf_and_the_xlsx(page, make, screenshot):
    org, officer, _entry = _ministry(make)
    page.goto("/login?lang=ar")
    sign_in(page, officer.email, PASSWORD)
    page.goto(f"/organizations/{org.code}/checklist")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", level=1).inner_text().startswith(ORG_AR)
    screenshot(page, "ministry-checklist-ar")
    folder = ARTIFACTS / "checklist-browser"
    folder.mkdir(parents=True, exist_ok=True)

    page.select_option("#export-title-format", "pdf")
    page.select_option("#export-title-language", "ar")
    with page.expect_download() as info:
        page.locator("form.export-form button").first.click()
    pdf_path = folder / info.value.suggested_filename
    info.value.save_as(pdf_path)
    assert pdf_path.name.startswith("checklist-MESRS-ar-") and pdf_path.suffix == ".pdf"
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True,
                          check=True).stdout.decode()
    assert "التعليم" in text and "الطلبة" in text

    page.select_option("#export-title-format", "xlsx")
    with page.expect_download() as info:
        page.locator("form.export-form button").first.click()
    xlsx_path = folder / info.value.suggested_filename
    info.value.save_as(xlsx_path)
    wb = openpyxl.load_workbook(xlsx_path)
    assert wb.worksheets[1].sheet_view.rightToLeft
    assert wb.worksheets[1]["A2"].value == "M01"


def test_tick_an_item_on_the_entry_page(page, make, screenshot):
    org, officer, entry = _ministry(make)
    page.goto("/login?lang=ar")
    sign_in(page, officer.email, PASSWORD)
    page.goto(f"/datasets/{entry.uuid}#checklist")
    item = page.locator("#item-D08")
    assert item.locator(".state--todo").count() == 1
    item.locator("summary").click()
    item.locator("textarea[name=note]").fill("استخراج على مستوى المؤسسة")
    item.locator("input[name=evidence_url]").fill("https://mes.tn/extraction")
    item.locator("button[type=submit]").first.click()
    page.wait_for_url(lambda url: "#item-D08" in url)
    assert page.locator("#item-D08 .state--done").count() == 1
    screenshot(page, "entry-checklist-ar")
    db.session.expire_all()
    tick = db.session.scalar(db.select(ChecklistTick).where(ChecklistTick.item_id == "D08"))
    assert tick.by_id == officer.id and tick.note == "استخراج على مستوى المؤسسة"


def test_register_upload_checked_then_imported(page, make, screenshot, tmp_path):
    org, officer, _entry = _ministry(make)
    page.goto("/login?lang=ar")
    sign_in(page, officer.email, PASSWORD)
    page.goto(f"/organizations/{org.code}/register")
    with page.expect_download() as info:
        page.locator("form.export-form button").first.click()
    wb = openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    assert wb.worksheets[0].max_row == 3
    upload = tmp_path / "fiches.csv"
    upload.write_text("Title in French,Update frequency\nNouvelle fiche,annuelle\n"
                      "Fiche fausse,WEEKLYX\n", encoding="utf-8")
    page.set_input_files("input[type=file]", str(upload))
    page.locator("button.button--primary").last.click()
    page.wait_for_selector("#report > p:last-child a")  # the end of the streamed report
    assert page.locator(".import-problems tbody tr").count() == 1
    screenshot(page, "register-dry-run-ar")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("#report form button").click()
    page.wait_for_selector("#report > p:last-child a")  # the end of the streamed report
    db.session.expire_all()
    titles = db.session.scalars(db.select(Dataset.title_fr).where(
        Dataset.organization_id == org.id)).all()
    assert "Nouvelle fiche" in titles and "Fiche fausse" not in titles
    screenshot(page, "register-imported-ar")
