"""withdrawn publications, revoked certificates: both kept with who, when and why; one
current publication per event and kind, one valid certificate per entrant and award; a
certificate's event and entrant cannot be deleted while it exists

Revision ID: 4c2e8f1a9b73
Revises: 4f1c9e2a7b6d
Create Date: 2026-11-22 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import contest.core.types


revision = '4c2e8f1a9b73'
down_revision = '4f1c9e2a7b6d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', contest.core.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sa.Text(), nullable=True))
        batch_op.drop_constraint('uq_publications_event_id_kind', type_='unique')
        batch_op.create_foreign_key(batch_op.f('fk_publications_published_by_id_users'), 'users', ['published_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_publications_withdrawn_by_id_users'), 'users', ['withdrawn_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_publications_withdrawn_with_reason'), '(withdrawn_at IS NULL) = (withdrawal_reason IS NULL)')
        batch_op.create_index('uq_publications_current', ['event_id', 'kind'], unique=True, sqlite_where=sa.text('withdrawn_at IS NULL'), postgresql_where=sa.text('withdrawn_at IS NULL'))

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', contest.core.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revocation_reason', sa.Text(), nullable=True))
        batch_op.drop_constraint('uq_certificates_entrant_id_award_code', type_='unique')
        batch_op.drop_constraint('fk_certificates_event_id_events', type_='foreignkey')
        batch_op.drop_constraint('fk_certificates_entrant_id_entrants', type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_certificates_event_id_events'), 'events', ['event_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_certificates_entrant_id_entrants'), 'entrants', ['entrant_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_certificates_revoked_by_id_users'), 'users', ['revoked_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_certificates_revoked_with_reason'), '(revoked_at IS NULL) = (revocation_reason IS NULL)')
        batch_op.create_index('uq_certificates_valid', ['entrant_id', 'award_code'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))


def downgrade():
    # Going back keeps only what the old schema can hold: the current publication of each
    # kind and the valid certificate of each award (the withdrawn and revoked rows are gone).
    op.execute('DELETE FROM publications WHERE withdrawn_at IS NOT NULL')
    op.execute('DELETE FROM certificates WHERE revoked_at IS NOT NULL')

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_valid', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_constraint(batch_op.f('ck_certificates_revoked_with_reason'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_certificates_revoked_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_certificates_entrant_id_entrants'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_certificates_event_id_events'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_certificates_entrant_id_entrants'), 'entrants', ['entrant_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_certificates_event_id_events'), 'events', ['event_id'], ['id'], ondelete='CASCADE')
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_entrant_id_award_code'), ['entrant_id', 'award_code'])
        batch_op.drop_column('revocation_reason')
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('revoked_at')

    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index('uq_publications_current', sqlite_where=sa.text('withdrawn_at IS NULL'), postgresql_where=sa.text('withdrawn_at IS NULL'))
        batch_op.drop_constraint(batch_op.f('ck_publications_withdrawn_with_reason'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_publications_withdrawn_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_publications_published_by_id_users'), type_='foreignkey')
        batch_op.create_unique_constraint(batch_op.f('uq_publications_event_id_kind'), ['event_id', 'kind'])
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('published_by_id')
