"""How the entry answers each dataset item of the guide checklist (D01–D20), item by item.

`RULES[item]` names, in code and in words (`explanation`, shown on the pages and in the PDF):

- D01 identification: titles in Arabic and French, a description (Arabic or French), the
  producing unit and the source system;
- D02 public character: by hand only;
- D03 Art. 24 exceptions: a classification; for a restriction, the legal grounds, the harm,
  public-interest and proportionality notes and the review date;
- D04 personal data: the answer; for personal or pseudonymised data, their categories;
- D05 other constraints: recorded on the entry, or ticked by hand (for example "none apply");
- D06 classification: a classification, the grounds of a restriction, access rights that
  match (public exactly when the data can be opened);
- D07 priority: demand, value, readiness and risk answered;
- D08 raw extraction, D09 cleaning, D14 data dictionary, D15 quality, D19 changelog, D20 reuse:
  by hand only;
- D10 anonymisation: does not apply without personal data; done when only aggregated data are
  held; otherwise by hand;
- D11 format: a distribution in an open, machine-readable format (not PDF alone), and an API
  for continuously updated data;
- D12 licence: an open licence chosen;
- D13 DCAT metadata: titles, descriptions and keywords in Arabic and French, a theme, a contact
  e-mail, temporal and spatial coverage, frequency, languages, licence, access rights;
- D16 sign-off: approved by a reviewer (workflow);
- D17 publication: published on the national portal (workflow) and the page on the body's site;
- D18 maintenance: frequency, the next update date (unless never updated), the steward.

Items D07–D20 prepare, publish and maintain open data: they do not apply to an entry
classified restricted or not publishable.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from . import vocabularies as vocab
from .workflow import _EMAIL, is_http_url

CLOSED = ("restricted", "not_publishable")


def _blank(dataset, name):
    value = getattr(dataset, name)
    return value is None or value == "" or value == [] or (isinstance(value, str)
                                                          and not value.strip())


def _missing(dataset, *names):
    return [(name, None) for name in names if _blank(dataset, name)]


def _identified(ds):
    missing = _missing(ds, "title_ar", "title_fr")
    if _blank(ds, "description_ar") and _blank(ds, "description_fr"):
        missing.append(("description_ar", None))
    return missing + _missing(ds, "owner_unit", "source_system")


def _restriction_assessed(ds):
    if not ds.classification:
        return [("classification", None)]
    if ds.classification not in CLOSED:
        return []
    return _missing(ds, "restriction_grounds", "harm_note", "public_interest_note",
                    "proportionality_note", "restriction_review_date")


def _personal_data_detected(ds):
    if not ds.personal_data:
        return [("personal_data", None)]
    if ds.personal_data in ("yes", "pseudonymised"):
        return _missing(ds, "personal_data_categories")
    return []


def _other_constraints_recorded(ds):
    return _missing(ds, "other_constraints")


def _classified(ds):
    if not ds.classification:
        return [("classification", None)]
    missing = _missing(ds, "restriction_grounds") if ds.classification in CLOSED else []
    if not ds.access_rights:
        missing.append(("access_rights", None))
    elif (ds.access_rights == "PUBLIC") == (ds.classification in CLOSED):
        missing.append(("access_rights", _l("The access rights do not match the "
                                            "classification.")))
    return missing


def _priority_scored(ds):
    return _missing(ds, "demand", "value", "readiness", "risk")


def _anonymised(ds):
    if not ds.personal_data:
        return [("personal_data", None)]
    if ds.personal_data == "aggregated":
        return []
    return [("personal_data", _l("Record the anonymisation or aggregation and the "
                                 "re-identification risk assessment (tick by hand)."))]


def _open_format(ds):
    formats = vocab.formats()
    good = [d.format for d in ds.distributions if d.format in formats
            and formats[d.format].extra["open"] and formats[d.format].extra["machine_readable"]]
    missing = []
    if not good:
        missing.append(("distributions", _l("No distribution in an open, machine-readable "
                                            "format (CSV, JSON, XML, GeoJSON…).")))
    if ds.frequency == "CONT" and not set(good) & API_FORMATS:
        missing.append(("distributions", _l("Continuously updated data need an API.")))
    return missing


API_FORMATS = {"REST", "WMS_SRVC", "WFS_SRVC"}


def _licensed(ds):
    if not ds.license_code:
        return [("license_code", None)]
    licence = vocab.licences().get(ds.license_code)
    if licence is None or not licence.extra["open"]:
        return [("license_code", _l("The licence is not an open licence."))]
    return []


DCAT_FIELDS = ("title_ar", "title_fr", "description_ar", "description_fr", "keywords_ar",
               "keywords_fr", "themes", "contact_email", "temporal_start", "spatial",
               "frequency", "languages", "license_code", "access_rights")


def _dcat_complete(ds):
    missing = [(name, None) for name in DCAT_FIELDS
               if (list(ds.themes) == [] if name == "themes" else _blank(ds, name))]
    if ds.contact_email and not _EMAIL.match(ds.contact_email.strip()):
        missing.append(("contact_email", _l("This is not a valid e-mail address.")))
    return missing


def _approved(ds):
    if ds.status in ("approved", "published"):
        return []
    return [("status", _l("Not approved by a reviewer yet."))]


def _published(ds):
    missing = []
    if ds.status != "published":
        missing.append(("status", _l("Not published on the national portal yet.")))
    if not is_http_url((ds.landing_page or "").strip()):
        missing.append(("landing_page", _l("Record the page of the data on the body's web "
                                           "site.")))
    return missing


def _maintained(ds):
    missing = _missing(ds, "frequency")
    if ds.frequency != "NEVER":
        missing += _missing(ds, "next_update_due")
    return missing + _missing(ds, "steward")


def _no_personal_data(ds):
    if ds.personal_data == "none" and ds.classification != "open_after_treatment":
        return _l("The entry contains no personal data.")
    return None


@dataclass(frozen=True)
class Rule:
    """How the entry answers a dataset item.

    `check(dataset)` lists what is missing as (field name, message or None for the field's
    label); None means no field answers the item. `hand`: may be ticked by hand when the
    check does not settle it. `opening_step`: does not apply to entries that will not be
    opened. `not_applicable(dataset)`: another reason why the item does not apply, or None.
    """

    explanation: object
    check: object = None
    hand: bool = False
    opening_step: bool = False
    source: str = "entry"
    not_applicable: object = None


_HAND = _l("Ticked by hand: no field of the entry records it.")
RULES = {
    "D01": Rule(_l("From the entry: titles in Arabic and French, a description, the producing "
                   "unit and the source system."), _identified),
    "D02": Rule(_HAND, hand=True),
    "D03": Rule(_l("From the entry: the openness classification and, for a restriction, the "
                   "legal grounds, the harm, public-interest and proportionality notes and the "
                   "date of review."), _restriction_assessed),
    "D04": Rule(_l("From the entry: the personal-data answer and, when the data contain "
                   "personal or pseudonymised data, their categories."),
                _personal_data_detected),
    "D05": Rule(_l("From the entry when other constraints are recorded; otherwise ticked by "
                   "hand (for example when none apply)."), _other_constraints_recorded,
                hand=True),
    "D06": Rule(_l("From the entry: the classification, the legal grounds of a restriction, "
                   "and access rights that match the classification."), _classified),
    "D07": Rule(_l("From the entry: demand, value, readiness and risk answered."),
                _priority_scored, opening_step=True),
    "D08": Rule(_HAND, hand=True, opening_step=True),
    "D09": Rule(_HAND, hand=True, opening_step=True),
    "D10": Rule(_l("Does not apply when the data contain no personal data. Done from the entry "
                   "when only aggregated data are held; otherwise ticked by hand once the data "
                   "are anonymised or aggregated."), _anonymised, hand=True,
                opening_step=True, not_applicable=_no_personal_data),
    "D11": Rule(_l("From the entry: at least one distribution in an open, machine-readable "
                   "format (a PDF alone is not enough), and an API for continuously updated "
                   "data."), _open_format, opening_step=True),
    "D12": Rule(_l("From the entry: an open licence is chosen."), _licensed, opening_step=True),
    "D13": Rule(_l("From the entry: titles, descriptions and keywords in Arabic and French, a "
                   "theme, a contact e-mail, the period and area covered, the update frequency, "
                   "the languages, the licence and the access rights. The publisher and the "
                   "dates are recorded by the application."), _dcat_complete,
                opening_step=True),
    "D14": Rule(_HAND, hand=True, opening_step=True),
    "D15": Rule(_HAND, hand=True, opening_step=True),
    "D16": Rule(_l("From the workflow: a reviewer has approved the entry."), _approved,
                opening_step=True, source="workflow"),
    "D17": Rule(_l("From the workflow and the entry: published on the national portal, with "
                   "the page of the data on the body's web site recorded."), _published,
                opening_step=True, source="workflow"),
    "D18": Rule(_l("From the entry: the update frequency, the next update date (unless the "
                   "data are never updated) and the data steward."), _maintained,
                opening_step=True),
    "D19": Rule(_HAND, hand=True, opening_step=True),
    "D20": Rule(_HAND, hand=True, opening_step=True),
}
