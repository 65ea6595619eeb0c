"""An inventory entry as a CKAN package: pure functions, no portal call.

`package_from_dataset(dataset, portal)` is pure: the entry and what we know of the portal (its
default language, whether it has ckanext-fluent fields, its licences) give one dict, always the
same for the same input, so its hash tells whether the portal needs a write. Field names are
those ckanext-dcat reads (`theme`, `access_rights`, `frequency`, `spatial_uri`, ...), so the
portal's own DCAT endpoint re-emits our metadata; URIs are the ones the DCAT mapping uses
(`inventory.vocabularies`). `catalog.ckan` is the client that sends it.
"""
import hashlib
import json
import re
from dataclasses import dataclass, field

from inventory import vocabularies as vocab
from inventory.models import TEXT_LANGS, fallback_order

# --------------------------------------------------------------------------- names

_NAME_CHARS = re.compile(r"[^a-z0-9_-]+")


def organization_name(organization):
    """CKAN organization name of a public body: its code, lowercase ASCII."""
    name = _NAME_CHARS.sub("-", organization.code.lower()).strip("-")
    return name if len(name) >= 2 else f"org-{name}"


def package_name(dataset):
    """`<org-code>-<first 8 hex of the uuid>`, lowercase ASCII; never from the title and never
    renamed (an adopted or already published entry keeps the name the portal knows)."""
    if dataset.ckan_name:
        return dataset.ckan_name
    short = dataset.uuid.replace("-", "")[:8].lower()
    return f"{organization_name(dataset.organization)}-{short}"[:100]


def dataset_uri(dataset, base_uri):
    """The entry's DCAT URI (its permanent identifier, also sent as `identifier`)."""
    return f"{base_uri.rstrip('/')}/datasets/{dataset.uuid}"


def spatial_uri(codes, base_uri):
    """One URI for the coverage (ckanext-dcat takes one): the country when it is covered whole
    or several governorates are, else the governorate's URI minted under our base URI (the
    same URIs as the DCAT mapping: `{base}/spatial/<ISO code>`)."""
    codes = [c for c in codes or () if c]
    if not codes:
        return ""
    if vocab.TN_CODE in codes or len(codes) > 1:
        return vocab.TN_URI
    return f"{base_uri.rstrip('/')}/spatial/{codes[0]}"


# --------------------------------------------------------------------------- mapping

@dataclass(frozen=True)
class PortalProfile:
    """What the mapping needs to know about the portal (read once per client)."""

    default_locale: str = "ar"
    fluent: bool = False  # title_translated / notes_translated fields exist
    dataset_fields: frozenset = frozenset()  # scheming fields stored at the root, if any
    list_fields: frozenset = frozenset()  # ...of them, those taking a list of strings
    composite_fields: frozenset = frozenset()  # ...and those taking a list of objects
    licence_ids: frozenset = frozenset()  # empty: unknown, trust licences.csv
    licence_by_url: dict = field(default_factory=dict, hash=False, compare=False)


_TAG_BAD = re.compile(r"[^\w .-]+", re.UNICODE)


def _keywords(dataset):
    """{lang: [tag names]}: keywords as CKAN accepts tags (2..100 chars of letters, digits,
    space, -_.), each name once across the languages."""
    seen, out = set(), {}
    for lang in TEXT_LANGS:
        for word in getattr(dataset, f"keywords_{lang}") or ():
            name = " ".join(_TAG_BAD.sub(" ", str(word)).split())[:100]
            if len(name) >= 2 and name.lower() not in seen:
                seen.add(name.lower())
                out.setdefault(lang, []).append(name)
    return out


def licence_id(code, portal):
    """The portal's id for one of our licences: the id in licences.csv when the portal has it,
    else a portal licence with the same URL, else our id (CKAN accepts unknown ids)."""
    term = vocab.licences().get(code or "")
    if term is None:
        return ""
    ckan_id = term.extra["ckan_id"]
    if not portal.licence_ids or ckan_id in portal.licence_ids:
        return ckan_id
    return portal.licence_by_url.get(term.uri.rstrip("/"), ckan_id)


def legislation_uris(dataset, base_uri):
    """Legal basis as the DCAT mapping has it: a line that is a web address is the legal
    resource itself; other text is a legal resource of the entry, `#legal-basis-N`."""
    lines = [line.strip() for line in (dataset.legal_basis or "").splitlines() if line.strip()]
    return [line if re.match(r"^https?://\S+$", line, re.I)
            else f"{dataset_uri(dataset, base_uri)}#legal-basis-{i}"
            for i, line in enumerate(lines, start=1)]


def _uris(terms, codes):
    return [terms[c].uri for c in codes or () if c in terms and terms[c].uri]


def _texts(dataset, field_name):
    return {lang: getattr(dataset, f"{field_name}_{lang}") for lang in TEXT_LANGS
            if (getattr(dataset, f"{field_name}_{lang}") or "").strip()}


def _resource(dist, dataset, portal):
    licence = vocab.licences().get(dist.license_code or dataset.license_code or "")
    fmt = vocab.formats().get(dist.format or "")
    resource = {
        "name": dist.title or (fmt.label("en") if fmt else "") or dist.format or "",
        "description": dist.description or "",
        "url": dist.download_url or dist.access_url,
        "access_url": dist.access_url,
        "format": fmt.label("en") if fmt else (dist.format or ""),
        "mimetype": dist.media_type or vocab.media_type_for(dist.format),
        "license": licence.uri if licence else "",
    }
    if dist.download_url:
        resource["download_url"] = dist.download_url
    if dist.byte_size is not None:
        resource["size"] = dist.byte_size
    if dist.availability:
        term = vocab.availabilities().get(dist.availability)
        if term:
            resource["availability"] = term.uri
    return resource


# ckanext-dcat's flat field names the mapping fills (`_dcat_fields`).
DCAT_FIELD_NAMES = (
    "identifier", "inventory_reference", "theme", "access_rights", "frequency", "language",
    "spatial_uri", "spatial_text", "temporal_start", "temporal_end", "contact_name",
    "contact_email", "publisher_name", "publisher_uri", "publisher_email", "publisher_url",
    "documentation", "applicable_legislation", "hvd_category",
)
# Structured (scheming "repeating subfields") forms of flat ckanext-dcat fields: a portal whose
# schema defines the structured field gets it instead of the flat keys.
COMPOSITES = {
    "contact": ("contact_name", "contact_email"),
    "publisher": ("publisher_name", "publisher_uri", "publisher_email", "publisher_url"),
    "temporal_coverage": ("temporal_start", "temporal_end"),
    "spatial_coverage": ("spatial_uri", "spatial_text"),
}
COMPOSITE_ITEM_KEYS = {  # flat key -> key inside the structured item
    "contact_name": "name", "contact_email": "email",
    "publisher_name": "name", "publisher_uri": "uri", "publisher_email": "email",
    "publisher_url": "url", "temporal_start": "start", "temporal_end": "end",
    "spatial_uri": "uri", "spatial_text": "text",
}


def _dcat_fields(dataset, base_uri):
    """ckanext-dcat's flat field names and their values (lists stay lists here)."""
    org = dataset.organization
    frequency = vocab.frequencies().get(dataset.frequency or "")
    access = vocab.access_rights().get(dataset.access_rights or "")
    hvd = vocab.hvd_categories().get(dataset.hvd_category or "")
    spatial_labels = [vocab.governorates()[c].labels.get("fr", c)
                      for c in dataset.spatial or () if c in vocab.governorates()]
    return {
        "identifier": dataset_uri(dataset, base_uri),
        "inventory_reference": dataset.reference,
        "theme": _uris(vocab.themes(), dataset.themes),
        "access_rights": access.uri if access else "",
        "frequency": frequency.uri if frequency else "",
        "language": _uris(vocab.languages(), dataset.languages),
        "spatial_uri": spatial_uri(dataset.spatial, base_uri),
        "spatial_text": ", ".join(spatial_labels),
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else "",
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else "",
        "contact_name": dataset.contact_name or "",
        "contact_email": dataset.contact_email or "",
        "publisher_name": org.name_fr or org.name_ar or org.code,
        "publisher_uri": f"{base_uri.rstrip('/')}/organizations/{org.code}",
        "publisher_email": org.email or "",
        "publisher_url": org.website or "",
        "documentation": [dataset.documentation_url] if dataset.documentation_url else [],
        "applicable_legislation": legislation_uris(dataset, base_uri),
        "hvd_category": [hvd.uri] if hvd else [],
    }


def package_from_dataset(dataset, portal=None, base_uri="http://127.0.0.1:5000"):
    """The CKAN package dict of an entry (no ids: the portal's ids are merged in by `upsert`).

    Title and notes are in the portal's default language (falling back to the others); every
    language goes to `title_translated`/`notes_translated` (and keywords to `tags_translated`)
    when the portal has those fluent fields, else to `title_<lang>`/`notes_<lang>` extras.
    ckanext-dcat's fields go where the portal's scheming schema puts them: at the root when
    it defines them (a list for a repeating-text field, `contact`/`publisher`/
    `temporal_coverage`/`spatial_coverage` as lists of objects when it defines those), else
    as extras (lists as JSON text), which ckanext-dcat reads too. Inventory-only fields are
    never sent.
    """
    portal = portal or PortalProfile()
    locale = portal.default_locale if portal.default_locale in TEXT_LANGS else "ar"
    titles, notes = _texts(dataset, "title"), _texts(dataset, "description")
    keywords = _keywords(dataset)
    first = next((lang for lang in fallback_order(locale) if lang in titles), locale)
    package = {
        "name": package_name(dataset),
        "title": titles.get(first, "") or dataset.reference,
        "notes": notes.get(first) or next(iter(notes.values()), ""),
        "owner_org": organization_name(dataset.organization),
        "private": False,
        "license_id": licence_id(dataset.license_code, portal),
        "url": dataset.landing_page or "",
        "tags": [{"name": name} for names in keywords.values() for name in names],
    }
    fields = _dcat_fields(dataset, base_uri)
    if portal.fluent:
        package["title_translated"] = titles
        package["notes_translated"] = notes
        if "tags_translated" in portal.dataset_fields and keywords:
            package["tags_translated"] = keywords
    else:
        for lang in TEXT_LANGS:
            fields[f"title_{lang}"] = titles.get(lang, "")
            fields[f"notes_{lang}"] = notes.get(lang, "")
    for composite, flat_keys in COMPOSITES.items():
        if composite in portal.composite_fields:
            item = {COMPOSITE_ITEM_KEYS[k]: fields.pop(k) for k in flat_keys if fields.get(k)}
            for k in flat_keys:
                fields.pop(k, None)
            if item:
                package[composite] = [item]
    extras = []
    for key, value in sorted(fields.items()):
        if value in ("", None, []):
            continue
        if key in portal.dataset_fields:
            if isinstance(value, list) and key not in portal.list_fields:
                value = json.dumps(value)
            elif key in portal.list_fields and not isinstance(value, list):
                value = [value]
            package[key] = value
        else:
            extras.append({"key": key,
                           "value": json.dumps(value) if isinstance(value, list) else value})
    package["extras"] = extras
    package["resources"] = [_resource(d, dataset, portal) for d in dataset.distributions]
    return package


def content_hash(package):
    """sha256 of the package dict: equal hashes mean the portal already has this content."""
    text = json.dumps(package, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def extras_dict(package):
    """{key: value} of a CKAN package's extras."""
    return {e.get("key"): e.get("value") for e in package.get("extras") or ()}


def package_field(package, key, default=""):
    """A ckanext-dcat field of a portal package, at the root (scheming portals) or in the
    extras (plain ones)."""
    value = package.get(key)
    if value in (None, "", [], {}):
        value = extras_dict(package).get(key)
    return default if value in (None, "", [], {}) else value


def package_identifier(package):
    """Our identifier (the entry's DCAT URI) as stored on a portal package, if any."""
    return package_field(package, "identifier")
