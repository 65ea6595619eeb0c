"""WTForms of the guided inventory form: one form per wizard step.

Validators check only the *shape* of what is typed — lengths matching the columns, e-mail and
web-address shape, dates, whole numbers in range, codes from the vocabularies — so a draft
saves incomplete; completeness is `workflow.submission_problems` at submission. Labels come
from `inventory.fields` (the one naming of every field); the help text and the example of each
question live here, next to its field, as `Help` (the field's `description`).
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)

from . import fields as entry_fields
from . import vocabularies as vocab
from .form_inputs import (
    LONG_TEXT,
    MAX_ATI_REQUESTS,
    MAX_BYTE_SIZE,
    DateInputField,
    KeywordsField,
    MultiCheckboxField,
    TextShape,
    WholeNumberField,
    code_choice,
    country_or_governorates,
    email_address,
    int_choice,
    keywords_shape,
    known_choice,
    known_choices,
    model_value,
    strip_marks,
    strip_text,
    web_address,
)

MAX_DISTRIBUTIONS = 50
RESTRICTED_CLASSIFICATIONS = ("restricted", "not_publishable")
RESTRICTION_FIELDS = ("restriction_grounds", "harm_note", "public_interest_note",
                      "proportionality_note", "restriction_review_date")


@dataclass(frozen=True)
class Help:
    """The short explanation and the example shown under a question."""

    text: object
    example: object = None
    example_lang: str | None = None  # an example written in one language (titles, keywords)


# --------------------------------------------------------------------------- helpers

def _label(name):
    return entry_fields.FIELDS_BY_NAME[name].label


def _text(label, max_length, help, example=None, example_lang=None, long=False):
    cls = TextAreaField if long else StringField
    return cls(label, [TextShape(max_length)], filters=[strip_text],
               description=Help(help, example, example_lang))


def _url(label, help, example):
    return URLField(label, [TextShape(2000), web_address], filters=[strip_marks],
                    description=Help(help, example))


def _radio(name, choices, help, example=None, coerce=code_choice):
    return RadioField(_label(name), choices=choices, coerce=coerce, validate_choice=False,
                      validators=[known_choice], description=Help(help, example))


def _select(label, choices, help, example=None, coerce=code_choice):
    return SelectField(label, choices=choices, coerce=coerce, validate_choice=False,
                       validators=[known_choice], description=Help(help, example))


def _checkboxes(name, choices, help, example=None, extra=()):
    return MultiCheckboxField(_label(name), choices=choices, coerce=code_choice,
                              validate_choice=False, validators=[known_choices, *extra],
                              description=Help(help, example))


def _date(label, help, example=None):
    return DateInputField(label, description=Help(help, example))


def _terms(terms, blank=None):
    """Choices evaluated when the form is built (labels in the request's language)."""
    return lambda: vocab.choices(terms() if callable(terms) else terms, blank=blank)


def _levels():
    return [(level, str(label)) for level, label in vocab.LEVEL_LABELS.items()]


def _formats():
    return [("", _("— choose a format —"))] + [
        (code, term.label(), {"data-media-type": term.extra["media_type"]})
        for code, term in vocab.formats().items()]


NOT_MODEL_FIELDS = {"csrf_token", "version", "step", "restriction_shown"}


class StepForm(FlaskForm):
    """Base of the step forms. `version` is the entry version the user started from
    (optimistic locking); `step` is posted back so that a form stashed when the session
    expired knows which step it belongs to."""

    version = HiddenField()
    step = HiddenField()

    def expected_version(self):
        """The version posted with the form; 0 (always a conflict) when missing or garbled,
        so a post without it cannot overwrite someone else's work unseen."""
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return 0

    def to_changes(self):
        """(changes, themes, distributions) for `entries.save_entry`. A text, choice, date or
        number field absent from the post is left out, so a partial post never blanks what is
        stored (an absent checkbox means unticked, as browsers send it)."""
        changes, themes, distributions = {}, None, None
        for field in self:
            if field.name in NOT_MODEL_FIELDS:
                continue
            if field.name == "themes":
                themes = model_value(field)
            elif field.name == "distributions":
                distributions = self.distribution_rows()
            elif getattr(field, "raw_data", None) == [] and \
                    not isinstance(field, SelectMultipleField | BooleanField):
                continue
            else:
                changes[field.name] = model_value(field)
        return changes, themes, distributions

    def error_items(self):
        """(field id, label, messages) for the error summary, in the order of the form."""
        items = []
        for field in self:
            if isinstance(field, FieldList):
                for entry in field.entries:
                    items += [(sub.id, entry_fields.field_label(sub.id), sub.errors)
                              for sub in entry.form if sub.errors]
            elif field.errors:
                items.append((field.id, field.label.text, field.errors))
        return items


# --------------------------------------------------------------------------- the steps

TITLE_HELP = _l("A short name saying what the data are about, as a citizen would search for "
                "it: no internal codes or abbreviations. Fill in every language you can; "
                "Arabic or French is needed before submission.")
DESCRIPTION_HELP = _l("A few sentences: what the data contain, what one row or record stands "
                      "for, how the data are collected, and their known limits.")
KEYWORDS_HELP = _l("Words people would type to find these data, separated by commas (, or ،).")


EXAMPLE_TITLES = {
    "ar": "عدد الطلبة المرسمين حسب الجامعة والولاية",
    "fr": "Effectifs des étudiants inscrits par université et par gouvernorat",
    "en": "Students enrolled by university and governorate",
}
EXAMPLE_DESCRIPTIONS = {
    "ar": "عدد الطلبة المرسمين في بداية كل سنة جامعية حسب المؤسسة والجنس والشعبة. "
          "المصدر: منظومة التسجيل الجامعي.",
    "fr": "Nombre d'étudiants inscrits au début de chaque année universitaire, par "
          "établissement, sexe et filière. Source : système d'inscription universitaire.",
    "en": "Number of students enrolled at the start of each academic year, by institution, "
          "sex and field of study. Source: university registration system.",
}


def _title(lang):
    return _text(_label(f"title_{lang}"), 500, TITLE_HELP, EXAMPLE_TITLES[lang], lang)


def _description(lang):
    return _text(_label(f"description_{lang}"), LONG_TEXT, DESCRIPTION_HELP,
                 EXAMPLE_DESCRIPTIONS[lang], lang, long=True)


class IdentificationForm(StepForm):
    # Titles, descriptions and keywords: one input per language, each with its own lang/dir.
    title_ar = _title("ar")
    title_fr = _title("fr")
    title_en = _title("en")
    description_ar = _description("ar")
    description_fr = _description("fr")
    description_en = _description("en")
    keywords_ar = KeywordsField(_label("keywords_ar"), [TextShape(4000), keywords_shape],
                                lang="ar", filters=[strip_text],
                                description=Help(KEYWORDS_HELP, "طلبة، جامعات، تعليم عالي", "ar"))
    keywords_fr = KeywordsField(_label("keywords_fr"), [TextShape(4000), keywords_shape],
                                lang="fr", filters=[strip_text],
                                description=Help(KEYWORDS_HELP, "étudiants, universités, "
                                                 "enseignement supérieur", "fr"))
    keywords_en = KeywordsField(_label("keywords_en"), [TextShape(4000), keywords_shape],
                                lang="en", filters=[strip_text],
                                description=Help(KEYWORDS_HELP, "students, universities, "
                                                 "higher education", "en"))
    owner_unit = _text(_label("owner_unit"), 300, _l(
        "The directorate, department or service of your organization that produces the data "
        "or is responsible for them (a unit, not a person)."),
        _l("Directorate of studies, planning and information systems"))
    steward = _text(_label("steward"), 200, _l(
        "The person or role who knows the data best and can answer questions about their "
        "content. A role is better than a name: it stays valid when people change jobs."),
        _l("Head of the statistics office"))
    source_system = _text(_label("source_system"), 300, _l(
        "The application, database or register the data come from. Write “paper files” if "
        "they are not digitised."), _l("Student registration application"))
    storage_location = _text(_label("storage_location"), 300, _l(
        "Where the data are kept today: a server, a shared folder, a cloud service, an "
        "archive room."), _l("Ministry data centre, in a relational database"))
    volume = _text(_label("volume"), 100, _l(
        "Roughly how much data there is: a number of rows or records, of files, or a size."),
        _l("About 350,000 rows a year; 40 MB"))
    update_mechanism = _text(_label("update_mechanism"), 300, _l(
        "How new data arrive: typed by hand, exported from an application, sent by regional "
        "offices…"), _l("Monthly export from the application by the IT unit"))


class LegalForm(StepForm):
    personal_data = _radio("personal_data", _terms(vocab.PERSONAL_DATA_LABELS), _l(
        "Personal data are any information about a person who can be identified: name, "
        "national ID card number, address, telephone, photo, or details precise enough to "
        "recognise someone."), _l(
        "A list of patients with their date of birth contains personal data; the number of "
        "patients per hospital does not."))
    personal_data_categories = _text(_label("personal_data_categories"), LONG_TEXT, _l(
        "Which kinds of personal information the data contain. Sensitive ones (health, "
        "religion, criminal records…) need particular care."),
        _l("Names, national ID numbers, addresses, health status"), long=True)
    classification = _radio("classification", _terms(vocab.CLASSIFICATION_LABELS), _l(
        "Can the data be published for everyone? “Open after treatment” means they can once "
        "personal or protected details are removed or aggregated. Choose a restriction only "
        "when an exception of the law applies: the questions about it then appear."), _l(
        "Budget execution tables: open. A register of named beneficiaries: open after "
        "treatment, aggregated by governorate."))
    # "1" once the restriction questions were shown (by the server or by app.js): choosing a
    # restriction without JavaScript keeps the user on this step to answer them.
    restriction_shown = HiddenField()
    restriction_grounds = _checkboxes("restriction_grounds", _terms(vocab.restriction_grounds), _l(
        "Organic Law 2016-22 on the right of access to information (article 24) lets a body "
        "refuse access only to protect these interests. Tick every ground that applies."),
        _l("A map of the sensitive sites of the electricity network: public security."))
    harm_note = _text(_label("harm_note"), LONG_TEXT, _l(
        "Describe the concrete, serious harm that publishing would cause to the protected "
        "interest. A general risk is not enough."), _l(
        "Publishing the exact location of the substations would make sabotage easier."),
        long=True)
    public_interest_note = _text(_label("public_interest_note"), LONG_TEXT, _l(
        "Explain why the public interest in knowing does not outweigh this harm. When the "
        "public interest is greater, the data must be published."), _l(
        "The network's overall performance is already published; the locations add little "
        "for the public."), long=True)
    proportionality_note = _text(_label("proportionality_note"), LONG_TEXT, _l(
        "Say why a partial opening (removing some columns, aggregating, publishing later) is "
        "not possible. Restrict only what must be."), _l(
        "Even grouped by delegation, the sites remain identifiable."), long=True)
    restriction_review_date = _date(_label("restriction_review_date"), _l(
        "A restriction lapses when its reasons cease. Choose when it will be examined again "
        "(a date in the future)."), _l("In two years, for example 2027-06-30"))
    other_constraints = _text(_label("other_constraints"), LONG_TEXT, _l(
        "Anything else that limits reuse: rights of others, contract clauses, an embargo "
        "until a date…"), _l("Maps made by a private contractor: reuse rights to check."),
        long=True)


class AccessForm(StepForm):
    access_rights = _radio("access_rights", _terms(vocab.access_rights), _l(
        "Who will be able to get the data. Public: anyone. Restricted: only under conditions "
        "(for example researchers with an agreement). Non-public: not available outside the "
        "administration."), _l("Data that can be opened: public."))
    license_code = _select(_label("license_code"), _terms(vocab.licences), _l(
        "The conditions for reusing the data. The national open licence is recommended: it "
        "allows every reuse, commercial included, as long as the source and the date of the "
        "data are cited."), _l("National open licence (Tunisia)"))
    legal_basis = _text(_label("legal_basis"), LONG_TEXT, _l(
        "The law, decree or order that requires or frames the collection or publication of "
        "these data, if there is one."), _l("Government Decree 2021-3 on open public data"),
        long=True)
    contact_name = _text(_label("contact_name"), 200, _l(
        "The team that answers questions from people using the data. Give a service, not a "
        "person, so that it stays valid when people change jobs."), _l("Open data unit"))
    contact_email = EmailField(_label("contact_email"), [TextShape(254), email_address],
                               filters=[strip_marks], description=Help(_l(
                                   "A shared mailbox of that team, not a personal address."),
                                   "opendata@ministere.gov.tn"))
    landing_page = _url(_label("landing_page"), _l(
        "A web page where people can read about the data, if one exists (for instance on your "
        "organization's website). It starts with http:// or https://."),
        "https://www.ministere.gov.tn/statistiques")
    documentation_url = _url(_label("documentation_url"), _l(
        "A link to a document explaining the data: method, meaning of each column, codes "
        "used."), "https://www.ministere.gov.tn/docs/methodologie.pdf")
    hvd_category = _select(_label("hvd_category"), _terms(
        vocab.hvd_categories, blank=_l("Not a high-value dataset")), _l(
        "High-value datasets bring the greatest benefits to society and the economy: "
        "geospatial, earth observation and environment, meteorological, statistics, companies, "
        "mobility. Choose a category only if the data belong to one."),
        _l("Population by governorate: statistics."))


class CoverageForm(StepForm):
    themes = _checkboxes("themes", _terms(vocab.themes), _l(
        "The subjects the data are about. Tick one or more: they decide where the data appear "
        "on the portal."), _l("Student enrolments: education, culture and sport."))
    spatial = _checkboxes("spatial", _terms(vocab.governorates), _l(
        "The part of the country the data describe: the whole country, or the governorates "
        "concerned."), _l("A survey of Sfax and Gabès only: tick these two governorates."),
        extra=(country_or_governorates,))
    temporal_start = _date(_label("temporal_start"), _l(
        "The first date the data describe (not the date they were collected or published)."),
        _l("Enrolments since the 2015-2016 academic year: 2015-09-15"))
    temporal_end = _date(_label("temporal_end"), _l(
        "The last date the data describe. Leave it empty while data are still being added."),
        _l("2024-06-30"))
    frequency = _select(_label("frequency"), _terms(vocab.frequencies,
                                                    blank=_l("— choose a frequency —")),
                        _l("How often the data are updated (or will be, once published)."),
                        _l("A table refreshed every year: annual."))
    languages = _checkboxes("languages", _terms(vocab.languages), _l(
        "The languages used inside the data: column headings, labels, texts."),
        _l("A table with Arabic and French headings: Arabic and French."))


def _dist_label(name):
    return entry_fields.DISTRIBUTION_FIELDS_BY_NAME[name].label


class DistributionForm(Form):
    """One distribution row (nested; the step form carries the CSRF token)."""

    title = _text(_dist_label("title"), 500, _l("A short name for this file or service."),
                  _l("Enrolments 2023-2024 (CSV)"))
    description = _text(_dist_label("description"), LONG_TEXT, _l(
        "What this file contains, if it differs from the others."),
        _l("One row per institution and field of study."), long=True)
    access_url = _url(_dist_label("access_url"), _l(
        "The web address where people reach the data: a download page, a portal page or an "
        "API address. Needed before submission."),
        "https://www.ministere.gov.tn/donnees/inscrits")
    download_url = _url(_dist_label("download_url"), _l(
        "The direct address of the file itself, if it can be downloaded directly."),
        "https://www.ministere.gov.tn/donnees/inscrits-2024.csv")
    format = _select(_dist_label("format"), _formats, _l(
        "The file format. Prefer open formats that programs can read, such as CSV or JSON. "
        "The media type follows from it."), "CSV")
    byte_size = WholeNumberField(_dist_label("byte_size"), maximum=MAX_BYTE_SIZE,
                                 description=Help(_l("The size of the file in bytes, if "
                                                     "known."), "1048576"))
    license_code = _select(_dist_label("license_code"), _terms(
        vocab.licences, blank=_l("Same as the entry")), _l(
        "Only if this file has another licence than the entry; otherwise leave it as it is."),
        _l("A map layer under ODbL while the entry uses the national open licence."))
    availability = _select(_dist_label("availability"), _terms(
        vocab.availabilities, blank=_l("— not stated —")), _l(
        "How long you plan to keep this file available at this address."),
        _l("Stable: kept for the long term."))

    def is_blank(self):
        """Nothing typed or chosen in this row (such rows are not stored)."""
        for field in self:
            if model_value(field) not in (None, "", []):
                return False
            if field.raw_data and any(str(v).strip() for v in field.raw_data):
                return False  # typed but not understood: never a blank row
        return True


class DistributionsForm(StepForm):
    distributions = FieldList(FormField(DistributionForm), min_entries=0)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        self.count_errors = []
        rows = [e for e in self.distributions.entries if not e.form.is_blank()]
        if len(rows) > MAX_DISTRIBUTIONS:
            self.count_errors.append(_("At most %(max)s distributions per entry; there are "
                                       "%(count)s.", max=MAX_DISTRIBUTIONS, count=len(rows)))
        return ok and not self.count_errors

    def remove_row(self, index):
        """Drop the row posted as `distributions-<index>` (its Remove button was pressed)."""
        name = f"distributions-{index}"
        self.distributions.entries = [e for e in self.distributions.entries if e.name != name]

    def distribution_rows(self):
        """The rows to store, as dicts of the model's distribution fields; blank rows skipped."""
        return [{f.short_name: model_value(f) for f in entry.form}
                for entry in self.distributions.entries if not entry.form.is_blank()]

    def error_items(self):
        items = super().error_items()
        if getattr(self, "count_errors", None):
            items.insert(0, ("distributions", _label("distributions"), self.count_errors))
        return items


class PriorityForm(StepForm):
    demand = _radio("demand", _levels, _l(
        "How often people ask for these data: citizens, researchers, companies, journalists, "
        "other administrations."), _l("Asked for several times a month: high."),
        coerce=int_choice)
    ati_requests = WholeNumberField(_label("ati_requests"), maximum=MAX_ATI_REQUESTS,
                                    description=Help(_l(
                                        "How many access-to-information requests (Organic Law "
                                        "2016-22) asked for these data over the last year."),
                                        "4"))
    value = _radio("value", _levels, _l(
        "How useful the data would be for the economy, research, citizens' daily life or "
        "transparency."), _l("Hospital waiting times: high value for citizens."),
        coerce=int_choice)
    legal_obligation = BooleanField(_label("legal_obligation"), description=Help(_l(
        "Tick if a law or regulation requires these data to be published, or if they belong "
        "to a high-value category."), _l("Yearly statistics that a decree orders to publish.")))
    readiness = _radio("readiness", _levels, _l(
        "How ready the data are to publish: digital, clean, documented? High means ready as "
        "they are; none means much work is needed."),
        _l("A clean CSV export already produced every month: high."), coerce=int_choice)
    risk = _radio("risk", _levels, _l(
        "How risky opening would be: errors, misreading, personal data left in. None means no "
        "risk; high means a serious risk."), _l("Aggregated statistics: low."),
        coerce=int_choice)
    planned_release_date = _date(_label("planned_release_date"), _l(
        "When you plan to publish the data on the portal."), _l("2026-03-31"))
    next_update_due = _date(_label("next_update_due"), _l(
        "When the next update of the data is expected."), _l("2026-09-30"))
    campaign_id = _select(_label("campaign_id"), None, _l(
        "The inventory campaign this entry belongs to, if any."),
        _l("The 2025 campaign on the priority sectors"), coerce=int_choice)


class SummaryForm(StepForm):
    """The summary step has no questions: only the version (for Submit) and the step."""


STEP_FORMS = {
    "identification": IdentificationForm,
    "legal": LegalForm,
    "access": AccessForm,
    "coverage": CoverageForm,
    "distributions": DistributionsForm,
    "priority": PriorityForm,
    "summary": SummaryForm,
}


def suggested_access_rights(classification):
    """Access rights that go with an openness classification (a pre-filled suggestion)."""
    return {"open": "PUBLIC", "open_after_treatment": "PUBLIC", "restricted": "RESTRICTED",
            "not_publishable": "NON_PUBLIC"}.get(classification)


def build_form(step, dataset, formdata=None, campaigns=()):
    """The form of wizard step `step`: from posted (or stashed) `formdata` when given, else
    filled from the entry with its defaults (national open licence, access rights suggested
    by the classification, one empty distribution row)."""
    cls = STEP_FORMS[step]
    form = cls(formdata=formdata) if formdata is not None else cls(formdata=None, obj=dataset)
    form.step.data = step
    if isinstance(form, PriorityForm):
        locale = vocab.current_locale()
        form.campaign_id.choices = [("", _("No campaign"))] + [
            (c.id, c.name(locale)) for c in campaigns]
    if formdata is None:
        form.version.data = str(dataset.version)
        if isinstance(form, AccessForm):
            if not form.license_code.data:
                form.license_code.data = vocab.DEFAULT_LICENCE
            if not form.access_rights.data:
                form.access_rights.data = suggested_access_rights(dataset.classification)
        if isinstance(form, DistributionsForm) and not form.distributions.entries:
            form.distributions.append_entry()
    return form
