"""Every audit entry is chained to the one before it; `audit-verify` finds edits and gaps."""

from itertools import pairwise

import sqlalchemy as sa

from contest.core import audit
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from tests.conftest import race


def record_some(app, n, start=0):
    with app.app_context():
        for i in range(start, start + n):
            audit.record("测试员", "test.write", "thing", i, new={"n": i}, reason=f"第{i}次")
            if i % 2:
                db.session.flush()  # several flushes in one transaction chain in order too
        db.session.commit()


def verify(app):
    with app.app_context():
        count, breaks, _ = audit.verify_chain()
        return count, [(b.entry_id, b.kind) for b in breaks]


def raw(app, statement):
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text(statement))


def test_entries_are_chained_and_verify(app, runner):
    record_some(app, 3)
    record_some(app, 4, start=3)
    assert verify(app) == (7, [])
    with app.app_context():
        rows = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        assert rows[0].prev_hash == "0" * 64
        assert all(b.prev_hash == a.hash for a, b in pairwise(rows))
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0
    assert "审计日志完整：共 7 条记录" in result.output


def test_an_edited_entry_is_reported(app, runner):
    record_some(app, 5)
    raw(app, "UPDATE audit_log SET reason = '改过了' WHERE id = 3")
    assert verify(app) == (5, [(3, "changed")])
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert "第 3 条记录在写入后被修改过" in result.output


def test_a_deleted_entry_is_reported(app, runner):
    record_some(app, 5)
    raw(app, "DELETE FROM audit_log WHERE id = 2")
    assert verify(app) == (4, [(3, "gap")])
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "第 3 条记录之前的链条断开" in result.output


def test_concurrent_writers_keep_one_chain(app):
    def write(start):
        def run():
            try:
                record_some(app, 5, start=start)
                return True
            except Exception as error:  # a busy database: nothing of this writer was kept
                with app.app_context():
                    db.session.rollback()
                return type(error).__name__

        return run

    outcomes = race([write(0), write(100), write(200), write(300)])
    count, breaks = verify(app)
    assert breaks == []
    assert count == 5 * outcomes.count(True) and outcomes.count(True) >= 1
