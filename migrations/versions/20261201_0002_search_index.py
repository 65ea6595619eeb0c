"""Indexed Arabic-aware search on Dataset.search_text (already folded by textfold.fold).

PostgreSQL: a pg_trgm GIN index, which serves `search_text LIKE '%term%'`.
SQLite: an FTS5 table with the trigram tokenizer over the same column (external content,
kept in step by triggers), which serves substring phrase queries. Both match substrings of at
least three characters through the index; shorter terms fall back to a scan (search.py).

Neither object is in the SQLAlchemy metadata: `extensions.include_in_migrations` keeps
autogenerate from dropping them. A later SQLite batch migration that *recreates* the dataset
table drops the triggers with it: call `sqlite_search_triggers()` again after such a batch
(tests/integration/test_search_index.py checks the triggers exist at head).

Revision ID: search_index
Revises: 0001
"""
from alembic import op

revision = "search_index"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = """
CREATE TRIGGER dataset_search_ai AFTER INSERT ON dataset BEGIN
  INSERT INTO dataset_search(rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER dataset_search_ad AFTER DELETE ON dataset BEGIN
  INSERT INTO dataset_search(dataset_search, rowid, search_text)
  VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER dataset_search_au AFTER UPDATE OF search_text ON dataset BEGIN
  INSERT INTO dataset_search(dataset_search, rowid, search_text)
  VALUES ('delete', old.id, old.search_text);
  INSERT INTO dataset_search(rowid, search_text) VALUES (new.id, new.search_text);
END;
"""


def sqlite_search_triggers():
    for statement in SQLITE_TRIGGERS.strip().split("END;"):
        if statement.strip():
            op.execute(statement + "END;")


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # Qualify the operator class: the extension may live outside the search path.
        schema = op.get_bind().exec_driver_sql(
            "SELECT n.nspname FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace "
            "WHERE c.opcname = 'gin_trgm_ops'").scalar()
        op.execute(f'CREATE INDEX ix_dataset_search_trgm ON dataset '
                   f'USING gin (search_text "{schema}".gin_trgm_ops)')
    elif dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE dataset_search USING fts5("
                   "search_text, content='dataset', content_rowid='id', tokenize='trigram')")
        sqlite_search_triggers()
        op.execute("INSERT INTO dataset_search(dataset_search) VALUES ('rebuild')")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_dataset_search_trgm")
    elif dialect == "sqlite":
        for name in ("dataset_search_ai", "dataset_search_ad", "dataset_search_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS dataset_search")
