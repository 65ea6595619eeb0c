"""The conformance panel of an entry: its DCAT-AP graph checked against the SHACL shapes,
each result put into plain words (ar/fr/en through Babel) next to the form field that fixes
it, plus the metadata quality score (`inventory.quality`).

`entry_conformance(dataset) -> Conformance` validates only the entry's own small graph (the
entry, its distributions and the nodes it references), whatever its status: a draft is
checked as it would be published.
"""
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from inventory import quality
from inventory.extensions import db, lazy_text
from inventory.fields import field_label

from . import dcat, fragments, shacl

log = logging.getLogger(__name__)

# (property path) -> (form field, plain message), for results about the dcat:Dataset.
DATASET_FIELDS = {
    "dct:title": ("title_ar", _l("Give the entry a title.")),
    "dct:description": ("description_ar", _l("Describe the data: what they contain, how "
                                             "they are produced.")),
    "dcat:keyword": ("keywords_ar", _l("Add a few keywords so that people find the data.")),
    "dcat:theme": ("themes", _l("Choose at least one theme.")),
    "dcat:contactPoint": ("contact_email", _l("Give a functional contact point (name and "
                                              "e-mail).")),
    "dcat:distribution": ("distributions", _l("Add at least one distribution (a file or an "
                                              "API).")),
    "dct:spatial": ("spatial", _l("Choose the geographic coverage (governorates or the "
                                  "whole country).")),
    "dct:temporal": ("temporal_start", _l("Give the period the data cover.")),
    "dct:accessRights": ("access_rights", _l("Choose the access rights.")),
    "dct:accrualPeriodicity": ("frequency", _l("Choose how often the data are updated.")),
    "dct:language": ("languages", _l("Choose the languages of the data.")),
    "dcat:landingPage": ("landing_page", _l("The web page address is not usable.")),
    "foaf:page": ("documentation_url", _l("The documentation address is not usable.")),
    "dcatap:applicableLegislation": ("legal_basis", _l("The legal basis is not usable.")),
    "dct:issued": ("", _l("The publication date is not valid.")),
    "dct:modified": ("", _l("The update date is not valid.")),
    "dct:publisher": ("", _l("The publishing organization is missing: ask an "
                             "administrator.")),
}
DISTRIBUTION_FIELDS = {
    "dcat:accessURL": ("access_url", _l("Give the web address where the data can be "
                                        "reached (starting with http:// or https://).")),
    "dcat:downloadURL": ("download_url", _l("The download address is not usable.")),
    "dct:format": ("format", _l("Choose the format of the file.")),
    "dcat:mediaType": ("format", _l("Choose the format of the file.")),
    "dcat:byteSize": ("byte_size", _l("Give the size of the file in bytes.")),
    "dct:license": ("license_code", _l("Choose a licence (or the entry's licence).")),
    "dcatap:availability": ("availability", _l("Say how long the file will stay available.")),
    "dct:description": ("description", _l("Describe this distribution (content, encoding, "
                                          "coverage).")),
    "dct:title": ("title", _l("Give this distribution a title.")),
}
OTHER_FIELDS = {
    ("dct:PeriodOfTime", "dcat:startDate"): ("temporal_start",
                                             _l("Give the start of the period covered.")),
    ("dct:PeriodOfTime", "dcat:endDate"): ("temporal_end",
                                           _l("Give the end of the period covered.")),
    ("foaf:Agent", "foaf:name"): ("", _l("The organization has no name: ask an "
                                         "administrator.")),
}
# Recommendations nobody can act on from the entry form (no geometry is kept for
# governorates): kept in the CLI report, left out of the panel.
NOT_ACTIONABLE = {("dct:Location", "dcat:bbox"), ("dct:Location", "dcat:centroid"),
                  ("dct:LicenseDocument", "dct:type")}


@dataclass(frozen=True)
class Finding:
    severity: str  # Violation | Warning
    field: str  # form field name ("" when no field of the entry fixes it)
    message: object  # lazy string
    result: object = None  # the shacl.Result behind it (None for mapping notes)

    @property
    def field_label(self):
        return field_label(self.field) if self.field else ""


@dataclass
class Conformance:
    violations: list = field(default_factory=list)
    recommendations: list = field(default_factory=list)
    quality: object = None
    checked: bool = True  # False when the check could not run

    @property
    def conforms(self):
        return self.checked and not self.violations


def _distribution_index(dataset, focus):
    for i, dist in enumerate(dataset.distributions):
        if focus.endswith(f"#distribution-{dist.id or dist.position}"):
            return i
    return None


def finding_for(dataset, result):
    """A SHACL result about `dataset`'s graph in plain words, anchored on a form field."""
    classes = set(result.focus_classes)
    if "dcat:Dataset" in classes and result.path in DATASET_FIELDS:
        name, message = DATASET_FIELDS[result.path]
        return Finding(result.severity, name, message, result)
    if "dcat:Distribution" in classes:
        index = _distribution_index(dataset, result.focus)
        name, message = DISTRIBUTION_FIELDS.get(
            result.path, ("", _l("A distribution does not meet DCAT-AP: %(detail)s",
                                 detail=result.message)))
        prefix = f"distributions-{index}-" if index is not None else ""
        return Finding(result.severity, prefix + name if name else "distributions", message,
                       result)
    for cls in classes:
        if (cls, result.path) in OTHER_FIELDS:
            name, message = OTHER_FIELDS[(cls, result.path)]
            return Finding(result.severity, name, message, result)
    if "vcard:Kind" in classes:
        return Finding(result.severity, "contact_email",
                       _l("The contact point is incomplete: give a name and a valid e-mail."),
                       result)
    return Finding(result.severity, "", _l("DCAT-AP: %(detail)s", detail=result.message),
                   result)


def mapping_notes(dataset):
    """Values the catalogue leaves out because they are not usable addresses."""
    notes = []

    def note(name, message):
        notes.append(Finding("Warning", name, message))

    for name in ("landing_page", "documentation_url"):
        if getattr(dataset, name).strip() and not dcat.safe_iri(getattr(dataset, name)):
            note(name, _l("This is not a usable web address (http:// or https://): it is left "
                          "out of the catalogue."))
    if dataset.contact_email.strip() and not dcat.mailbox_iri(dataset.contact_email):
        note("contact_email", _l("This is not a valid e-mail address: it is left out of the "
                                 "catalogue."))
    for i, dist in enumerate(dataset.distributions):
        for name in ("access_url", "download_url"):
            value = getattr(dist, name) or ""
            if value.strip() and not dcat.safe_iri(value):
                note(f"distributions-{i}-{name}",
                     _l("This is not a usable web address (http:// or https://): it is left "
                        "out of the catalogue."))
    return notes


_KEPT = OrderedDict()
_KEPT_LOCK = threading.Lock()
REPORTS_KEPT = 4096  # reports and conformance results together


def _stamp_key(dataset):
    """What a saved entry's checks follow from: the stamp that decides when its stored
    catalogue pieces are stale (entry version and update time, organization update time,
    mapping). None while the session holds unsaved changes: then they are checked afresh."""
    if db.session.dirty or db.session.new or db.session.deleted:
        return None
    return (dataset.uuid, fragments.entry_stamp(dataset).key(), dcat.mapping_stamp())


def _kept(key):
    with _KEPT_LOCK:
        value = _KEPT.get(key)
        if value is not None:
            _KEPT.move_to_end(key)
        return value


def _keep(key, value):
    with _KEPT_LOCK:
        _KEPT[key] = value
        while len(_KEPT) > REPORTS_KEPT:
            _KEPT.popitem(last=False)


def entry_report(dataset):
    """The SHACL report of the entry's DCAT graph. The entry page shows it on every view, so
    a saved entry's report is kept per process under its stamp (`_stamp_key`)."""
    key = _stamp_key(dataset)
    report = _kept(key) if key is not None else None
    if report is None:
        report = shacl.validate(dcat.dataset_graph(dataset))
        if key is not None:
            _keep(key, report)
    return report


def entry_conformance(dataset):
    """Violations, recommendations (plain words, field-anchored) and quality of `dataset`.
    Like its report, a saved entry's result is kept per process under its stamp, and per
    language, as findings are told apart by their words: the quality score and the findings
    follow from the entry and the vocabularies (package data) alone."""
    key = _stamp_key(dataset)
    if key is not None:
        key = ("conformance", str(get_locale()), *key)
        kept = _kept(key)
        if kept is not None:
            return kept
    result = Conformance(quality=quality.compute(dataset))
    try:
        report = entry_report(dataset)
    except Exception:  # the panel must never break the entry page
        log.exception("conformance check failed for %s", dataset.uuid)
        result.checked = False
        return result
    seen = set()
    for r in report.results:
        if any((cls, r.path) in NOT_ACTIONABLE for cls in r.focus_classes):
            continue
        finding = finding_for(dataset, r)
        dedupe = (finding.severity, finding.field, lazy_text(finding.message))
        if dedupe in seen:
            continue
        seen.add(dedupe)
        (result.violations if r.severity == "Violation" else result.recommendations).append(
            finding)
    result.recommendations.extend(mapping_notes(dataset))
    if key is not None:
        _keep(key, result)
    return result
