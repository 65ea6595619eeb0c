"""Accessibility audit of every HTML page, in Arabic (right to left) and in French.

axe-core (bundled with axe-playwright-python, run inside real Chromium) audits each page of
PAGES, as the role that sees most of it, in its normal state and in the states that add markup
(errors shown after a failed submission, empty states, filters, a conflict). No violation is
allowed at all, whatever its impact.

PAGES is checked against the app's URL map: a GET endpoint that renders HTML and has no audit
fails `test_every_html_page_is_audited` (endpoints that never answer HTML are listed in
NOT_HTML with the reason, and checked not to).

Then what axe cannot see: the skip link (in base.html, on every page) is the first Tab stop and
moves the focus to <main>; every Tab stop shows a visible focus indicator; on every page
showing an error summary, the summary takes the focus and its links move the focus to their
field.

One world is built for the whole module (this module replaces the per-test database cleaning
with one cleaning at its end) and each role keeps one signed-in browser context.
"""
import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from werkzeug.exceptions import NotFound

from inventory import workflow
from inventory.checklist import tick_item
from inventory.entries import save_entry
from inventory.extensions import db
from inventory.models import Campaign, Dataset, Publication, User
from inventory.priority import override_tier
from inventory.tokens import issue_token, revoke_token
from tests.browser.conftest import AXE_SCRIPT_PATH, axe_report, axe_violations, sign_in
from tests.conftest import PASSWORD, Factory, empty_tables, restricted_fields

LANGS = {"ar": "rtl", "fr": "ltr"}
EMAILS = {"officer": "a11y-officer@example.org", "newcomer": "a11y-newcomer@example.org",
          "reviewer": "a11y-reviewer@example.org", "admin": "a11y-admin@example.org"}
WIZARD_STEPS = ("identification", "legal", "access", "coverage", "distributions", "priority",
                "summary")


# --------------------------------------------------------------------------- the world

@pytest.fixture(autouse=True)
def _clean_database():
    """Replaces the per-test cleaning of tests/conftest.py: the pages of this module read one
    world, built once (`world`) and deleted at the end of the module."""
    yield


@pytest.fixture(scope="module")
def world(app):
    """Two ministries, one of them without entries; an officer, a reviewer, an admin and an
    officer of the empty ministry; entries in the states whose pages differ."""
    try:
        ids = _build_world(app)
    except BaseException:
        empty_tables(app)  # nothing half-built left for the next module
        raise
    yield ids
    empty_tables(app)


def _build_world(app):
    with app.app_context():
        make = Factory()
        org = make.org("MESRS", name_ar="وزارة التعليم العالي والبحث العلمي",
                       name_fr="Ministère de l'Enseignement supérieur")
        empty_org = make.org("MJS", name_ar="وزارة الشباب والرياضة",
                             name_fr="Ministère de la Jeunesse et des Sports")
        officer = make.user("officer", [org], email=EMAILS["officer"], name="سلمى بن علي")
        make.user("officer", [empty_org], email=EMAILS["newcomer"], name="Karim Jaziri")
        reviewer = make.user("reviewer", [org], email=EMAILS["reviewer"], name="Reviewer")
        admin = make.user("admin", email=EMAILS["admin"], name="Admin")
        campaign = Campaign(name_ar="حملة الجرد 2026", name_fr="Campagne d'inventaire 2026",
                            sectors=["EDUC"], deadline=date.today() + timedelta(days=60))
        campaign.organizations = [org, empty_org]
        db.session.add(campaign)
        db.session.commit()

        fresh = make.dataset(org, officer, complete=False, title_ar="بطاقة جديدة")
        draft = make.dataset(org, officer, title_ar="قائمة المؤسسات الجامعية",
                             title_fr="Liste des établissements universitaires",
                             campaign_id=campaign.id)
        restricted = make.dataset(org, officer, **restricted_fields(
            title_ar="سجل الأطباء", title_fr="Registre des médecins"))
        submitted = make.dataset(org, officer, status="submitted",
                                 title_ar="عدد الطلبة حسب الجامعة",
                                 title_fr="Étudiants par université")
        returned = make.dataset(org, officer, status="submitted",
                                title_ar="الأساتذة الجامعيون", title_fr="Enseignants du supérieur")
        workflow.request_changes(returned, reviewer, "أضيفوا السنة الجامعية.",
                                 {"title_fr": "Précisez l'année universitaire.",
                                  "contact_email": "Adresse de la cellule, pas nominative."})
        tick_item(officer, "D08", dataset=returned, note="استخراج على مستوى المؤسسة",
                  evidence_url="https://mes.tn/extraction")
        tick_item(officer, "M01", organization=org, note="Fait en 2025")
        approved = make.dataset(org, officer, status="approved",
                                title_ar="الخريطة الجامعية", title_fr="Carte universitaire")
        override_tier(approved, admin, "high", "Priorité ministérielle")
        db.session.add_all([
            Publication(dataset_id=approved.id, outcome="failed", error_code="validation",
                        field_errors={"notes": ["Missing value"]}, attempt=1),
            Publication(dataset_id=approved.id, outcome="ok", ckan_name="mesrs-carte",
                        attempt=2, field_errors={}),
        ])
        issue_token(officer, "مستودع الإحصاء", 30)
        old_token, _secret = issue_token(officer, "Ancien entrepôt", 30)
        revoke_token(old_token, officer)
        db.session.commit()
        ids = {"org": org.code, "empty_org": empty_org.code, "org_id": org.id,
               "campaign": campaign.id, "fresh": fresh.uuid, "draft": draft.uuid,
               "restricted": restricted.uuid, "submitted": submitted.uuid,
               "returned": returned.uuid, "approved": approved.uuid,
               "officer_id": officer.id}
        db.session.remove()
    return ids


@pytest.fixture(scope="module")
def role_pages(browser, live_server, world):
    """role -> a page of its own browser context, signed in on first use."""
    contexts, pages = [], {}

    def page_of(role):
        if role not in pages:
            context = browser.new_context(base_url=live_server.url,
                                          viewport={"width": 1280, "height": 900})
            context.set_default_timeout(15000)
            context.add_init_script(path=AXE_SCRIPT_PATH)  # once per page, not per audit
            contexts.append(context)
            pg = context.new_page()
            pg.on("dialog", lambda dialog: dialog.accept())  # confirmations, unsaved input
            if role != "anonymous":
                sign_in(pg, EMAILS[role], PASSWORD)
            pages[role] = pg
        return pages[role]
    yield page_of
    for context in contexts:
        context.close()


# --------------------------------------------------------------------------- what each page is

@dataclass(frozen=True)
class Page:
    """One page to audit: `path` (filled from the world) seen by `role`; `act(page, world,
    app)` then brings it to the state to audit (a failed submission...). `endpoint` is the URL
    rule that must have served the page audited; `status` what it answers (without `act`).
    `summary`: the page shows an error summary linking to fields (checked beyond axe)."""
    name: str
    endpoint: str | None
    role: str
    path: str
    act: object = None
    status: int = 200
    summary: bool = False  # shows an error summary whose links lead to fields


def _submit(selector, shows="#error-summary"):
    """Send the form of `selector` as it is; the answer `shows` its errors."""
    return _fill_and_submit({}, selector, shows)


def _fill_and_submit(values, selector="main form button[type=submit]", shows="#error-summary"):
    def act(pg, world, app):
        for field, value in values.items():
            pg.fill(field, value)
        pg.click(selector)
        pg.wait_for_load_state()
        expect(pg.locator(shows)).to_be_visible()
    return act




def _wizard_conflict(pg, world, app):
    """Someone else saves the entry after this page was opened: the step answers 409."""
    with app.app_context():
        entry = db.session.scalar(db.select(Dataset).where(Dataset.uuid == world["draft"]))
        other = db.session.get(User, world["officer_id"])
        save_entry(entry, other, {"owner_unit": f"Direction {entry.version}"}, entry.version)
        db.session.commit()
        db.session.remove()
    pg.fill("#owner_unit", "مديرية الدراسات")
    pg.click(".wizard__nav button[name=nav][value=save]")
    pg.wait_for_load_state()
    expect(pg.locator("#conflict")).to_be_visible()


def _upload_register(pg, world, app):
    pg.set_input_files("input[type=file]", files=[{
        "name": "fiches.csv", "mimeType": "text/csv",
        "buffer": b"Title in French,Update frequency\nNouvelle fiche,annuelle\n"
                  b"Fiche fausse,WEEKLYX\n"}])
    pg.locator("main button.button--primary").last.click()
    pg.wait_for_selector("#report > p:last-child a")  # the end of the streamed report


def _create_token(pg, world, app):
    pg.fill("#token-name", "Entrepôt statistique")
    pg.fill("#token-days", "30")
    pg.click("#api-tokens form:has(#token-name) button[type=submit]")
    pg.wait_for_load_state()
    expect(pg.locator("#token-secret")).to_be_visible()


PAGES = [
    # --- signing in, public pages, error pages ---
    Page("login", "auth.login", "anonymous", "/login"),
    Page("login-wrong-password", "auth.login", "anonymous", "/login", _fill_and_submit(
        {"input[name=email]": "nobody@example.org", "input[name=password]": "wrong-password"})),
    Page("login-empty-fields", "auth.login", "anonymous", "/login",
         _submit("main form button[type=submit]"), summary=True),
    Page("api-docs", "api.api_docs", "anonymous", "/api/v1/docs"),
    Page("not-found", None, "anonymous", "/no-such-page", status=404),
    Page("forbidden", "admin.admin_index", "officer", "/admin/", status=403),

    # --- inventory lists ---
    Page("list", "datasets.dataset_list", "officer", "/datasets"),
    Page("list-filtered", "datasets.dataset_list", "officer",
         "/datasets?q=%D8%A7%D9%84%D8%B7%D9%84%D8%A8%D8%A9&status=submitted&sort=-title"),
    Page("list-no-match", "datasets.dataset_list", "officer", "/datasets?q=zzzz-nothing"),
    Page("list-empty", "datasets.dataset_list", "newcomer", "/datasets"),
    Page("new-entry", "datasets.dataset_new", "officer", "/datasets/new"),

    # --- the wizard: a new (empty) entry and a returned one with the reviewer's comments ---
    *[Page(f"wizard-new-{step}", "wizard.dataset_edit", "officer",
           f"/datasets/{{fresh}}/edit?step={step}") for step in WIZARD_STEPS],
    *[Page(f"wizard-returned-{step}", "wizard.dataset_edit", "officer",
           f"/datasets/{{returned}}/edit?step={step}") for step in WIZARD_STEPS],
    Page("wizard-restricted-legal", "wizard.dataset_edit", "officer",
         "/datasets/{restricted}/edit?step=legal"),
    Page("wizard-field-errors", "wizard.dataset_edit", "officer",
         "/datasets/{draft}/edit?step=access", _fill_and_submit(
             {"#contact_email": "ليس بريدا", "#landing_page": "www.example.tn"},
             "#wizard-form button[name=nav][value=next]"), summary=True),
    Page("wizard-submit-refused", "wizard.dataset_edit", "officer",
         "/datasets/{fresh}/edit?step=summary",
         _submit("#wizard-form button[name=nav][value=submit]", shows=".flash--error")),
    Page("wizard-conflict", "wizard.dataset_edit", "officer",
         "/datasets/{draft}/edit?step=identification", _wizard_conflict),

    # --- entry pages ---
    Page("entry-returned", "datasets.dataset_detail", "officer", "/datasets/{returned}"),
    Page("entry-incomplete", "datasets.dataset_detail", "officer", "/datasets/{fresh}"),
    Page("entry-approved", "datasets.dataset_detail", "admin", "/datasets/{approved}"),
    Page("entry-tick", "checklist.dataset_tick", "officer", "/datasets/{returned}/checklist/D02"),

    # --- review ---
    Page("review-queue", "review.review_queue", "reviewer", "/review"),
    Page("review-queue-filtered", "review.review_queue", "reviewer",
         "/review?q=zzzz-nothing&since=2020-01-01"),
    Page("review-entry", "review.review_dataset", "reviewer", "/review/{submitted}"),
    Page("review-entry-errors", "review.review_dataset", "reviewer", "/review/{submitted}",
         _submit("#review-form button[type=submit]"), summary=True),
    Page("priority-override", "review.priority_override", "reviewer",
         "/review/{submitted}/priority"),

    # --- dashboards ---
    Page("dashboard-officer", "dashboard.dashboard", "officer", "/dashboard"),
    Page("dashboard-admin", "dashboard.dashboard", "admin", "/dashboard"),
    Page("dashboard-organization", "dashboard.organization_dashboard", "reviewer",
         "/dashboard/organizations/{org}"),
    Page("dashboard-campaign", "dashboard.campaign_dashboard", "admin",
         "/dashboard/campaigns/{campaign}"),

    # --- guide checklist and spreadsheet register ---
    Page("checklist-index", "checklist.checklist_index", "admin", "/checklist"),
    Page("checklist-organization", "checklist.organization_checklist", "officer",
         "/organizations/{org}/checklist"),
    Page("checklist-tick", "checklist.organization_tick", "officer",
         "/organizations/{org}/checklist/M01"),
    Page("register-index", "registry.register_index", "admin", "/register"),
    Page("register-organization", "registry.organization_register", "officer",
         "/organizations/{org}/register"),
    Page("register-import-no-file", "registry.register_import", "officer",
         "/organizations/{org}/register", _submit("main button.button--primary >> nth=-1"),
         summary=True),
    Page("register-import-report", "registry.register_import", "officer",
         "/organizations/{org}/register", _upload_register),

    # --- publications (portal) ---
    Page("publications", "publications.publication_list", "admin", "/publications"),
    Page("publications-reconcile", "publications.publication_reconcile", "admin",
         "/publications/reconcile"),

    # --- profile and API tokens ---
    Page("profile", "auth.profile", "officer", "/profile"),
    Page("profile-password-error", "auth.profile", "officer", "/profile", _fill_and_submit(
        {"#pw-current_password": "not-my-password", "#pw-new_password": "Another-one-2026",
         "#pw-password_confirm": "Another-one-2026"},
        "form:has(#pw-current_password) button[type=submit]"), summary=True),
    Page("token-created", "api_tokens.token_create", "officer", "/profile", _create_token),
    Page("token-errors", "api_tokens.token_create", "officer", "/profile", _fill_and_submit(
        {"#token-name": "", "#token-days": "100000"},
        "#api-tokens form:has(#token-name) button[type=submit]"), summary=True),

    # --- administration ---
    Page("admin-index", "admin.admin_index", "admin", "/admin/"),
    Page("admin-users", "admin.user_list", "admin", "/admin/users"),
    Page("admin-user-new", "admin.user_new", "admin", "/admin/users/new"),
    Page("admin-user-new-errors", "admin.user_new", "admin", "/admin/users/new",
         _submit("main form button[type=submit]"), summary=True),
    Page("admin-user-edit", "admin.user_edit", "admin", "/admin/users/{officer_id}"),
    Page("admin-organizations", "admin.organization_list", "admin", "/admin/organizations"),
    Page("admin-organization-new", "admin.organization_new", "admin",
         "/admin/organizations/new"),
    Page("admin-organization-new-errors", "admin.organization_new", "admin",
         "/admin/organizations/new", _submit("main form button[type=submit]"),
         summary=True),
    Page("admin-organization-edit", "admin.organization_edit", "admin",
         "/admin/organizations/{org_id}"),
    Page("admin-organization-merge", "admin.organization_merge", "admin",
         "/admin/organizations/{org_id}/merge"),
    Page("admin-campaigns", "admin.campaign_list", "admin", "/admin/campaigns"),
    Page("admin-campaign-new", "admin.campaign_new", "admin", "/admin/campaigns/new"),
    Page("admin-campaign-edit", "admin.campaign_edit", "admin", "/admin/campaigns/{campaign}"),
    Page("admin-priority", "admin.priority_weights", "admin", "/admin/priority"),
    Page("admin-vocabularies", "admin.vocabulary_list", "admin", "/admin/vocabularies"),
    Page("admin-vocabulary", "admin.vocabulary_detail", "admin", "/admin/vocabularies/themes"),
]

# GET endpoints that never render an HTML page: (a path to check it, why it is not audited).
NOT_HTML = {
    "static": ("/static/app.css", "static files"),
    "datasets.index": ("/", "redirects to the inventory or to the sign-in page"),
    "health.healthz": ("/healthz", "JSON health report"),
    "catalog.catalog_negotiated": ("/catalog", "RDF chosen by content negotiation"),
    "catalog.catalog_rdf": ("/catalog.ttl", "RDF download"),
    "catalog.dataset_rdf": ("/datasets/{approved}.jsonld", "RDF download"),
    "checklist.organization_checklist_export": (
        "/organizations/{org}/checklist/export?format=md", "PDF/XLSX/CSV/Markdown download"),
    "checklist.dataset_checklist_export": (
        "/datasets/{approved}/checklist/export?format=csv", "PDF/XLSX/CSV/Markdown download"),
    "registry.register_export": ("/organizations/{org}/register/export?format=csv",
                                 "XLSX/CSV download"),
    "registry.register_template": ("/register/template", "XLSX download"),
    "api.dataset_list": ("/api/v1/datasets", "JSON API"),
    "api.dataset_read": ("/api/v1/datasets/{approved}", "JSON API"),
    "api.me": ("/api/v1/me", "JSON API"),
    "api.openapi_json": ("/api/v1/openapi.json", "JSON document"),
}


def _open(app, role_pages, world, spec, lang):
    """Go to the page of `spec` in `lang` as its role and bring it to its state; check that
    it is the page meant (its URL rule, and its status when nothing was done on it)."""
    pg = role_pages(spec.role)
    path = spec.path.format(**world)
    separator = "&" if "?" in path else "?"
    response = pg.goto(f"{path}{separator}lang={lang}")
    if spec.act:
        spec.act(pg, world, app)
    else:
        assert response.status == spec.status, f"{spec.name}: {response.status} at {pg.url}"
    assert _served_by(app, pg.url) == spec.endpoint, f"{spec.name} ended on {pg.url}"
    return pg


def _served_by(app, url):
    parts = urlsplit(url)
    try:
        endpoint, _args = app.url_map.bind("localhost").match(parts.path, method="GET")
    except NotFound:
        return None
    except Exception:  # noqa: BLE001 - a POST-only rule (the address of a form's answer)
        endpoint, _args = app.url_map.bind("localhost").match(parts.path, method="POST")
    return endpoint


# --------------------------------------------------------------------------- the audit

@pytest.mark.parametrize("lang", list(LANGS))
@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.name)
def test_page_is_accessible(app, role_pages, world, spec, lang):
    """axe finds nothing; <html lang dir> says the language; a page showing an error summary
    gives it the focus and its links move the focus to their fields (on the same page, to
    keep to one load per page and language)."""
    pg = _open(app, role_pages, world, spec, lang)
    html = pg.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == (lang, LANGS[lang])
    expect(pg.locator("main h1")).to_have_count(1)
    violations = axe_violations(pg)
    if violations:
        pytest.fail(axe_report(violations, f"{spec.name} ({lang}) {pg.url}"), pytrace=False)
    if spec.summary:
        _check_error_summary(pg)


def _check_error_summary(pg):
    """The summary has the focus; each link names a field, moves the focus to its control,
    and that control (or its group) is described by the field's own message."""
    summary = pg.locator("#error-summary")
    expect(summary).to_be_focused()
    links = summary.locator("a")
    assert links.count() >= 1, "an error summary without a link to a field"
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href")
        assert re.fullmatch(r"#field-[\w-]+", href), href
        control = f"{href} :is(input:not([type=hidden]), select, textarea)"
        expect(pg.locator(control).first).to_have_count(1)
        links.nth(i).click()
        expect(pg.locator(control).first).to_be_focused()
        described = pg.evaluate(
            """(sel) => { const c = document.querySelector(sel);
                          const holder = c.closest('fieldset') || c;
                          return (holder.getAttribute('aria-describedby') || '') + ' '
                                 + (c.getAttribute('aria-describedby') || ''); }""", control)
        assert f"{href[len('#field-'):]}-error" in described.split(), (href, described)


def test_every_html_page_is_audited(app):
    audited = {spec.endpoint for spec in PAGES if spec.status == 200}
    unknown = set(NOT_HTML) - {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not unknown, f"NOT_HTML names endpoints that no longer exist: {sorted(unknown)}"
    missing = sorted({rule.endpoint for rule in app.url_map.iter_rules()
                      if "GET" in rule.methods and rule.endpoint not in audited
                      and rule.endpoint not in NOT_HTML})
    assert not missing, f"GET endpoints without an accessibility audit in PAGES: {missing}"


def test_endpoints_left_out_do_not_render_html(role_pages, world):
    """What NOT_HTML says, checked: each answers something other than an HTML page (or
    redirects), even to an admin's browser session."""
    pg = role_pages("admin")
    wrong = []
    for endpoint, (path, _reason) in NOT_HTML.items():
        response = pg.request.get(path.format(**world), max_redirects=0)
        kind = response.headers.get("content-type", "")
        if kind.startswith("text/html") and not 300 <= response.status < 400:
            wrong.append(f"{endpoint} {path}: {response.status} {kind}")
    assert not wrong, "endpoints in NOT_HTML that render HTML:\n" + "\n".join(wrong)


# --------------------------------------------------------------------------- beyond axe

@pytest.mark.parametrize("lang", list(LANGS))
@pytest.mark.parametrize("role, path", [("anonymous", "/api/v1/docs"),
                                        ("officer", "/datasets/{returned}/edit")])
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(role_pages, world, lang,
                                                                 role, path):
    pg = role_pages(role)
    pg.goto(f"{path.format(**world)}?lang={lang}")
    pg.evaluate("document.activeElement && document.activeElement.blur()")
    pg.keyboard.press("Tab")
    skip = pg.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["width"] > 0, "the focused skip link is off screen"
    assert skip.get_attribute("href") == "#main"
    pg.keyboard.press("Enter")
    expect(pg.locator("main#main")).to_be_focused()
    # the next Tab goes into the page's content, past the header
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.querySelector('main').contains(document.activeElement)")


FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const again = el.hasAttribute('data-a11y-seen');
  el.setAttribute('data-a11y-seen', '');
  const s = getComputedStyle(el);
  return {tag: el.tagName, again: again, text: (el.textContent || el.id || '').trim().slice(0, 40),
          visible: el.matches(':focus-visible'),
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
          shadow: s.boxShadow !== 'none'};
}"""
MAX_TAB_STOPS = 60


@pytest.mark.parametrize("lang", list(LANGS))
@pytest.mark.parametrize("role, path", [
    ("officer", "/datasets/{returned}"), ("officer", "/datasets/{returned}/edit?step=legal"),
    ("reviewer", "/review/{submitted}")])
def test_every_tab_stop_shows_a_visible_focus(role_pages, world, lang, role, path):
    """Tab through the page (its first MAX_TAB_STOPS stops): each element reached matches
    :focus-visible and draws an outline of at least 2px or a ring; the walk meets links and
    buttons."""
    pg = role_pages(role)
    pg.goto(f"{path.format(**world)}{'&' if '?' in path else '?'}lang={lang}")
    bad, tags = [], set()
    for _ in range(MAX_TAB_STOPS):
        pg.keyboard.press("Tab")
        style = pg.evaluate(FOCUS_STYLE)
        if style["again"] or style["tag"] == "BODY":
            break  # round the whole page
        tags.add(style["tag"])
        if not (style["visible"] and (style["outline"] or style["shadow"])):
            bad.append(style)
    assert {"A", "BUTTON"} <= tags, tags
    assert not bad, f"focus not visible on: {bad}"


def test_the_audit_sees_a_broken_page(role_pages, world):
    """The harness is not blind: an unlabelled input and grey-on-white text added to a page
    are reported (so an empty list from axe_violations means something)."""
    pg = role_pages("officer")
    pg.goto("/datasets?lang=fr")
    pg.evaluate("""() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend',
            '<input type="text" id="broken-input"><p id="pale">Texte trop pâle</p>');
        document.getElementById('pale').style.color = '#cccccc';
    }""")
    rules = {v.rule: v.targets for v in axe_violations(pg)}
    assert "#broken-input" in rules.get("label", ()), rules
    assert "#pale" in rules.get("color-contrast", ()), rules
