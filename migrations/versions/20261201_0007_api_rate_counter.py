"""API rate-limit counters shared by every worker process

Revision ID: api_rate_counter
Revises: dataset_rdf
Create Date: 2026-12-01 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'api_rate_counter'
down_revision = 'dataset_rdf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_rate_counter',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.BigInteger(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_api_rate_counter'))
    )


def downgrade():
    op.drop_table('api_rate_counter')
