"""Dashboards: SQL aggregates (counts per status, overdue kinds, top priorities, excluded
entries), scoping per role, accessible progress bars, and a bounded number of queries."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from inventory import dashboard as stats
from inventory import priority
from inventory.extensions import db
from inventory.models import Campaign, Dataset, Organization
from tests.conftest import restricted_fields

TODAY = date.today()
PAST = TODAY - timedelta(days=30)
FUTURE = TODAY + timedelta(days=30)


def campaign(orgs=(), **kw):
    c = Campaign(name_fr=kw.pop("name_fr", "Campagne"), **kw)
    c.organizations = list(orgs)
    db.session.add(c)
    db.session.commit()
    return c


def text(response):
    return response.get_data(as_text=True)


# --------------------------------------------------------------------------- aggregates

def test_status_counts_per_organization_in_one_query(make, count_queries):
    a, b = make.org("AAA"), make.org("BBB")
    for status in ("draft", "draft", "submitted", "approved", "published", "archived"):
        make.dataset(a, status=status)
    make.dataset(b, status="approved")
    by_org, queries = count_queries(
        lambda: stats.status_counts_by(Dataset.organization_id, sa.true()))
    assert queries == 1
    counts = by_org[a.id]
    assert (counts.get("draft"), counts.get("submitted"), counts.get("archived")) == (2, 1, 1)
    assert counts.total == 5  # archived entries left the active inventory
    assert counts.done == 2 and counts.percent == 40
    assert by_org[b.id].percent == 100
    assert dict(stats.status_counts(Dataset.organization_id == b.id)) == {
        "draft": 0, "submitted": 0, "changes_requested": 0, "approved": 1, "published": 0,
        "withdrawn": 0, "archived": 0}
    assert stats.StatusCounts().percent == 0


def test_overdue_kinds(make):
    org = make.org()
    late = campaign([org], deadline=PAST)
    on_time = campaign([org], deadline=FUTURE)
    late_draft = make.dataset(org, status="draft", campaign_id=late.id)
    make.dataset(org, status="approved", campaign_id=late.id)  # done in time: not overdue
    make.dataset(org, status="draft", campaign_id=on_time.id)
    lapsed = make.dataset(org, status="approved", **restricted_fields())
    lapsed.restriction_review_date = PAST  # past since submission
    make.dataset(org, status="approved", **restricted_fields())  # review date in the future
    unreleased = make.dataset(org, status="approved", planned_release_date=PAST)
    make.dataset(org, status="published", planned_release_date=PAST)  # released
    make.dataset(org, status="approved", planned_release_date=FUTURE)
    make.dataset(org, status="archived", planned_release_date=PAST)
    db.session.commit()
    overdue = stats.overdue(Dataset.organization_id == org.id)
    assert [d.id for d in overdue["campaign"].items] == [late_draft.id]
    assert [d.id for d in overdue["restriction_review"].items] == [lapsed.id]
    assert [d.id for d in overdue["planned_release"].items] == [unreleased.id]
    assert overdue["campaign"].items[0].campaign.deadline == PAST


def test_top_priorities_exclude_approved_and_excluded_entries(make):
    org = make.org()
    low = make.dataset(org, status="submitted", demand=0, value=0, readiness=0, risk=3,
                       ati_requests=0)
    high = make.dataset(org, status="draft", demand=3, value=3, readiness=3, risk=0,
                        legal_obligation=True)
    make.dataset(org, status="approved", demand=3, value=3, readiness=3, risk=0)
    restricted = make.dataset(org, status="submitted", **restricted_fields())
    boosted = make.dataset(org, status="changes_requested", demand=0, value=0, readiness=0,
                           risk=3, ati_requests=0)
    priority.override_tier(boosted, make.user("admin"), "high", "Priorité ministérielle")
    db.session.commit()
    top = stats.top_priority(Dataset.organization_id == org.id)
    assert [d.id for d in top.items] == [high.id, boosted.id, low.id]
    excluded = stats.excluded(Dataset.organization_id == org.id)
    assert [d.id for d in excluded.items] == [restricted.id]


def test_lists_are_bounded_but_say_how_many(make):
    org = make.org()
    for _ in range(4):
        make.dataset(org, status="draft")
    top = stats.top_priority(Dataset.organization_id == org.id, limit=2)
    assert top.total == 4 and len(top.items) == 2


# --------------------------------------------------------------------------- pages

@pytest.fixture
def two_orgs(make):
    own, other = make.org("OWN"), make.org("OTHER", name_fr="Ministère secret")
    officer = make.user("officer", [own])
    reviewer = make.user("reviewer", [own])
    admin = make.user("admin")
    mine = make.dataset(own, status="submitted", title_fr="Fiche visible")
    theirs = make.dataset(other, status="draft", title_fr="Fiche cachée XYZ")
    shared = campaign([own, other], name_fr="Campagne commune", sectors=["EDUC", "HEAL"],
                      deadline=FUTURE)
    foreign = campaign([other], name_fr="Campagne étrangère")
    mine.campaign_id = shared.id
    theirs.campaign_id = shared.id
    db.session.commit()
    return dict(own=own, other=other, officer=officer, reviewer=reviewer, admin=admin,
                mine=mine, theirs=theirs, shared=shared, foreign=foreign)


@pytest.mark.parametrize("role", ["officer", "reviewer"])
def test_dashboard_is_scoped_to_the_users_organizations(client, login, two_orgs, role):
    login(two_orgs[role])
    html = text(client.get("/dashboard"))
    assert "/dashboard/organizations/OWN" in html
    assert "/dashboard/organizations/OTHER" not in html and "Ministère secret" not in html
    assert "Fiche cachée XYZ" not in html and two_orgs["theirs"].reference not in html
    assert f"/dashboard/campaigns/{two_orgs['shared'].id}" in html
    assert "Campagne étrangère" not in html
    assert two_orgs["mine"].reference in html  # in the top priorities


def test_admin_dashboard_covers_everything(client, login, two_orgs):
    login(two_orgs["admin"])
    html = text(client.get("/dashboard"))
    assert "/dashboard/organizations/OWN" in html and "/dashboard/organizations/OTHER" in html
    assert two_orgs["theirs"].reference in html


def test_progress_bars_are_accessible(client, login, make):
    org = make.org()
    for status in ("approved", "draft", "draft", "submitted"):
        make.dataset(org, status=status)
    login(make.user("officer", [org]))
    html = text(client.get("/dashboard?lang=en"))
    bar = re.search(r'<progress max="(\d+)" value="(\d+)" aria-labelledby="([^"]+)">', html)
    assert bar and bar.groups()[:2] == ("4", "1")
    label = re.search(rf'id="{bar.group(3)}">(.*?)</p>', html, re.S).group(1)
    assert "1 of 4 approved (25%)" in label


def test_campaign_dashboard_shows_only_own_organizations_to_non_admins(client, login,
                                                                       two_orgs):
    login(two_orgs["officer"])
    html = text(client.get(f"/dashboard/campaigns/{two_orgs['shared'].id}"))
    assert "Campagne commune" in html and "/dashboard/organizations/OWN" in html
    assert "OTHER" not in html and "Fiche cachée XYZ" not in html
    assert "Per priority sector" in html and "Health" in html
    assert client.get(f"/dashboard/campaigns/{two_orgs['foreign'].id}").status_code == 403


def test_campaign_dashboard_for_admins_lists_every_participant(client, login, two_orgs):
    login(two_orgs["admin"])
    html = text(client.get(f"/dashboard/campaigns/{two_orgs['shared'].id}"))
    assert "/dashboard/organizations/OWN" in html and "/dashboard/organizations/OTHER" in html
    counts = re.search(r'id="campaign-progress-label">(.*?)</p>', html, re.S).group(1)
    assert "0 of 2 approved" in counts


def test_organization_dashboard(client, login, two_orgs):
    login(two_orgs["reviewer"])
    html = text(client.get("/dashboard/organizations/OWN"))
    assert "Campagne commune" in html and two_orgs["mine"].reference in html
    assert client.get("/dashboard/organizations/OTHER").status_code == 403
    assert client.get("/dashboard/organizations/NOPE").status_code == 404


def test_excluded_entries_are_listed_apart(client, login, make):
    org = make.org()
    closed = make.dataset(org, status="submitted", **restricted_fields(
        title_fr="Registre nominatif"))
    opened = make.dataset(org, status="submitted", title_fr="Données ouvertes")
    login(make.user("reviewer", [org]))
    html = text(client.get("/dashboard"))
    top = html.split('id="top-title"')[1].split("</section>")[0]
    apart = html.split('id="excluded-title"')[1].split("</section>")[0]
    assert opened.reference in top and closed.reference not in top
    assert closed.reference in apart and opened.reference not in apart


def test_empty_dashboards_say_so(client, login, make):
    org = make.org()
    login(make.user("officer", [org]))
    html = text(client.get("/dashboard"))
    assert "No entry yet." in html and "Nothing is overdue." in html


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/organizations/ORG1",
                                  "/dashboard/campaigns/{campaign}", "/review"])
def test_query_count_does_not_grow_with_the_data(client, login, make, count_queries, path):
    """No N+1: the same number of queries for 6 entries and for 36."""
    admin = make.user("admin")
    orgs = [make.org(f"ORG{i}") for i in range(1, 4)]
    org_ids = [o.id for o in orgs]
    campaign_id = campaign(orgs, deadline=PAST, sectors=["EDUC"]).id
    path = path.format(campaign=campaign_id)
    login(admin)

    def add(n):
        for i in range(n):
            org = db.session.get(Organization, org_ids[i % len(org_ids)])
            status = ("draft", "submitted", "approved")[i % 3]
            fields = restricted_fields() if i % 5 == 0 else {}
            make.dataset(org, status=status, campaign_id=campaign_id, planned_release_date=PAST,
                         **fields)

    def measure():
        # The test shares one app context (and session) with the requests: start each
        # measured request from an empty identity map, as a real request would.
        db.session.remove()
        response, statements = count_queries(lambda: client.get(path))
        assert response.status_code == 200
        return statements

    add(6)  # two entries per body: every list of every page has something to show
    client.get(path)  # warm caches (vocabularies, compiled templates)
    small = measure()
    add(30)
    large = measure()
    assert large == small
