"""The guided inventory form over HTTP: every step saves a draft, bad input keeps what was
typed, submission lists what is missing, conflicts and expired sessions lose nothing."""
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from markupsafe import escape

from inventory import workflow
from inventory.extensions import db
from inventory.fields import STEP_KEYS, field_label, step_of
from inventory.forms import NOT_MODEL_FIELDS, STEP_FORMS
from inventory.models import AuditLog, Campaign, Dataset
from tests.conftest import PASSWORD, restricted_fields
from tests.htmlform import filled, form_fields, input_value

STEPS = [k for k in STEP_KEYS if k != "summary"]


def edit_url(ds, step=None, **args):
    query = "&".join(f"{k}={v}" for k, v in ({"step": step} if step else {}).items())
    query += "".join(f"&{k}={v}" for k, v in args.items())
    return f"/datasets/{ds.uuid}/edit" + (f"?{query.lstrip('&')}" if query else "")


def reload(ds):
    db.session.expire_all()
    return db.session.get(Dataset, ds.id)


def other_browser(app, login, user):
    """A second test client (another person's browser) signed in as `user`."""
    other = app.test_client()
    login(user, c=other)
    return other


def save_step(client, ds, step, nav="save", **changes):
    """Open `step`, change some inputs, press `nav`: what a user does."""
    page = client.get(edit_url(ds, step))
    assert page.status_code == 200, page.data[:300]
    data = filled(page.data, **changes)
    if nav:
        data["nav"] = nav
    return client.post(edit_url(ds, step), data=data)


@pytest.fixture
def officer_setup(make, login):
    org = make.org("MESRS")
    officer = make.user("officer", [org])
    login(officer)
    return org, officer


@pytest.fixture
def blank(officer_setup, make):
    org, officer = officer_setup
    return make.dataset(org, officer, complete=False)


# --------------------------------------------------------------------------- pages

def test_each_step_has_its_questions_help_and_stepper(client, blank):
    for number, step in enumerate(STEP_KEYS, 1):
        r = client.get(edit_url(blank, step))
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        current = re.findall(r'<button[^>]*value="(\w+)"[^>]*aria-current="step"', html)
        assert current == [step]
        assert f"Step {number} of {len(STEP_KEYS)}" in html
        assert 'id="wizard-form"' in html and 'name="version"' in html
        with client.application.test_request_context():
            names = [f.id for f in STEP_FORMS[step](formdata=None)
                     if f.name not in NOT_MODEL_FIELDS and f.name != "distributions"]
        for name in names:
            assert f'id="field-{name}"' in html, (step, name)
            assert f'id="{name}-help"' in html and f'id="{name}-example"' in html, name
        assert '<aside class="wizard__aside"' in html


def test_titles_carry_their_own_language_and_direction(client, blank):
    html = client.get(edit_url(blank, "identification")).get_data(as_text=True)
    for lang, direction in (("ar", "rtl"), ("fr", "ltr"), ("en", "ltr")):
        for name in ("title", "description", "keywords"):
            tag = re.search(rf'<(input|textarea)[^>]*id="{name}_{lang}"[^>]*>', html).group(0)
            assert f'lang="{lang}"' in tag and f'dir="{direction}"' in tag


def test_field_links_open_the_step_of_the_field(client, blank):
    r = client.get(edit_url(blank, field="owner_unit"))
    assert r.status_code == 302
    assert r.location.endswith(f"/datasets/{blank.uuid}/edit?step=identification"
                               "#field-owner_unit")
    r = client.get(edit_url(blank, field="distributions-0-access_url"))
    assert r.location.endswith("?step=distributions#field-distributions-0-access_url")
    r = client.get(edit_url(blank, field="<script>"))
    assert r.status_code == 302 and "script" not in r.location
    assert client.get(edit_url(blank, "nonsense")).status_code == 200  # first step


# --------------------------------------------------------------------------- saving drafts

def test_every_step_saves_an_incomplete_draft(client, blank):
    r = save_step(client, blank, "identification", nav="next", title_fr="Effectifs",
                  keywords_ar="طلبة، جامعات ، طلبة", keywords_fr="étudiants,  universités ,")
    assert r.status_code == 302 and r.location.endswith("step=legal")
    ds = reload(blank)
    assert ds.status == "draft" and ds.title_fr == "Effectifs" and ds.title_ar == ""
    assert ds.keywords_ar == ["طلبة", "جامعات"] and ds.keywords_fr == ["étudiants", "universités"]
    for step in STEPS[1:]:
        r = save_step(client, blank, step, nav="next")
        assert r.status_code == 302, (step, r.data[:500])
        assert r.location.endswith("step=" + STEP_KEYS[STEP_KEYS.index(step) + 1])
    assert reload(blank).status == "draft"


def test_navigation_buttons_save_then_move(client, blank):
    r = save_step(client, blank, "coverage", nav="back", frequency="ANNUAL")
    assert r.location.endswith("step=access") and reload(blank).frequency == "ANNUAL"
    r = save_step(client, blank, "coverage", nav=None, goto="priority", frequency="MONTHLY")
    assert r.location.endswith("step=priority") and reload(blank).frequency == "MONTHLY"
    r = save_step(client, blank, "coverage", nav="save", frequency="DAILY")
    assert r.location.endswith("step=coverage") and reload(blank).frequency == "DAILY"
    r = save_step(client, blank, "coverage", nav=None)  # Enter key: the default button saves
    assert r.location.endswith("step=coverage")


def test_saving_without_change_keeps_the_version(client, blank):
    version = reload(blank).version
    r = save_step(client, blank, "access", nav="save")
    assert r.status_code == 302
    r = save_step(client, blank, "access", nav="save")
    after = reload(blank).version
    r = client.get(r.location)
    assert "Nothing has changed since the last save." in r.get_data(as_text=True)
    assert after in (version, version + 1)  # the first save stored the default licence
    assert reload(blank).version == after


def test_all_fields_of_every_step_round_trip(client, blank):
    campaign = Campaign(name_fr="Campagne 2025", active=True)
    db.session.add(campaign)
    db.session.commit()
    values = {
        "identification": dict(title_ar="عنوان", title_fr="Titre", title_en="Title",
                               description_ar="وصف", description_fr="Description\nsur deux lignes",
                               description_en="Description", keywords_en="a, b",
                               owner_unit="Direction", steward="Chef de service",
                               source_system="Salima", storage_location="Serveur",
                               volume="40 Mo", update_mechanism="Export mensuel"),
        "legal": dict(personal_data="yes", personal_data_categories="Noms",
                      classification="restricted", restriction_shown="1",
                      restriction_grounds=["PRIVACY", "PERSONAL_DATA"], harm_note="Préjudice",
                      public_interest_note="Intérêt", proportionality_note="Proportion",
                      restriction_review_date="2030-01-31", other_constraints="Aucune"),
        "access": dict(access_rights="RESTRICTED", license_code="CC-BY-4.0",
                       legal_basis="Décret 2021-3", contact_name="Cellule",
                       contact_email="opendata@ministere.gov.tn",
                       landing_page="https://www.ministere.gov.tn/p",
                       documentation_url="https://www.ministere.gov.tn/doc.pdf",
                       hvd_category="STATISTICS"),
        "coverage": dict(themes=["EDUC", "SOCI"], spatial=["TN-11", "TN-61"],
                         temporal_start="2015-09-15", temporal_end="2024-06-30",
                         frequency="ANNUAL", languages=["ar", "fr"]),
        "priority": dict(demand="3", ati_requests="4", value="2", legal_obligation="y",
                         readiness="1", risk="0", planned_release_date="2026-03-31",
                         next_update_due="2026-09-30", campaign_id=str(campaign.id)),
    }
    for step, changes in values.items():
        r = save_step(client, blank, step, **changes)
        assert r.status_code == 302, (step, r.data[:800])
    ds = reload(blank)
    assert ds.description_fr == "Description\nsur deux lignes"
    assert ds.keywords_en == ["a", "b"] and ds.restriction_grounds == ["PRIVACY", "PERSONAL_DATA"]
    assert ds.restriction_review_date == date(2030, 1, 31)
    assert list(ds.themes) == ["EDUC", "SOCI"] and ds.spatial == ["TN-11", "TN-61"]
    assert (ds.demand, ds.ati_requests, ds.value, ds.readiness, ds.risk) == (3, 4, 2, 1, 0)
    assert ds.legal_obligation is True and ds.campaign_id == campaign.id
    assert ds.license_code == "CC-BY-4.0" and ds.hvd_category == "STATISTICS"
    # Every step shows back exactly what was saved (a user re-saving loses nothing).
    for step, changes in values.items():
        page = client.get(edit_url(blank, step)).data
        posted = form_fields(page)
        for name, value in changes.items():
            expected = value if isinstance(value, list) else [value]
            got = posted.getlist(name)
            if name == "legal_obligation":
                expected = ["y"]
            assert got == expected, (step, name, got)


def test_licence_defaults_to_the_national_open_licence(client, blank):
    db.session.execute(db.update(Dataset).where(Dataset.id == blank.id).values(license_code=None))
    db.session.commit()
    page = client.get(edit_url(blank, "access")).data
    assert input_value(page, "license_code") == "TN-OPEN"


def test_access_rights_suggested_from_the_classification(client, make, officer_setup):
    org, officer = officer_setup
    ds = make.dataset(org, officer, complete=False, classification="not_publishable")
    assert input_value(client.get(edit_url(ds, "access")).data, "access_rights") == "NON_PUBLIC"


def test_a_post_without_some_fields_does_not_blank_them(client, make, officer_setup):
    org, officer = officer_setup
    ds = make.dataset(org, officer)
    r = client.post(edit_url(ds, "identification"),
                    data={"version": ds.version, "step": "identification", "title_fr": "Nouveau"})
    assert r.status_code == 302
    ds = reload(ds)
    assert ds.title_fr == "Nouveau" and ds.owner_unit == "Direction des statistiques"
    assert ds.title_ar == "عدد الطلبة المرسمين"


# --------------------------------------------------------------------------- bad input

BAD_INPUT = {
    "identification": {"title_ar": "ع" * 501, "owner_unit": "unité\x00nulle",
                       "keywords_fr": ", ".join(f"mot{i}" for i in range(31)),
                       "keywords_en": "ok, " + "x" * 101, "volume": "📊" * 101},
    "legal": {"personal_data": "maybe", "classification": "<script>alert(1)</script>",
              "restriction_grounds": ["PRIVACY", "NOPE"], "restriction_review_date": "31/02/2030",
              "harm_note": "x" * 20001},
    "access": {"access_rights": "ALL", "license_code": "GPL", "contact_email": "pas-un-courriel",
               "landing_page": "javascript:alert(1)", "documentation_url": "ftp://x.tn/doc",
               "hvd_category": "X"},
    "coverage": {"themes": ["EDUC", "XXX"], "spatial": ["TN", "TN-11"],
                 "temporal_start": "hier", "temporal_end": "\u200f2024-13-01",
                 "frequency": "HOURLY", "languages": ["de"]},
    "distributions": {"distributions-0-access_url": "www.sans-schema.tn",
                      "distributions-0-format": "EXE", "distributions-0-byte_size": "-5",
                      "distributions-0-availability": "NEVER",
                      "distributions-0-license_code": "X",
                      "distributions-0-title": "<b>ligne</b> 🙂"},
    "priority": {"demand": "7", "ati_requests": "12a", "value": "high", "risk": "-1",
                 "planned_release_date": "2024-13-01", "campaign_id": "999"},
}
# Inputs that a page cannot show back as typed: unknown choices (the error names them).
NOT_REDISPLAYED = {"personal_data", "classification", "restriction_grounds", "access_rights",
                   "license_code", "hvd_category", "themes", "spatial", "frequency", "languages",
                   "distributions-0-format", "distributions-0-availability",
                   "distributions-0-license_code", "demand", "value", "risk", "campaign_id"}


@pytest.mark.parametrize("step", list(BAD_INPUT))
def test_bad_input_gives_field_errors_and_keeps_the_input(client, make, officer_setup, step):
    org, officer = officer_setup
    ds = make.dataset(org, officer)
    before = {c.name: getattr(ds, c.name) for c in Dataset.__table__.columns}
    r = save_step(client, ds, step, nav="next", **BAD_INPUT[step])
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="error-summary"' in html
    for name, typed in BAD_INPUT[step].items():
        if name == "distributions-0-title":
            continue  # valid (hostile text is allowed): kept, no error
        assert f'id="{name}-error"' in html, name
        assert f'href="#field-{name}"' in html, name  # the error summary links to the field
        if name not in NOT_REDISPLAYED:
            shown = typed.strip().lstrip("\u200f") if isinstance(typed, str) else typed
            assert str(escape(shown)) in html or str(escape(typed)) in html, name
    if step == "distributions":
        assert str(escape("<b>ligne</b> 🙂")) in html
    if step == "legal":
        assert str(escape("“<script>alert(1)</script>” is not one")) in html
        assert "<script>alert(1)" not in html
    after = {c.name: getattr(reload(ds), c.name) for c in Dataset.__table__.columns}
    assert after == before  # nothing saved, nothing lost


def test_oversized_input_is_refused_politely(client, blank):
    r = save_step(client, blank, "identification", title_fr="T" * 5000)
    assert r.status_code == 422
    assert "Too long: at most 500 characters; this text has 5,000." in r.get_data(as_text=True)
    huge = "x" * (3 * 1024 * 1024)
    r = client.post(edit_url(blank, "identification"),
                    data={"version": "1", "step": "identification", "description_fr": huge})
    assert r.status_code == 422
    assert "Too long: at most 20,000 characters; this text has 3,145,728." in r.get_data(
        as_text=True)
    assert reload(blank).description_fr == ""


HOSTILE = '<script>alert(1)</script><b>{}</b> \u200fمعطيات\u200e 🙂'


def test_hostile_text_is_stored_exactly_as_typed(client, blank):
    r = save_step(client, blank, "identification", title_fr=HOSTILE.format("t"),
                  owner_unit=HOSTILE.format("o"), keywords_ar=HOSTILE.format("k"))
    assert r.status_code == 302
    ds = reload(blank)
    assert ds.title_fr == HOSTILE.format("t") and ds.owner_unit == HOSTILE.format("o")
    assert ds.keywords_ar == [HOSTILE.format("k")]


TEXT_FIELDS = ["title_ar", "title_fr", "title_en", "description_ar", "description_fr",
               "description_en", "owner_unit", "steward", "source_system", "storage_location",
               "volume", "update_mechanism", "personal_data_categories", "harm_note",
               "public_interest_note", "proportionality_note", "other_constraints",
               "legal_basis", "contact_name"]
KEYWORD_FIELDS = ["keywords_ar", "keywords_fr", "keywords_en"]


def test_hostile_text_is_shown_escaped_everywhere(client, make, officer_setup):
    org, officer = officer_setup
    marker = "<script>alert(1)</script><b>{}</b>"
    values = {name: marker.format(name) for name in TEXT_FIELDS}
    values.update({name: [marker.format(name)] for name in KEYWORD_FIELDS})
    values["distributions"] = [{"title": marker.format("dist_title"), "format": "CSV",
                                "description": marker.format("dist_description"),
                                "access_url": "https://x.tn/a"}]
    ds = make.dataset(org, officer, **restricted_fields(**values))
    pages = {"detail": client.get(f"/datasets/{ds.uuid}").get_data(as_text=True)}
    for step in STEP_KEYS:
        pages[step] = client.get(edit_url(ds, step)).get_data(as_text=True)
    for where, html in pages.items():
        assert "<script>alert(1)" not in html, where
        assert "<b>" not in html, where
    for name in TEXT_FIELDS + KEYWORD_FIELDS + ["dist_title", "dist_description"]:
        escaped = str(escape(marker.format(name)))
        step = "distributions" if name.startswith("dist_") else step_of(name)
        for where in ("detail", "summary", step):
            assert escaped in pages[where], (name, where)


def test_hostile_text_is_escaped_in_errors_and_conflicts(client, app, make, login):
    org = make.org("MESRS")
    evil = make.user("officer", [org], name="<script>alert(1)</script>Evil")
    officer = make.user("officer", [org])
    ds = make.dataset(org, officer)
    login(officer)
    other = other_browser(app, login, evil)
    page = client.get(edit_url(ds, "identification")).data
    assert save_step(other, ds, "identification", steward="changed").status_code == 302
    r = client.post(edit_url(ds, "identification"),
                    data=filled(page, steward="<script>alert(2)</script>", nav="save"))
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "<script>alert" not in html
    assert str(escape("<script>alert(1)</script>Evil")) in html
    assert str(escape("<script>alert(2)</script>")) in html


# --------------------------------------------------------------------------- legal step

def test_restriction_questions_only_when_restricted(client, make, officer_setup):
    org, officer = officer_setup
    open_ds = make.dataset(org, officer)
    html = client.get(edit_url(open_ds, "legal")).get_data(as_text=True)
    assert re.search(r'<section class="conditional" id="restriction"[^>]*\shidden>', html)
    closed = make.dataset(org, officer, **restricted_fields())
    html = client.get(edit_url(closed, "legal")).get_data(as_text=True)
    section = re.search(r'<section class="conditional" id="restriction"[^>]*>', html).group(0)
    assert " hidden" not in section


def test_choosing_a_restriction_without_javascript_stays_to_justify_it(client, make, officer_setup):
    org, officer = officer_setup
    ds = make.dataset(org, officer)
    r = save_step(client, ds, "legal", nav="next", classification="restricted")
    assert r.status_code == 302
    assert r.location.endswith("step=legal#field-restriction_grounds")
    assert reload(ds).classification == "restricted"
    html = client.get(r.location).get_data(as_text=True)
    assert "A restriction must be justified" in html
    section = re.search(r'<section class="conditional" id="restriction"[^>]*>', html).group(0)
    assert " hidden" not in section
    # With the questions shown (or revealed by app.js), "continue" continues.
    r = save_step(client, ds, "legal", nav="next", restriction_grounds=["PUBLIC_SECURITY"])
    assert r.location.endswith("step=access")


# --------------------------------------------------------------------------- distributions

def test_distributions_add_and_remove_without_javascript(client, blank):
    page = client.get(edit_url(blank, "distributions")).data
    assert input_value(page, "distributions-0-title") == ""  # one empty row to start with
    r = save_step(client, blank, "distributions", nav="add_distribution",
                  **{"distributions-0-title": "Premier", "distributions-0-format": "CSV",
                     "distributions-0-access_url": "https://x.tn/1"})
    assert r.status_code == 302 and "add=1" in r.location
    assert r.location.endswith("#field-distributions-1-title")
    page = client.get(r.location).data
    assert input_value(page, "distributions-1-title") == ""
    data = filled(page, **{"distributions-1-title": "Second", "distributions-1-format": "JSON",
                           "nav": "save"})
    assert client.post(edit_url(blank, "distributions"), data=data).status_code == 302
    ds = reload(blank)
    assert [(d.title, d.format, d.media_type) for d in ds.distributions] == [
        ("Premier", "CSV", "text/csv"), ("Second", "JSON", "application/json")]
    html = client.get(edit_url(blank, "distributions")).get_data(as_text=True)
    assert ">text/csv</output>" in html and ">application/json</output>" in html
    assert 'data-media-type="application/geo+json"' in html  # app.js follows the choice
    page = client.get(edit_url(blank, "distributions")).data
    data = filled(page, remove_distribution="0")
    r = client.post(edit_url(blank, "distributions"), data=data)
    assert r.status_code == 302
    assert [d.title for d in reload(blank).distributions] == ["Second"]


def test_remove_asks_for_confirmation(client, make, officer_setup):
    org, officer = officer_setup
    ds = make.dataset(org, officer)
    html = client.get(edit_url(ds, "distributions")).get_data(as_text=True)
    assert re.search(r'name="remove_distribution" value="0"[^>]*data-confirm="Remove', html)


def test_add_keeps_input_when_a_row_is_invalid(client, blank):
    r = save_step(client, blank, "distributions", nav="add_distribution",
                  **{"distributions-0-title": "Premier", "distributions-0-byte_size": "beaucoup"})
    assert r.status_code == 422
    page = r.data
    assert input_value(page, "distributions-0-byte_size") == "beaucoup"
    assert input_value(page, "distributions-1-title") == ""  # the row asked for is there
    assert reload(blank).distributions == []


# --------------------------------------------------------------------------- submission

@pytest.fixture
def translated(app_ctx):
    """translated(lang, msgid): the shipped catalog's translation of `msgid` in `lang`."""
    from flask_babel import force_locale
    from flask_babel import gettext as gettext_

    from inventory import babel_locale

    def _translated(lang, msgid):
        with app_ctx.test_request_context(), force_locale(babel_locale(lang)):
            text = gettext_(msgid)
        assert text != msgid, f"no {lang} translation of {msgid!r}"
        return text
    return _translated


def test_summary_lists_every_missing_field_with_links(client, blank):
    problems = workflow.submission_problems(reload(blank))
    assert len(problems) >= 10
    html = client.get(edit_url(blank, "summary")).get_data(as_text=True)
    for field, messages in problems.items():
        link = f'href="/datasets/{blank.uuid}/edit?step={step_of(field)}#field-{field}"'
        for message in messages:
            assert f'{link}>{escape(field_label(field))}: {escape(message)}</a>' in html, field
    assert f'href="/datasets/{blank.uuid}/edit?step=identification#field-owner_unit"' in html
    assert f'href="/datasets/{blank.uuid}/edit?step=coverage#field-themes"' in html


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_missing_fields_are_listed_in_the_user_language(client, blank, translated, lang):
    html = client.get(edit_url(blank, "summary") + f"&lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html
    t = {msgid: escape(translated(lang, msgid)) for msgid in (
        "Producing unit", "Name the unit that produces or holds the data.",
        "Choose at least one theme.")}
    assert f'{t["Producing unit"]}: {t["Name the unit that produces or holds the data."]}' in html
    assert t["Choose at least one theme."] in html
    assert "Name the unit that produces or holds the data." not in html
    # A failed submit says the same in that language.
    page = client.get(edit_url(blank, "summary")).data
    r = client.post(edit_url(blank, "summary"), data=filled(page, nav="submit"))
    assert r.status_code == 422
    assert t["Name the unit that produces or holds the data."] in r.get_data(as_text=True)


def test_submit_from_the_summary(client, make, officer_setup):
    org, officer = officer_setup
    ds = make.dataset(org, officer)
    page = client.get(edit_url(ds, "summary"))
    html = page.get_data(as_text=True)
    assert "Everything needed for submission is filled in." in html
    assert 'value="submit"' in html
    r = client.post(edit_url(ds, "summary"), data=filled(page.data, nav="submit"))
    assert r.status_code == 302 and r.location.endswith(f"/datasets/{ds.uuid}")
    assert reload(ds).status == "submitted"
    assert client.get(edit_url(ds, "summary")).status_code == 403  # under review now


def test_submit_incomplete_lists_problems_and_changes_nothing(client, blank):
    page = client.get(edit_url(blank, "summary")).data
    r = client.post(edit_url(blank, "summary"), data=filled(page, nav="submit"))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "The entry cannot be submitted yet" in html
    assert "Name the unit that produces or holds the data." in html
    assert reload(blank).status == "draft"


def test_submit_with_a_stale_summary_asks_to_check_again(client, make, officer_setup):
    org, officer = officer_setup
    ds = make.dataset(org, officer)
    page = client.get(edit_url(ds, "summary")).data
    assert save_step(client, ds, "identification", steward="Quelqu'un").status_code == 302
    r = client.post(edit_url(ds, "summary"), data=filled(page, nav="submit"))
    assert r.status_code == 409
    assert "check it again" in r.get_data(as_text=True)
    assert reload(ds).status == "draft"


def test_detail_page_submit_lists_problems_linking_to_the_wizard(client, blank):
    r = client.post(f"/datasets/{blank.uuid}/transition/submit")
    assert r.status_code == 302 and r.location.endswith("#problems")
    html = client.get(r.location).get_data(as_text=True)
    assert (f'href="/datasets/{blank.uuid}/edit?field=owner_unit">Producing unit: '
            'Name the unit that produces or holds the data.</a>') in html


# --------------------------------------------------------------------------- conflicts

def test_second_save_gets_a_conflict_keeps_input_and_can_save_on_top(app, client, make, login):
    org = make.org("MESRS")
    alice = make.user("officer", [org], name="Alice")
    bob = make.user("officer", [org], name="Bob")
    ds = make.dataset(org, alice)
    login(alice)
    bob_client = other_browser(app, login, bob)
    alice_page = client.get(edit_url(ds, "identification")).data
    bob_page = bob_client.get(edit_url(ds, "identification")).data
    assert input_value(alice_page, "version") == input_value(bob_page, "version")

    r = client.post(edit_url(ds, "identification"), data=filled(
        alice_page, owner_unit="Unité d'Alice", title_fr="Titre d'Alice", nav="save"))
    assert r.status_code == 302
    r = bob_client.post(edit_url(ds, "identification"), data=filled(
        bob_page, owner_unit="Unité de Bob", steward="Bob lui-même", nav="next"))
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "Someone else saved this entry while you were editing it" in html
    assert "Alice saved it at" in html
    # Bob's input is still in the form...
    again = form_fields(r.data)
    assert again["owner_unit"] == "Unité de Bob" and again["steward"] == "Bob lui-même"
    # ...next to what Alice saved, for the fields that differ.
    rows = re.findall(r"<tr>\s*<th scope=\"row\"><a href=\"#field-(\w+)\">.*?</tr>", html, re.S)
    assert set(rows) == {"owner_unit", "steward", "title_fr"}
    owner_row = re.search(r'href="#field-owner_unit".*?</tr>', html, re.S).group(0)
    assert "changed by the other person" in owner_row
    assert str(escape("Unité d'Alice")) in owner_row and str(escape("Unité de Bob")) in owner_row
    steward_row = re.search(r'href="#field-steward".*?</tr>', html, re.S).group(0)
    assert "changed by the other person" not in steward_row
    stored = reload(ds)
    assert stored.owner_unit == "Unité d'Alice" and stored.steward == ""
    # The form now carries the new version: saving again applies Bob's input on top.
    assert int(again["version"]) == stored.version
    r = bob_client.post(edit_url(ds, "identification"), data=filled(r.data, nav="next"))
    assert r.status_code == 302 and r.location.endswith("step=legal")
    stored = reload(ds)
    assert stored.owner_unit == "Unité de Bob" and stored.steward == "Bob lui-même"
    audit = db.session.scalars(db.select(AuditLog).where(
        AuditLog.object_id == ds.uuid, AuditLog.action == "dataset.update")).all()
    assert len(audit) == 2


def test_stale_save_with_nothing_different_just_saves(app, client, make, login):
    org = make.org("MESRS")
    alice, bob = make.user("officer", [org]), make.user("officer", [org])
    ds = make.dataset(org, alice)
    login(alice)
    bob_client = other_browser(app, login, bob)
    bob_page = bob_client.get(edit_url(ds, "coverage")).data
    assert save_step(client, ds, "identification", steward="Alice").status_code == 302
    r = bob_client.post(edit_url(ds, "coverage"), data=filled(bob_page, nav="next"))
    assert r.status_code == 302  # Alice changed another step; Bob's step is unchanged


def test_missing_or_garbled_version_never_overwrites_silently(client, make, officer_setup):
    org, officer = officer_setup
    ds = make.dataset(org, officer)
    page = client.get(edit_url(ds, "identification")).data
    for version in (None, "abc", "-1"):
        r = client.post(edit_url(ds, "identification"),
                        data=filled(page, version=version, owner_unit="Autre", nav="save"))
        assert r.status_code == 409
        assert reload(ds).owner_unit == "Direction des statistiques"


# --------------------------------------------------------------------------- expired session

def test_session_expiry_mid_step_keeps_the_input(client, blank, officer_setup):
    _org, officer = officer_setup
    page = client.get(edit_url(blank, "legal")).data
    client.delete_cookie("session")
    typed = filled(page, harm_note="Texte tapé avant l'expiration", personal_data="yes",
                   nav="next")
    r = client.post(edit_url(blank, "legal"), data=typed)
    assert r.status_code == 302 and "/login?next=" in r.location
    next_url = parse_qs(urlsplit(r.location).query)["next"][0]
    assert next_url.startswith(f"/datasets/{blank.uuid}/edit?stash=")
    r = client.post(r.location, data={"email": officer.email, "password": PASSWORD})
    assert r.status_code == 302 and r.location == next_url
    r = client.get(r.location)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Your input has been restored" in html
    assert 'aria-current="step"' in html and 'value="legal" class="stepper__button" ' \
        'aria-current="step"' in html
    restored = form_fields(r.data)
    assert restored["harm_note"] == "Texte tapé avant l'expiration"
    assert restored["personal_data"] == "yes"
    assert reload(blank).harm_note == ""  # not saved until the user saves
    r = client.post(edit_url(blank, "legal"), data=filled(r.data, nav="next"))
    assert r.status_code == 302
    assert reload(blank).harm_note == "Texte tapé avant l'expiration"
    assert client.get(next_url).get_data(as_text=True).count("restored") == 0  # used once


def _csrf(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html.decode()).group(1)


@pytest.fixture
def csrf_officer(csrf_app, make):
    """With CSRF protection on: a client signed in (with its token) as an officer, and a
    blank draft of theirs."""
    client = csrf_app.test_client()
    org = make.org("MESRS")
    officer = make.user("officer", [org])
    ds = make.dataset(org, officer, complete=False)
    login_page = client.get("/login").data
    r = client.post("/login", data={"email": officer.email, "password": PASSWORD,
                                    "csrf_token": _csrf(login_page)})
    assert r.status_code == 302
    return client, officer, ds


def test_session_expiry_with_csrf_on_keeps_the_input(csrf_officer):
    client, officer, ds = csrf_officer
    page = client.get(edit_url(ds, "identification")).data
    # The token works while the session lives.
    ok = client.post(edit_url(ds, "identification"), data=filled(page, steward="S", nav="save"))
    assert ok.status_code == 302
    page = client.get(edit_url(ds, "identification")).data
    client.delete_cookie("session")
    r = client.post(edit_url(ds, "identification"),
                    data=filled(page, title_ar="عنوان كتب قبل انتهاء الجلسة", nav="save"))
    assert r.status_code == 302, r.data[:300]  # not a bare 400 page
    assert "/login?next=" in r.location and "stash" in r.location
    login_page = client.get(r.location).data
    assert b"Your session has expired. Your input has been kept" in login_page
    r = client.post(r.location, data={"email": officer.email, "password": PASSWORD,
                                      "csrf_token": _csrf(login_page)})
    assert r.status_code == 302, r.data.decode()[r.data.decode().find("<main"):][:2000]
    r = client.get(r.location)
    restored = form_fields(r.data)
    assert restored["title_ar"] == "عنوان كتب قبل انتهاء الجلسة"
    assert restored["csrf_token"]  # a fresh token: saving works straight away
    r = client.post(edit_url(ds, "identification"), data=filled(r.data, nav="save"))
    assert r.status_code == 302
    assert reload(ds).title_ar == "عنوان كتب قبل انتهاء الجلسة"


def test_stale_csrf_token_while_signed_in_keeps_the_input(csrf_officer):
    client, _officer, ds = csrf_officer
    page = client.get(edit_url(ds, "identification")).data
    r = client.post(edit_url(ds, "identification"),
                    data=filled(page, csrf_token="forged", volume="12 Go", nav="save"))
    assert r.status_code == 302 and "stash=" in r.location and "/login" not in r.location
    r = client.get(r.location)
    assert form_fields(r.data)["volume"] == "12 Go"
    assert b"Your form had expired" in r.data
    assert reload(ds).volume == ""


def test_a_stash_is_bound_to_its_page(client, make, officer_setup):
    org, officer = officer_setup
    ds = make.dataset(org, officer, complete=False)
    other = make.dataset(org, officer, complete=False)
    page = client.get(edit_url(ds, "identification")).data
    client.delete_cookie("session")
    r = client.post(edit_url(ds, "identification"), data=filled(page, volume="1 Go"))
    token = parse_qs(urlsplit(parse_qs(urlsplit(r.location).query)["next"][0]).query)["stash"][0]
    client.post(r.location, data={"email": officer.email, "password": PASSWORD})
    r = client.get(edit_url(other, stash=token))  # another entry's page: not restored
    assert form_fields(r.data)["volume"] == ""
    r = client.get(edit_url(ds, stash=token))
    assert form_fields(r.data)["volume"] == "1 Go"


# --------------------------------------------------------------------------- access

def test_unknown_malformed_and_foreign_entries(client, make, officer_setup):
    org, officer = officer_setup
    foreign = make.dataset(make.org("MS"))
    assert client.get("/datasets/not-a-uuid/edit").status_code == 404
    assert client.get("/datasets/00000000-0000-4000-8000-000000000000/edit").status_code == 404
    r = client.get(f"/datasets/{foreign.uuid}/edit")
    assert r.status_code == 403
    assert foreign.title_fr.encode() not in r.data
    r = client.post(f"/datasets/{foreign.uuid}/edit?step=identification",
                    data={"version": foreign.version, "step": "identification",
                          "title_fr": "pris"})
    assert r.status_code == 403
    assert reload(foreign).title_fr != "pris"


@pytest.mark.parametrize("role, status, code", [
    ("officer", "draft", 200), ("officer", "changes_requested", 200),
    ("officer", "submitted", 403), ("officer", "approved", 403), ("officer", "archived", 403),
    ("reviewer", "draft", 403), ("reviewer", "submitted", 403),
    ("admin", "submitted", 200), ("admin", "archived", 403),
])
def test_who_may_edit(client, make, login, role, status, code):
    org = make.org("MESRS")
    user = make.user(role, [org])
    ds = make.dataset(org, status=status)
    login(user)
    assert client.get(edit_url(ds, "identification")).status_code == code


def test_signed_out_visitors_are_sent_to_sign_in(client, blank):
    client.delete_cookie("session")
    r = client.get(edit_url(blank, "legal"))
    assert r.status_code == 302 and "/login" in r.location


# --------------------------------------------------------------------------- clone

def test_clone_copies_the_description_into_a_new_draft(client, make, officer_setup):
    org, officer = officer_setup
    source = make.dataset(org, officer, status="submitted", keywords_fr=["a", "b"])
    r = client.post(f"/datasets/{source.uuid}/clone")
    assert r.status_code == 302
    clone = db.session.scalar(db.select(Dataset).where(Dataset.id != source.id))
    assert r.location.endswith(f"/datasets/{clone.uuid}/edit")
    source = reload(source)
    assert clone.uuid != source.uuid and clone.status == "draft"
    assert re.fullmatch(r"MESRS-\d{4}", clone.reference) and clone.reference != source.reference
    # The suffix is in each title's own language, whatever the interface language.
    assert clone.title_fr == source.title_fr + " (copie)"
    assert clone.title_ar == source.title_ar + " (نسخة)"
    assert clone.keywords_fr == ["a", "b"] and clone.keywords_fr is not source.keywords_fr
    assert list(clone.themes) == list(source.themes)
    assert [(d.title, d.format, d.access_url) for d in clone.distributions] == [
        (d.title, d.format, d.access_url) for d in source.distributions]
    assert {d.id for d in clone.distributions}.isdisjoint({d.id for d in source.distributions})
    assert clone.review_events == [] and clone.submitted_at is None
    assert workflow.submission_problems(clone) == {}
    assert db.session.scalar(db.select(AuditLog).where(
        AuditLog.action == "dataset.clone", AuditLog.object_id == clone.uuid)) is not None
    # Editing the copy leaves the source alone.
    save_step(client, clone, "identification", keywords_fr="c")
    assert reload(source).keywords_fr == ["a", "b"]


@pytest.mark.parametrize("role, own, code", [("officer", False, 403), ("reviewer", True, 403),
                                             ("admin", False, 302)])
def test_who_may_clone(client, make, login, role, own, code):
    org, other = make.org("MESRS"), make.org("MS")
    user = make.user(role, [org])
    ds = make.dataset(org if own else other)
    login(user)
    assert client.post(f"/datasets/{ds.uuid}/clone").status_code == code


def test_clone_of_unknown_entry(client, officer_setup):
    assert client.post("/datasets/zzz/clone").status_code == 404


def test_new_entry_gets_uuid_and_reference(client, officer_setup):
    org, _officer = officer_setup
    r = client.post("/datasets/new", data={"organization": org.id})
    assert r.status_code == 302
    ds = db.session.scalar(db.select(Dataset))
    assert r.location.endswith(f"/datasets/{ds.uuid}/edit")
    assert ds.reference == "MESRS-0001" and len(ds.uuid) == 36
    r = client.post("/datasets/new", data={"organization": org.id})
    assert db.session.scalar(db.select(db.func.max(Dataset.reference))) == "MESRS-0002"


def test_review_dates_in_the_past_are_a_submission_problem_not_a_draft_error(client, make,
                                                                           officer_setup):
    org, officer = officer_setup
    ds = make.dataset(org, officer, **restricted_fields())
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    r = save_step(client, ds, "legal", restriction_review_date=yesterday)
    assert r.status_code == 302
    assert "restriction_review_date" in workflow.submission_problems(reload(ds))


def test_reviewer_comments_show_next_to_their_fields(client, make, officer_setup):
    org, officer = officer_setup
    reviewer = make.user("reviewer", [org])
    ds = make.dataset(org, officer, status="submitted")
    workflow.request_changes(ds, reviewer, "Merci de préciser.",
                             {"owner_unit": "<i>Quelle</i> direction ?",
                              "distributions-0-access_url": "Lien cassé"})
    db.session.commit()
    html = client.get(edit_url(ds, "identification")).get_data(as_text=True)
    assert "Changes requested by the reviewer" in html and "Merci de préciser." in html
    comment = re.search(r'<p class="review-comment" id="owner_unit-review">.*?</p>', html, re.S)
    assert comment and str(escape("<i>Quelle</i> direction ?")) in comment.group(0)
    assert html.index('id="owner_unit-review"') < html.index('id="field-owner_unit"')
    assert (f'href="/datasets/{ds.uuid}/edit?step=distributions'
            '#field-distributions-0-access_url">Distribution 1: Access address</a>') in html
    html = client.get(edit_url(ds, "distributions")).get_data(as_text=True)
    assert 'id="distributions-0-access_url-review"' in html and "Lien cassé" in html
