"""Dashboards: an overview of what the user may see, one page per organization and one per
campaign (counts per status, progress, overdue items, top priorities, entries excluded from
opening). Figures come from `inventory.dashboard` (SQL aggregates)."""
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from .. import dashboard as stats
from ..extensions import db
from ..models import Campaign, Dataset, Organization, campaign_organization

bp = Blueprint("dashboard", __name__)

ORG_ROWS_PER_PAGE = 50


def _organizations_overview(user, by_org):
    """Organizations listed on the overview: the user's own; for admins every active body
    and any inactive one that still holds entries (paged)."""
    if not user.is_admin:
        return None, list(user.organizations)
    stmt = sa.select(Organization).where(sa.or_(
        Organization.active,
        sa.exists().where(Dataset.organization_id == Organization.id))).order_by(Organization.code)
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int),
                       per_page=ORG_ROWS_PER_PAGE, error_out=False)
    return page, page.items


@bp.route("/dashboard")
@login_required
def dashboard():
    user = current_user
    scope = stats.visible_scope(user)
    summary = stats.summary(scope)
    by_org = stats.status_counts_by(Dataset.organization_id, scope)
    org_page, organizations = _organizations_overview(user, by_org)
    campaigns = stats.visible_campaigns(user, active_only=True)
    by_campaign = stats.status_counts_by(
        Dataset.campaign_id, sa.and_(scope, Dataset.campaign_id.in_([c.id for c in campaigns])))
    return render_template("dashboard/index.html", summary=summary, by_org=by_org,
                           organizations=organizations, org_page=org_page, campaigns=campaigns,
                           by_campaign=by_campaign, today=date.today(),
                           empty=stats.StatusCounts())


@bp.route("/dashboard/organizations/<code>")
@login_required
def organization_dashboard(code):
    org = db.session.scalar(sa.select(Organization).where(Organization.code == code[:20]))
    if org is None:
        abort(404)
    if not (current_user.is_admin or org.id in current_user.organization_ids):
        abort(403)
    scope = Dataset.organization_id == org.id
    summary = stats.summary(scope)
    by_campaign = stats.status_counts_by(Dataset.campaign_id, scope)
    taking_part = sa.exists().where(campaign_organization.c.campaign_id == Campaign.id,
                                    campaign_organization.c.organization_id == org.id)
    campaigns = db.session.scalars(
        sa.select(Campaign).where(sa.or_(taking_part, Campaign.id.in_(list(by_campaign))))
        .order_by(Campaign.active.desc(), Campaign.deadline.asc().nulls_last())).all()
    return render_template("dashboard/organization.html", org=org, summary=summary,
                           campaigns=campaigns, by_campaign=by_campaign, today=date.today(),
                           empty=stats.StatusCounts())


@bp.route("/dashboard/campaigns/<int:campaign_id>")
@login_required
def campaign_dashboard(campaign_id):
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    if not stats.campaign_visible(current_user, campaign):
        abort(403)
    scope = sa.and_(stats.visible_scope(current_user), Dataset.campaign_id == campaign.id)
    summary = stats.summary(scope)
    by_org = stats.status_counts_by(Dataset.organization_id, scope)
    # Bodies taking part (even those with nothing inventoried yet) and bodies with entries in
    # the campaign; never another organization than the user's own unless admin.
    org_ids = {o.id for o in campaign.organizations} | set(by_org)
    if not current_user.is_admin:
        org_ids &= current_user.organization_ids
    organizations = db.session.scalars(sa.select(Organization).where(
        Organization.id.in_(sorted(org_ids))).order_by(Organization.code)).all()
    by_sector = stats.status_counts_by_theme(scope, campaign.sectors or [])
    return render_template("dashboard/campaign.html", campaign=campaign, summary=summary,
                           by_org=by_org, organizations=organizations, by_sector=by_sector,
                           today=date.today(), empty=stats.StatusCounts())
