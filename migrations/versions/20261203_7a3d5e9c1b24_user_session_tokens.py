"""user session tokens: what sessions and remember cookies name an account by, replaced to
end them all (logout, password change, deactivation, sign out everywhere)

Revision ID: 7a3d5e9c1b24
Revises: 4c1f0e7a9d26
Create Date: 2026-12-10 09:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '7a3d5e9c1b24'
down_revision = '4c1f0e7a9d26'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))

    # Every account gets a token of its own; sessions from before (which named the row id)
    # end, so everyone logs in once more.
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(session_token=secrets.token_urlsafe(32))
        )

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_users_session_token'), ['session_token'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_session_token'), type_='unique')
        batch_op.drop_column('session_token')
