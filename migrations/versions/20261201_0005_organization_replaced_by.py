"""organization.replaced_by_id: a merged body points to the one that took over its entries

Revision ID: organization_replaced_by
Revises: publication_request
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa

revision = "organization_replaced_by"
down_revision = "publication_request"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaced_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_organization_replaced_by_id_organization"),
                                    "organization", ["replaced_by_id"], ["id"])


def downgrade():
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_organization_replaced_by_id_organization"),
                                 type_="foreignkey")
        batch_op.drop_column("replaced_by_id")
