"""Migrations build the schema from empty on this database (SQLite or PostgreSQL), match the
models exactly, and downgrade cleanly."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from inventory.extensions import db, include_in_migrations


def test_models_and_migrations_agree(app_ctx):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                          "include_object": include_in_migrations})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models differ from migrations: {diff}"


def test_upgrade_from_empty_and_downgrade(app_ctx, tmp_path):
    """A separate empty database: upgrade to head, downgrade to base, upgrade again."""
    url = app_ctx.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        other = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        engine = sa.create_engine(other)
        _roundtrip(app_ctx, engine)
    else:
        # PostgreSQL: a fresh schema in the same database keeps the test self-contained.
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS migtest CASCADE; CREATE SCHEMA migtest"))
        engine = sa.create_engine(url, connect_args={"options": "-csearch_path=migtest"})
        try:
            _roundtrip(app_ctx, engine)
        finally:
            with sa.create_engine(url).begin() as conn:
                conn.execute(sa.text("DROP SCHEMA IF EXISTS migtest CASCADE"))


def _roundtrip(app, engine):
    from alembic import command
    from alembic.config import Config as AlembicConfig
    directory = app.extensions["migrate"].directory
    cfg = AlembicConfig(f"{directory}/alembic.ini")
    cfg.set_main_option("script_location", directory)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn  # migrations/env.py runs on this connection
        command.upgrade(cfg, "head")
        tables = set(sa.inspect(conn).get_table_names())
        assert {"dataset", "organization", "user", "review_event", "audit_log",
                "publication"} <= tables
        command.downgrade(cfg, "base")
        assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        command.upgrade(cfg, "head")
    engine.dispose()
