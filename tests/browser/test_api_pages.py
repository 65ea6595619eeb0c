"""The API's pages in a real browser: the documentation page (server-rendered, no external
resource) and the token section of the profile, in Arabic and French, with axe-core."""
import pytest

from tests.browser.conftest import axe_report, axe_violations, sign_in
from tests.conftest import PASSWORD


@pytest.mark.parametrize("lang, heading", [("ar", "rtl"), ("fr", "ltr")])
def test_docs_page_is_local_translated_and_accessible(page, make, screenshot, lang, heading,
                                                     live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"/api/v1/docs?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("dir") == heading
    assert page.locator("#op-updateDataset").is_visible()
    assert page.locator("#entry-fields").get_by_text("distributions", exact=True).count() == 1
    # the codes of a field open from the keyboard
    summary = page.locator("#entry-fields details summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("#entry-fields details").first.get_attribute("open") is not None
    assert all(url.startswith(live_server.url) for url in requested), requested
    violations = axe_violations(page)
    assert not violations, axe_report(violations, "API docs")
    screenshot(page, f"api-docs-{lang}")


def test_profile_creates_shows_once_and_revokes_a_token(page, make, screenshot):
    org = make.org("MESRS")
    officer = make.user("officer", [org], email="tokens@example.org")
    page.goto("/login?lang=ar")
    sign_in(page, officer.email, PASSWORD)
    page.goto("/profile")
    violations = axe_violations(page)
    assert not violations, axe_report(violations, "profile")
    page.fill("#token-name", "مستودع الإحصاء")
    page.fill("#token-days", "30")
    page.get_by_role("button", name=page.locator("#api-tokens button[type=submit]")
                     .inner_text()).click()
    secret = page.locator("#token-secret").input_value()
    assert secret.startswith("inv_") and len(secret) == 47
    violations = axe_violations(page)
    assert not violations, axe_report(violations, "token created")
    screenshot(page, "token-created-ar")

    page.goto("/profile#api-tokens")
    row = page.locator("#api-tokens tbody tr").first
    assert secret[:12] in row.inner_text() and secret not in page.content()
    page.once("dialog", lambda dialog: dialog.accept())  # the confirmation before revoking
    row.locator("button").click()
    page.wait_for_url("**/profile#api-tokens")
    assert page.locator("#api-tokens tbody tr").first.locator("button").count() == 0
    screenshot(page, "token-revoked-ar")
