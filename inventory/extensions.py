"""Unbound extension objects; `create_app` binds them."""
import logging
import select
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import flask_babel
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_decimal as babel_format_decimal
from flask import g, has_app_context
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel
from flask_babel.speaklater import LazyString
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from itsdangerous import BadSignature
from markupsafe import Markup, escape
from psycopg.pq import ConnStatus, ExecStatus, TransactionStatus
from sqlalchemy import MetaData
from sqlalchemy.exc import DisconnectionError

# Deterministic constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Database objects that live only in migrations (dialect-specific search indexes): autogenerate
# must neither drop them nor report them as drift.
MIGRATION_ONLY_OBJECTS = {"dataset_search", "ix_dataset_search_trgm", "ix_dataset_status_priority"}


def include_in_migrations(obj, name, type_, reflected, compare_to):
    """Alembic `include_object` hook: skip the migration-only objects (search, expression
    indexes)."""
    return not (name in MIGRATION_ONLY_OBJECTS or (name or "").startswith("dataset_search_"))


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate(compare_type=True, render_as_batch=True, include_object=include_in_migrations)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def lazy_text(lazy):
    """`str(lazy)`, faster for `lazy_gettext` messages in a request: translated through the
    catalog of the request's current locale, looked up once per locale. flask_babel looks up
    the context, the locale and the catalog at every resolution (~20 µs; an entry page prints
    ~100 lazy labels). Same text: `force_locale` and `refresh` change the locale object the
    catalog is kept under, and anything else takes flask_babel's own path."""
    # flask_babel 4 internals (tests/integration/test_lazy_text.py): anything else falls back.
    if getattr(lazy, "_func", None) is flask_babel.gettext and len(lazy._args) == 1:
        translations = _current_translations()
        if translations is not None:
            text = translations.ugettext(lazy._args[0])
            return text % lazy._kwargs if lazy._kwargs else text
    return str(lazy)


@lru_cache(maxsize=4096, typed=True)  # 1 and 1.0 are one key otherwise
def decimal_text(number, locale):
    """`number` (an int or a float) as `locale` writes it: Babel's `format_decimal` with the
    locale's own pattern, kept per process. A page prints the same few numbers again and again
    (scores, weights, points, counts, positions), and Babel takes 30-80 µs to format one."""
    return babel_format_decimal(number, locale=locale)


@lru_cache(maxsize=4096)
def date_text(day, format, locale):
    """`day` (a `date`) as `locale` writes it in `format` ("medium", "long" or a pattern):
    Babel's `format_date`, kept per process. A list page prints up to 25 different days,
    and Babel takes ~12 µs to format one."""
    return babel_format_date(day, format, locale=locale)


@lru_cache(maxsize=4096)
def datetime_text(moment, format, locale, timezone):
    """`moment` (a naive UTC datetime, as stored) in `timezone`, as `locale` writes it in
    `format`: Babel's `format_datetime`, kept per process. An entry page prints about ten
    moments (its history, portal attempts, checklist), the same at every view, and Babel
    takes ~65 µs for one."""
    return babel_format_datetime(moment, format, tzinfo=timezone, locale=locale)


NAMED_FORMATS = ("short", "medium", "long", "full")


def day_text(day=None, format=None, rebase=True):
    """flask_babel's `format_date`; a day (a `date`, not a moment) in a named format that
    `Babel.date_formats` does not map to a pattern is kept per process and locale
    (`date_text`)."""
    formats = flask_babel.get_babel().instance.date_formats
    name = formats["date"] if format is None else format
    if type(day) is date and name in NAMED_FORMATS and formats[f"date.{name}"] is None:
        return date_text(day, name, flask_babel.get_locale())
    return flask_babel.format_date(day, format, rebase)


def moment_text(moment=None, format=None, rebase=True):
    """flask_babel's `format_datetime`; a stored moment (a naive UTC datetime) in a named
    format that `Babel.date_formats` does not map to a pattern is kept per process and
    locale (`datetime_text`)."""
    formats = flask_babel.get_babel().instance.date_formats
    name = formats["datetime"] if format is None else format
    if rebase and type(moment) is datetime and moment.tzinfo is None and \
            name in NAMED_FORMATS and formats[f"datetime.{name}"] is None:
        return datetime_text(moment, name, flask_babel.get_locale(),
                             flask_babel.get_timezone())
    return flask_babel.format_datetime(moment, format, rebase)


def _current_translations():
    # flask_babel's per-request namespace; the proxy `g` resolved once (~120 labels a page).
    ctx = g._get_current_object().get("_flask_babel") if has_app_context() else None
    locale = getattr(ctx, "babel_locale", None)
    if locale is None:  # outside a request, or the locale is not selected yet
        return None
    domain = getattr(ctx, "babel_domain", None)
    kept = getattr(ctx, "inventory_translations", None)
    if kept is None or kept[0] is not locale or kept[1] is not domain:
        kept = ctx.inventory_translations = (locale, domain, flask_babel.get_translations())
    return kept[2]


# flask-babel's LazyString declares itself safe HTML (`__html__` returns its text unescaped), so
# a lazy message formatted with user input (a spreadsheet cell, a form value) would reach pages
# as markup. Our messages carry no markup: lazy strings are escaped like any other text.
LazyString.__html__ = lambda self: Markup(escape(lazy_text(self)))


def end_request_transaction(exc=None):
    """Teardown: roll back the request's PostgreSQL transaction below psycopg, so that psycopg
    keeps its prepared statements.

    psycopg forgets its prepared statements at every ROLLBACK it runs, and deallocates them on
    the server (one more round trip), in case the transaction created and dropped objects
    they refer to. Flask-SQLAlchemy ends each request with a rollback, so PostgreSQL parsed
    and planned every query of every page again (about 2.7 ms of its CPU on an entry page,
    0.6 ms on a list page). Requests run no DDL (schema changes are migrations, run by the
    CLI, after which the web processes restart), so their statements stay valid: the
    ROLLBACK is sent through libpq, which psycopg's statement cache does not watch. It ends
    the transaction exactly as the usual rollback would, writes included, in one round trip.
    A failed transaction or a request that raised is left to the usual rollback, which
    follows this teardown and then finds the connection idle otherwise."""
    session = db.session()
    if exc is not None or not session.in_transaction() or \
            session.get_bind().dialect.name != "postgresql":
        return
    connection = driver = None
    try:
        connection = session.connection()
        driver = connection.connection.dbapi_connection
        if driver.info.transaction_status != TransactionStatus.INTRANS:
            return  # nothing run yet, or failed: the usual rollback ends it
        result = driver.pgconn.exec_(b"ROLLBACK")
        if result.status != ExecStatus.COMMAND_OK:
            raise RuntimeError((result.error_message or b"").decode("utf-8", "replace").strip())
    except Exception:  # noqa: BLE001 - a teardown must not fail the response
        logging.getLogger(__name__).warning("could not end a request's transaction",
                                            exc_info=True)
        if driver is not None and driver.broken:
            # The server closed it: the pool replaces it, and the session's removal does not
            # fail the response that is already made by trying to roll back on it.
            connection.invalidate()


def drop_closed_connection(dbapi_connection, _record, _proxy):
    """Pool checkout (PostgreSQL): a pooled connection that the server has closed since its
    last use (a restart, `idle_session_timeout`, `pg_terminate_backend`) is replaced before
    the request uses it, as `pool_pre_ping` would, but without its round trip. The server
    says goodbye before it closes, so the socket of an idle connection it closed has something
    to read, or is hung up; a healthy idle connection has nothing (no LISTEN here). A closed
    socket is seen without waiting; raising DisconnectionError makes the pool open a new
    connection. The ping cost ~0.14 ms of a worker's CPU and one round trip on every page."""
    pgconn = dbapi_connection.pgconn
    if pgconn.status == ConnStatus.OK:
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
        if not poller.poll(0):
            return
    raise DisconnectionError("the server closed this pooled connection")


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the idle expiry of a permanent session renewed at
    most once a minute rather than on every page.

    Flask re-signs and re-sends the session cookie with every response of a permanent session
    (`SESSION_REFRESH_EACH_REQUEST`), to push its expiry `PERMANENT_SESSION_LIFETIME` ahead:
    about 2% of an entry page's CPU. A cookie signed less than `REFRESH_AFTER` ago is left
    as it is; the expiry slides all the same, one minute at a time. A changed session is
    always sent."""

    REFRESH_AFTER = timedelta(minutes=1)

    def open_session(self, app, request):
        # Flask's own open_session, also reading when the cookie was signed.
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(
                cookie, max_age=int(app.permanent_session_lifetime.total_seconds()),
                return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app, session):
        signed_at = getattr(session, "signed_at", None)
        if signed_at is not None and not session.modified and \
                datetime.now(UTC) - signed_at < self.REFRESH_AFTER:
            return False
        return super().should_set_cookie(app, session)
