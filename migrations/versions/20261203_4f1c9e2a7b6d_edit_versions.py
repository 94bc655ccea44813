"""edit versions: events and trades carry the version an organiser's edit was made on

Revision ID: 4f1c9e2a7b6d
Revises: 4c8e1f2a9d37
Create Date: 2026-12-03 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '4f1c9e2a7b6d'
down_revision = '4c8e1f2a9d37'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('events', 'trades'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('version', sa.Integer(), server_default='1', nullable=False)
            )


def downgrade():
    for table in ('trades', 'events'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
