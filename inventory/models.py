"""All tables of the inventory.

Domain rules live in `workflow.py`, `priority.py` and `search.py`; the models only hold data,
small derived properties and relationships. `catalog` writes the publication and RDF state
of entries but never defines tables of its own.
"""
import uuid as uuid_lib
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.associationproxy import association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .textfold import fold

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def utcnow():
    return datetime.now(UTC).replace(tzinfo=None)


def new_uuid():
    return str(uuid_lib.uuid4())


def fallback_order(locale):
    """Languages to try, in order, when showing a trilingual text in `locale`."""
    return {"ar": ("ar", "fr", "en"), "fr": ("fr", "ar", "en")}.get(locale, ("en", "fr", "ar"))


def localized(obj, field, locale):
    """`obj.<field>_<lang>` in `locale`, or the first non-empty one in fallback order."""
    for lang in fallback_order(locale):
        value = getattr(obj, f"{field}_{lang}", "")
        if value:
            return value
    return ""


def localized_lang(obj, field, locale):
    """The language of the text `localized(obj, field, locale)` returns (for lang and dir
    attributes): `locale` when every language is empty."""
    for lang in fallback_order(locale):
        if getattr(obj, f"{field}_{lang}", ""):
            return lang
    return locale


# --------------------------------------------------------------------------- people & bodies

ROLES = ("officer", "reviewer", "admin")

user_organization = sa.Table(
    "user_organization",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organization_id", sa.ForeignKey("organization.id", ondelete="CASCADE"),
              primary_key=True),
)

campaign_organization = sa.Table(
    "campaign_organization",
    db.metadata,
    sa.Column("campaign_id", sa.ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organization_id", sa.ForeignKey("organization.id", ondelete="CASCADE"),
              primary_key=True),
)


class Organization(db.Model):
    """A public body (ministry, public establishment, municipality)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name_ar: Mapped[str] = mapped_column(sa.String(300), default="")
    name_fr: Mapped[str] = mapped_column(sa.String(300), default="")
    name_en: Mapped[str] = mapped_column(sa.String(300), default="")
    kind: Mapped[str] = mapped_column(sa.String(20), default="ministry")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"))
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    website: Mapped[str] = mapped_column(sa.String(500), default="")
    active: Mapped[bool] = mapped_column(default=True)
    # Set when the body was merged into another (governments change): its entries, members
    # and campaigns moved there; it stays, inactive, so old references still resolve.
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"))
    # Last number handed out for the `<ORG>-<NNNN>` reference; incremented atomically.
    entry_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    parent = relationship("Organization", remote_side=[id], foreign_keys=[parent_id])
    replaced_by = relationship("Organization", remote_side=[id], foreign_keys=[replaced_by_id])

    def name(self, locale):
        """Name in `locale`, falling back to the other languages."""
        return localized(self, "name", locale) or self.code

    def __repr__(self):
        return f"<Organization {self.code}>"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255), default="")
    role: Mapped[str] = mapped_column(sa.String(20), default="officer")
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Changing the password invalidates sessions: Flask-Login's id includes this stamp.
    session_stamp: Mapped[str] = mapped_column(sa.String(32), default=lambda: uuid_lib.uuid4().hex)

    organizations = relationship("Organization", secondary=user_organization, lazy="selectin",
                                 order_by="Organization.code")

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return f"{self.id}:{self.session_stamp}"

    @property
    def is_admin(self):
        return self.role == "admin"

    @property
    def organization_ids(self):
        return {o.id for o in self.organizations}

    def display_name(self):
        return self.name or self.email

    def __repr__(self):
        return f"<User {self.email} {self.role}>"


class LoginAttempt(db.Model):
    """One sign-in attempt; failures within a window throttle further attempts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    ip: Mapped[str] = mapped_column(sa.String(64), index=True, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    success: Mapped[bool] = mapped_column(default=False)


class ApiToken(db.Model):
    """A personal API token: only its hash is stored; the secret is shown once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user = relationship("User", backref=db.backref("api_tokens", lazy="dynamic",
                                                  cascade="all, delete-orphan"))


class ApiRateCounter(db.Model):
    """Requests counted for one key (an API token) in its current fixed window; a table so
    every worker process shares the count (Redis does it instead when QUEUE_URL is redis://)."""

    __tablename__ = "api_rate_counter"
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    window_start: Mapped[int] = mapped_column(sa.BigInteger)  # Unix seconds
    count: Mapped[int] = mapped_column(default=0)


# --------------------------------------------------------------------------- campaigns

class Campaign(db.Model):
    """An inventory campaign over priority sectors and organizations, with a deadline."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name_ar: Mapped[str] = mapped_column(sa.String(300), default="")
    name_fr: Mapped[str] = mapped_column(sa.String(300), default="")
    name_en: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    sectors: Mapped[list] = mapped_column(JSONType, default=list)  # theme codes
    start_date: Mapped[date | None]
    deadline: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organizations = relationship("Organization", secondary=campaign_organization,
                                 lazy="selectin", order_by="Organization.code")

    def name(self, locale):
        return localized(self, "name", locale) or f"#{self.id}"


# --------------------------------------------------------------------------- inventory entry

STATUSES = ("draft", "submitted", "changes_requested", "approved", "published", "withdrawn",
            "archived")
CLASSIFICATIONS = ("open", "open_after_treatment", "restricted", "not_publishable")
PERSONAL_DATA = ("none", "yes", "pseudonymised", "aggregated")
TIERS = ("high", "medium", "low", "excluded")
TEXT_LANGS = ("ar", "fr", "en")


class DatasetTheme(db.Model):
    """Theme of an entry (EU data-theme code); a table so filters are indexed joins."""

    __tablename__ = "dataset_theme"
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("dataset.id", ondelete="CASCADE"),
                                            primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), primary_key=True, index=True)

    # Covering (code, entry): theme filters and their counts read the index only.
    __table_args__ = (sa.Index("ix_dataset_theme_code_dataset", "code", "dataset_id"),)

    def __init__(self, code=None, **kw):
        super().__init__(code=code, **kw)


class Dataset(db.Model):
    """An inventory entry: publishable DCAT metadata plus inventory-only fields."""

    # At national scale (100,000 entries) each of these turns a scan of the table (50-130 ms
    # on PostgreSQL) into a walk of an index (under 10 ms); migration dashboard_indexes.
    __table_args__ = (
        sa.Index("ix_dataset_org_status", "organization_id", "status"),
        sa.Index("ix_dataset_status_updated", "status", "updated_at"),
        # The review queue: submitted entries, oldest submission first, a page at a time.
        sa.Index("ix_dataset_status_submitted", "status", "submitted_at", "id"),
        # Dashboards: entries still to approve with a tier, counted and ranked by tier and
        # score from the index alone (dashboard.top_priority).
        sa.Index("ix_dataset_status_tier", "status", "priority_tier", "priority_score", "id"),
        # Entries the portal takes (catalog.publish.eligible_query), counted from the index.
        sa.Index("ix_dataset_status_open", "status", "classification", "access_rights"),
        # Dashboards' overdue lists: planned releases not made, restrictions due for review.
        sa.Index("ix_dataset_release_due", "actual_release_date", "planned_release_date"),
        sa.Index("ix_dataset_classification_review", "classification",
                 "restriction_review_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    reference: Mapped[str] = mapped_column(sa.String(32), unique=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    # Indexed as the first column of the composite indexes above.
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    # First public release (dct:issued) and withdrawal time.
    issued_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]

    # -- identification (publishable) --
    title_ar: Mapped[str] = mapped_column(sa.String(500), default="")
    title_fr: Mapped[str] = mapped_column(sa.String(500), default="")
    title_en: Mapped[str] = mapped_column(sa.String(500), default="")
    description_ar: Mapped[str] = mapped_column(sa.Text, default="")
    description_fr: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    keywords_ar: Mapped[list] = mapped_column(JSONType, default=list)
    keywords_fr: Mapped[list] = mapped_column(JSONType, default=list)
    keywords_en: Mapped[list] = mapped_column(JSONType, default=list)

    # -- identification (inventory only) --
    owner_unit: Mapped[str] = mapped_column(sa.String(300), default="")
    steward: Mapped[str] = mapped_column(sa.String(200), default="")
    source_system: Mapped[str] = mapped_column(sa.String(300), default="")
    storage_location: Mapped[str] = mapped_column(sa.String(300), default="")
    volume: Mapped[str] = mapped_column(sa.String(100), default="")
    update_mechanism: Mapped[str] = mapped_column(sa.String(300), default="")

    # -- legal and personal data (inventory only) --
    personal_data: Mapped[str | None] = mapped_column(sa.String(20))
    personal_data_categories: Mapped[str] = mapped_column(sa.Text, default="")
    classification: Mapped[str | None] = mapped_column(sa.String(30))  # indexed above
    restriction_grounds: Mapped[list] = mapped_column(JSONType, default=list)
    harm_note: Mapped[str] = mapped_column(sa.Text, default="")
    public_interest_note: Mapped[str] = mapped_column(sa.Text, default="")
    proportionality_note: Mapped[str] = mapped_column(sa.Text, default="")
    restriction_review_date: Mapped[date | None]
    other_constraints: Mapped[str] = mapped_column(sa.Text, default="")

    # -- access and licence (publishable) --
    access_rights: Mapped[str | None] = mapped_column(sa.String(20))
    license_code: Mapped[str | None] = mapped_column(sa.String(40))
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")
    landing_page: Mapped[str] = mapped_column(sa.String(2000), default="")
    documentation_url: Mapped[str] = mapped_column(sa.String(2000), default="")
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    hvd_category: Mapped[str | None] = mapped_column(sa.String(40))

    # -- coverage (publishable) --
    spatial: Mapped[list] = mapped_column(JSONType, default=list)  # governorate ISO codes or "TN"
    temporal_start: Mapped[date | None]
    temporal_end: Mapped[date | None]
    frequency: Mapped[str | None] = mapped_column(sa.String(20))
    languages: Mapped[list] = mapped_column(JSONType, default=list)  # "ar", "fr", "en"

    # -- priority (inventory only) --
    demand: Mapped[int | None]  # 0..3
    ati_requests: Mapped[int | None]  # access-to-information requests received (count)
    value: Mapped[int | None]  # 0..3 socio-economic value
    legal_obligation: Mapped[bool] = mapped_column(default=False)
    readiness: Mapped[int | None]  # 0..3 (3 = ready to publish, little effort)
    risk: Mapped[int | None]  # 0..3 (3 = high risk)
    priority_score: Mapped[int | None] = mapped_column(index=True)  # 0..100, computed
    priority_tier: Mapped[str | None] = mapped_column(sa.String(10), index=True)  # effective tier
    priority_override_tier: Mapped[str | None] = mapped_column(sa.String(10))
    priority_override_reason: Mapped[str] = mapped_column(sa.Text, default="")
    priority_override_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    priority_override_at: Mapped[datetime | None]

    # -- planning --
    planned_release_date: Mapped[date | None]
    actual_release_date: Mapped[date | None]
    next_update_due: Mapped[date | None]

    # -- portal (CKAN) sync state, written by catalog.publish --
    ckan_id: Mapped[str | None] = mapped_column(sa.String(64))
    ckan_name: Mapped[str | None] = mapped_column(sa.String(100))
    ckan_url: Mapped[str | None] = mapped_column(sa.String(2000))
    ckan_hash: Mapped[str | None] = mapped_column(sa.String(64))
    ckan_state: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    ckan_synced_at: Mapped[datetime | None]

    # Folded title/description/keywords/reference for Arabic-aware search (see textfold.fold).
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    __mapper_args__ = {"version_id_col": version}

    organization = relationship("Organization", lazy="joined", innerjoin=True)
    campaign = relationship("Campaign")
    created_by = relationship("User", foreign_keys=[created_by_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])
    priority_override_by = relationship("User", foreign_keys=[priority_override_by_id])
    theme_rows = relationship("DatasetTheme", cascade="all, delete-orphan", lazy="selectin",
                              order_by="DatasetTheme.code")
    themes = association_proxy("theme_rows", "code")
    distributions = relationship("Distribution", cascade="all, delete-orphan",
                                 order_by="Distribution.position", lazy="selectin",
                                 back_populates="dataset")
    review_events = relationship("ReviewEvent", cascade="all, delete-orphan",
                                 order_by="ReviewEvent.at", back_populates="dataset")
    publications = relationship("Publication", cascade="all, delete-orphan",
                                order_by="Publication.at.desc()", lazy="dynamic",
                                back_populates="dataset")

    # -- derived --
    def title(self, locale="ar"):
        """Title in `locale`, falling back to the other languages (never empty if any is set)."""
        return localized(self, "title", locale)

    def description(self, locale="ar"):
        return localized(self, "description", locale)

    def title_lang(self, locale="ar"):
        """Language code of the text `title(locale)` returns (for lang/dir attributes)."""
        return localized_lang(self, "title", locale)

    @property
    def is_publishable(self):
        """Openable and public: may reach the DCAT catalogue and CKAN once approved."""
        return (self.access_rights == "PUBLIC"
                and self.classification in ("open", "open_after_treatment"))

    @property
    def in_public_catalogue(self):
        return self.status in ("approved", "published") and self.is_publishable

    @property
    def is_restricted(self):
        return self.classification in ("restricted", "not_publishable")

    def refresh_search_text(self):
        parts = [self.reference or ""]
        for lang in TEXT_LANGS:
            parts.append(getattr(self, f"title_{lang}") or "")
            parts.append(getattr(self, f"description_{lang}") or "")
            parts.extend(getattr(self, f"keywords_{lang}") or [])
        self.search_text = fold(" ".join(parts))[:20000]

    def __repr__(self):
        return f"<Dataset {self.reference} {self.status}>"


class Distribution(db.Model):
    """One way to get the data: a file or an API."""

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("dataset.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(500), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    access_url: Mapped[str] = mapped_column(sa.String(2000), default="")
    download_url: Mapped[str] = mapped_column(sa.String(2000), default="")
    format: Mapped[str | None] = mapped_column(sa.String(20))  # vocabularies.FORMATS code
    media_type: Mapped[str] = mapped_column(sa.String(100), default="")  # derived from format
    byte_size: Mapped[int | None] = mapped_column(sa.BigInteger)
    license_code: Mapped[str | None] = mapped_column(sa.String(40))  # None: the entry's licence
    availability: Mapped[str | None] = mapped_column(sa.String(20))

    dataset = relationship("Dataset", back_populates="distributions")

    @property
    def effective_license(self):
        return self.license_code or (self.dataset.license_code if self.dataset else None)


class DatasetRdf(db.Model):
    """An entry's DCAT-AP description, serialized once per change (written by `catalog`).

    The catalogue export and pages concatenate these pieces instead of re-serializing every
    entry. A row is stale (and rebuilt by `catalog.fragments`) when the entry's version or
    update time, its organization's update time, or the mapping stamp (mapping version, base
    URI, vocabulary files) differ from what it was built from.
    """

    __tablename__ = "dataset_rdf"
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("dataset.id", ondelete="CASCADE"),
                                            primary_key=True)
    mapping_stamp: Mapped[str] = mapped_column(sa.String(64))
    dataset_version: Mapped[int]
    dataset_updated_at: Mapped[datetime | None]
    organization_updated_at: Mapped[datetime | None]
    turtle: Mapped[str] = mapped_column(sa.Text, default="")
    ntriples: Mapped[str] = mapped_column(sa.Text, default="")
    jsonld: Mapped[str] = mapped_column(sa.Text, default="")
    rdfxml: Mapped[str] = mapped_column(sa.Text, default="")
    # Shared nodes (vocabulary concepts, publisher...) the entry references, described once
    # per document by the catalogue writer.
    shared_keys: Mapped[list] = mapped_column(JSONType, default=list)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)


# --------------------------------------------------------------------------- history

class ReviewEvent(db.Model):
    """A workflow transition: who, when, from, to, why (overall and per field)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("dataset.id", ondelete="CASCADE"),
                                            index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(sa.String(30))
    from_status: Mapped[str] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    field_comments: Mapped[dict] = mapped_column(JSONType, default=dict)

    dataset = relationship("Dataset", back_populates="review_events")
    actor = relationship("User")


class AuditLog(db.Model):
    """Append-only record of every write that matters (UI, API, CLI, jobs)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(50), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(30))
    object_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    channel: Mapped[str] = mapped_column(sa.String(10), default="ui")  # ui | api | cli | job
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    details: Mapped[dict] = mapped_column(JSONType, default=dict)

    actor = relationship("User")


class Publication(db.Model):
    """One attempt to push (or withdraw) an entry on the CKAN portal, whatever its outcome."""

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("dataset.id", ondelete="CASCADE"),
                                            index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[str] = mapped_column(sa.String(20), default="publish")  # publish|withdraw|adopt
    outcome: Mapped[str] = mapped_column(sa.String(20), index=True)  # ok | failed | skipped
    attempt: Mapped[int] = mapped_column(default=1)
    batch_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    ckan_id: Mapped[str | None] = mapped_column(sa.String(64))
    ckan_name: Mapped[str | None] = mapped_column(sa.String(100))
    content_hash: Mapped[str | None] = mapped_column(sa.String(64))
    error_code: Mapped[str | None] = mapped_column(sa.String(40))
    error_message: Mapped[str] = mapped_column(sa.Text, default="")
    field_errors: Mapped[dict] = mapped_column(JSONType, default=dict)
    duration_ms: Mapped[int | None]

    dataset = relationship("Dataset", back_populates="publications")


class PublicationRequest(db.Model):
    """Outbox row: a portal publication or withdrawal asked for by the workflow.

    Written in the same transaction as the approval or withdrawal that asks for it, so a crash
    between commit and enqueue loses nothing: `catalog.jobs` claims pending rows, queues them
    and marks them done once an attempt reaches a final outcome. `available_at` delays a retry
    (exponential backoff); `claimed_at` is the lease of the worker that queued it.
    """

    __tablename__ = "publication_request"
    __table_args__ = (sa.Index("ix_publication_request_pending", "done_at", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("dataset.id", ondelete="CASCADE"),
                                            index=True)
    action: Mapped[str] = mapped_column(sa.String(20), default="publish")  # publish | withdraw
    force: Mapped[bool] = mapped_column(default=False)  # push even when the content is unchanged
    batch_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    done_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(sa.String(20))  # ok | failed | skipped

    dataset = relationship("Dataset")
    requested_by = relationship("User")


class ChecklistTick(db.Model):
    """A hand-ticked guide checklist item, for one entry (D..) or one organization (M..)."""

    __table_args__ = (sa.UniqueConstraint("item_id", "dataset_id", "organization_id",
                                          name="uq_checklist_tick_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(sa.String(8))
    dataset_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("dataset.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    done: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_url: Mapped[str] = mapped_column(sa.String(2000), default="")
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by = relationship("User")


class Setting(db.Model):
    """Admin-editable settings (priority weights, public listing of restricted entries...)."""

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[dict] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EntriesVersion(db.Model):
    """One row whose `version` grows with every committed write to the entries (tables
    `dataset` and `dataset_theme`). Database triggers maintain it (migration
    `entries_version`), so that no write path (ORM, bulk SQL, imports, jobs) can forget it.
    Figures computed from the entries are cached under it: `search.cached_count`."""

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class ReferenceVersion(db.Model):
    """One row whose `version` grows with every committed write to the organizations,
    campaigns and settings. Database triggers maintain it (migration `reference_version`), like
    `EntriesVersion`. What pages show from those tables is kept per process under it:
    `reference_cache.cached_reference`."""

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class FormStash(db.Model):
    """Form input posted after the session expired, kept until the user signs in again."""

    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    path: Mapped[str] = mapped_column(sa.String(500))
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
