"""The guided inventory form in real headless Chromium: an officer fills every step in Arabic
(right to left), saves a draft, comes back, reaches the summary and submits. Screenshots of
each step in Arabic and French go to test-artifacts/screenshots/."""
import re

from playwright.sync_api import expect

from inventory.extensions import db
from inventory.models import Dataset
from tests.browser.conftest import axe_report, axe_violations, sign_in
from tests.conftest import PASSWORD


def _next(page):
    page.click("#wizard-form button[name=nav][value=next]")
    page.wait_for_load_state()


def test_officer_fills_the_wizard_in_arabic_and_submits(page, make, screenshot):
    org = make.org("MESRS", name_ar="وزارة التعليم العالي والبحث العلمي")
    officer = make.user("officer", [org], email="wizard@example.org")

    page.goto("/login?lang=ar")
    sign_in(page, officer.email, PASSWORD)
    page.goto("/datasets/new")
    screenshot(page, "00-new-ar")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/datasets/[0-9a-f-]{36}/edit$"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    expect(page.locator("button[name=goto][value=identification]")).to_have_attribute(
        "aria-current", "step")

    # Keyboard: from the stepper, Tab reaches the questions in reading order.
    page.focus("button[name=goto][value=summary]")
    order = []
    for _ in range(10):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id"))
    assert order == ["title_ar", "description_ar", "keywords_ar", "title_fr", "description_fr",
                     "keywords_fr", "title_en", "description_en", "keywords_en", "owner_unit"]
    page.keyboard.type("مديرية الدراسات والتخطيط")  # typing goes into the focused input

    # 1. Identification
    page.fill("#title_ar", "عدد الطلبة المرسمين حسب الجامعة")
    page.fill("#description_ar", "توزيع الطلبة المرسمين حسب المؤسسة والجنس والشعبة.")
    page.fill("#keywords_ar", "طلبة، جامعات، تعليم عالي")
    page.fill("#title_fr", "Effectifs des étudiants par université")
    page.fill("#description_fr", "Répartition des étudiants inscrits par établissement.")
    page.fill("#source_system", "منظومة التسجيل")
    screenshot(page, "01-identification-ar")
    _next(page)

    # 2. Legal: the restriction questions follow the choice (app.js), the server decides first.
    assert "step=legal" in page.url
    restriction = page.locator("#restriction")
    expect(restriction).to_be_hidden()
    page.check("input[name=personal_data][value=none]")
    page.check("input[name=classification][value=restricted]")
    expect(restriction).to_be_visible()
    expect(page.locator("#harm_note")).to_be_visible()
    screenshot(page, "02-legal-restricted-ar")
    page.check("input[name=classification][value=open]")
    expect(restriction).to_be_hidden()
    screenshot(page, "02-legal-ar")
    _next(page)

    # 3. Access and licence (licence preset to the national open licence)
    assert "step=access" in page.url
    expect(page.locator("#license_code")).to_have_value("TN-OPEN")
    expect(page.locator("input[name=access_rights][value=PUBLIC]")).to_be_checked()
    page.fill("#contact_name", "خلية البيانات المفتوحة")
    page.fill("#contact_email", "opendata@mes.gov.tn")
    page.fill("#landing_page", "https://www.mes.tn/statistiques")
    screenshot(page, "03-access-ar")
    page.press("#landing_page", "Enter")  # Enter saves the step and stays on it
    page.wait_for_load_state()
    assert "step=access" in page.url
    expect(page.locator("#contact_email")).to_have_value("opendata@mes.gov.tn")
    _next(page)

    # 4. Coverage
    assert "step=coverage" in page.url
    page.check("input[name=themes][value=EDUC]")
    page.check("input[name=spatial][value=TN]")
    page.fill("#temporal_start", "2015-09-15")
    page.select_option("#frequency", "ANNUAL")
    page.check("input[name=languages][value=ar]")
    page.check("input[name=languages][value=fr]")
    screenshot(page, "04-coverage-ar")
    _next(page)

    # 5. Distributions: the media type follows the format as it is chosen.
    assert "step=distributions" in page.url
    page.fill("#distributions-0-title", "الطلبة 2024 (CSV)")
    page.fill("#distributions-0-access_url", "https://data.mes.tn/etudiants")
    page.select_option("#distributions-0-format", "CSV")
    expect(page.locator("#distributions-0-format-media")).to_have_text("text/csv")
    page.select_option("#distributions-0-format", "JSON")
    expect(page.locator("#distributions-0-format-media")).to_have_text("application/json")
    page.select_option("#distributions-0-format", "CSV")
    # Add a row (saves the first), then remove it: a confirmation comes first.
    page.click("button[name=nav][value=add_distribution]")
    page.wait_for_load_state()
    expect(page.locator("#distributions-1-title")).to_have_value("")
    expect(page.locator("#distributions-0-title")).to_have_value("الطلبة 2024 (CSV)")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button[name=remove_distribution][value='1']")
    expect(page.locator("#distributions-1-title")).to_be_visible()  # dismissed: still there
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[name=remove_distribution][value='1']")
    page.wait_for_load_state()
    expect(page.locator("#distributions-1-title")).to_have_count(0)
    screenshot(page, "05-distributions-ar")
    page.click(".wizard__nav button[name=nav][value=save]")  # save the draft, stay
    page.wait_for_load_state()
    assert "step=distributions" in page.url
    expect(page.locator(".flashes .flash")).to_be_visible()

    # Leave, then come back: everything typed is there.
    page.goto("/datasets")
    page.get_by_text("عدد الطلبة المرسمين حسب الجامعة").click()
    page.click("main .page-head .actions a.button--primary")  # "Edit" on the entry's page
    page.wait_for_url(re.compile(r"/edit$"))
    expect(page.locator("#title_ar")).to_have_value("عدد الطلبة المرسمين حسب الجامعة")
    expect(page.locator("#owner_unit")).to_have_value("مديرية الدراسات والتخطيط")
    expect(page.locator("#keywords_ar")).to_have_value("طلبة، جامعات، تعليم عالي")
    page.click("button[name=goto][value=priority]")  # the stepper saves and moves
    page.wait_for_url(re.compile(r"step=priority"))

    # 6. Priority and planning
    page.check("input[name=demand][value='2']")
    page.fill("#ati_requests", "3")
    page.check("input[name=value][value='3']")
    page.check("input[name=readiness][value='2']")
    page.check("input[name=risk][value='1']")
    page.fill("#planned_release_date", "2026-03-31")
    screenshot(page, "06-priority-ar")
    _next(page)

    # 7. Summary and submission
    assert "step=summary" in page.url
    expect(page.locator(".panel--ok")).to_be_visible()  # nothing left to complete
    expect(page.locator("#s-dist")).to_be_visible()
    screenshot(page, "07-summary-ar")
    page.click("#wizard-form button[name=nav][value=submit]")
    page.wait_for_url(re.compile(r"/datasets/[0-9a-f-]{36}$"))
    expect(page.locator(".badge--submitted")).to_be_visible()
    screenshot(page, "08-submitted-ar")

    db.session.expire_all()
    entry = db.session.scalar(db.select(Dataset).where(Dataset.organization_id == org.id))
    assert entry.status == "submitted"
    assert entry.keywords_ar == ["طلبة", "جامعات", "تعليم عالي"]
    assert entry.owner_unit == "مديرية الدراسات والتخطيط"
    assert [(d.format, d.media_type) for d in entry.distributions] == [("CSV", "text/csv")]
    assert (entry.demand, entry.value, entry.readiness, entry.risk) == (2, 3, 2, 1)


def test_wizard_steps_in_french_left_to_right_and_accessible(page, make, screenshot):
    org = make.org("MESRS")
    officer = make.user("officer", [org], email="wizard.fr@example.org")
    entry = make.dataset(org, officer, complete=False, title_fr="Carte des écoles primaires")
    page.goto("/login?lang=fr")
    sign_in(page, officer.email, PASSWORD)
    for number, step in enumerate(("identification", "legal", "access", "coverage",
                                   "distributions", "priority", "summary"), 1):
        page.goto(f"/datasets/{entry.uuid}/edit?step={step}")
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.locator("html").get_attribute("dir") == "ltr"
        expect(page.locator(f"button[name=goto][value={step}]")).to_have_attribute(
            "aria-current", "step")
        violations = axe_violations(page)
        assert not violations, axe_report(violations, step)
        screenshot(page, f"{number:02d}-{step}-fr")


def test_bad_input_in_the_browser_is_kept_and_the_summary_takes_focus(page, make, screenshot):
    org = make.org("MESRS")
    officer = make.user("officer", [org], email="wizard.bad@example.org")
    entry = make.dataset(org, officer, complete=False)
    page.goto("/login?lang=ar")
    sign_in(page, officer.email, PASSWORD)
    page.goto(f"/datasets/{entry.uuid}/edit?step=access")
    page.fill("#contact_email", "ليس بريدا")
    page.fill("#landing_page", "www.example.tn")
    page.click("#wizard-form button[name=nav][value=next]")
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#contact_email")).to_have_value("ليس بريدا")
    expect(page.locator("#landing_page")).to_have_value("www.example.tn")
    expect(page.locator("#contact_email")).to_have_attribute("aria-invalid", "true")
    violations = axe_violations(page)
    assert not violations, axe_report(violations, "access step with errors")
    screenshot(page, "access-errors-ar")
    page.click("#error-summary a[href='#field-landing_page']")
    expect(page.locator("#landing_page")).to_be_focused()
