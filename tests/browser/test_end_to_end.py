"""The whole inventory round trip in real Chromium, in Arabic and in French: an officer signs
in, fills the wizard, saves a draft, submits; a reviewer requests a change on one field; the
officer follows the comment's link to the field, fixes it and resubmits; the reviewer approves.
Every step is photographed under test-artifacts/screenshots/test_inventory_round_trip[..]/."""
import re

import pytest
from playwright.sync_api import expect

from inventory.extensions import db
from inventory.models import Dataset, ReviewEvent
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

TEXTS = {
    "ar": {"dir": "rtl", "comment": "أضيفوا السنة الجامعية إلى العنوان بالفرنسية.",
           "fixed": "Effectifs des étudiants inscrits, année 2024-2025"},
    "fr": {"dir": "ltr", "comment": "Précisez l'année universitaire dans le titre français.",
           "fixed": "Effectifs des étudiants inscrits, année 2024-2025"},
}


def _next(page, step):
    page.click("#wizard-form button[name=nav][value=next]")
    page.wait_for_url(re.compile(f"step={step}"))


def _fill_wizard(page, shot):
    """Every step of a new entry, as an officer would answer them."""
    page.fill("#title_ar", "عدد الطلبة المرسمين حسب الجامعة")
    page.fill("#description_ar", "توزيع الطلبة المرسمين حسب المؤسسة والجنس والشعبة.")
    page.fill("#keywords_ar", "طلبة، جامعات")
    page.fill("#title_fr", "Effectifs des étudiants")
    page.fill("#description_fr", "Répartition des étudiants inscrits par établissement.")
    page.fill("#owner_unit", "مديرية الدراسات والتخطيط")
    shot("02-identification")
    _next(page, "legal")
    page.check("input[name=personal_data][value=aggregated]")
    page.check("input[name=classification][value=open]")
    shot("03-legal")
    _next(page, "access")
    page.fill("#contact_name", "Cellule open data")
    page.fill("#contact_email", "opendata@mes.gov.tn")
    shot("04-access")
    _next(page, "coverage")
    page.check("input[name=themes][value=EDUC]")
    page.check("input[name=spatial][value=TN]")
    page.select_option("#frequency", "ANNUAL")
    page.check("input[name=languages][value=ar]")
    page.check("input[name=languages][value=fr]")
    shot("05-coverage")
    _next(page, "distributions")
    page.fill("#distributions-0-title", "CSV 2024")
    page.fill("#distributions-0-access_url", "https://data.mes.tn/etudiants")
    page.select_option("#distributions-0-format", "CSV")
    shot("06-distributions")
    # Save the draft and stay: the officer may stop here and come back later.
    page.click(".wizard__nav button[name=nav][value=save]")
    page.wait_for_load_state()
    expect(page.locator(".flashes .flash")).to_be_visible()
    _next(page, "priority")
    for name, value in (("demand", "2"), ("value", "3"), ("readiness", "2"), ("risk", "1")):
        page.check(f"input[name={name}][value='{value}']")
    shot("07-priority")
    _next(page, "summary")
    expect(page.locator(".panel--ok")).to_be_visible()  # nothing left to complete
    shot("08-summary")
    page.click("#wizard-form button[name=nav][value=submit]")
    page.wait_for_url(re.compile(r"/datasets/[0-9a-f-]{36}$"))
    expect(page.locator(".badge--submitted")).to_be_visible()
    shot("09-submitted")


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_inventory_round_trip(page, browser, live_server, make, screenshot, lang):
    texts = TEXTS[lang]
    org = make.org("MESRS", name_ar="وزارة التعليم العالي والبحث العلمي",
                   name_fr="Ministère de l'Enseignement supérieur")
    officer = make.user("officer", [org], email=f"e2e-officer-{lang}@example.org")
    reviewer = make.user("reviewer", [org], email=f"e2e-reviewer-{lang}@example.org")

    def shot(name, pg=page):
        screenshot(pg, f"{name}-{lang}")

    # The officer creates the entry and fills the wizard.
    page.goto(f"/login?lang={lang}")
    sign_in(page, officer.email, PASSWORD)
    assert page.locator("html").get_attribute("dir") == texts["dir"]
    page.goto("/datasets/new")
    shot("01-new")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/datasets/[0-9a-f-]{36}/edit$"))
    _fill_wizard(page, shot)
    entry = db.session.scalar(db.select(Dataset).where(Dataset.organization_id == org.id))

    # The reviewer, in another browser session, asks for a change on the French title.
    reviewer_context = browser.new_context(base_url=live_server.url,
                                           viewport={"width": 1280, "height": 900})
    try:
        rpage = reviewer_context.new_page()
        rpage.goto(f"/login?lang={lang}")
        sign_in(rpage, reviewer.email, PASSWORD)
        rpage.goto("/review")
        rpage.locator(f"a[href='/review/{entry.uuid}']").first.click()
        rpage.wait_for_url(f"**/review/{entry.uuid}")
        rpage.check("input[name=decision][value=request_changes]")
        rpage.locator("details.review-step:has(textarea[name=fc_title_fr]) > summary").click()
        rpage.fill("textarea[name=fc_title_fr]", texts["comment"])
        shot("10-review-request-changes", rpage)
        rpage.locator("#review-form button[type=submit]").click()
        rpage.wait_for_url("**/review")
        expect(rpage.locator(".flash--success")).to_be_visible()

        # The officer sees the comment, follows its link to the field, fixes and resubmits.
        page.goto(f"/datasets/{entry.uuid}")
        panel = page.locator("#changes-requested")
        expect(panel).to_contain_text(texts["comment"])
        shot("11-officer-sees-comment")
        panel.locator(f"a[href='/datasets/{entry.uuid}/edit?field=title_fr']").click()
        page.wait_for_url(re.compile(r"/edit"))
        expect(page.locator("#title_fr")).to_be_visible()
        page.fill("#title_fr", texts["fixed"])
        shot("12-officer-fixes")
        page.click("button[name=goto][value=summary]")
        page.wait_for_url(re.compile(r"step=summary"))
        page.click("#wizard-form button[name=nav][value=submit]")
        page.wait_for_url(re.compile(r"/datasets/[0-9a-f-]{36}$"))
        expect(page.locator(".badge--submitted")).to_be_visible()
        shot("13-resubmitted")

        # The reviewer approves; the history keeps the whole exchange.
        rpage.goto(f"/review/{entry.uuid}")
        expect(rpage.locator("#history-title + ol")).to_contain_text(texts["comment"])
        rpage.check("input[name=decision][value=approve]")
        rpage.locator("#review-form button[type=submit]").click()
        rpage.wait_for_url("**/review")
        rpage.goto(f"/datasets/{entry.uuid}")
        expect(rpage.locator(".badge--approved")).to_be_visible()
        shot("14-approved", rpage)
    finally:
        reviewer_context.close()

    db.session.expire_all()
    entry = db.session.get(Dataset, entry.id)
    assert entry.status == "approved" and entry.title_fr == texts["fixed"]
    trail = [(e.action, e.actor_id) for e in db.session.scalars(
        db.select(ReviewEvent).where(ReviewEvent.dataset_id == entry.id)
        .order_by(ReviewEvent.at, ReviewEvent.id))]
    assert trail == [("submit", officer.id), ("request_changes", reviewer.id),
                     ("submit", officer.id), ("approve", reviewer.id)]
