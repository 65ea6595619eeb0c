"""Permission matrix: every UI route × every role (anonymous, officer, reviewer, admin) × an
object of the user's own organization or of another one, with the exact expected status; and
another organization's data never appears in a response.

To add a route: add a row to ROUTES (the coverage test fails until every (endpoint, method)
of the app has one). Paths and form data are templates filled from the `world` below, with
the *own* organization's objects or the *other* one's. Expectations per role are a status, or
(status for own, status for other) for routes about one organization's object. `OK` means
"allowed, whatever the outcome of the form" (for routes whose success status belongs to
another area); denials are always exact.
"""
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from inventory.entries import create_entry
from inventory.extensions import db
from inventory.models import ApiToken, Campaign, Organization, User, utcnow
from tests.conftest import PASSWORD, complete_fields, password_hash

ROLES = ("anonymous", "officer", "reviewer", "admin")
OK = "ok"  # any outcome but a denial: 2xx, 3xx or a validation answer (400/409/422)
OTHER_MARK = "LEAKMARK"  # in every text of the other organization
NEW_PASSWORD = "Fresh-password-2026"


@dataclass
class Route:
    endpoint: str
    method: str
    path: str
    expect: dict
    data: dict = field(default_factory=dict)
    public: bool = False  # open data for everyone: another organization's entries may show

    @property
    def scoped(self):
        return any(isinstance(v, tuple) for v in self.expect.values())

    def __str__(self):
        return f"{self.method} {self.path}"


def anon(status=302):
    return {"anonymous": status}


def everyone(status):
    return {"officer": status, "reviewer": status, "admin": status}


def admin_only(admin_status=200):
    return {"anonymous": 302, "officer": 403, "reviewer": 403, "admin": admin_status}


SIGNED_IN = everyone(200)
OWN_ONLY = (200, 403)
DENIED = (403, 403)

ROUTES = [
    # --- accounts, health ---
    Route("datasets.index", "GET", "/", {**anon(302), **everyone(302)}),
    Route("auth.login", "GET", "/login", {**anon(200), **everyone(302)}),
    Route("auth.login", "POST", "/login", {**anon(401), **everyone(401)},
          {"email": "nobody@example.org", "password": "wrong-password"}),
    Route("auth.logout", "POST", "/logout", {**anon(302), **everyone(302)}),
    Route("auth.profile", "GET", "/profile", {**anon(), **SIGNED_IN}),
    Route("auth.profile", "POST", "/profile", {**anon(), **everyone(302)},
          {"profile-name": "Nom", "profile-locale": "fr"}),
    Route("health.healthz", "GET", "/healthz", {**anon(200), **everyone(200)}),
    # personal API tokens: one's own only (another user's token answers 404, even to admins)
    Route("api_tokens.token_create", "POST", "/profile/tokens", {**anon(), **everyone(201)},
          {"token-name": "Entrepôt", "token-days": "30"}),
    Route("api_tokens.token_revoke", "POST", "/profile/tokens/{idle_token_id}/revoke",
          {**anon(), **everyone(404)}),

    # --- inventory entries ---
    Route("datasets.dataset_list", "GET", "/datasets", {**anon(), **SIGNED_IN}),
    Route("datasets.dataset_new", "GET", "/datasets/new",
          {**anon(), "officer": 200, "reviewer": 403, "admin": 200}),
    Route("datasets.dataset_new", "POST", "/datasets/new",
          {**anon(), "officer": 302, "reviewer": 403, "admin": 302},
          {"organization": "{org_id}"}),
    Route("datasets.dataset_detail", "GET", "/datasets/{draft}",
          {**anon(), "officer": OWN_ONLY, "reviewer": OWN_ONLY, "admin": (200, 200)}),
    Route("wizard.dataset_edit", "GET", "/datasets/{draft}/edit",
          {**anon(), "officer": OWN_ONLY, "reviewer": DENIED, "admin": (200, 200)}),
    Route("wizard.dataset_edit", "POST", "/datasets/{draft}/edit",
          {**anon(), "officer": (OK, 403), "reviewer": DENIED, "admin": (OK, OK)}),
    Route("datasets.dataset_clone", "POST", "/datasets/{draft}/clone",
          {**anon(), "officer": (302, 403), "reviewer": DENIED, "admin": (302, 302)}),
    Route("datasets.dataset_transition", "POST", "/datasets/{draft}/transition/submit",
          {**anon(), "officer": (302, 403), "reviewer": DENIED, "admin": (302, 302)}),
    Route("datasets.dataset_transition", "POST", "/datasets/{draft}/transition/archive",
          {**anon(), "officer": (302, 403), "reviewer": DENIED, "admin": (302, 302)}),
    Route("datasets.dataset_transition", "POST", "/datasets/{approved}/transition/withdraw",
          {**anon(), "officer": DENIED, "reviewer": (302, 403), "admin": (302, 302)},
          {"comment": "Données obsolètes"}),
    Route("datasets.dataset_transition", "POST", "/datasets/{withdrawn}/transition/reopen",
          {**anon(), "officer": (302, 403), "reviewer": (302, 403), "admin": (302, 302)}),
    Route("datasets.dataset_transition", "POST", "/datasets/{archived}/transition/restore",
          {**anon(), "officer": DENIED, "reviewer": DENIED, "admin": (302, 302)}),
    Route("datasets.dataset_transition", "POST", "/datasets/{draft}/transition/no-such-action",
          {**anon(), **everyone(404)}),

    # --- the public DCAT-AP catalogue: approved, public entries of every organization ---
    Route("catalog.catalog_negotiated", "GET", "/catalog", {**anon(200), **SIGNED_IN},
          public=True),
    Route("catalog.catalog_rdf", "GET", "/catalog.ttl", {**anon(200), **SIGNED_IN},
          public=True),
    Route("catalog.dataset_rdf", "GET", "/datasets/{approved}.jsonld",
          {"anonymous": (200, 200), "officer": (200, 200), "reviewer": (200, 200),
           "admin": (200, 200)}, public=True),
    Route("catalog.dataset_rdf", "GET", "/datasets/{draft}.ttl",
          {"anonymous": (404, 404), "officer": (404, 404), "reviewer": (404, 404),
           "admin": (404, 404)}, public=True),

    # --- portal publication (catalog) ---
    Route("publications.publication_list", "GET", "/publications", {**anon(), **SIGNED_IN}),
    Route("publications.dataset_publish", "POST", "/datasets/{approved}/publish",
          {**anon(), "officer": DENIED, "reviewer": DENIED, "admin": (302, 302)}),
    Route("publications.publication_publish_all", "POST", "/publications/publish-all",
          admin_only(302)),
    Route("publications.publication_reconcile", "GET", "/publications/reconcile", admin_only()),
    Route("publications.publication_adopt", "POST", "/publications/adopt", admin_only(302),
          {"name": ""}),

    # --- guide checklist and register (one organization each for officers and reviewers) ---
    Route("checklist.checklist_index", "GET", "/checklist",
          {**anon(), "officer": 302, "reviewer": 302, "admin": 200}),
    Route("checklist.organization_checklist", "GET", "/organizations/{org_code}/checklist",
          {**anon(), "officer": OWN_ONLY, "reviewer": OWN_ONLY, "admin": (200, 200)}),
    Route("checklist.organization_checklist_export", "GET",
          "/organizations/{org_code}/checklist/export?format=md",
          {**anon(), "officer": OWN_ONLY, "reviewer": OWN_ONLY, "admin": (200, 200)}),
    Route("checklist.dataset_checklist_export", "GET",
          "/datasets/{draft}/checklist/export?format=md",
          {**anon(), "officer": OWN_ONLY, "reviewer": OWN_ONLY, "admin": (200, 200)}),
    Route("checklist.organization_tick", "GET", "/organizations/{org_code}/checklist/M01",
          {**anon(), "officer": OWN_ONLY, "reviewer": DENIED, "admin": (200, 200)}),
    Route("checklist.organization_tick", "POST", "/organizations/{org_code}/checklist/M01",
          {**anon(), "officer": (302, 403), "reviewer": DENIED, "admin": (302, 302)},
          {"done": "1", "note": "Fait"}),
    Route("checklist.dataset_tick", "GET", "/datasets/{draft}/checklist/D02",
          {**anon(), "officer": OWN_ONLY, "reviewer": DENIED, "admin": (200, 200)}),
    Route("checklist.dataset_tick", "POST", "/datasets/{draft}/checklist/D02",
          {**anon(), "officer": (302, 403), "reviewer": DENIED, "admin": (302, 302)},
          {"done": "1", "note": "Fait"}),
    Route("registry.register_index", "GET", "/register",
          {**anon(), "officer": 302, "reviewer": 302, "admin": 200}),
    Route("registry.organization_register", "GET", "/organizations/{org_code}/register",
          {**anon(), "officer": OWN_ONLY, "reviewer": OWN_ONLY, "admin": (200, 200)}),
    Route("registry.register_export", "GET", "/organizations/{org_code}/register/export?format=csv",
          {**anon(), "officer": OWN_ONLY, "reviewer": OWN_ONLY, "admin": (200, 200)}),
    Route("registry.register_template", "GET", "/register/template", {**anon(), **SIGNED_IN}),
    Route("registry.register_import", "POST", "/organizations/{org_code}/register/import",
          {**anon(), "officer": (OK, 403), "reviewer": DENIED, "admin": (OK, OK)}),

    # --- review ---
    Route("review.review_queue", "GET", "/review",
          {**anon(), "officer": 403, "reviewer": 200, "admin": 200}),
    Route("review.review_dataset", "GET", "/review/{submitted}",
          {**anon(), "officer": DENIED, "reviewer": OWN_ONLY, "admin": (200, 200)}),
    Route("review.review_dataset", "POST", "/review/{submitted}",
          {**anon(), "officer": DENIED, "reviewer": (302, 403), "admin": (302, 302)},
          {"decision": "approve", "comment": "ok"}),
    Route("review.priority_override", "GET", "/review/{submitted}/priority",
          {**anon(), "officer": DENIED, "reviewer": OWN_ONLY, "admin": (200, 200)}),
    Route("review.priority_override", "POST", "/review/{submitted}/priority",
          {**anon(), "officer": DENIED, "reviewer": (302, 403), "admin": (302, 302)},
          {"tier": "high", "reason": "Priorité ministérielle"}),

    # --- dashboards ---
    Route("dashboard.dashboard", "GET", "/dashboard", {**anon(), **SIGNED_IN}),
    Route("dashboard.organization_dashboard", "GET", "/dashboard/organizations/{org_code}",
          {**anon(), "officer": OWN_ONLY, "reviewer": OWN_ONLY, "admin": (200, 200)}),
    Route("dashboard.campaign_dashboard", "GET", "/dashboard/campaigns/{campaign_id}",
          {**anon(), "officer": OWN_ONLY, "reviewer": OWN_ONLY, "admin": (200, 200)}),

    # --- administration (admins only) ---
    Route("admin.admin_index", "GET", "/admin/", admin_only()),
    Route("admin.user_list", "GET", "/admin/users", admin_only()),
    Route("admin.user_new", "GET", "/admin/users/new", admin_only()),
    Route("admin.user_new", "POST", "/admin/users/new", admin_only(302),
          {"email": "new.person@example.org", "name": "Nouvelle", "role": "officer",
           "organizations": "{org_id}", "password": NEW_PASSWORD,
           "password_confirm": NEW_PASSWORD}),
    Route("admin.user_edit", "GET", "/admin/users/{idle_id}", admin_only()),
    Route("admin.user_edit", "POST", "/admin/users/{idle_id}", admin_only(302),
          {"user-name": "Renamed", "user-role": "reviewer", "user-organizations": "{org_id}"}),
    Route("admin.user_password", "POST", "/admin/users/{idle_id}/password", admin_only(302),
          {"pw-password": NEW_PASSWORD, "pw-password_confirm": NEW_PASSWORD}),
    Route("admin.user_set_active", "POST", "/admin/users/{idle_id}/active", admin_only(302),
          {"active": "0"}),
    Route("admin.user_delete", "POST", "/admin/users/{idle_id}/delete", admin_only(302)),
    Route("admin.organization_list", "GET", "/admin/organizations", admin_only()),
    Route("admin.organization_new", "GET", "/admin/organizations/new", admin_only()),
    Route("admin.organization_new", "POST", "/admin/organizations/new", admin_only(302),
          {"code": "NEWORG", "name_fr": "Nouvel organisme", "kind": "ministry",
           "parent_id": "", "active": "y"}),
    Route("admin.organization_edit", "GET", "/admin/organizations/{org_id}", admin_only()),
    Route("admin.organization_edit", "POST", "/admin/organizations/{org_id}", admin_only(302),
          {"code": "{org_code}", "name_fr": "Nom modifié", "kind": "ministry", "parent_id": "",
           "active": "y"}),
    Route("admin.organization_merge", "GET", "/admin/organizations/{org_id}/merge",
          admin_only()),
    Route("admin.organization_merge", "POST", "/admin/organizations/{empty_org_id}/merge",
          admin_only(302), {"target": "{org_id}"}),
    Route("admin.organization_seed", "POST", "/admin/organizations/seed", admin_only(302)),
    Route("admin.campaign_list", "GET", "/admin/campaigns", admin_only()),
    Route("admin.campaign_new", "GET", "/admin/campaigns/new", admin_only()),
    Route("admin.campaign_new", "POST", "/admin/campaigns/new", admin_only(302),
          {"name_fr": "Campagne test", "organizations": "{org_id}", "sectors": "EDUC",
           "deadline": "2030-01-31", "active": "y"}),
    Route("admin.campaign_edit", "GET", "/admin/campaigns/{campaign_id}", admin_only()),
    Route("admin.campaign_edit", "POST", "/admin/campaigns/{campaign_id}", admin_only(302),
          {"name_fr": "Campagne renommée", "organizations": "{org_id}", "active": "y"}),
    Route("admin.campaign_delete", "POST", "/admin/campaigns/{empty_campaign_id}/delete",
          admin_only(302)),
    Route("admin.priority_weights", "GET", "/admin/priority", admin_only()),
    Route("admin.priority_weights", "POST", "/admin/priority", admin_only(302),
          {"demand": "30", "ati_requests": "10", "value": "20", "obligation": "20",
           "readiness": "10", "risk": "10"}),
    Route("admin.vocabulary_list", "GET", "/admin/vocabularies", admin_only()),
    Route("admin.vocabulary_detail", "GET", "/admin/vocabularies/themes", admin_only()),
]

# Endpoints outside the UI matrix: static files; the JSON API has its own token-based matrix.
EXEMPT_ENDPOINTS = {"static"}
EXEMPT_PREFIXES = ("api.",)


# --------------------------------------------------------------------------- the world

def _side(code, name, mark=""):
    """One organization with entries in the states the routes need, and a campaign. Entries
    are put in their state directly, not walked through the workflow, and nothing is
    committed here: this world is built hundreds of times to test permissions, not
    transitions."""
    org = Organization(code=code, name_fr=f"{name} {mark}".strip(),
                       name_ar=f"وزارة {mark}".strip())
    db.session.add(org)
    db.session.flush()
    objects = {"org_id": org.id, "org_code": org.code}
    now = utcnow()
    for status in ("draft", "submitted", "approved", "withdrawn", "archived"):
        ds = create_entry(org, None, **complete_fields(title_fr=f"Fiche {status} {mark}".strip(),
                                                       title_ar=f"بطاقة {mark}".strip()))
        ds.status = status
        ds.submitted_at = now if status != "draft" else None
        objects[status] = ds.uuid
    campaign = Campaign(name_fr=f"Campagne {name}", sectors=["EDUC"])  # campaigns are shared
    campaign.organizations = [org]
    db.session.add(campaign)
    db.session.flush()
    objects["campaign_id"] = campaign.id
    return org, objects


def _user(role, email, orgs=()):
    user = User(email=email, role=role, name=email.split("@")[0],
                password_hash=password_hash(PASSWORD))
    user.organizations = list(orgs)
    db.session.add(user)
    return user


@pytest.fixture
def world(app_ctx):
    return make_world()


def make_world():
    """Both organizations' objects, the matrix users and the shared objects, committed."""
    own_org, own = _side("OWNA", "Ministère propre")
    other_org, other = _side("OTHB", "Ministère autre", OTHER_MARK)
    users = {
        "officer": _user("officer", "officer@own.example.org", [own_org]),
        "reviewer": _user("reviewer", "reviewer@own.example.org", [own_org]),
        "admin": _user("admin", "admin@example.org"),
    }
    idle = _user("officer", "idle@example.org", [own_org])
    idle_token = ApiToken(user=idle, prefix="inv_idle0000", token_hash="0" * 64,
                          expires_at=utcnow() + timedelta(days=1))
    empty_org = Organization(code="EMPTYC", name_fr="Sans fiche")
    empty_campaign = Campaign(name_fr="Vide")
    db.session.add_all([empty_org, empty_campaign, idle_token])
    db.session.commit()  # the only commit of the world
    shared = {"idle_id": idle.id, "empty_org_id": empty_org.id,
              "empty_campaign_id": empty_campaign.id, "idle_token_id": idle_token.id}
    return {"own": {**own, **shared}, "other": {**other, **shared}, "users": users,
            "other_marks": [OTHER_MARK, "OTHB-"] + [other[s] for s in
                                                    ("draft", "submitted", "approved")]}


def sign_in(client, user):
    """Open a session for `user` directly (the sign-in form has its own tests)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _fill(value, values):
    return value.format(**values) if isinstance(value, str) else value


def _cases(method):
    """(route, role, scope, expected) for every row of `method` (GET or the writes)."""
    for route in ROUTES:
        if (route.method == "GET") != (method == "GET"):
            continue
        for role in ROLES:
            expected = route.expect.get(role)
            if expected is None:
                continue
            if isinstance(expected, tuple):
                yield route, role, "own", expected[0]
                yield route, role, "other", expected[1]
            else:
                yield route, role, "own", expected


def _matches(status, expected):
    if expected == OK:
        return status < 400 or status in (400, 409, 422)
    return status == expected


def _check(client, world, route, role, scope, expected):
    """Send the request; return a description of what is wrong, or None."""
    values = world[scope]
    path = _fill(route.path, values)
    data = {k: _fill(v, values) for k, v in route.data.items()}
    if route.method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data=data)
    if not _matches(response.status_code, expected):
        return (f"{route.method} {path} as {role} ({scope}): got {response.status_code}, "
                f"expected {expected}")
    if role in ("officer", "reviewer", "anonymous") and not route.public:
        body = response.get_data().decode("utf-8", "replace")  # downloads may be binary
        for mark in world["other_marks"]:
            if mark in path:
                continue  # the UUID asked for is echoed in links (language switch): not a leak
            if mark in body:
                return f"{route.method} {path} as {role}: another organization's data ({mark})"
    return None


def _changes_nothing(route, role, expected):
    """Reads, denials and anonymous posts (stashed, then sent to sign-in) leave the world as it
    was, so they can share one; allowed writes each get a fresh one."""
    return route.method == "GET" or role == "anonymous" or expected in (401, 403, 404)


QUIET_CASES, WRITE_CASES = {}, []
for _case in list(_cases("GET")) + list(_cases("POST")):
    if _changes_nothing(_case[0], _case[1], _case[3]):
        QUIET_CASES.setdefault((_case[1], _case[2]), []).append((_case[0], _case[3]))
    else:
        WRITE_CASES.append(_case)


@pytest.mark.parametrize("role, scope", list(QUIET_CASES), ids=lambda v: v)
def test_reads_and_denials(client, world, role, scope):
    """Every read, and every write this role may not make, for one role and scope, on one
    world; the message lists every row that went wrong."""
    if role != "anonymous":
        sign_in(client, world["users"][role])
    problems = [p for route, expected in QUIET_CASES[(role, scope)]
                if (p := _check(client, world, route, role, scope, expected))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("route, role, scope, expected", [
    pytest.param(*case, id=f"{case[0]}-{case[1]}-{case[2]}") for case in WRITE_CASES])
def test_allowed_writes(client, world, route, role, scope, expected):
    """Each allowed write on a fresh world (a write may change what the next one sees)."""
    sign_in(client, world["users"][role])
    problem = _check(client, world, route, role, scope, expected)
    assert problem is None, problem


def test_every_ui_route_is_in_the_matrix(app):
    covered = {(r.endpoint, r.method) for r in ROUTES}
    missing = sorted(
        (rule.endpoint, method, rule.rule) for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if rule.endpoint not in EXEMPT_ENDPOINTS and not rule.endpoint.startswith(EXEMPT_PREFIXES)
        and (rule.endpoint, method) not in covered)
    assert not missing, f"routes without a row in ROUTES: {missing}"


# --------------------------------------------------------------------------- unknown ids

@pytest.mark.parametrize("path", [
    "/datasets/00000000-0000-4000-8000-000000000000",
    "/datasets/not-a-uuid",
    "/review/00000000-0000-4000-8000-000000000000",
    "/review/not-a-uuid",
    "/review/00000000-0000-4000-8000-000000000000/priority",
    "/dashboard/organizations/NOSUCH",
    "/dashboard/campaigns/999999",
    "/admin/users/999999",
    "/admin/organizations/999999",
    "/admin/organizations/999999/merge",
    "/admin/campaigns/999999",
    "/admin/vocabularies/nosuch",
])
def test_unknown_ids_give_404(client, world, path):
    sign_in(client, world["users"]["admin"])
    assert client.get(path).status_code == 404


def test_inactive_account_is_signed_out(client, world):
    officer = world["users"]["officer"]
    sign_in(client, officer)
    assert client.get("/dashboard").status_code == 200
    officer.active = False
    db.session.commit()
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_in_form_still_works_for_the_matrix_users(client, world, login):
    login(world["users"]["reviewer"], PASSWORD)
    assert client.get("/review").status_code == 200


@pytest.mark.parametrize("route", [
    pytest.param(r, id=str(r)) for r in ROUTES
    if r.endpoint.startswith(("admin.", "review.")) and r.method == "POST"])
def test_every_admin_and_review_write_is_audited(client, world, route):
    from inventory.models import AuditLog
    sign_in(client, world["users"]["admin"])
    before = db.session.scalar(db.select(db.func.count(AuditLog.id)))
    assert _check(client, world, route, "admin", "own", route.expect["admin"]
                  if not isinstance(route.expect["admin"], tuple)
                  else route.expect["admin"][0]) is None
    assert db.session.scalar(db.select(db.func.count(AuditLog.id))) > before
