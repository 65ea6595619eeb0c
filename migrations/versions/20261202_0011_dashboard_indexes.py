"""Indexes for the review queue, the dashboards and the portal's count at national scale

Revision ID: dashboard_indexes
Revises: reference_version
Create Date: 2026-12-02 01:30:00

Measured on PostgreSQL with 100,000 entries (the bench data), each statement before and after:
- review queue, submitted entries by submission (status, submitted_at, id): 40 -> 0.2 ms;
- entries still to approve with a tier, counted (status, priority_tier, priority_score, id,
  read alone): 77 -> 7 ms; their top ten ranked from the same index: 113 -> 8 ms;
- entries the portal takes, counted (status, classification, access_rights): 98 -> 2 ms;
- planned releases overdue (actual_release_date, planned_release_date): 92 -> 0.1 ms;
- restrictions due for review (classification, restriction_review_date): 18 -> 0.1 ms.
The single-column indexes on status and classification are dropped: each is the first
column of composite indexes, which serve the same conditions.
"""
from alembic import op

revision = "dashboard_indexes"
down_revision = "reference_version"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_dataset_status_submitted": ["status", "submitted_at", "id"],
    "ix_dataset_status_tier": ["status", "priority_tier", "priority_score", "id"],
    "ix_dataset_status_open": ["status", "classification", "access_rights"],
    "ix_dataset_release_due": ["actual_release_date", "planned_release_date"],
    "ix_dataset_classification_review": ["classification", "restriction_review_date"],
}


# Plain index operations, not a batch: on SQLite a batch may recreate the table, which would
# drop the search triggers (migration search_index).
def upgrade():
    op.drop_index("ix_dataset_status", table_name="dataset")
    op.drop_index("ix_dataset_classification", table_name="dataset")
    for name, columns in INDEXES.items():
        op.create_index(name, "dataset", columns, unique=False)


def downgrade():
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="dataset")
    op.create_index("ix_dataset_classification", "dataset", ["classification"], unique=False)
    op.create_index("ix_dataset_status", "dataset", ["status"], unique=False)
