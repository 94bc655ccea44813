"""paper and tablet values: a score's value from the paper sheet; the chief judge's decision
to keep a tablet value over the paper

Revision ID: 4c1f0e7a9d26
Revises: 4c2e8f1a9b73
Create Date: 2026-12-04 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import contest.core.types


revision = '4c1f0e7a9d26'
down_revision = '4c2e8f1a9b73'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paper', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('paper_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overruled_at', contest.core.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('paper_entries', schema=None) as batch_op:
        batch_op.drop_column('overruled_at')

    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.drop_column('paper')
