"""audit chain head: the chain's lock and its last hash in one round trip (PostgreSQL)

Revision ID: e3a91c0d5b27
Revises: b2ad44c780fc
Create Date: 2026-11-21 11:20:00.000000

"""
from alembic import op


revision = 'e3a91c0d5b27'
down_revision = 'b2ad44c780fc'
branch_labels = None
depends_on = None

# Every writer of the audit log takes the chain's lock, then reads the last hash. A VOLATILE
# function reads with a fresh snapshot at each of its statements, so the hash it returns is
# the one committed by the writer before us (a single statement would read with the
# snapshot taken before it waited for the lock).
FUNCTION = """
CREATE OR REPLACE FUNCTION audit_chain_head(lock_key bigint) RETURNS varchar
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    last_hash varchar;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT hash INTO last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
    RETURN last_hash;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_chain_head(bigint)")
