"""Administration operations: user accounts, organizations and campaigns.

Forms check the shape of input; these functions check what only the database knows (a taken
e-mail, an organization code that entries already carry, the last administrator) and raise
`InvalidInput` with messages anchored to form field names. Each write records an audit row
and only flushes: the request or CLI boundary commits.
"""
import re
import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from .audit import record_audit
from .auth import hash_password, password_problem
from .errors import InvalidInput
from .extensions import db
from .models import (
    ApiToken,
    AuditLog,
    Campaign,
    ChecklistTick,
    Dataset,
    Organization,
    ReviewEvent,
    User,
    campaign_organization,
    user_organization,
    utcnow,
)

ORG_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,19}$")
ORG_KINDS = {
    "ministry": _l("Ministry"),
    "establishment": _l("Public establishment"),
    "municipality": _l("Municipality"),
    "other": _l("Other public body"),
}
ORG_FIELDS = ("code", "name_ar", "name_fr", "name_en", "kind", "parent_id", "email", "website",
              "active")
CAMPAIGN_FIELDS = ("name_ar", "name_fr", "name_en", "description", "sectors", "start_date",
                   "deadline", "active")


# --------------------------------------------------------------------------- users

def _check_password(password, field="password"):
    problem = password_problem(password or "")
    if problem:
        raise InvalidInput({field: [problem]})


def _check_organizations(role, organizations):
    if role in ("officer", "reviewer") and not organizations:
        raise InvalidInput({"organizations": [
            _l("An officer or a reviewer works for at least one organization: choose it.")]})


def create_user(actor, email, name, role, organizations, password):
    """A new active account with an initial password the admin hands over."""
    email = email.strip().lower()
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise InvalidInput({"email": [_l("An account with this e-mail already exists.")]})
    _check_organizations(role, organizations)
    _check_password(password)
    user = User(email=email, name=name.strip(), role=role, active=True,
                password_hash=hash_password(password))
    user.organizations = list(organizations)
    db.session.add(user)
    db.session.flush()
    record_audit(actor, "user.create", user, email=email, role=role,
                 organizations=[o.code for o in organizations])
    return user


def _check_admin_kept(actor, user, role, active):
    """An admin cannot lock themselves out (so an active admin always remains: the one acting)."""
    problems = {}
    if user.id == actor.id and not active:
        problems["active"] = [_l("You cannot deactivate your own account.")]
    if user.id == actor.id and role != "admin":
        problems["role"] = [_l("You cannot remove your own administrator role.")]
    if problems:
        raise InvalidInput(problems)


def update_user(actor, user, name, role, organizations):
    """Change name, role and organizations (see `set_user_active` for access)."""
    _check_admin_kept(actor, user, role, user.active)
    _check_organizations(role, organizations)
    before = {"name": user.name, "role": user.role,
              "organizations": [o.code for o in user.organizations]}
    user.name, user.role = name.strip(), role
    user.organizations = sorted(organizations, key=lambda o: o.code)
    after = {"name": user.name, "role": user.role,
             "organizations": [o.code for o in user.organizations]}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes.keys() & {"role", "organizations"}:
        user.session_stamp = secrets.token_hex(16)  # new rights apply from the next request
    record_audit(actor, "user.update", user, changes=changes)
    db.session.flush()
    return changes


def reset_password(actor, user, password):
    """Set a new password chosen by the admin; signs the user out everywhere."""
    _check_password(password)
    user.password_hash = hash_password(password)
    user.session_stamp = secrets.token_hex(16)
    record_audit(actor, "user.password_reset", user)
    db.session.flush()


def set_user_active(actor, user, active):
    """Deactivate (sign-in refused, sessions ended, history kept) or reactivate an account."""
    _check_admin_kept(actor, user, user.role, active)
    if user.active == active:
        return
    user.active = active
    user.session_stamp = secrets.token_hex(16)
    record_audit(actor, "user.activate" if active else "user.deactivate", user)
    db.session.flush()


def user_has_history(user):
    """True when the account appears in any record: such an account is deactivated, never
    deleted, so the history keeps saying who did what."""
    checks = (
        sa.select(AuditLog.id).where(AuditLog.actor_id == user.id),
        sa.select(ReviewEvent.id).where(ReviewEvent.actor_id == user.id),
        sa.select(Dataset.id).where(sa.or_(Dataset.created_by_id == user.id,
                                           Dataset.updated_by_id == user.id,
                                           Dataset.priority_override_by_id == user.id)),
        sa.select(ChecklistTick.id).where(ChecklistTick.by_id == user.id),
    )
    return any(db.session.scalar(stmt.limit(1)) is not None for stmt in checks)


def delete_user(actor, user):
    """Delete an account that never did anything (a mistyped address, say)."""
    if user.id == actor.id:
        raise InvalidInput({"": [_l("You cannot delete your own account.")]})
    if user_has_history(user):
        raise InvalidInput({"": [_l("This account has a history: deactivate it instead, so the "
                                    "history keeps its author.")]})
    record_audit(actor, "user.delete", user, email=user.email, role=user.role)
    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.delete(user)
    db.session.flush()


# --------------------------------------------------------------------------- organizations

def organization_entry_count(org):
    return db.session.scalar(sa.select(sa.func.count(Dataset.id))
                             .where(Dataset.organization_id == org.id))


def _check_org(org, values):
    problems = {}
    code = values.get("code", "")
    if not ORG_CODE.match(code):
        problems["code"] = [_l("Use 2 to 20 capital letters A-Z, digits or “_”, starting with a "
                               "letter (for example MESRS).")]
    elif org is not None and code != org.code and organization_entry_count(org):
        problems["code"] = [_l("The code cannot change: entries already carry it in their "
                               "reference. Edit the names instead.")]
    elif db.session.scalar(sa.select(Organization.id).where(
            Organization.code == code, Organization.id != (org.id if org else -1))):
        problems["code"] = [_l("Another organization already has this code.")]
    if not any(values.get(f"name_{lang}", "").strip() for lang in ("ar", "fr", "en")):
        problems["name_ar"] = [_l("Give the name in at least one language.")]
    parent_id = values.get("parent_id")
    if parent_id and org is not None:
        if parent_id == org.id or parent_id in descendant_ids(org):
            problems["parent_id"] = [_l("An organization cannot be placed under itself or one "
                                        "of its own units.")]
    if problems:
        raise InvalidInput(problems)


def descendant_ids(org):
    """Ids of every organization below `org` (recursive, one query per level)."""
    found, frontier = set(), {org.id}
    while frontier:
        frontier = set(db.session.scalars(sa.select(Organization.id).where(
            Organization.parent_id.in_(frontier)))) - found
        found |= frontier
    return found


def create_organization(actor, **values):
    values = {k: values[k] for k in ORG_FIELDS if k in values}
    _check_org(None, values)
    org = Organization(**values)
    db.session.add(org)
    db.session.flush()
    record_audit(actor, "organization.create", org, **{k: values.get(k) for k in ORG_FIELDS})
    return org


def update_organization(actor, org, **values):
    """Edit names and details. The code may only change while no entry carries it."""
    values = {k: values[k] for k in ORG_FIELDS if k in values}
    _check_org(org, values)
    changes = {k: [getattr(org, k), v] for k, v in values.items() if getattr(org, k) != v}
    for key, value in values.items():
        setattr(org, key, value)
    record_audit(actor, "organization.update", org, changes=changes)
    db.session.flush()
    return changes


def merge_organization(actor, source, target):
    """`source` was merged into `target` (a government reorganisation): its entries, members,
    campaign participations and units move to `target`; `source` stays, inactive, pointing to
    `target`. Entries keep their UUID and reference, so nothing that cites them breaks."""
    if target.id == source.id:
        raise InvalidInput({"target": [_l("Choose another organization.")]})
    if not target.active:
        raise InvalidInput({"target": [_l("Choose an active organization.")]})
    if target.id in descendant_ids(source):
        raise InvalidInput({"target": [_l("Move or merge the units of this organization "
                                          "first.")]})
    now = utcnow()
    moved = db.session.execute(
        sa.update(Dataset.__table__).where(Dataset.__table__.c.organization_id == source.id)
        .values(organization_id=target.id, updated_at=now,
                version=Dataset.__table__.c.version + 1)).rowcount
    members = _move_links(user_organization, "user_id", source, target)
    campaigns = _move_links(campaign_organization, "campaign_id", source, target)
    db.session.execute(sa.update(Organization.__table__)
                       .where(Organization.__table__.c.parent_id == source.id)
                       .values(parent_id=target.id))
    source.active = False
    source.replaced_by_id = target.id
    record_audit(actor, "organization.merge", source, into=target.code, entries=moved,
                 members=members, campaigns=campaigns)
    db.session.flush()
    db.session.expire_all()  # relationships loaded before the Core updates are stale
    return {"entries": moved, "members": members, "campaigns": campaigns}


def _move_links(table, other_column, source, target):
    """Re-point association rows from `source` to `target`, skipping those `target` has."""
    other = table.c[other_column]
    already = sa.select(other).where(table.c.organization_id == target.id)
    count = db.session.execute(
        sa.insert(table).from_select(
            [other_column, "organization_id"],
            sa.select(other, sa.literal(target.id)).where(table.c.organization_id == source.id,
                                                          other.notin_(already)))).rowcount
    db.session.execute(sa.delete(table).where(table.c.organization_id == source.id))
    return count


# --------------------------------------------------------------------------- campaigns

def _check_campaign(values):
    problems = {}
    if not any(values.get(f"name_{lang}", "").strip() for lang in ("ar", "fr", "en")):
        problems["name_ar"] = [_l("Give the name in at least one language.")]
    start, deadline = values.get("start_date"), values.get("deadline")
    if start and deadline and deadline < start:
        problems["deadline"] = [_l("The deadline is before the start.")]
    if problems:
        raise InvalidInput(problems)


def save_campaign(actor, campaign, organizations, **values):
    """Create (`campaign` None) or update a campaign."""
    values = {k: values[k] for k in CAMPAIGN_FIELDS if k in values}
    _check_campaign(values)
    created = campaign is None
    if created:
        campaign = Campaign()
        db.session.add(campaign)
    before = {k: getattr(campaign, k) for k in CAMPAIGN_FIELDS}
    before["organizations"] = [o.code for o in campaign.organizations]
    for key, value in values.items():
        setattr(campaign, key, value)
    campaign.organizations = sorted(organizations, key=lambda o: o.code)
    db.session.flush()
    after = {k: getattr(campaign, k) for k in CAMPAIGN_FIELDS}
    after["organizations"] = [o.code for o in campaign.organizations]
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    record_audit(actor, "campaign.create" if created else "campaign.update", campaign,
                 changes=changes)
    return campaign


def campaign_entry_count(campaign):
    return db.session.scalar(sa.select(sa.func.count(Dataset.id))
                             .where(Dataset.campaign_id == campaign.id))


def delete_campaign(actor, campaign):
    """Delete a campaign no entry belongs to (otherwise: close it, so membership is kept)."""
    if campaign_entry_count(campaign):
        raise InvalidInput({"": [_l("Entries belong to this campaign: close it (untick "
                                    "“active”) instead of deleting it.")]})
    record_audit(actor, "campaign.delete", campaign, name_fr=campaign.name_fr,
                 name_ar=campaign.name_ar, name_en=campaign.name_en)
    db.session.delete(campaign)
    db.session.flush()
