"""Drift between the inventory and the portal, and adopting what only the portal has.

`reconcile(client)` reads the packages of every organization the inventory knows and reports:
- missing: entries we published that the portal no longer shows (deleted, private, gone);
- extra: portal packages of our organizations that no entry knows (candidates for adoption);
- edited: packages whose portal content differs from what we push, field by field.
`adopt(package, organization, user)` turns an unknown portal package into a published entry
that keeps the portal's name and id, so nothing is duplicated. Both only flush.
"""
import json
import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app

from inventory import vocabularies as vocab
from inventory.audit import record_audit
from inventory.entries import create_entry
from inventory.extensions import db
from inventory.models import Dataset, Organization, Publication, ReviewEvent, utcnow

from .ckan_package import (
    COMPOSITE_ITEM_KEYS,
    COMPOSITES,
    DCAT_FIELD_NAMES,
    content_hash,
    extras_dict,
    organization_name,
    package_field,
    package_from_dataset,
    package_identifier,
    package_name,
)

# Fields compared between what we push and what the portal holds.
PACKAGE_FIELDS = ("title", "notes", "license_id", "url", "private", "owner_org")
RESOURCE_FIELDS = ("name", "url", "format", "mimetype", "size", "license", "access_url",
                   "download_url")


@dataclass
class FieldDiff:
    field: str
    ours: object
    theirs: object


@dataclass
class Missing:
    dataset_uuid: str
    reference: str
    name: str
    reason: str


@dataclass
class Extra:
    name: str
    title: str
    organization: str
    organization_code: str
    ckan_id: str
    private: bool


@dataclass
class Edited:
    dataset_uuid: str
    reference: str
    name: str
    local_changes: bool  # the entry changed since its last push too
    diffs: list = field(default_factory=list)


@dataclass
class Report:
    missing: list = field(default_factory=list)
    extra: list = field(default_factory=list)
    edited: list = field(default_factory=list)
    in_sync: int = 0

    @property
    def drift(self):
        return bool(self.missing or self.extra or self.edited)

    def as_dict(self):
        from dataclasses import asdict
        return asdict(self)


def _norm(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    return str(value).strip()


def _pruned(value):
    """The value without empty members (a portal drops the subfields nobody filled)."""
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def comparable(package, owner_org_name=None):
    """A flat {field: value} view of a package, the same for our dict and the portal's.
    Fluent fields replace the single-language title/notes, which a fluent portal derives
    from them; ckanext-dcat fields count at the root (scheming portals) as in the extras."""
    flat = {f: _norm(package.get(f)) for f in PACKAGE_FIELDS if f != "owner_org"}
    org = package.get("organization") or {}
    flat["owner_org"] = org.get("name") or owner_org_name or _norm(package.get("owner_org"))
    flat["private"] = bool(package.get("private"))
    flat["tags"] = ", ".join(sorted(t.get("name", "") for t in package.get("tags") or ()))
    for key in ("title_translated", "notes_translated", "tags_translated", *COMPOSITES,
                *DCAT_FIELD_NAMES):
        value = package.get(key)
        if value in (None, "", [], {}):
            continue
        flat[key] = (json.dumps(_pruned(value), sort_keys=True, ensure_ascii=False)
                     if isinstance(value, (list, dict)) else _norm(value))
    for core in ("title", "notes"):
        if f"{core}_translated" in flat:
            del flat[core]
    for key, value in extras_dict(package).items():
        flat[f"extras.{key}"] = _norm(value)
    for i, res in enumerate(package.get("resources") or ()):
        for f in RESOURCE_FIELDS:
            value = _norm(res.get(f))
            if value != "":
                flat[f"resources[{i}].{f}"] = value
    flat["resources"] = len(package.get("resources") or ())
    return flat


def diff_packages(ours, theirs):
    """Field-level differences between our package dict and the portal's."""
    a, b = comparable(ours), comparable(theirs)
    return [FieldDiff(k, a.get(k, ""), b.get(k, "")) for k in sorted(set(a) | set(b))
            if a.get(k, "") != b.get(k, "")]


_UUID = re.compile(r"/datasets/([0-9a-f-]{36})$")


def reconcile(client, organizations=None):
    """Compare the portal with the inventory, organization by organization."""
    portal = client.profile()
    base_uri = current_app.config["CATALOG_BASE_URI"]
    report = Report()
    if organizations is None:
        organizations = db.session.scalars(sa.select(Organization).order_by(Organization.code))
    for org in organizations:
        entries = db.session.scalars(sa.select(Dataset).where(
            Dataset.organization_id == org.id,
            sa.or_(Dataset.ckan_id.is_not(None), Dataset.status == "published"))).all()
        by_name = {package_name(ds): ds for ds in entries}
        by_uuid = {ds.uuid: ds for ds in entries}
        seen = set()
        for package in client.organization_packages(organization_name(org)):
            match = _UUID.search(package_identifier(package))
            ds = by_name.get(package["name"]) or (by_uuid.get(match.group(1)) if match else None)
            if ds is None:
                known = db.session.scalar(sa.select(Dataset.id).where(
                    sa.or_(Dataset.ckan_name == package["name"],
                           Dataset.uuid == (match.group(1) if match else ""))))
                if known is None:
                    report.extra.append(Extra(package["name"], package.get("title", ""),
                                              org.name("fr"), org.code, package["id"],
                                              bool(package.get("private"))))
                continue
            seen.add(ds.id)
            if ds.ckan_state != "active":
                continue  # withdrawn on purpose: private/deleted is what we asked for
            if package.get("private"):
                report.missing.append(Missing(ds.uuid, ds.reference, package["name"],
                                              "private on the portal"))
                continue
            ours = package_from_dataset(ds, portal, base_uri)
            diffs = diff_packages(ours, package)
            if diffs:
                report.edited.append(Edited(ds.uuid, ds.reference, package["name"],
                                            content_hash(ours) != ds.ckan_hash, diffs))
            else:
                report.in_sync += 1
        for ds in entries:
            if ds.id not in seen and ds.ckan_state == "active":
                report.missing.append(Missing(ds.uuid, ds.reference, package_name(ds),
                                              "not found on the portal"))
    return report


# --------------------------------------------------------------------------- adopt

_ARABIC = re.compile(r"[\u0600-\u06FF]")


def _lang_of(text):
    return "ar" if _ARABIC.search(text or "") else "fr"


def _code_for(terms, uri):
    return next((code for code, term in terms.items() if term.uri and term.uri == uri), None)


def _json_list(value):
    if isinstance(value, list):
        return value
    try:
        parsed = json.loads(value or "[]")
    except ValueError:
        return [v.strip() for v in str(value).split(",") if v.strip()]
    return parsed if isinstance(parsed, list) else [parsed]


def _date(value):
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _flat_field(package, key):
    """A flat ckanext-dcat field of a package: at the root, in the extras, or inside the
    first item of its structured (scheming) form (`contact_name` from `contact`...)."""
    for composite, flat_keys in COMPOSITES.items():
        if key in flat_keys and isinstance(package.get(composite), list) \
                and package[composite] and isinstance(package[composite][0], dict):
            value = package[composite][0].get(COMPOSITE_ITEM_KEYS[key])
            if value:
                return value
    return package_field(package, key)


def fields_from_package(package):
    """Inventory fields read back from a portal package (ours or anybody's)."""
    extras = extras_dict(package)
    values = {}
    for ours, theirs in (("title", "title"), ("description", "notes")):
        translated = package.get(f"{theirs}_translated") or {}
        for lang in ("ar", "fr", "en"):
            text = translated.get(lang) or extras.get(f"{theirs}_{lang}") or ""
            if text:
                values[f"{ours}_{lang}"] = text
        main = package.get(theirs) or ""
        if main and not any(k.startswith(f"{ours}_") for k in values):
            values[f"{ours}_{_lang_of(main)}"] = main
    tags_translated = package.get("tags_translated")
    if isinstance(tags_translated, dict) and tags_translated:
        for lang, names in tags_translated.items():
            if lang in ("ar", "fr", "en") and names:
                values[f"keywords_{lang}"] = list(names)
    else:
        for tag in package.get("tags") or ():
            values.setdefault(f"keywords_{_lang_of(tag['name'])}", []).append(tag["name"])
    by_ckan_id = {t.extra["ckan_id"]: code for code, t in vocab.licences().items()}
    values["license_code"] = by_ckan_id.get(package.get("license_id"), vocab.DEFAULT_LICENCE)
    values["themes"] = [c for c in (_code_for(vocab.themes(), u)
                                    for u in _json_list(_flat_field(package, "theme"))) if c]
    values["frequency"] = _code_for(vocab.frequencies(), _flat_field(package, "frequency"))
    values["languages"] = [c for c in (_code_for(vocab.languages(), u)
                                       for u in _json_list(_flat_field(package, "language")))
                           if c]
    values["spatial"] = ["TN"] if _flat_field(package, "spatial_uri") == vocab.TN_URI else []
    values["temporal_start"] = _date(_flat_field(package, "temporal_start"))
    values["temporal_end"] = _date(_flat_field(package, "temporal_end"))
    values["contact_name"] = (_flat_field(package, "contact_name") or package.get("maintainer")
                              or "")
    values["contact_email"] = (_flat_field(package, "contact_email")
                               or package.get("maintainer_email") or "")
    values["landing_page"] = package.get("url") or ""
    formats_by_label = {t.label("en").lower(): code for code, t in vocab.formats().items()}
    values["distributions"] = [{
        "title": res.get("name") or "",
        "description": res.get("description") or "",
        "access_url": res.get("access_url") or res.get("url") or "",
        "download_url": res.get("download_url") or "",
        "format": formats_by_label.get((res.get("format") or "").lower()),
        "byte_size": int(res["size"]) if str(res.get("size") or "").isdigit() else None,
    } for res in package.get("resources") or ()]
    return values


def adopt(package, organization, user):
    """Make an unknown portal package an inventory entry, published, bound to that package
    (same name and id: the next push updates it, never duplicates it). Flushes."""
    fields = fields_from_package(package)
    dataset = create_entry(organization, user, classification="open",
                           access_rights="NON_PUBLIC" if package.get("private") else "PUBLIC",
                           **fields)
    now = utcnow()
    dataset.status = "published"
    dataset.approved_at = dataset.issued_at = now
    dataset.ckan_id = package["id"]
    dataset.ckan_name = package["name"]
    dataset.ckan_url = f"{current_app.config['CKAN_URL'].rstrip('/')}/dataset/{package['name']}"
    dataset.ckan_state = "private" if package.get("private") else "active"
    dataset.ckan_hash = None  # what we would push differs from what they wrote: push next time
    dataset.ckan_synced_at = now
    db.session.add(ReviewEvent(dataset=dataset, actor_id=getattr(user, "id", None), at=now,
                               action="adopt", from_status="draft", to_status="published",
                               comment=package["name"]))
    db.session.add(Publication(dataset=dataset, action="adopt", outcome="ok",
                               ckan_id=package["id"], ckan_name=package["name"]))
    record_audit(user, "dataset.adopt", dataset, ckan_name=package["name"],
                 ckan_id=package["id"])
    db.session.flush()
    return dataset
