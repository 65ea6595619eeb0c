"""The reference data's version: one counter row that database triggers increase on every
write to `organization`, `campaign` and `setting`, so that what pages show from them (the
organization filter's 400 options, the campaigns, whether an admin may create entries, the
priority weights) can be kept per process under it (`inventory.reference_cache`), with no
write path able to leave a stale copy behind. Same mechanism as the `entries_version`
migration.

PostgreSQL: a deferred constraint trigger bumps the counter once per transaction, at commit.
SQLite: plain row triggers. A later SQLite batch migration that *recreates* one of these tables
drops its triggers with it: call `sqlite_version_triggers()` again after such a
batch (tests/integration/test_reference_cache.py checks that writes change the version).

Revision ID: reference_version
Revises: entries_version
Create Date: 2026-12-01 09:00:00
"""
import time

import sqlalchemy as sa
from alembic import op

revision = "reference_version"
down_revision = "entries_version"
branch_labels = None
depends_on = None

TABLES = ("organization", "campaign", "setting")

PG_FUNCTION = """
CREATE FUNCTION bump_reference_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('inventory.reference_version_txid', true)
       IS DISTINCT FROM txid_current()::text THEN
    PERFORM set_config('inventory.reference_version_txid', txid_current()::text, true);
    UPDATE reference_version SET version = version + 1;
  END IF;
  RETURN NULL;
END $$
"""


def sqlite_version_triggers():
    for table in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_refversion_{event.lower()} AFTER {event} ON "
                       f"{table} BEGIN UPDATE reference_version SET version = version + 1; END")


def upgrade():
    op.create_table(
        "reference_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_version")),
    )
    # From the clock (microseconds), not 0: a table dropped and created again never hands out
    # a version that copies were kept under before.
    op.execute(f"INSERT INTO reference_version (id, version) VALUES (1, {int(time.time() * 1e6)})")
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_FUNCTION)
        for table in TABLES:
            op.execute(f"CREATE CONSTRAINT TRIGGER {table}_refversion AFTER INSERT OR UPDATE OR "
                       f"DELETE ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                       "EXECUTE FUNCTION bump_reference_version()")
            op.execute(f"CREATE TRIGGER {table}_refversion_truncate AFTER TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_version()")
    elif dialect == "sqlite":
        sqlite_version_triggers()


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_refversion ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_refversion_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_reference_version()")
    elif dialect == "sqlite":
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_refversion_{event}")
    op.drop_table("reference_version")
