"""Admin: organizations (list, create, edit, merge into another, seed the reference
ministries). The code is immutable once entries carry it; names change freely."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import administration
from ...admin_forms import MergeForm, OrganizationForm, form_error_list, page_form
from ...audit import record_audit
from ...extensions import db
from ...models import Dataset, Organization, user_organization
from ...search import paginate
from ...seed import seed_organizations
from ...vocabularies import current_locale, ministries
from . import PER_PAGE, bp, commit_or_report, matching_any

ORG_SORTS = {
    "code": (Organization.code.asc(),),
    "-code": (Organization.code.desc(),),
    "created": (Organization.created_at.desc(), Organization.id.desc()),
}


def _counts(column, key, ids):
    """{organization id: count} for the rows of one page, in one GROUP BY."""
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(key, sa.func.count(column))
                                   .where(key.in_(ids)).group_by(key)).all())


@bp.route("/organizations")
def organization_list():
    q = (request.args.get("q") or "").strip()[:200]
    state = request.args.get("state", "")
    sort = request.args.get("sort", "code")
    sort = sort if sort in ORG_SORTS else "code"
    stmt = sa.select(Organization)
    if q:
        stmt = stmt.where(matching_any((Organization.code, Organization.name_ar,
                                        Organization.name_fr, Organization.name_en), q))
    if state in ("active", "inactive"):
        stmt = stmt.where(Organization.active.is_(state == "active"))
    pagination = paginate(stmt.order_by(*ORG_SORTS[sort]), request.args.get("page", 1, type=int),
                          PER_PAGE)
    ids = [o.id for o in pagination.items]
    entries = _counts(Dataset.id, Dataset.organization_id, ids)
    members = _counts(user_organization.c.user_id, user_organization.c.organization_id, ids)
    existing = set(db.session.scalars(sa.select(Organization.code)))
    missing_reference = sum(1 for row in ministries() if row["code"] not in existing)
    return render_template("admin/organizations.html", pagination=pagination, q=q, state=state,
                           sort=sort, entries=entries, members=members,
                           missing_reference=missing_reference,
                           filters_active=bool(q or state))


@bp.route("/organizations/seed", methods=["POST"])
def organization_seed():
    created = seed_organizations()
    record_audit(current_user, "organization.seed", None, created=created)
    db.session.commit()
    flash(_("%(count)s reference ministries added.", count=created), "success")
    return redirect(url_for("admin.organization_list"))


def _parent_choices(org=None):
    excluded = set()
    if org is not None:
        excluded = administration.descendant_ids(org) | {org.id}
    locale = current_locale()
    orgs = db.session.scalars(sa.select(Organization).order_by(Organization.code)).all()
    return [("", _("(none)"))] + [(o.id, f"{o.code} — {o.name(locale)}") for o in orgs
                                  if o.id not in excluded]


def _values(form):
    return {name: getattr(form, name).data for name in administration.ORG_FIELDS}


@bp.route("/organizations/new", methods=["GET", "POST"])
def organization_new():
    form = page_form(OrganizationForm)
    form.parent_id.choices = _parent_choices()
    if request.method == "GET" and not form.kept:
        form.active.data = True
    errors = None
    if form.validate_on_submit():
        done, org, errors = commit_or_report(
            form, lambda: administration.create_organization(current_user, **_values(form)))
        if done:
            flash(_("Organization %(code)s created.", code=org.code), "success")
            return redirect(url_for("admin.organization_list"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/organization_form.html", form=form, org=None,
                           errors=form_error_list(form, errors), entry_count=0), status


@bp.route("/organizations/<int:org_id>", methods=["GET", "POST"])
def organization_edit(org_id):
    org = db.get_or_404(Organization, org_id)
    form = page_form(OrganizationForm, obj=org)
    form.parent_id.choices = _parent_choices(org)
    entry_count = administration.organization_entry_count(org)
    errors = None
    if form.validate_on_submit():
        done, changes, errors = commit_or_report(
            form, lambda: administration.update_organization(current_user, org, **_values(form)))
        if done:
            flash(_("Organization saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for("admin.organization_edit", org_id=org.id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/organization_form.html", form=form, org=org,
                           errors=form_error_list(form, errors),
                           entry_count=entry_count), status


@bp.route("/organizations/<int:org_id>/merge", methods=["GET", "POST"])
def organization_merge(org_id):
    org = db.get_or_404(Organization, org_id)
    form = page_form(MergeForm)
    locale = current_locale()
    form.target.choices = [("", _("Choose…"))] + [
        (o.id, f"{o.code} — {o.name(locale)}") for o in db.session.scalars(
            sa.select(Organization).where(Organization.active, Organization.id != org.id)
            .order_by(Organization.code))]
    errors = None
    if form.validate_on_submit():
        target = db.get_or_404(Organization, form.target.data)
        done, moved, errors = commit_or_report(
            form, lambda: administration.merge_organization(current_user, org, target))
        if done:
            flash(_("%(source)s merged into %(target)s: %(entries)s entries and %(members)s "
                    "member accounts moved; references are unchanged.", source=org.code,
                    target=target.code, entries=moved["entries"], members=moved["members"]),
                  "success")
            return redirect(url_for("admin.organization_edit", org_id=target.id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/organization_merge.html", form=form, org=org,
                           entry_count=administration.organization_entry_count(org),
                           errors=form_error_list(form, errors)), status
