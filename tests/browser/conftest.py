"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright for Python.

No browser download: Playwright launches the system Chromium through `executable_path`.
Screenshots go under test-artifacts/ (git-ignored).
"""
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_FILE_PATH, AXE_SCRIPT

from tests.conftest import ARTIFACTS

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
# Without these, Chromium keeps calling home and this machine's closed network refuses it.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make system-deps`")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def screenshot(request):
    """screenshot(page, name): save a full-page PNG under test-artifacts/<test name>/."""
    folder = ARTIFACTS / "screenshots" / request.node.name.replace("/", "_")

    def _shot(pg, name):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path
    return _shot


def sign_in(pg, email, password):
    """Sign in through the real form."""
    pg.goto("/login")
    pg.fill("input[name=email]", email)
    pg.fill("input[name=password]", password)
    pg.click("button[type=submit]")
    pg.wait_for_url(lambda url: "/login" not in url)


# --------------------------------------------------------------------------- axe-core

SERIOUS = ("serious", "critical")
AXE_SCRIPT_PATH = str(AXE_FILE_PATH)  # axe-core, as bundled by axe-playwright-python


@dataclass(frozen=True)
class AxeViolation:
    """One axe-core rule a page breaks, with the elements that break it."""
    rule: str
    impact: str
    help: str
    targets: tuple

    def __str__(self):
        shown = ", ".join(self.targets[:4])
        more = f" (+{len(self.targets) - 4} more)" if len(self.targets) > 4 else ""
        return f"{self.rule} [{self.impact}] {self.help}: {shown}{more}"


def axe_violations(pg, impacts=None):
    """The axe-core rules the page breaks (axe bundled with axe-playwright-python, run in the
    page: no network), only those of the given `impacts` if any, as AxeViolation rows."""
    if not pg.evaluate("typeof window.axe === 'object'"):  # else added by add_init_script
        pg.evaluate(AXE_SCRIPT)  # evaluated, not a <script> tag: the CSP forbids inline ones
    found = pg.evaluate("axe.run({resultTypes: ['violations']}).then(r => r.violations)")
    return [AxeViolation(v["id"], v["impact"], v["help"],
                         tuple(_selector(n["target"]) for n in v["nodes"]))
            for v in found if impacts is None or v["impact"] in impacts]


def _selector(target):
    # axe gives one selector per frame / shadow root crossed (nested lists for shadow DOM)
    return " >>> ".join(t if isinstance(t, str) else " >>> ".join(t) for t in target)


def axe_report(violations, where=""):
    """A readable failure message: one line per rule (id, impact, help, selectors)."""
    head = f"{where}: " if where else ""
    return head + f"{len(violations)} axe violation(s)\n" + "\n".join(
        f"  {v}" for v in violations)
