"""Controlled lists: code -> labels (ar/fr/en) + URI, loaded once from package data.

Reference vocabularies (themes, frequencies, governorates...) carry their own trilingual
labels in CSV files under `inventory/data/`; the app's own enumerations (statuses,
classifications...) are translated through Babel like every other UI string.
"""
import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from .extensions import lazy_text

DATA_DIR = Path(__file__).parent / "data"
IANA_MEDIA_TYPE_BASE = "https://www.iana.org/assignments/media-types/"
EU_FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"
TN_URI = "http://publications.europa.eu/resource/authority/country/TUN"
TN_CODE = "TN"


@dataclass(frozen=True)
class Term:
    code: str
    uri: str = ""
    labels: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def label(self, locale=None):
        locale = locale or current_locale()
        return (self.labels.get(locale) or self.labels.get("fr") or self.labels.get("en")
                or self.code)


def current_locale():
    """The request's locale code ('ar', 'fr', 'en'), or 'ar' outside a request."""
    try:
        loc = get_locale()
    except RuntimeError:  # outside an app/request context
        loc = None
    return loc.language if loc is not None else "ar"


def _read_csv(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _labelled(name, code_col="code"):
    terms = {}
    for row in _read_csv(name):
        labels = {lang: row.get(f"label_{lang}") or row.get(f"name_{lang}") or ""
                  for lang in ("ar", "fr", "en")}
        extra = {k: v for k, v in row.items()
                 if k not in (code_col, "uri") and not k.startswith(("label_", "name_"))}
        terms[row[code_col]] = Term(row[code_col], row.get("uri", ""), labels, extra)
    return terms


@cache
def themes():
    return _labelled("themes.csv")


@cache
def frequencies():
    return _labelled("frequencies.csv")


@cache
def access_rights():
    return _labelled("access_rights.csv")


@cache
def restriction_grounds():
    return _labelled("restriction_grounds.csv")


@cache
def hvd_categories():
    return _labelled("hvd_categories.csv")


@cache
def languages():
    return _labelled("languages.csv")


@cache
def availabilities():
    return _labelled("availability.csv")


@cache
def governorates():
    """ISO 3166-2:TN governorates plus 'TN' for the whole country (listed first)."""
    terms = {TN_CODE: Term(TN_CODE, TN_URI, {"ar": "كامل تراب الجمهورية",
                                             "fr": "Tunisie (tout le pays)",
                                             "en": "Tunisia (whole country)"})}
    for row in _read_csv("governorates.csv"):
        code = row["iso_code"]
        # No authority URI for governorates: catalog.dcat mints them under CATALOG_BASE_URI.
        terms[code] = Term(code, "",
                           {"ar": row["name_ar"], "fr": row["name_fr"], "en": row["name_fr"]},
                           {"region": row["region"]})
    return terms


@cache
def licences():
    terms = {}
    for row in _read_csv("licences.csv"):
        terms[row["code"]] = Term(
            row["code"], row["uri"],
            {"ar": row["label_ar"], "fr": row["label_fr"], "en": row["label_en"]},
            {"title": row["title"], "ckan_id": row["ckan_id"], "open": row["open"] == "1"})
    return terms


DEFAULT_LICENCE = "TN-OPEN"


@cache
def formats():
    terms = {}
    for row in _read_csv("formats.csv"):
        terms[row["code"]] = Term(
            row["code"], EU_FILE_TYPE_BASE + row["eu_code"],
            {"ar": row["label"], "fr": row["label"], "en": row["label"]},
            {"media_type": row["media_type"], "open": row["open"] == "1",
             "machine_readable": row["machine_readable"] == "1"})
    return terms


def media_type_for(format_code):
    """IANA media type derived from a format code ('' when the format has none, e.g. an API)."""
    term = formats().get(format_code or "")
    return term.extra["media_type"] if term else ""


def media_type_uri(media_type):
    return IANA_MEDIA_TYPE_BASE + media_type if media_type else ""


@cache
def ministries():
    return _read_csv("ministries.csv")


# -- the application's own enumerations (labels through Babel) --

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "changes_requested": _l("Changes requested"),
    "approved": _l("Approved"),
    "published": _l("Published"),
    "withdrawn": _l("Withdrawn"),
    "archived": _l("Archived"),
}

CLASSIFICATION_LABELS = {
    "open": _l("Open"),
    "open_after_treatment": _l("Open after treatment (anonymisation, aggregation)"),
    "restricted": _l("Restricted access"),
    "not_publishable": _l("Not publishable"),
}

PERSONAL_DATA_LABELS = {
    "none": _l("No personal data"),
    "yes": _l("Yes, it contains personal data"),
    "pseudonymised": _l("Pseudonymised personal data"),
    "aggregated": _l("Only aggregated data (no individual can be identified)"),
}

TIER_LABELS = {
    "high": _l("High"),
    "medium": _l("Medium"),
    "low": _l("Low"),
    "excluded": _l("Excluded from opening"),
}

ROLE_LABELS = {
    "officer": _l("Data officer"),
    "reviewer": _l("Reviewer"),
    "admin": _l("Administrator"),
}

LEVEL_LABELS = {  # the 0..3 scale of the priority inputs
    0: _l("None"),
    1: _l("Low"),
    2: _l("Medium"),
    3: _l("High"),
}


def choices(terms, locale=None, blank=None):
    """(code, label) pairs for a select field, in the vocabulary's order."""
    out = [("", blank)] if blank is not None else []
    if isinstance(terms, dict) and terms and isinstance(next(iter(terms.values())), Term):
        out += [(code, term.label(locale)) for code, term in terms.items()]
    else:
        out += [(code, str(label)) for code, label in terms.items()]
    return out


def label(terms, code, locale=None):
    """Label of `code` in a vocabulary (Term dict or lazy-label dict); the code if unknown."""
    if code is None or code == "":
        return ""
    value = terms.get(code)
    if value is None:
        return str(code)
    return value.label(locale) if isinstance(value, Term) else lazy_text(value)
