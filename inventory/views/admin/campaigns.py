"""Admin: inventory campaigns (names ar/fr/en, organizations, sectors, dates, active)."""
from datetime import date

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import administration
from ... import dashboard as stats
from ...admin_forms import CampaignForm, form_error_list, page_form
from ...extensions import db
from ...models import Campaign, Dataset
from ...search import paginate
from ...vocabularies import choices, current_locale, themes
from . import PER_PAGE, bp, commit_or_report, organization_choices, organizations_by_id


@bp.route("/campaigns")
def campaign_list():
    state = request.args.get("state", "")
    stmt = sa.select(Campaign)
    if state in ("active", "inactive"):
        stmt = stmt.where(Campaign.active.is_(state == "active"))
    stmt = stmt.order_by(Campaign.active.desc(), Campaign.deadline.asc().nulls_last(),
                         Campaign.id.desc())
    pagination = paginate(stmt, request.args.get("page", 1, type=int), PER_PAGE)
    ids = [c.id for c in pagination.items]
    counts = stats.status_counts_by(Dataset.campaign_id, Dataset.campaign_id.in_(ids)) \
        if ids else {}
    return render_template("admin/campaigns.html", pagination=pagination, state=state,
                           counts=counts, empty=stats.StatusCounts(), today=date.today())


def _form(campaign=None):
    form = page_form(CampaignForm, obj=campaign)
    keep = campaign.organizations if campaign is not None else ()
    form.organizations.choices = organization_choices(keep=keep)
    form.sectors.choices = choices(themes(), current_locale())
    if request.method == "GET" and not form.kept:
        if campaign is not None:
            form.organizations.data = [o.id for o in campaign.organizations]
        else:
            form.active.data = True
    return form


def _save(form, campaign):
    values = {name: getattr(form, name).data for name in administration.CAMPAIGN_FIELDS}
    values["sectors"] = list(values["sectors"] or [])
    return administration.save_campaign(current_user, campaign,
                                        organizations_by_id(form.organizations.data), **values)


def _edit(campaign):
    form = _form(campaign)
    errors = None
    if form.validate_on_submit():
        done, saved, errors = commit_or_report(form, lambda: _save(form, campaign))
        if done:
            flash(_("Campaign saved."), "success")
            return redirect(url_for("admin.campaign_edit", campaign_id=saved.id))
    status = 400 if form.is_submitted() else 200
    entry_count = administration.campaign_entry_count(campaign) if campaign else 0
    return render_template("admin/campaign_form.html", form=form, campaign=campaign,
                           entry_count=entry_count,
                           errors=form_error_list(form, errors)), status


@bp.route("/campaigns/new", methods=["GET", "POST"])
def campaign_new():
    return _edit(None)


@bp.route("/campaigns/<int:campaign_id>", methods=["GET", "POST"])
def campaign_edit(campaign_id):
    return _edit(db.get_or_404(Campaign, campaign_id))


@bp.route("/campaigns/<int:campaign_id>/delete", methods=["POST"])
def campaign_delete(campaign_id):
    campaign = db.get_or_404(Campaign, campaign_id)
    done, _result, _errors = commit_or_report(
        None, lambda: administration.delete_campaign(current_user, campaign))
    if not done:
        return redirect(url_for("admin.campaign_edit", campaign_id=campaign_id))
    flash(_("Campaign deleted."), "success")
    return redirect(url_for("admin.campaign_list"))
