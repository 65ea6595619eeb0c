"""Administration (admins only): users, organizations, campaigns, priority weights and a
browser of the controlled vocabularies. Every write records an audit row (in
`inventory.administration` / `inventory.priority`); destructive actions ask first."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, render_template
from flask_login import current_user

from ...admin_forms import apply_problems
from ...errors import InvalidInput
from ...extensions import db, login_manager
from ...models import Campaign, Dataset, Organization, User
from ...search import _escape_like

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 25


@bp.before_request
def admins_only():
    """One gate for the whole blueprint, so no admin page can forget its check."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)
    return None


def commit_or_report(form, action):
    """Run the admin operation `action()` and commit. When it raises InvalidInput, roll back
    and put its messages under `form`'s fields (or flash them when there is no form).
    Returns (done, result, messages matching no field)."""
    try:
        result = action()
    except InvalidInput as exc:
        db.session.rollback()
        if form is None:
            for messages in exc.problems.values():
                for message in messages:
                    flash(str(message), "error")
            return False, None, []
        return False, None, apply_problems(form, exc.problems)
    db.session.commit()
    return True, result, None


def matching_any(columns, q):
    """SQL condition: the text `q` appears in one of `columns`, ignoring case (LIKE, with the
    user's %, _ and \\ taken literally)."""
    like = f"%{_escape_like(q.lower())}%"
    return sa.or_(*[sa.func.lower(column).like(like, escape="\\") for column in columns])


def organization_choices(keep=()):
    """(id, "CODE — name") of active organizations, plus inactive ones in `keep` (already
    chosen: editing a record must not fail because a body was deactivated since)."""
    from ...vocabularies import current_locale
    keep_ids = [o.id for o in keep]
    orgs = db.session.scalars(sa.select(Organization).where(
        sa.or_(Organization.active, Organization.id.in_(keep_ids)))
        .order_by(Organization.code)).all()
    locale = current_locale()
    return [(o.id, f"{o.code} — {o.name(locale)}") for o in orgs]


def organizations_by_id(ids):
    if not ids:
        return []
    return db.session.scalars(sa.select(Organization).where(Organization.id.in_(list(ids)))
                              .order_by(Organization.code)).all()


@bp.route("/")
def admin_index():
    counts = {
        "users": db.session.scalar(sa.select(sa.func.count(User.id)).where(User.active)),
        "organizations": db.session.scalar(sa.select(sa.func.count(Organization.id))
                                           .where(Organization.active)),
        "campaigns": db.session.scalar(sa.select(sa.func.count(Campaign.id))
                                       .where(Campaign.active)),
        "entries": db.session.scalar(sa.select(sa.func.count(Dataset.id))),
    }
    return render_template("admin/index.html", counts=counts)


from . import campaigns, organizations, settings, users  # noqa: E402, F401  (routes)
