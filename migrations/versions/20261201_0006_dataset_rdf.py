"""dataset_rdf: stored DCAT-AP fragments of each entry (catalogue export and pages)

Revision ID: dataset_rdf
Revises: organization_replaced_by
Create Date: 2026-12-01 00:40:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "dataset_rdf"
down_revision = "organization_replaced_by"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dataset_rdf",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("mapping_stamp", sa.String(length=64), nullable=False),
        sa.Column("dataset_version", sa.Integer(), nullable=False),
        sa.Column("dataset_updated_at", sa.DateTime(), nullable=True),
        sa.Column("organization_updated_at", sa.DateTime(), nullable=True),
        sa.Column("turtle", sa.Text(), nullable=False),
        sa.Column("ntriples", sa.Text(), nullable=False),
        sa.Column("jsonld", sa.Text(), nullable=False),
        sa.Column("rdfxml", sa.Text(), nullable=False),
        sa.Column("shared_keys", sa.JSON().with_variant(
            postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"], ondelete="CASCADE",
                                name=op.f("fk_dataset_rdf_dataset_id_dataset")),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_dataset_rdf")),
    )


def downgrade():
    op.drop_table("dataset_rdf")
