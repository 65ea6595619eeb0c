"""The browser harness works: sign in and see the inventory in Arabic, right to left."""
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD


def test_sign_in_and_list_in_arabic(page, make, screenshot):
    org = make.org("MESRS")
    officer = make.user("officer", [org], email="smoke@example.org")
    make.dataset(org, officer, title_ar="قائمة المؤسسات الجامعية")
    page.goto("/login?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    sign_in(page, officer.email, PASSWORD)
    page.goto("/datasets")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.get_by_text("قائمة المؤسسات الجامعية").is_visible()
    screenshot(page, "list-ar")
