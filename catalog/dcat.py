"""DCAT-AP 3 mapping of the inventory: pure functions from rows to rdflib triples.

This module is the one source of truth for what the catalogue says. Everything else (stored
fragments, pages, exports, the CKAN push, SHACL checks) starts from these functions.

Stable API (other modules and the CKAN publisher rely on it):

- `dataset_to_rdf(dataset, graph, base=None) -> graph`: the complete, self-contained
  description of one entry: the `dcat:Dataset`, its distributions, its `dcat:CatalogRecord`,
  its membership of the catalogue, and every node it references (publisher, themes, licences,
  locations... typed as the DCAT-AP range shapes require).
- `dataset_graph(dataset, base=None) -> rdflib.Graph`: the same in a new graph with the
  catalogue's prefixes bound.
- `distribution_to_rdf(distribution, graph, dataset_node, base=None) -> set[str]`: one
  distribution's own triples; returns the keys of the shared nodes it references.
- `catalog_to_rdf(graph, base=None, modified=None, issued=None, organizations=None)`:
  the `dcat:Catalog` node itself (without its `dcat:dataset` links, which each entry adds).
- `graph` arguments are rdflib Graphs, or anything with `add((s, p, o))` (the stored pieces
  are built from a plain set of triples, which is faster).
- `entry_to_rdf(dataset, graph, base=None) -> set[str]`: an entry's own triples only, and the
  keys of the shared nodes (vocabulary concepts, publisher...) that `shared_node_to_rdf`
  describes. `dataset_to_rdf` = `entry_to_rdf` + `shared_node_to_rdf` for each key; the
  catalogue export writes each shared node once instead of once per entry.
- URIs: `catalog_uri`, `dataset_uri` (`{CATALOG_BASE_URI}/datasets/<uuid>`), `record_uri`,
  `distribution_uri`, `organization_uri`.
- `safe_iri(text)`: an http(s) address made into a valid IRI, or None (never a broken IRI).

Only inventory fields that are publishable are read here: inventory-only fields
(`inventory.fields.FIELDS` with `internal=True`) never reach a graph.
"""
import re
from datetime import UTC, date, datetime
from functools import lru_cache
from hashlib import sha256
from urllib.parse import quote, urlsplit, urlunsplit

from flask import current_app
from rdflib import Literal, URIRef

from inventory import vocabularies as vocab

from .namespaces import (
    ADMS,
    ADMS_LICENCE_TYPE,
    ADMS_PUBLISHER_TYPE,
    ADMS_STATUS,
    DCAT,
    DCATAP,
    DCT,
    ELI,
    EU_THEME_SCHEME,
    FOAF,
    RDF,
    SKOS,
    VCARD,
    XSD,
    new_graph,
)

# Bump when the mapping changes what it emits: every stored fragment is then rebuilt.
MAPPING_VERSION = "2026-12-01.1"
LANGS = ("ar", "fr", "en")
DCAT_AP_STANDARD = "https://semiceu.github.io/DCAT-AP/releases/3.0.1/"
DECREE_KEY = "law:decree-2021-3"

CATALOG_TITLE = {
    "ar": "الفهرس الوطني للبيانات العمومية المفتوحة",
    "fr": "Catalogue national des données publiques ouvertes",
    "en": "National catalogue of open public data",
}
CATALOG_DESCRIPTION = {
    "ar": "مجموعات البيانات العمومية التي جردتها الهياكل العمومية التونسية والمفتوحة "
          "للعموم طبقا للأمر الحكومي عدد 3 لسنة 2021.",
    "fr": "Jeux de données publiques inventoriés par les organismes publics tunisiens et "
          "ouverts au public conformément au décret gouvernemental n° 2021-3.",
    "en": "Public datasets inventoried by Tunisian public bodies and opened to the public "
          "under Government Decree 2021-3.",
}
DECREE_TITLE = {
    "ar": "الأمر الحكومي عدد 3 لسنة 2021 المؤرخ في 6 جانفي 2021 المتعلق بالبيانات "
          "العمومية المفتوحة",
    "fr": "Décret gouvernemental n° 2021-3 du 6 janvier 2021 relatif aux données publiques "
          "ouvertes",
    "en": "Government Decree No. 2021-3 of 6 January 2021 on open public data",
}
THEME_SCHEME_TITLE = {"ar": "مواضيع البيانات", "fr": "Thèmes des données", "en": "Data theme"}

# Organization.kind -> ADMS publisher type.
PUBLISHER_TYPES = {
    "ministry": "NationalAuthority",
    "establishment": "NationalAuthority",
    "agency": "NationalAuthority",
    "region": "RegionalAuthority",
    "governorate": "RegionalAuthority",
    "municipality": "LocalAuthority",
}
ADMS_LABELS = {
    "NationalAuthority": {"ar": "سلطة وطنية", "fr": "Autorité nationale",
                          "en": "National authority"},
    "RegionalAuthority": {"ar": "سلطة جهوية", "fr": "Autorité régionale",
                          "en": "Regional authority"},
    "LocalAuthority": {"ar": "سلطة محلية", "fr": "Autorité locale", "en": "Local authority"},
    "Attribution": {"ar": "نسبة المصنف", "fr": "Attribution", "en": "Attribution"},
    "PublicDomain": {"ar": "ملك عام", "fr": "Domaine public", "en": "Public domain"},
    "ViralEffect-ShareAlike": {"ar": "المشاركة بالمثل", "fr": "Partage à l'identique",
                               "en": "Share-alike"},
    "Completed": {"ar": "مكتمل", "fr": "Complété", "en": "Completed"},
}
# Licence code -> ADMS licence types (dct:type of the dct:LicenseDocument).
LICENCE_TYPES = {
    "TN-OPEN": ("Attribution",),
    "CC-BY-4.0": ("Attribution",),
    "CC0-1.0": ("PublicDomain",),
    "ODBL-1.0": ("Attribution", "ViralEffect-ShareAlike"),
    "ODC-BY-1.0": ("Attribution",),
}

# --------------------------------------------------------------------------- text and IRIs

# Characters that XML 1.0 cannot carry at all (and that mean nothing in metadata).
_UNREPRESENTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def clean_text(value):
    """Text as it may appear in every RDF syntax: one newline convention (RDF/XML would turn
    CR into LF), no characters XML cannot represent, no surrounding blanks."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\x7f", "")
    return _UNREPRESENTABLE.sub("", text).strip()


def safe_iri(value):
    """`value` as an absolute http(s) IRI that every syntax accepts, or None.

    Spaces, quotes, brackets and non-ASCII characters are percent-encoded (hosts are
    IDNA-encoded); credentials are dropped; other schemes (`javascript:`, `data:`, `ftp:`...)
    and addresses without a valid host give None, so a malformed URL is never emitted.
    """
    text = clean_text(value)
    if not text or len(text) > 4000:
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
        host = parts.hostname or ""
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return None
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    if not _HOST.match(host):
        return None
    netloc = host + (f":{port}" if port is not None else "")

    def enc(part, safe):
        return quote(_BAD_PERCENT.sub("%25", part), safe=safe)

    path = enc(parts.path, "/%:@!$&'()*+,;=-._~") or "/"
    query = enc(parts.query, "/?%:@!$&'()*+,;=-._~")
    fragment = enc(parts.fragment, "/?%:@!$&'()*+,;=-._~")
    return urlunsplit((scheme, netloc, path, query, fragment))


def mailbox_iri(email):
    """`mailto:` IRI of a plausible e-mail address, or None."""
    text = clean_text(email)
    if not text or not _EMAIL.match(text):
        return None
    return "mailto:" + quote(text, safe="@.+-_")


def _lit(text, lang=None):
    text = clean_text(text)
    return Literal(text, lang=lang) if text else None


def _date(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    return Literal(value.isoformat(), datatype=XSD.date)


def _datetime(value):
    """xsd:dateTime in UTC, second precision (stored datetimes are naive UTC)."""
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return _date(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return Literal(value.replace(microsecond=0).isoformat() + "Z", datatype=XSD.dateTime)


def _add(graph, s, p, o):
    if o is not None:
        graph.add((s, p, o))


# --------------------------------------------------------------------------- URIs

def base_uri(base=None):
    """CATALOG_BASE_URI without a trailing slash."""
    return (base or current_app.config["CATALOG_BASE_URI"]).rstrip("/")


def catalog_uri(base=None):
    return URIRef(f"{base_uri(base)}/catalog")


def dataset_uri(dataset, base=None):
    return URIRef(f"{base_uri(base)}/datasets/{dataset.uuid}")


def record_uri(dataset, base=None):
    return URIRef(f"{dataset_uri(dataset, base)}#record")


def distribution_uri(distribution, dataset_node):
    return URIRef(f"{dataset_node}#distribution-{distribution.id or distribution.position}")


def organization_uri(code, base=None):
    return URIRef(f"{base_uri(base)}/organizations/{quote(code, safe='')}")


def _governorate_uri(code, base):
    if code == vocab.TN_CODE:
        return URIRef(vocab.TN_URI)
    return URIRef(f"{base_uri(base)}/spatial/{quote(code, safe='')}")


def mapping_stamp(base=None):
    """What, besides the entry itself, the stored fragments depend on: the mapping version,
    the base URI and the vocabulary files (package data, changed only by a deploy)."""
    return _mapping_stamp(base_uri(base), catalog_publisher_code())


@lru_cache(maxsize=8)
def _mapping_stamp(base, publisher):
    digest = sha256(f"{MAPPING_VERSION}|{base}|{publisher}".encode())
    for path in sorted(vocab.DATA_DIR.glob("*.csv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


# --------------------------------------------------------------------------- the entry

def dataset_to_rdf(dataset, graph, base=None):
    """Add the complete DCAT-AP description of `dataset` (an inventory entry) to `graph`.

    Maps the entry whatever its status (the conformance panel validates drafts as they would
    be published); membership of the public catalogue is decided by the callers.
    """
    keys = entry_to_rdf(dataset, graph, base)
    organizations = {dataset.organization.code: dataset.organization}
    for key in sorted(keys):
        shared_node_to_rdf(key, graph, base, organizations)
    return graph


def dataset_graph(dataset, base=None):
    """A new graph (catalogue prefixes bound) holding `dataset_to_rdf(dataset)`."""
    return dataset_to_rdf(dataset, new_graph(), base)


def entry_to_rdf(dataset, graph, base=None):
    """The entry's own triples; returns the keys of the shared nodes it references."""
    ds = dataset_uri(dataset, base)
    keys = set()
    graph.add((ds, RDF.type, DCAT.Dataset))
    graph.add((catalog_uri(base), DCAT.dataset, ds))
    _add(graph, ds, DCT.identifier, _lit(dataset.uuid))
    if dataset.reference:
        ident = URIRef(f"{ds}#identifier")
        graph.add((ds, ADMS.identifier, ident))
        graph.add((ident, RDF.type, ADMS.Identifier))
        graph.add((ident, SKOS.notation, Literal(clean_text(dataset.reference))))
    for lang in LANGS:
        _add(graph, ds, DCT.title, _lit(getattr(dataset, f"title_{lang}"), lang))
        _add(graph, ds, DCT.description, _lit(getattr(dataset, f"description_{lang}"), lang))
        for keyword in dict.fromkeys(getattr(dataset, f"keywords_{lang}") or ()):
            _add(graph, ds, DCAT.keyword, _lit(keyword, lang))

    _add(graph, ds, DCT.issued, _datetime(dataset.issued_at or dataset.approved_at))
    _add(graph, ds, DCT.modified, _datetime(dataset.updated_at))

    org = dataset.organization
    graph.add((ds, DCT.publisher, organization_uri(org.code, base)))
    keys.add(f"org:{org.code}")

    for code in dataset.themes:
        if code in vocab.themes():
            graph.add((ds, DCAT.theme, URIRef(vocab.themes()[code].uri)))
            keys.add(f"theme:{code}")
    for kind, terms, prop, code in (
            ("access", vocab.access_rights(), DCT.accessRights, dataset.access_rights),
            ("freq", vocab.frequencies(), DCT.accrualPeriodicity, dataset.frequency),
            ("hvd", vocab.hvd_categories(), DCATAP.hvdCategory, dataset.hvd_category)):
        if code and code in terms:
            graph.add((ds, prop, URIRef(terms[code].uri)))
            keys.add(f"{kind}:{code}")
    for code in dict.fromkeys(dataset.languages or ()):
        if code in vocab.languages():
            graph.add((ds, DCT.language, URIRef(vocab.languages()[code].uri)))
            keys.add(f"lang:{code}")
    for code in dict.fromkeys(dataset.spatial or ()):
        if code in vocab.governorates():
            graph.add((ds, DCT.spatial, _governorate_uri(code, base)))
            keys.add(f"spatial:{code}")

    if dataset.temporal_start or dataset.temporal_end:
        period = URIRef(f"{ds}#period")
        graph.add((ds, DCT.temporal, period))
        graph.add((period, RDF.type, DCT.PeriodOfTime))
        _add(graph, period, DCAT.startDate, _date(dataset.temporal_start))
        _add(graph, period, DCAT.endDate, _date(dataset.temporal_end))

    _contact_to_rdf(dataset, graph, ds)
    for prop, value in ((DCAT.landingPage, dataset.landing_page),
                        (FOAF.page, dataset.documentation_url)):
        iri = safe_iri(value)
        if iri:
            graph.add((ds, prop, URIRef(iri)))
            graph.add((URIRef(iri), RDF.type, FOAF.Document))

    graph.add((ds, DCATAP.applicableLegislation, _law_uri(DECREE_KEY, base)))
    keys.add(DECREE_KEY)
    _legal_basis_to_rdf(dataset, graph, ds)

    for distribution in dataset.distributions:
        dist = distribution_uri(distribution, ds)
        graph.add((ds, DCAT.distribution, dist))
        keys |= distribution_to_rdf(distribution, graph, ds, base, dataset=dataset)

    keys |= _record_to_rdf(dataset, graph, ds, base)
    return keys


def _contact_to_rdf(dataset, graph, ds):
    mailbox = mailbox_iri(dataset.contact_email)
    name = clean_text(dataset.contact_name)
    if not (mailbox or name):
        return
    contact = URIRef(f"{ds}#contact")
    graph.add((ds, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, RDF.type, VCARD.Organization))
    org = dataset.organization
    if name:
        graph.add((contact, VCARD.fn, Literal(name)))
    else:
        for lang in LANGS:
            _add(graph, contact, VCARD.fn, _lit(getattr(org, f"name_{lang}"), lang))
    if mailbox:
        graph.add((contact, VCARD.hasEmail, URIRef(mailbox)))


def _legal_basis_to_rdf(dataset, graph, ds):
    """Each line of the legal basis: a web address is the legal resource itself; other text
    becomes a legal resource of this entry titled with that text."""
    lines = [clean_text(line) for line in clean_text(dataset.legal_basis).split("\n")]
    for i, line in enumerate(line for line in lines if line):
        iri = safe_iri(line) if re.match(r"^https?://\S+$", line, re.I) else None
        node = URIRef(iri) if iri else URIRef(f"{ds}#legal-basis-{i + 1}")
        graph.add((ds, DCATAP.applicableLegislation, node))
        graph.add((node, RDF.type, ELI.LegalResource))
        if not iri:
            graph.add((node, DCT.title, Literal(line)))


def _record_to_rdf(dataset, graph, ds, base):
    record = record_uri(dataset, base)
    graph.add((catalog_uri(base), DCAT.record, record))
    graph.add((record, RDF.type, DCAT.CatalogRecord))
    graph.add((record, FOAF.primaryTopic, ds))
    _add(graph, record, DCT.issued, _datetime(dataset.approved_at or dataset.created_at))
    graph.add((record, DCT.modified, _datetime(dataset.updated_at or dataset.created_at
                                               or datetime(1970, 1, 1))))
    graph.add((record, ADMS.status, ADMS_STATUS.Completed))
    graph.add((record, DCT.conformsTo, URIRef(DCAT_AP_STANDARD)))
    return {"status:Completed", "standard:dcat-ap"}


def distribution_to_rdf(distribution, graph, dataset_node, base=None, dataset=None):
    """One distribution's own triples; returns the keys of the shared nodes it references.
    The licence is the distribution's own or, failing that, the entry's."""
    dataset = dataset or distribution.dataset
    dist = distribution_uri(distribution, dataset_node)
    keys = set()
    graph.add((dist, RDF.type, DCAT.Distribution))
    _add(graph, dist, DCT.title, _lit(distribution.title))
    _add(graph, dist, DCT.description, _lit(distribution.description))
    download = safe_iri(distribution.download_url)
    # The access address is mandatory; a download address is also a way to access the data.
    access = safe_iri(distribution.access_url) or download
    if access:
        graph.add((dist, DCAT.accessURL, URIRef(access)))
    if download:
        graph.add((dist, DCAT.downloadURL, URIRef(download)))
    fmt = vocab.formats().get(distribution.format or "")
    if fmt:
        graph.add((dist, DCT.format, URIRef(fmt.uri)))
        keys.add(f"format:{fmt.code}")
        if fmt.extra["media_type"]:
            graph.add((dist, DCAT.mediaType, URIRef(vocab.media_type_uri(
                fmt.extra["media_type"]))))
            keys.add(f"media:{fmt.extra['media_type']}")
    if distribution.byte_size is not None and distribution.byte_size >= 0:
        graph.add((dist, DCAT.byteSize, Literal(str(int(distribution.byte_size)),
                                                datatype=XSD.nonNegativeInteger)))
    licence = distribution.license_code or (dataset.license_code if dataset else None)
    if licence in vocab.licences():
        graph.add((dist, DCT.license, URIRef(vocab.licences()[licence].uri)))
        keys.add(f"licence:{licence}")
    if distribution.availability in vocab.availabilities():
        graph.add((dist, DCATAP.availability,
                   URIRef(vocab.availabilities()[distribution.availability].uri)))
        keys.add(f"avail:{distribution.availability}")
    return keys


# --------------------------------------------------------------------------- shared nodes

def _labels(graph, node, labels, prop=SKOS.prefLabel):
    for lang in LANGS:
        _add(graph, node, prop, _lit(labels.get(lang), lang))


def _term_labels(term):
    return {lang: term.labels.get(lang) for lang in LANGS}


def _law_uri(key, base):
    return URIRef(f"{base_uri(base)}/legislation/{key.split(':', 1)[1]}")


def _publisher_to_rdf(code, graph, base, organizations):
    org = (organizations or {}).get(code)
    node = organization_uri(code, base)
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, RDF.type, FOAF.Organization))
    if org is not None:
        names = {lang: getattr(org, f"name_{lang}") for lang in LANGS}
        kind = org.kind
        homepage = safe_iri(org.website)
    else:  # not in the database (e.g. the catalogue's publisher): the reference list
        row = next((r for r in vocab.ministries() if r["code"] == code), {})
        names = {"ar": row.get("name_ar"), "fr": row.get("name_fr")}
        kind, homepage = "ministry", None
    if not any(clean_text(n) for n in names.values()):
        names = {"fr": code}
    _labels(graph, node, names, FOAF.name)
    ptype = PUBLISHER_TYPES.get(kind, "NationalAuthority")
    graph.add((node, DCT.type, ADMS_PUBLISHER_TYPE[ptype]))
    graph.add((ADMS_PUBLISHER_TYPE[ptype], RDF.type, SKOS.Concept))
    _labels(graph, ADMS_PUBLISHER_TYPE[ptype], ADMS_LABELS[ptype])
    if homepage:
        graph.add((node, FOAF.homepage, URIRef(homepage)))
        graph.add((URIRef(homepage), RDF.type, FOAF.Document))


def shared_node_to_rdf(key, graph, base=None, organizations=None):
    """Describe the shared node named by `key` (as returned by `entry_to_rdf`): a vocabulary
    concept, a licence, a location, a publisher (`organizations`: code -> Organization)."""
    kind, code = key.split(":", 1)
    if kind == "org":
        _publisher_to_rdf(code, graph, base, organizations)
        return graph
    if kind == "law":
        node = _law_uri(key, base)
        graph.add((node, RDF.type, ELI.LegalResource))
        _labels(graph, node, DECREE_TITLE, DCT.title)
        return graph
    if kind == "status":
        node = ADMS_STATUS[code]
        graph.add((node, RDF.type, SKOS.Concept))
        _labels(graph, node, ADMS_LABELS[code])
        return graph
    if kind == "standard":
        node = URIRef(DCAT_AP_STANDARD)
        graph.add((node, RDF.type, DCT.Standard))
        graph.add((node, DCT.title, Literal("DCAT-AP 3.0.1", lang="en")))
        return graph
    if kind == "scheme":
        node = URIRef(EU_THEME_SCHEME)
        graph.add((node, RDF.type, SKOS.ConceptScheme))
        _labels(graph, node, THEME_SCHEME_TITLE, DCT.title)
        return graph
    if kind == "media":
        graph.add((URIRef(vocab.media_type_uri(code)), RDF.type, DCT.MediaType))
        return graph
    if kind == "spatial":
        term = vocab.governorates()[code]
        node = _governorate_uri(code, base)
        graph.add((node, RDF.type, DCT.Location))
        _labels(graph, node, _term_labels(term))
        return graph
    if kind == "licence":
        term = vocab.licences()[code]
        node = URIRef(term.uri)
        graph.add((node, RDF.type, DCT.LicenseDocument))
        # The title CKAN's licence register knows; the labels for people.
        graph.add((node, DCT.title, Literal(term.extra["title"])))
        _labels(graph, node, _term_labels(term))
        for ltype in LICENCE_TYPES.get(code, ()):
            graph.add((node, DCT.type, ADMS_LICENCE_TYPE[ltype]))
            graph.add((ADMS_LICENCE_TYPE[ltype], RDF.type, SKOS.Concept))
            _labels(graph, ADMS_LICENCE_TYPE[ltype], ADMS_LABELS[ltype])
        return graph
    terms, rdf_types = {
        "theme": (vocab.themes(), (SKOS.Concept,)),
        "access": (vocab.access_rights(), (DCT.RightsStatement, SKOS.Concept)),
        "freq": (vocab.frequencies(), (DCT.Frequency, SKOS.Concept)),
        "lang": (vocab.languages(), (DCT.LinguisticSystem, SKOS.Concept)),
        "format": (vocab.formats(), (DCT.MediaTypeOrExtent, SKOS.Concept)),
        "avail": (vocab.availabilities(), (SKOS.Concept,)),
        "hvd": (vocab.hvd_categories(), (SKOS.Concept,)),
    }[kind]
    term = terms[code]
    node = URIRef(term.uri)
    for rdf_type in rdf_types:
        graph.add((node, RDF.type, rdf_type))
    _labels(graph, node, _term_labels(term))
    if kind == "theme":
        graph.add((node, SKOS.inScheme, URIRef(EU_THEME_SCHEME)))
        shared_node_to_rdf("scheme:data-theme", graph, base, organizations)
    return graph


# --------------------------------------------------------------------------- the catalogue

def catalog_publisher_code():
    return current_app.config.get("CATALOG_PUBLISHER", "PG")


def catalog_to_rdf(graph, base=None, modified=None, issued=None, organizations=None):
    """The `dcat:Catalog` node and the nodes it references (not its dataset links)."""
    node = catalog_uri(base)
    graph.add((node, RDF.type, DCAT.Catalog))
    _labels(graph, node, CATALOG_TITLE, DCT.title)
    _labels(graph, node, CATALOG_DESCRIPTION, DCT.description)
    code = catalog_publisher_code()
    graph.add((node, DCT.publisher, organization_uri(code, base)))
    homepage = URIRef(f"{base_uri(base)}/")
    graph.add((node, FOAF.homepage, homepage))
    graph.add((homepage, RDF.type, FOAF.Document))
    graph.add((node, DCAT.themeTaxonomy, URIRef(EU_THEME_SCHEME)))
    for lang in LANGS:
        graph.add((node, DCT.language, URIRef(vocab.languages()[lang].uri)))
    graph.add((node, DCT.license, URIRef(vocab.licences()[vocab.DEFAULT_LICENCE].uri)))
    graph.add((node, DCT.spatial, URIRef(vocab.TN_URI)))
    graph.add((node, DCATAP.applicableLegislation, _law_uri(DECREE_KEY, base)))
    _add(graph, node, DCT.issued, _datetime(issued))
    _add(graph, node, DCT.modified, _datetime(modified))
    for key in catalog_shared_keys():
        shared_node_to_rdf(key, graph, base, organizations)
    return graph


def catalog_shared_keys():
    """Keys of the shared nodes `catalog_to_rdf` describes."""
    keys = {f"org:{catalog_publisher_code()}", "scheme:data-theme",
            f"licence:{vocab.DEFAULT_LICENCE}", f"spatial:{vocab.TN_CODE}", DECREE_KEY}
    return sorted(keys | {f"lang:{lang}" for lang in LANGS})
