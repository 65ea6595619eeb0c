"""Test fixtures: the app on SQLite (default) or PostgreSQL (TEST_DATABASE_URL), a clean
database per test, clients, signed-in helpers and factories.

The schema is built once per session by the real Alembic migrations, so every test also
exercises them. Each test starts from empty tables (rows are deleted afterwards), which keeps
real commits, concurrent sessions and a live server thread possible.
"""
import os
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from inventory import create_app
from inventory.config import TestConfig, normalize_database_url
from inventory.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ARTIFACTS = Path(os.environ.get("ARTIFACTS", ROOT / "test-artifacts"))


def _database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalize_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """One app for the session, its schema built by `alembic upgrade head` from empty."""
    from flask_migrate import downgrade, upgrade

    class SessionConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        TEST_TMP = str(tmp_path_factory.mktemp("work"))

    application = create_app(SessionConfig)

    # Test requests run inside the test's app context (to share its database session), so
    # `g` would outlive a request: Flask-Login caches the user there, Flask-WTF the CSRF
    # token. Start each request with an empty `g`, as in production, so that each test
    # client is whoever its own session cookie says.
    def _fresh_g_per_request():
        from flask import g
        g.__dict__.clear()
    application.before_request_funcs.setdefault(None, []).insert(0, _fresh_g_per_request)

    with application.app_context():
        if database_url.startswith("postgresql"):
            # Start from an empty schema: a previous run may have left tables behind.
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        upgrade()
    yield application
    with application.app_context():
        db.session.remove()
        if database_url.startswith("postgresql"):
            downgrade(revision="base")
        db.engine.dispose()




def empty_tables(app):
    """Delete every row of every table."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            # DELETE in dependency order: on the few rows a test leaves it is several times
            # faster than TRUNCATE, which rewrites every table's files on PostgreSQL.
            for table in reversed(db.metadata.sorted_tables):
                # The entries and reference versions are counters, not data: deleting their
                # row would make them start again at a version that copies were kept under.
                if table.name not in ("entries_version", "reference_version"):
                    conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    """Empty every table after each test."""
    yield
    empty_tables(app)


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app, app_ctx):
    return app.test_client()


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection on (as in production) for the duration of a test."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


# --------------------------------------------------------------------------- factories

PASSWORD = "Correct-horse-42"
_HASHES = {}


def password_hash(password):
    """Argon2 is slow on purpose: hash each test password once per session."""
    if password not in _HASHES:
        from inventory.auth import hash_password
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


class Factory:
    """Creates committed rows; every test gets a fresh one."""

    def __init__(self):
        self._n = 0

    def _next(self):
        self._n += 1
        return self._n

    def org(self, code=None, **kw):
        from inventory.models import Organization
        n = self._next()
        org = Organization(code=code or f"ORG{n}", name_ar=kw.pop("name_ar", f"وزارة {n}"),
                           name_fr=kw.pop("name_fr", f"Ministère {n}"), **kw)
        db.session.add(org)
        db.session.commit()
        return org

    def user(self, role="officer", orgs=(), email=None, password=PASSWORD, **kw):
        from inventory.models import User
        n = self._next()
        user = User(email=email or f"{role}{n}@example.org", role=role,
                    password_hash=password_hash(password), name=kw.pop("name", f"{role} {n}"),
                    **kw)
        user.organizations = list(orgs)
        db.session.add(user)
        db.session.commit()
        return user

    def dataset(self, org, user=None, status="draft", complete=True, **fields):
        """An entry in `status`; `complete=True` fills every field submission needs."""
        from inventory import workflow
        from inventory.entries import create_entry
        from inventory.models import User
        values = complete_fields() if complete else {}
        values.update(fields)
        dataset = create_entry(org, user, **values)
        if status != "draft":
            admin = db.session.scalar(sa.select(User).where(User.email == "factory-admin@x.org"))
            if admin is None:
                admin = self.user("admin", email="factory-admin@x.org")
            path = {
                "submitted": ["submit"],
                "changes_requested": ["submit", "request_changes"],
                "approved": ["submit", "approve"],
                "published": ["submit", "approve", "publish"],
                "withdrawn": ["submit", "approve", "withdraw"],
                "archived": ["archive"],
            }[status]
            for action in path:
                if action == "submit":
                    workflow.submit(dataset, admin)
                elif action == "request_changes":
                    workflow.request_changes(dataset, admin, "please fix")
                elif action == "publish":
                    workflow.mark_published(dataset)
                elif action == "withdraw":
                    workflow.withdraw(dataset, admin, "reason")
                else:
                    getattr(workflow, action)(dataset, admin)
        db.session.commit()
        return dataset

    def token(self, user, days=None, name="test"):
        """A committed personal API token of `user`; returns its secret."""
        from inventory.tokens import issue_token
        _token, secret = issue_token(user, name, days)
        db.session.commit()
        return secret


def bearer(secret, **headers):
    """Request headers authenticating with an API token (plus any others)."""
    return {"Authorization": f"Bearer {secret}", **headers}


def complete_fields(**overrides):
    """Field values of an entry that passes every submission rule (publishable)."""
    values = dict(
        title_ar="عدد الطلبة المرسمين", title_fr="Effectifs des étudiants inscrits",
        description_ar="توزيع الطلبة حسب المؤسسة.",
        description_fr="Répartition des étudiants par établissement.",
        keywords_ar=["طلبة"], keywords_fr=["étudiants"],
        owner_unit="Direction des statistiques", personal_data="none", classification="open",
        access_rights="PUBLIC", license_code="TN-OPEN", contact_name="Cellule open data",
        contact_email="opendata@example.org", spatial=["TN"], frequency="ANNUAL",
        languages=["ar", "fr"], temporal_start=date(2020, 1, 1), temporal_end=date(2024, 12, 31),
        demand=2, ati_requests=3, value=3, readiness=2, risk=1, themes=["EDUC"],
        distributions=[{"title": "CSV", "format": "CSV",
                        "access_url": "https://data.example.org/etudiants",
                        "download_url": "https://data.example.org/etudiants.csv",
                        "byte_size": 1024}],
    )
    values.update(overrides)
    return values


def restricted_fields(**overrides):
    values = complete_fields(
        classification="restricted", access_rights="RESTRICTED", personal_data="yes",
        restriction_grounds=["PERSONAL_DATA"], harm_note="harm", public_interest_note="interest",
        proportionality_note="proportionality",
        restriction_review_date=date.today() + timedelta(days=365), distributions=[])
    values.update(overrides)
    return values


@pytest.fixture
def make(app_ctx):
    return Factory()


@pytest.fixture
def login(client):
    """login(user) signs `client` in as `user` through the real sign-in form."""
    def _login(user, password=PASSWORD, c=None):
        c = c or client
        response = c.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.data[:500]
        return c
    return _login


@pytest.fixture
def admin_client(client, login, make):
    """`client` signed in as a new administrator (who sees every entry)."""
    login(make.user("admin"))
    return client


# --------------------------------------------------------------------------- live server

@pytest.fixture(scope="session")
def live_server(app):
    """The app served by a real HTTP server in a thread (for Chromium tests)."""
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()


# --------------------------------------------------------------------------- query counting

@pytest.fixture
def sql_statements(app_ctx):
    """sql_statements(fn) -> (result, [SQL statements `fn` ran on the app's engine]);
    `with_parameters=True`: [(statement, parameters)], to run again or explain."""
    from sqlalchemy import event

    def _capture(fn, with_parameters=False):
        statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
                statements.append((statement, parameters) if with_parameters else statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            result = fn()
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return result, statements
    return _capture


@pytest.fixture
def count_queries(sql_statements):
    """count_queries(fn) -> (result, number of SQL statements `fn` ran on the app's engine)."""
    def _count(fn):
        result, statements = sql_statements(fn)
        return result, len(statements)
    return _count
