"""Unbound extension objects; `create_app` binds them."""
import logging

import flask_babel
from flask import g, has_app_context
from flask_babel import Babel
from flask_babel.speaklater import LazyString
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from markupsafe import Markup, escape
from psycopg.pq import TransactionStatus
from sqlalchemy import MetaData

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


def end_unwritten_transaction(exc=None):
    """Teardown: end the request's PostgreSQL transaction with COMMIT when it wrote nothing.

    psycopg forgets its prepared statements at every ROLLBACK, and Flask-SQLAlchemy ends each
    request's transaction with one, so PostgreSQL parsed and planned every query of every
    page again (about 2.7 ms of its CPU on an entry page, 0.6 ms on a list page). A
    transaction that was given no transaction id wrote nothing: COMMIT ends it exactly as
    ROLLBACK would, and keeps the prepared statements. A transaction that wrote, failed or
    ended in an exception is left to the usual rollback, which follows this teardown."""
    session = db.session()
    if exc is not None or not session.in_transaction() or \
            session.get_bind().dialect.name != "postgresql":
        return
    try:
        connection = session.connection()
        driver = connection.connection.dbapi_connection
        if driver.info.transaction_status != TransactionStatus.INTRANS:
            return  # nothing run yet, or failed: the rollback ends it
        wrote_nothing = connection.exec_driver_sql(
            "SELECT pg_current_xact_id_if_assigned() IS NULL").scalar()
        if wrote_nothing:
            # Below SQLAlchemy: its rollback then finds the connection idle and does nothing.
            driver.commit()
    except Exception:  # noqa: BLE001 - a teardown must not fail the response; the rollback
        # that follows ends the transaction anyway (or finds the connection gone).
        logging.getLogger(__name__).warning("could not end a read-only transaction",
                                            exc_info=True)
