"""Creating, saving and cloning inventory entries (domain operations: they flush, never commit)."""
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from . import priority
from .audit import record_audit
from .errors import ConflictError
from .extensions import db
from .models import AuditLog, Dataset, DatasetTheme, Distribution, Organization, utcnow

# Copied by `clone_entry`; identity, workflow, portal state and dates are not.
CLONED_FIELDS = (
    "title_ar", "title_fr", "title_en", "description_ar", "description_fr", "description_en",
    "keywords_ar", "keywords_fr", "keywords_en", "owner_unit", "steward", "source_system",
    "storage_location", "volume", "update_mechanism", "personal_data", "personal_data_categories",
    "classification", "restriction_grounds", "harm_note", "public_interest_note",
    "proportionality_note", "restriction_review_date", "other_constraints", "access_rights",
    "license_code", "legal_basis", "landing_page", "documentation_url", "contact_name",
    "contact_email", "hvd_category", "spatial", "temporal_start", "temporal_end", "frequency",
    "languages", "demand", "ati_requests", "value", "legal_obligation", "readiness", "risk",
    "campaign_id",
)
DISTRIBUTION_FIELDS = ("title", "description", "access_url", "download_url", "format",
                       "media_type", "byte_size", "license_code", "availability")


def next_reference(organization):
    """Reserve the next `<ORG>-<NNNN>` reference atomically (safe with concurrent writers)."""
    seq = db.session.execute(
        sa.update(Organization).where(Organization.id == organization.id)
        .values(entry_seq=Organization.entry_seq + 1).returning(Organization.entry_seq)
    ).scalar_one()
    organization.entry_seq = seq  # keep the identity map in step without a reload
    return f"{organization.code}-{seq:04d}"


def reserve_references(organization, count):
    """Reserve `count` consecutive `<ORG>-<NNNN>` references in one statement (bulk imports)."""
    if count <= 0:
        return []
    last = db.session.execute(
        sa.update(Organization).where(Organization.id == organization.id)
        .values(entry_seq=Organization.entry_seq + count).returning(Organization.entry_seq)
    ).scalar_one()
    organization.entry_seq = last
    return [f"{organization.code}-{seq:04d}" for seq in range(last - count + 1, last + 1)]


def create_entry(organization, user, **fields):
    """A new draft entry of `organization` with its UUID and reference."""
    dataset = Dataset(organization=organization, reference=next_reference(organization),
                      status="draft", created_by_id=getattr(user, "id", None),
                      updated_by_id=getattr(user, "id", None))
    themes = fields.pop("themes", None)
    distributions = fields.pop("distributions", None)
    for key, value in fields.items():
        setattr(dataset, key, value)
    if themes is not None:
        set_themes(dataset, themes)
    if distributions is not None:
        set_distributions(dataset, distributions)
    if dataset.license_code is None and dataset.classification in (None, "open",
                                                                   "open_after_treatment"):
        from .vocabularies import DEFAULT_LICENCE
        dataset.license_code = DEFAULT_LICENCE
    db.session.add(dataset)
    touch(dataset, user)
    db.session.flush()
    record_audit(user, "dataset.create", dataset, reference=dataset.reference)
    return dataset


def set_themes(dataset, codes):
    """Replace the entry's themes, keeping the order stable and dropping duplicates."""
    wanted = list(dict.fromkeys(c for c in codes if c))
    current = {row.code: row for row in dataset.theme_rows}
    dataset.theme_rows = [current.get(code) or DatasetTheme(code=code) for code in wanted]


def set_distributions(dataset, rows):
    """Replace the distributions with `rows` (dicts of DISTRIBUTION_FIELDS), reusing rows by
    position so unchanged distributions keep their ids."""
    from .vocabularies import media_type_for
    existing = list(dataset.distributions)
    result = []
    for i, data in enumerate(rows):
        dist = existing[i] if i < len(existing) else Distribution()
        for key in DISTRIBUTION_FIELDS:
            if key in data:
                setattr(dist, key, data[key])
        dist.position = i
        # The media type always follows the format: users choose a format, never a MIME type.
        dist.media_type = media_type_for(dist.format)
        result.append(dist)
    dataset.distributions = result


def check_version(dataset, expected_version):
    """Raise ConflictError when the entry changed since the user loaded `expected_version`."""
    if expected_version is not None and int(expected_version) != dataset.version:
        raise ConflictError(current_version=dataset.version)


def touch(dataset, user, weights=None):
    """Derived fields after any change: search text, priority, who and when. Pass the
    priority `weights` when touching many entries (saves a query each)."""
    dataset.refresh_search_text()
    priority.refresh(dataset, weights)
    dataset.updated_at = utcnow()
    if user is not None and getattr(user, "id", None):
        dataset.updated_by_id = user.id


def distribution_rows(dataset):
    """The entry's distributions as dicts of DISTRIBUTION_FIELDS (for comparing and copying)."""
    return [{k: getattr(d, k) for k in DISTRIBUTION_FIELDS} for d in dataset.distributions]


def save_entry(dataset, user, changes, expected_version=None, themes=None, distributions=None,
               step=None):
    """Apply `changes` (field -> value), and `themes` / `distributions` when given, to a loaded
    entry after the optimistic-lock check (ConflictError when `expected_version` is stale).

    Returns the names of the fields that changed. Saving what is already stored writes
    nothing: the version does not move, so nobody else gets a needless conflict.
    """
    check_version(dataset, expected_version)
    changed = sorted(k for k, v in changes.items() if getattr(dataset, k) != v)
    for key in changed:
        setattr(dataset, key, changes[key])
    if themes is not None and list(dataset.themes) != list(dict.fromkeys(t for t in themes if t)):
        changed.append("themes")
        set_themes(dataset, themes)
    if distributions is not None:
        from .vocabularies import media_type_for
        wanted = [{k: row.get(k) for k in DISTRIBUTION_FIELDS} for row in distributions]
        for row in wanted:
            row["media_type"] = media_type_for(row["format"])
        if wanted != distribution_rows(dataset):
            changed.append("distributions")
            set_distributions(dataset, distributions)
    if not changed:
        return changed
    touch(dataset, user)
    # `from_version` lets a later conflict say which fields others changed since then.
    record_audit(user, "dataset.update", dataset, fields=changed, step=step,
                 from_version=dataset.version)
    db.session.flush()
    return changed


def fields_changed_since(dataset, version):
    """Names of the fields that saves made after `version` changed (from the audit trail)."""
    rows = db.session.scalars(
        db.select(AuditLog).where(AuditLog.object_id == dataset.uuid,
                                  AuditLog.action == "dataset.update")
        .order_by(AuditLog.id.desc()).limit(200))
    names = set()
    for row in rows:
        details = row.details or {}
        if not isinstance(details.get("from_version"), int) or details["from_version"] < version:
            break
        names.update(details.get("fields") or ())
    return names


def clone_entry(source, user):
    """A new draft copying `source`'s descriptive fields and distributions (not its identity,
    workflow, review trail or portal state)."""
    # Lists are copied: JSON columns must not share one mutable value between two entries.
    fields = {name: (list(value) if isinstance(value, list) else value)
              for name in CLONED_FIELDS for value in [getattr(source, name)]}
    for lang in ("ar", "fr", "en"):
        title = fields[f"title_{lang}"]
        if title:
            with force_locale(lang):  # the title's own language, not the user's
                fields[f"title_{lang}"] = _("%(title)s (copy)", title=title)[:500]
    fields["themes"] = list(source.themes)
    fields["distributions"] = distribution_rows(source)
    clone = create_entry(source.organization, user, **fields)
    record_audit(user, "dataset.clone", clone, source=source.uuid)
    return clone
