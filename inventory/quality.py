"""Metadata quality score of an entry (0-100), from its fields alone.

Half of the score comes from what the catalogue needs (DCAT-AP mandatory properties and the
submission rules: title, description, access rights, licence, contact, themes, coverage,
frequency, languages, distributions with an address and a format), 30 points from the
DCAT-AP recommended properties, 20 points from the languages the texts are written in.
Each check names the form field that improves it, so the entry page can link to it.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from . import vocabularies as vocab
from .workflow import is_http_url

WEIGHTS = {"mandatory": 50, "recommended": 30, "languages": 20}


@dataclass(frozen=True)
class Check:
    group: str  # mandatory | recommended | languages
    field: str  # form field name (inventory.fields)
    label: object  # lazy string: what the check asks for
    done: bool
    points: float  # the weight this check carries in the score


@dataclass
class Quality:
    score: int
    checks: list

    @property
    def missing(self):
        return [c for c in self.checks if not c.done]


def _distribution_checks(dataset):
    dists = list(dataset.distributions)
    has = bool(dists)
    # APIs and services have no download address or size: only files are asked for them.
    files = [d for d in dists if vocab.media_type_for(d.format)]
    return {
        "address": has and all(is_http_url(d.access_url) or is_http_url(d.download_url)
                               for d in dists),
        "format": has and all(d.format in vocab.formats() for d in dists),
        "description": has and all((d.description or "").strip() for d in dists),
        "availability": has and all(d.availability for d in dists),
        "size": has and all(d.byte_size is not None for d in files),
        "download": has and all(is_http_url(d.download_url) for d in files),
    }


def _first_missing_distribution_field(dataset, attribute, fallback="distributions",
                                      files_only=False):
    for i, dist in enumerate(dataset.distributions):
        if files_only and not vocab.media_type_for(dist.format):
            continue
        if getattr(dist, attribute) in (None, ""):
            return f"distributions-{i}-{attribute}"
    return fallback


def compute(dataset):
    """The entry's quality score and the checks behind it."""
    text = {lang: (getattr(dataset, f"title_{lang}").strip(),
                   getattr(dataset, f"description_{lang}").strip())
            for lang in ("ar", "fr", "en")}
    dist = _distribution_checks(dataset)
    mandatory = [
        ("title_ar", _l("A title"), any(t for t, _d in text.values())),
        ("description_ar", _l("A description"), any(d for _t, d in text.values())),
        ("access_rights", _l("Access rights"), bool(dataset.access_rights)),
        ("license_code", _l("A licence"), dataset.license_code in vocab.licences()),
        ("contact_email", _l("A contact e-mail"), bool(dataset.contact_email.strip())),
        ("themes", _l("At least one theme"), bool(list(dataset.themes))),
        ("spatial", _l("Geographic coverage"), bool(dataset.spatial)),
        ("frequency", _l("Update frequency"), bool(dataset.frequency)),
        ("languages", _l("Languages of the data"), bool(dataset.languages)),
        ("distributions", _l("At least one distribution"), bool(dataset.distributions)),
        (_first_missing_distribution_field(dataset, "access_url"),
         _l("A web address for every distribution"), dist["address"]),
        (_first_missing_distribution_field(dataset, "format"),
         _l("A format for every distribution"), dist["format"]),
    ]
    recommended = [
        ("keywords_ar", _l("Keywords"),
         any(getattr(dataset, f"keywords_{lang}") for lang in ("ar", "fr", "en"))),
        ("temporal_start", _l("The period covered"),
         bool(dataset.temporal_start or dataset.temporal_end)),
        ("contact_name", _l("The name of the contact point"), bool(dataset.contact_name.strip())),
        ("landing_page", _l("A web page about the data"), is_http_url(dataset.landing_page)),
        ("documentation_url", _l("Documentation"), is_http_url(dataset.documentation_url)),
        ("legal_basis", _l("The legal basis"), bool(dataset.legal_basis.strip())),
        (_first_missing_distribution_field(dataset, "description"),
         _l("A description of every distribution"), dist["description"]),
        (_first_missing_distribution_field(dataset, "availability"),
         _l("The planned availability of every distribution"), dist["availability"]),
        (_first_missing_distribution_field(dataset, "download_url", files_only=True),
         _l("A download address for every file"), dist["download"]),
        (_first_missing_distribution_field(dataset, "byte_size", files_only=True),
         _l("The size of every file"), dist["size"]),
    ]
    names = {"ar": _l("Title and description in Arabic"),
             "fr": _l("Title and description in French"),
             "en": _l("Title and description in English")}
    languages = [(f"title_{lang}" if not text[lang][0] else f"description_{lang}", names[lang],
                  bool(text[lang][0] and text[lang][1])) for lang in ("ar", "fr", "en")]

    checks = []
    score = 0.0
    for group, items in (("mandatory", mandatory), ("recommended", recommended),
                         ("languages", languages)):
        points = WEIGHTS[group] / len(items)
        for field_name, label, done in items:
            checks.append(Check(group, field_name, label, bool(done), points))
            score += points if done else 0
    return Quality(int(round(score)), checks)
