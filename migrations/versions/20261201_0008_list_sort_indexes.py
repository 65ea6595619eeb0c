"""Indexes for filtered lists at national scale: entries by status in priority order, and
entries by theme (covering, so counts read the index only)

Revision ID: list_sort_indexes
Revises: api_rate_counter
Create Date: 2026-12-01 05:00:00

The status + priority index matches the list's "priority" sort exactly (`priority_score DESC
NULLS LAST, id DESC`): PostgreSQL walks it in order and stops after a page instead of sorting
every entry of the status. SQLite sorts NULLs first, so `DESC` already puts them last there.
It is written here rather than in the models (an expression index), like the search indexes.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'list_sort_indexes'
down_revision = 'api_rate_counter'
branch_labels = None
depends_on = None


def upgrade():
    nulls_last = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""
    op.execute("CREATE INDEX ix_dataset_status_priority ON dataset "
               f"(status, priority_score DESC{nulls_last}, id DESC)")
    with op.batch_alter_table('dataset_theme', schema=None) as batch_op:
        batch_op.create_index('ix_dataset_theme_code_dataset', ['code', 'dataset_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('dataset_theme', schema=None) as batch_op:
        batch_op.drop_index('ix_dataset_theme_code_dataset')
    op.execute("DROP INDEX ix_dataset_status_priority")
