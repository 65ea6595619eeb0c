"""Personal API tokens: stored hashed, shown once, scoped to the user's current role and
organizations, revocable, expiring; session cookies refused; CSRF not needed; the rate limit
shared by every worker process (database or Redis); the profile page and the CLI."""
import hashlib
import re
import uuid
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa

from inventory import create_app
from inventory.extensions import db
from inventory.models import ApiToken, AuditLog, Dataset, utcnow
from inventory.tokens import issue_token
from tests.conftest import PASSWORD, bearer


@pytest.fixture
def officer(make):
    org = make.org("ORGA")
    return make.user("officer", orgs=[org])


def token_row(secret):
    return db.session.scalar(sa.select(ApiToken).where(ApiToken.prefix == secret[:12]))


# --------------------------------------------------------------------------- storage

def test_only_a_hash_of_the_token_is_stored(officer):
    token, secret = issue_token(officer, "warehouse")
    db.session.commit()
    assert re.fullmatch(r"inv_[A-Za-z0-9_-]{43}", secret)
    assert token.prefix == secret[:12] and token.token_hash == hashlib.sha256(
        secret.encode()).hexdigest()
    dump = "\n".join(str(row) for row in db.session.execute(sa.text(
        "SELECT * FROM api_token")).all()) + "\n".join(
        str(row) for row in db.session.execute(sa.text("SELECT * FROM audit_log")).all())
    assert secret not in dump and secret[12:] not in dump
    assert token.expires_at - utcnow() == pytest.approx(timedelta(days=90), abs=timedelta(
        minutes=1))


def test_token_lifetime_is_bounded(app, officer):
    from inventory.tokens import TokenError
    with pytest.raises(TokenError):
        issue_token(officer, "too long", days=app.config["API_TOKEN_MAX_DAYS"] + 1)
    with pytest.raises(TokenError):
        issue_token(officer, "zero", days=0)


# --------------------------------------------------------------------------- authentication

@pytest.mark.parametrize("header, reason", [
    (None, None), ("Basic dXNlcjpwYXNz", "Malformed"), ("Bearer", "Malformed"),
    ("Bearer inv_short", "Unknown"), ("Bearer inv_" + "A" * 43, "Unknown"),
])
def test_missing_or_bad_tokens_get_401_with_a_bearer_challenge(client, officer, header, reason):
    response = client.get("/api/v1/datasets", headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and response.is_json
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="inventory"')
    if reason:
        assert 'error="invalid_token"' in challenge and reason in challenge
    else:
        assert "error=" not in challenge  # RFC 6750: no error code when no credentials


def test_revoked_expired_and_deactivated_tokens_stop_working(client, make, officer):
    revoked, expired, deactivated = make.token(officer), make.token(officer), None
    other = make.user("officer", orgs=officer.organizations)
    deactivated = make.token(other)
    for secret in (revoked, expired, deactivated):
        assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    from inventory.tokens import revoke_token
    revoke_token(token_row(revoked), officer)
    token_row(expired).expires_at = utcnow() - timedelta(seconds=1)
    other.active = False
    db.session.commit()
    for secret, word in ((revoked, "revoked"), (expired, "expired"),
                         (deactivated, "deactivated")):
        response = client.get("/api/v1/me", headers=bearer(secret))
        assert response.status_code == 401, secret
        assert word in response.json["error"]["message"]


def test_a_token_follows_its_users_current_organizations(client, make, officer):
    org_a = officer.organizations[0]
    org_b = make.org("ORGB")
    mine = make.dataset(org_a, officer)
    theirs = make.dataset(org_b, officer)
    secret = make.token(officer)
    assert client.get(f"/api/v1/datasets/{theirs.uuid}", headers=bearer(secret)).status_code \
        == 404
    officer.organizations = [org_b]  # moved to another ministry
    db.session.commit()
    assert client.get(f"/api/v1/datasets/{mine.uuid}", headers=bearer(secret)).status_code \
        == 404
    assert client.get(f"/api/v1/datasets/{theirs.uuid}", headers=bearer(secret)).status_code \
        == 200
    listed = client.get("/api/v1/datasets", headers=bearer(secret)).json
    assert [d["uuid"] for d in listed["items"]] == [theirs.uuid]
    officer.role = "reviewer"  # and made a reviewer: no more creating entries
    db.session.commit()
    response = client.post("/api/v1/datasets", headers=bearer(secret),
                           json={"organization": "ORGB"})
    assert response.status_code == 403


def test_reviewer_tokens_act_only_on_assigned_organizations(client, make, officer):
    org_a, org_b = officer.organizations[0], make.org("ORGB")
    reviewer = make.user("reviewer", orgs=[org_b])
    secret = make.token(reviewer)
    in_a = make.dataset(org_a, officer, status="submitted")
    in_b = make.dataset(org_b, officer, status="submitted")
    assert client.post(f"/api/v1/datasets/{in_a.uuid}/approve",
                       headers=bearer(secret)).status_code == 404
    approved = client.post(f"/api/v1/datasets/{in_b.uuid}/approve", headers=bearer(secret))
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    db.session.refresh(in_a)
    assert in_a.status == "submitted"


def test_last_use_is_recorded(client, make, officer):
    secret = make.token(officer)
    assert token_row(secret).last_used_at is None
    client.get("/api/v1/me", headers=bearer(secret))
    db.session.expire_all()
    assert token_row(secret).last_used_at is not None


# --------------------------------------------------------------------------- sessions, CSRF

def test_session_cookies_are_not_accepted_by_the_api(client, login, officer):
    login(officer)
    assert client.get("/datasets").status_code == 200  # signed in for the UI
    assert client.get("/api/v1/datasets").status_code == 401
    response = client.post("/api/v1/datasets", json={"organization": "ORGA"})
    assert response.status_code == 401
    assert db.session.scalar(sa.select(sa.func.count(Dataset.id))) == 0


def test_token_requests_need_no_csrf_token(csrf_app, make, officer):
    secret = make.token(officer)
    client = csrf_app.test_client()
    response = client.post("/api/v1/datasets", headers=bearer(secret),
                           json={"organization": "ORGA", "title_fr": "Sans CSRF"})
    assert response.status_code == 201
    # ...while the UI's forms still need it.
    assert client.post("/profile/tokens", data={"token-name": "x"}).status_code == 400


# --------------------------------------------------------------------------- rate limit

@pytest.fixture
def rate_limit(app, monkeypatch):
    """3 requests per hour, and a clock stopped in the middle of an hour (a test crossing the
    hour would see its count restart)."""
    import time

    import inventory.tokens
    now = time.time()
    middle = now - now % 3600 + 1800
    monkeypatch.setattr(inventory.tokens, "time", type("Clock", (), {"time": lambda: middle}))
    before = app.config["API_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = "3/hour"
    yield
    app.config["API_RATE_LIMIT"] = before


def test_rate_limit_answers_429_with_retry_after(client, make, officer, rate_limit):
    secret, other = make.token(officer), make.token(officer)
    answers = [client.get("/api/v1/me", headers=bearer(secret)) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r.headers["X-RateLimit-Remaining"] for r in answers[:3]] == ["2", "1", "0"]
    limited = answers[-1]
    assert limited.json["error"]["code"] == "rate_limited"
    assert limited.headers["Retry-After"] == "1800"  # the rest of the hour
    assert limited.json["error"]["retry_after"] == int(limited.headers["Retry-After"])
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200  # per token
    # a refused write changes nothing
    response = client.post("/api/v1/datasets", headers=bearer(secret), json={
        "organization": "ORGA"})
    assert response.status_code == 429
    assert db.session.scalar(sa.select(sa.func.count(Dataset.id))) == 0


@pytest.mark.parametrize("queue_url", ["", "redis://127.0.0.1:6379/15"])
def test_rate_limit_is_shared_by_worker_processes(app, make, officer, rate_limit, queue_url):
    """Two application instances (as two gunicorn workers would be) count together."""
    if queue_url:
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url(queue_url, socket_connect_timeout=2).ping()
        except redis.RedisError:
            pytest.fail("Redis is not running on 127.0.0.1:6379 (make services)")
    secret = make.token(officer)
    config = {**app.config, "QUEUE_URL": queue_url, "API_RATE_LIMIT": "3/hour"}
    workers = [create_app(dict(config)) for _ in range(2)]
    codes = []
    for worker in (0, 1, 0, 1):
        with workers[worker].test_client() as c:
            codes.append(c.get("/api/v1/me", headers=bearer(secret)).status_code)
    assert codes == [200, 200, 200, 429]
    for worker in workers:
        with worker.app_context():
            db.session.remove()
    if queue_url:
        counted = db.session.scalar(sa.text("SELECT count(*) FROM api_rate_counter"))
        assert counted == 0  # Redis counted, the database did not


# --------------------------------------------------------------------------- profile page

def test_tokens_are_created_and_revoked_on_the_profile_page(csrf_app, make, officer,
                                                          live_server):
    """Through the real forms with CSRF on, over HTTP (a browser's session and cookies)."""
    browser = requests.Session()
    base = live_server.url

    def csrf_of(html, name="csrf_token"):
        return re.search(rf'name="{name}" (?:type="hidden" )?value="([^"]+)"', html).group(1)

    login_page = browser.get(f"{base}/login").text
    browser.post(f"{base}/login", data={"email": officer.email, "password": PASSWORD,
                                        "csrf_token": csrf_of(login_page)})
    profile = browser.get(f"{base}/profile")
    assert profile.status_code == 200 and "You have no API tokens." in profile.text
    created = browser.post(f"{base}/profile/tokens", data={
        "token-csrf_token": csrf_of(profile.text, "token-csrf_token"),
        "token-name": "Entrepôt", "token-days": "30"})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    secret = re.search(r'value="(inv_[A-Za-z0-9_-]{43})"', created.text).group(1)
    me = requests.get(f"{base}/api/v1/me", headers=bearer(secret), timeout=30).json()
    assert me["token"]["name"] == "Entrepôt"

    listing = browser.get(f"{base}/profile").text
    assert secret[:12] in listing and secret not in listing  # shown once, then only its start
    db.session.expire_all()
    row = token_row(secret)
    assert row.expires_at - utcnow() == pytest.approx(timedelta(days=30), abs=timedelta(minutes=1))
    revoke_form = re.search(rf'<form method="post" action="/profile/tokens/{row.id}/revoke"'
                            r'[^>]*data-confirm="[^"]+">.*?</form>', listing, re.S)
    revoked = browser.post(f"{base}/profile/tokens/{row.id}/revoke",
                           data={"csrf_token": csrf_of(revoke_form.group(0))},
                           allow_redirects=False)
    assert revoked.status_code == 302
    assert requests.get(f"{base}/api/v1/me", headers=bearer(secret), timeout=30).status_code \
        == 401
    actions = db.session.scalars(sa.select(AuditLog.action).where(
        AuditLog.object_type == "apitoken").order_by(AuditLog.id)).all()
    assert actions == ["api_token.create", "api_token.revoke"]


def test_profile_token_form_errors_and_other_users_tokens(client, login, make, officer):
    login(officer)
    too_long = client.post("/profile/tokens", data={"token-name": "x", "token-days": "9999"})
    assert too_long.status_code == 400 and "Between 1 and 365 days." in too_long.text
    assert not db.session.scalars(sa.select(ApiToken)).all()
    someone = make.user("officer", orgs=officer.organizations)
    make.token(someone)
    theirs = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == someone.id))
    assert client.post(f"/profile/tokens/{theirs.id}/revoke").status_code == 404
    db.session.refresh(theirs)
    assert theirs.revoked_at is None


# --------------------------------------------------------------------------- CLI

def test_cli_prints_a_working_token(app, client, officer):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tokens", "create", officer.email.upper(), "--days", "7"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert re.fullmatch(r"inv_[A-Za-z0-9_-]{43}", secret)
    me = client.get("/api/v1/me", headers=bearer(secret)).json
    assert me["email"] == officer.email
    row = token_row(secret)
    assert row.expires_at - utcnow() == pytest.approx(timedelta(days=7), abs=timedelta(minutes=1))
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "api_token.create"))
    assert audit.channel == "cli"

    listed = runner.invoke(args=["tokens", "list", officer.email])
    assert secret[:12] in listed.output and "active" in listed.output
    revoked = runner.invoke(args=["tokens", "revoke", secret[:12] + "…"])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


@pytest.mark.parametrize("args", [["nobody@example.org"], ["{email}", "--days", "0"],
                                  ["{email}", "--days", "100000"]])
def test_cli_refuses_bad_requests(app, officer, args):
    args = [a.format(email=officer.email) for a in args]
    result = app.test_cli_runner().invoke(args=["tokens", "create", *args])
    assert result.exit_code == 2 and "inv_" not in result.output
    assert not db.session.scalars(sa.select(ApiToken)).all()


def test_unknown_uuid_shapes_are_404_not_500(client, make, officer):
    secret = make.token(officer)
    for value in ("x", "00000000-0000-0000-0000-00000000000g", str(uuid.uuid4()).upper(),
                  "%00", "urn:uuid:" + str(uuid.uuid4())):
        assert client.get(f"/api/v1/datasets/{value}", headers=bearer(secret)).status_code \
            == 404
