"""draw rounds: every draw, redraw and top-up of a trade with its seed and what it gave

Revision ID: 4c8e1f2a9d37
Revises: e3a91c0d5b27
Create Date: 2026-12-03 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import contest.core.types


revision = '4c8e1f2a9d37'
down_revision = 'e3a91c0d5b27'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('draw_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trade_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('draw', 'redraw', 'top_up', name='draw_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=8), nullable=False),
    sa.Column('first_station', sa.Integer(), nullable=False),
    sa.Column('taken', sa.JSON(), nullable=False),
    sa.Column('lots', sa.JSON(), nullable=False),
    sa.Column('made_at', contest.core.types.UTCDateTime(), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.CheckConstraint('first_station > 0', name=op.f('ck_draw_rounds_first_station_positive')),
    sa.ForeignKeyConstraint(['made_by_id'], ['users.id'], name=op.f('fk_draw_rounds_made_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trade_id'], ['trades.id'], name=op.f('fk_draw_rounds_trade_id_trades'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draw_rounds'))
    )
    op.create_index('ix_draw_rounds_trade_id', 'draw_rounds', ['trade_id'], unique=False)


def downgrade():
    op.drop_index('ix_draw_rounds_trade_id', table_name='draw_rounds')
    op.drop_table('draw_rounds')
