"""The wizard's forms: one naming with inventory/fields.py, help on every question, and input
shape checks (bad and hostile input gives a field error and keeps what was typed)."""
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

from inventory import fields as entry_fields
from inventory import form_inputs, forms
from inventory.form_inputs import split_keywords
from inventory.forms import STEP_FORMS, build_form


@pytest.fixture
def req(app):
    """A request context (forms need one), in English."""
    with app.test_request_context("/?lang=en", method="POST"):
        yield


def step_form(step, **data):
    formdata = MultiDict()
    for key, value in data.items():
        for v in value if isinstance(value, list) else [value]:
            formdata.add(key, v)
    return STEP_FORMS[step](formdata=formdata)


# --------------------------------------------------------------------------- one naming

def test_every_entry_field_is_asked_on_its_step_with_its_label(req):
    for spec in entry_fields.FIELDS:
        form = STEP_FORMS[spec.step](formdata=None)
        assert spec.name in form, f"{spec.name} missing from the {spec.step} step"
        assert str(form[spec.name].label.text) == str(spec.label)
    for step, cls in STEP_FORMS.items():
        names = {f.name for f in cls(formdata=None)} - forms.NOT_MODEL_FIELDS
        assert names == {f.name for f in entry_fields.fields_of_step(step)}, step
    assert set(STEP_FORMS) == set(entry_fields.STEP_KEYS)


def test_distribution_rows_ask_the_distribution_fields(req):
    form = forms.DistributionForm()
    assert [f.name for f in form] == [f.name for f in entry_fields.DISTRIBUTION_FIELDS]
    for f in form:
        assert str(f.label.text) == str(entry_fields.DISTRIBUTION_FIELDS_BY_NAME[f.name].label)


def test_every_question_has_an_explanation_and_an_example(req):
    without_example = []
    for cls in [*STEP_FORMS.values(), forms.DistributionForm]:
        form = cls(formdata=None) if cls is not forms.DistributionForm else cls()
        for f in form:
            if f.name in forms.NOT_MODEL_FIELDS or f.name == "distributions":
                continue
            assert isinstance(f.description, forms.Help), f.name
            assert len(str(f.description.text)) > 20, f.name
            if not f.description.example:
                without_example.append(f.name)
    assert without_example == []


# --------------------------------------------------------------------------- keywords

@pytest.mark.parametrize("typed, stored", [
    ("a, b، c ,a,, ", ["a", "b", "c"]),
    ("طلبة، جامعات ،  تعليم   عالي", ["طلبة", "جامعات", "تعليم عالي"]),
    ("Santé; santé؛ HÔPITAUX\nhôpitaux", ["Santé", "HÔPITAUX"]),
    ("", []),
    (" ،, ", []),
])
def test_keywords_split_trim_and_deduplicate(typed, stored):
    assert split_keywords(typed) == stored


def test_keywords_count_and_length_are_bounded(req):
    form = step_form("identification", keywords_fr=", ".join(f"mot{i}" for i in range(31)),
                     keywords_en="ok, " + "x" * 101)
    assert not form.validate()
    assert "At most 30 keywords" in form.keywords_fr.errors[0]
    assert "at most 100 characters" in form.keywords_en.errors[0]
    assert form.keywords_fr.data.startswith("mot0, mot1")  # the input stays as typed


def test_keywords_show_as_typed_text_per_language(req, make):
    org = make.org()
    ds = make.dataset(org, keywords_ar=["طلبة", "جامعات"], keywords_fr=["a", "b"])
    form = build_form("identification", ds)
    assert form.keywords_ar.data == "طلبة، جامعات"
    assert form.keywords_fr.data == "a, b"


# --------------------------------------------------------------------------- text shape

HOSTILE_TEXTS = [
    '<script>alert("x")</script><b>gras</b>',
    "\u200fمعطيات\u200e (RTL/LTR marks) \u202eevil\u202c",
    "Données 📊🇹🇳 emoji",
    "' OR 1=1; -- DROP TABLE dataset;",
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_but_valid_text_is_kept_as_typed(req, text):
    form = step_form("identification", title_fr=text, owner_unit=text, description_ar=text)
    assert form.validate(), form.errors
    changes, _themes, _dists = form.to_changes()
    assert changes["title_fr"] == text.strip()
    assert changes["owner_unit"] == text.strip()


@pytest.mark.parametrize("text", ["nul\x00byte", "bell\x07", "esc\x1b[31m"])
def test_control_characters_are_refused_with_a_field_error(req, text):
    form = step_form("identification", steward=text)
    assert not form.validate()
    assert "control characters" in form.steward.errors[0]
    assert form.steward.data == text


@pytest.mark.parametrize("name, limit", [("title_ar", 500), ("owner_unit", 300),
                                         ("steward", 200), ("volume", 100),
                                         ("description_fr", form_inputs.LONG_TEXT)])
def test_lengths_match_the_columns(req, name, limit):
    assert step_form("identification", **{name: "ش" * limit}).validate()
    form = step_form("identification", **{name: "ش" * (limit + 1)})
    assert not form.validate()
    assert f"{limit + 1:,}" in form[name].errors[0] or str(limit + 1) in form[name].errors[0]


def test_column_limits_agree_with_the_model():
    from inventory.models import Dataset, Distribution
    checked = 0
    for cls, model in ((STEP_FORMS, Dataset), ({"d": forms.DistributionForm}, Distribution)):
        for form_cls in cls.values():
            for name, unbound in vars(form_cls).items():
                if not isinstance(unbound, UnboundField):
                    continue
                column = model.__table__.columns.get(name)
                validators = unbound.kwargs.get("validators") or (
                    unbound.args[1] if len(unbound.args) > 1 else [])
                shapes = [v for v in validators or () if isinstance(v, form_inputs.TextShape)]
                if column is None or not shapes or not hasattr(column.type, "length"):
                    continue
                if column.type.length:
                    assert shapes[0].max_length == column.type.length, name
                    checked += 1
    assert checked >= 15


# --------------------------------------------------------------------------- shaped inputs

@pytest.mark.parametrize("typed, parsed", [
    ("2024-12-31", date(2024, 12, 31)),
    ("31/12/2024", date(2024, 12, 31)),
    ("\u200f2024-01-05\u200e", date(2024, 1, 5)),
    ("", None),
])
def test_dates_accept_calendar_and_typed_forms(req, typed, parsed):
    form = step_form("coverage", temporal_start=typed)
    assert form.validate(), form.errors
    assert form.temporal_start.data == parsed


@pytest.mark.parametrize("typed", ["2024-02-30", "yesterday", "12/31/2024", "0999-01-01",
                                   "3000-01-01", "2024-01-01<script>"])
def test_bad_dates_give_a_field_error_and_keep_the_input(req, typed):
    form = step_form("coverage", temporal_start=typed)
    assert not form.validate()
    assert form.temporal_start.errors
    assert form.temporal_start._value() == typed


@pytest.mark.parametrize("typed, value", [("1200", 1200), ("1 200", 1200), ("١٢٠٠", 1200),
                                          ("\u200f42", 42), ("", None)])
def test_whole_numbers(req, typed, value):
    form = step_form("priority", ati_requests=typed)
    assert form.validate(), form.errors
    assert form.ati_requests.data == value


@pytest.mark.parametrize("typed", ["12a", "-1", "1.5", "1e3", "9" * 5000, "2000000"])
def test_bad_numbers_give_a_field_error_and_keep_the_input(req, typed):
    form = step_form("priority", ati_requests=typed)
    assert not form.validate()
    assert form.ati_requests.errors
    assert form.ati_requests._value() == typed


@pytest.mark.parametrize("step, name, value", [
    ("legal", "personal_data", "maybe"),
    ("legal", "classification", "<script>"),
    ("legal", "restriction_grounds", ["PRIVACY", "NOPE"]),
    ("access", "access_rights", "ALL"),
    ("access", "license_code", "GPL-3.0"),
    ("access", "hvd_category", "X"),
    ("coverage", "themes", ["EDUC", "XXX"]),
    ("coverage", "frequency", "HOURLY"),
    ("coverage", "languages", ["de"]),
    ("priority", "demand", "7"),
    ("priority", "risk", "high"),
])
def test_unknown_codes_give_a_field_error(req, step, name, value):
    form = step_form(step, **{name: value})
    assert not form.validate()
    assert form[name].errors, form.errors
    assert set(form.errors) == {name}


def test_whole_country_or_governorates(req):
    assert step_form("coverage", spatial=["TN"]).validate()
    assert step_form("coverage", spatial=["TN-11", "TN-61"]).validate()
    form = step_form("coverage", spatial=["TN", "TN-11"])
    assert not form.validate()
    assert "not both" in form.spatial.errors[0]


@pytest.mark.parametrize("name, value, ok", [
    ("contact_email", "opendata@ministere.gov.tn", True),
    ("contact_email", "not-an-email", False),
    ("contact_email", "a@b.tn<script>", False),
    ("landing_page", "https://www.ministere.gov.tn/page", True),
    ("landing_page", "javascript:alert(1)", False),
    ("landing_page", "www.ministere.gov.tn", False),
    ("documentation_url", "ftp://files.example.org/doc.pdf", False),
    ("documentation_url", "https://x.tn/" + "a" * 2000, False),
])
def test_addresses_are_checked_for_shape(req, name, value, ok):
    form = step_form("access", **{name: value})
    assert form.validate() is ok, form.errors
    if not ok:
        assert form[name].data == value


# --------------------------------------------------------------------------- to the model

def test_changes_convert_to_model_values(req):
    form = step_form("priority", demand="2", ati_requests="4", value="", legal_obligation="y",
                     planned_release_date="2026-03-31")
    assert form.validate(), form.errors
    changes, themes, distributions = form.to_changes()
    assert changes["demand"] == 2
    assert changes["value"] is None
    assert changes["ati_requests"] == 4
    assert changes["legal_obligation"] is True
    assert changes["planned_release_date"] == date(2026, 3, 31)
    assert themes is None and distributions is None
    # Radios never answered are not posted at all: they leave the stored value alone.
    assert "readiness" not in changes and "risk" not in changes


def test_a_partial_post_never_blanks_stored_text(req):
    form = step_form("identification", title_fr="Titre")
    changes, _t, _d = form.to_changes()
    assert changes == {"title_fr": "Titre"}


def test_unticked_checkboxes_clear_the_choice(req):
    form = step_form("coverage", frequency="ANNUAL")
    changes, themes, _d = form.to_changes()
    assert themes == [] and changes["spatial"] == [] and changes["languages"] == []


def test_distribution_rows_skip_blank_rows_only(req):
    form = step_form("distributions", **{
        "distributions-0-title": "Fichier", "distributions-0-format": "CSV",
        "distributions-1-title": "", "distributions-1-access_url": "",
        "distributions-2-availability": "STABLE",
    })
    assert form.validate(), form.errors
    rows = form.distribution_rows()
    assert [r["title"] for r in rows] == ["Fichier", ""]
    assert rows[1]["availability"] == "STABLE"


def test_too_many_distributions(req):
    data = {f"distributions-{i}-title": f"f{i}" for i in range(forms.MAX_DISTRIBUTIONS + 1)}
    form = step_form("distributions", **data)
    assert not form.validate()
    assert form.error_items()[0][0] == "distributions"


def test_expected_version_is_zero_when_missing_or_garbled(req):
    assert step_form("identification", version="7").expected_version() == 7
    assert step_form("identification").expected_version() == 0
    assert step_form("identification", version="x<").expected_version() == 0
