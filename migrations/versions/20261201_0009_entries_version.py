"""The entries' data version: one counter row that database triggers increase on every write
to `dataset` and `dataset_theme`, so that list counts can be cached under it
(`search.cached_count`) and no write path can leave a stale count behind.

PostgreSQL: a deferred constraint trigger bumps the counter once per transaction, at commit:
the counter's row lock is the last lock a writer takes and is held only while it commits, so
writers never deadlock on it. SQLite has one writer at a time: plain row triggers.
A later SQLite batch migration that *recreates* `dataset` or `dataset_theme` drops their
triggers with it: call `sqlite_version_triggers()` again after such a batch
(tests/integration/test_list_page.py checks that writes change the version at head).

Revision ID: entries_version
Revises: list_sort_indexes
Create Date: 2026-12-01 07:00:00
"""
import time

import sqlalchemy as sa
from alembic import op

revision = "entries_version"
down_revision = "list_sort_indexes"
branch_labels = None
depends_on = None

TABLES = ("dataset", "dataset_theme")

PG_FUNCTION = """
CREATE FUNCTION bump_entries_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('inventory.entries_version_txid', true)
       IS DISTINCT FROM txid_current()::text THEN
    PERFORM set_config('inventory.entries_version_txid', txid_current()::text, true);
    UPDATE entries_version SET version = version + 1;
  END IF;
  RETURN NULL;
END $$
"""


def sqlite_version_triggers():
    for table in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_version_{event.lower()} AFTER {event} ON {table} "
                       "BEGIN UPDATE entries_version SET version = version + 1; END")


def upgrade():
    op.create_table(
        "entries_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entries_version")),
    )
    # Start from the clock (microseconds), not 0: a table dropped and created again never
    # hands out a version that counts were cached under before.
    op.execute(f"INSERT INTO entries_version (id, version) VALUES (1, {int(time.time() * 1e6)})")
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_FUNCTION)
        for table in TABLES:
            op.execute(f"CREATE CONSTRAINT TRIGGER {table}_version AFTER INSERT OR UPDATE OR "
                       f"DELETE ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                       "EXECUTE FUNCTION bump_entries_version()")
            op.execute(f"CREATE TRIGGER {table}_version_truncate AFTER TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION bump_entries_version()")
    elif dialect == "sqlite":
        sqlite_version_triggers()


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_version_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_entries_version()")
    elif dialect == "sqlite":
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_version_{event}")
    op.drop_table("entries_version")
