"""The inventory entry's fields as users meet them: wizard step, label, and whether a field is
ever published.

One list serves the wizard (steps and labels), the review form (comments per field), the
submission problems (anchored by field name), the register import/export (headers) and the
API (field names). Help texts and examples for the wizard live next to the form fields in
`forms.py`; this module only names things.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Step:
    key: str
    label: object  # lazy string


@dataclass(frozen=True)
class FieldSpec:
    name: str
    step: str
    label: object  # lazy string
    internal: bool = False  # inventory-only: never reaches the catalogue or the portal


STEPS = (
    Step("identification", _l("Identification")),
    Step("legal", _l("Legal assessment and personal data")),
    Step("access", _l("Access and licence")),
    Step("coverage", _l("Coverage")),
    Step("distributions", _l("Distributions")),
    Step("priority", _l("Priority and planning")),
    Step("summary", _l("Summary")),
)
STEP_KEYS = tuple(s.key for s in STEPS)

_LANG_NAMES = {"ar": _l("Arabic"), "fr": _l("French"), "en": _l("English")}


def _trilingual(name, label_ar, label_fr, label_en, step="identification"):
    labels = {"ar": label_ar, "fr": label_fr, "en": label_en}
    return tuple(FieldSpec(f"{name}_{lang}", step, labels[lang]) for lang in ("ar", "fr", "en"))


FIELDS = (
    *_trilingual("title", _l("Title in Arabic"), _l("Title in French"), _l("Title in English")),
    *_trilingual("description", _l("Description in Arabic"), _l("Description in French"),
                 _l("Description in English")),
    *_trilingual("keywords", _l("Keywords in Arabic"), _l("Keywords in French"),
                 _l("Keywords in English")),
    FieldSpec("owner_unit", "identification", _l("Producing unit"), internal=True),
    FieldSpec("steward", "identification", _l("Data steward"), internal=True),
    FieldSpec("source_system", "identification", _l("Source system"), internal=True),
    FieldSpec("storage_location", "identification", _l("Storage"), internal=True),
    FieldSpec("volume", "identification", _l("Volume"), internal=True),
    FieldSpec("update_mechanism", "identification", _l("Update mechanism"), internal=True),

    FieldSpec("personal_data", "legal", _l("Personal data"), internal=True),
    FieldSpec("personal_data_categories", "legal", _l("Categories of personal data"),
              internal=True),
    FieldSpec("classification", "legal", _l("Openness"), internal=True),
    FieldSpec("restriction_grounds", "legal",
              _l("Legal grounds (Organic Law 2016-22, art. 24)"), internal=True),
    FieldSpec("harm_note", "legal", _l("Harm test"), internal=True),
    FieldSpec("public_interest_note", "legal", _l("Public-interest test"), internal=True),
    FieldSpec("proportionality_note", "legal", _l("Proportionality"), internal=True),
    FieldSpec("restriction_review_date", "legal", _l("Review of the restriction"),
              internal=True),
    FieldSpec("other_constraints", "legal", _l("Other constraints"), internal=True),

    FieldSpec("access_rights", "access", _l("Access rights")),
    FieldSpec("license_code", "access", _l("Licence")),
    FieldSpec("legal_basis", "access", _l("Legal basis")),
    FieldSpec("contact_name", "access", _l("Contact point name")),
    FieldSpec("contact_email", "access", _l("Contact point e-mail")),
    FieldSpec("landing_page", "access", _l("Web page")),
    FieldSpec("documentation_url", "access", _l("Documentation")),
    FieldSpec("hvd_category", "access", _l("High-value category")),

    FieldSpec("themes", "coverage", _l("Themes")),
    FieldSpec("spatial", "coverage", _l("Geographic coverage")),
    FieldSpec("temporal_start", "coverage", _l("Start of the period covered")),
    FieldSpec("temporal_end", "coverage", _l("End of the period covered")),
    FieldSpec("frequency", "coverage", _l("Update frequency")),
    FieldSpec("languages", "coverage", _l("Languages of the data")),

    FieldSpec("distributions", "distributions", _l("Distributions")),

    FieldSpec("demand", "priority", _l("Demand from users"), internal=True),
    FieldSpec("ati_requests", "priority", _l("Access-to-information requests received"),
              internal=True),
    FieldSpec("value", "priority", _l("Economic and social value"), internal=True),
    FieldSpec("legal_obligation", "priority", _l("Legal obligation to publish"), internal=True),
    FieldSpec("readiness", "priority", _l("Readiness to publish"), internal=True),
    FieldSpec("risk", "priority", _l("Risk of opening"), internal=True),
    FieldSpec("planned_release_date", "priority", _l("Planned release"), internal=True),
    FieldSpec("next_update_due", "priority", _l("Next update due"), internal=True),
    FieldSpec("campaign_id", "priority", _l("Campaign"), internal=True),
)
FIELDS_BY_NAME = {f.name: f for f in FIELDS}

DISTRIBUTION_FIELDS = (
    FieldSpec("title", "distributions", _l("Title")),
    FieldSpec("description", "distributions", _l("Description")),
    FieldSpec("access_url", "distributions", _l("Access address")),
    FieldSpec("download_url", "distributions", _l("Download address")),
    FieldSpec("format", "distributions", _l("Format")),
    FieldSpec("byte_size", "distributions", _l("Size in bytes")),
    FieldSpec("license_code", "distributions", _l("Licence (if different)")),
    FieldSpec("availability", "distributions", _l("Planned availability")),
)
DISTRIBUTION_FIELDS_BY_NAME = {f.name: f for f in DISTRIBUTION_FIELDS}


def fields_of_step(step):
    """The FieldSpecs shown on wizard step `step`, in order."""
    return [f for f in FIELDS if f.step == step]


def step_of(field_name):
    """The wizard step of a field name as used in forms and submission problems
    (`title_ar`, `distributions-0-access_url`...); None when unknown."""
    if field_name.startswith("distributions"):
        return "distributions"
    spec = FIELDS_BY_NAME.get(field_name)
    return spec.step if spec else None


def field_label(field_name):
    """Translated label of a form field name, including `distributions-N-<field>`
    (e.g. "Distribution 2: Format"); the name itself when unknown."""
    if field_name.startswith("distributions-"):
        parts = field_name.split("-", 2)
        if len(parts) == 3 and parts[1].isdigit():
            sub = DISTRIBUTION_FIELDS_BY_NAME.get(parts[2])
            return _l("Distribution %(num)s: %(field)s", num=int(parts[1]) + 1,
                      field=sub.label if sub else parts[2])
    spec = FIELDS_BY_NAME.get(field_name)
    return spec.label if spec else field_name
