"""A reviewer works through the queue in real Chromium: requests changes with a comment on one
field, the officer sees it on the entry page (label + link to the wizard step), the entry is
fixed and resubmitted (by the factory: the wizard is tested elsewhere), the reviewer approves.
Screenshots of each step, in Arabic and in French, under test-artifacts/. (The axe audit of
these pages is in test_accessibility.py.)"""
import pytest

from inventory import workflow
from inventory.extensions import db
from inventory.models import Dataset
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

TEXTS = {
    "ar": {"dir": "rtl", "comment": "العنوان بالفرنسية غير دقيق: أضيفوا السنة الجامعية.",
           "label": "Title in French"},
    "fr": {"dir": "ltr", "comment": "Précisez l'année universitaire dans le titre français.",
           "label": "Title in French"},
}


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_request_changes_then_approve(page, browser, live_server, make, screenshot, lang):
    org = make.org("MESRS", name_ar="وزارة التعليم العالي والبحث العلمي",
                   name_fr="Ministère de l'Enseignement supérieur")
    officer = make.user("officer", [org], email=f"officer-{lang}@example.org")
    reviewer = make.user("reviewer", [org], email=f"reviewer-{lang}@example.org")
    entry = make.dataset(org, officer, status="submitted",
                         title_ar="عدد الطلبة المرسمين حسب المؤسسة",
                         title_fr="Effectifs des étudiants")
    texts = TEXTS[lang]

    # The reviewer opens the queue and the entry.
    page.goto(f"/login?lang={lang}")
    sign_in(page, reviewer.email, PASSWORD)
    page.goto("/review")
    assert page.locator("html").get_attribute("dir") == texts["dir"]
    link = page.locator(f"a[href='/review/{entry.uuid}']").first
    link.wait_for()
    screenshot(page, f"{lang}-1-queue")
    link.click()
    page.wait_for_url(f"**/review/{entry.uuid}")

    # Request changes with a comment on the French title (inside its step's group).
    page.check("input[name=decision][value=request_changes]")
    page.locator("details.review-step:has(textarea[name=fc_title_fr]) > summary").click()
    page.fill("textarea[name=fc_title_fr]", texts["comment"])
    page.locator("textarea[name=fc_title_fr]").scroll_into_view_if_needed()
    screenshot(page, f"{lang}-2-review-form")
    page.locator("#review-form button[type=submit]").click()
    page.wait_for_url("**/review")
    assert page.locator(".flash--success").is_visible()
    screenshot(page, f"{lang}-3-queue-after-request")
    db.session.expire_all()
    assert db.session.get(Dataset, entry.id).status == "changes_requested"

    # The officer sees the comment next to the field's label, linked to the wizard.
    officer_context = browser.new_context(base_url=live_server.url,
                                          viewport={"width": 1280, "height": 900})
    try:
        officer_page = officer_context.new_page()
        officer_page.goto(f"/login?lang={lang}")
        sign_in(officer_page, officer.email, PASSWORD)
        officer_page.goto(f"/datasets/{entry.uuid}")
        panel = officer_page.locator("#changes-requested")
        assert texts["comment"] in panel.inner_text()
        field_link = panel.locator(f"a[href='/datasets/{entry.uuid}/edit?field=title_fr']")
        assert field_link.count() == 1
        if lang == "fr":
            assert "Titre" in field_link.inner_text() or texts["label"] in field_link.inner_text()
        screenshot(officer_page, f"{lang}-4-officer-sees-comment")
    finally:
        officer_context.close()

    # The officer fixes the title and resubmits (through the domain, not the wizard).
    db.session.expire_all()
    fixed = db.session.get(Dataset, entry.id)
    fixed.title_fr = "Effectifs des étudiants inscrits, année universitaire 2024-2025"
    workflow.submit(fixed, db.session.merge(officer))
    db.session.commit()

    # The reviewer approves from the queue; the history keeps the whole exchange.
    page.goto("/review")
    page.locator(f"a[href='/review/{entry.uuid}']").first.click()
    page.wait_for_url(f"**/review/{entry.uuid}")
    history = page.locator("#history-title + ol").inner_text()
    assert texts["comment"] in history
    page.check("input[name=decision][value=approve]")
    screenshot(page, f"{lang}-5-approve")
    page.locator("#review-form button[type=submit]").click()
    page.wait_for_url("**/review")
    screenshot(page, f"{lang}-6-queue-empty")
    db.session.expire_all()
    assert db.session.get(Dataset, entry.id).status == "approved"
    page.goto(f"/datasets/{entry.uuid}")
    screenshot(page, f"{lang}-7-entry-approved")
    page.goto("/dashboard")
    bar = page.locator("#overall-progress-label + progress")
    assert (bar.get_attribute("max"), bar.get_attribute("value")) == ("1", "1")
    screenshot(page, f"{lang}-8-dashboard")

