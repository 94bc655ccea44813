"""`flask backup` and `flask restore`: a round trip gives back exactly what was saved."""

import sqlalchemy as sa

from contest.core import audit
from contest.core.extensions import db
from contest.events.models import Event, Trade
from tests.factories import make_event, make_trade


def counts(app):
    with app.app_context():
        return {
            "events": db.session.execute(sa.select(Event.slug).order_by(Event.slug))
            .scalars()
            .all(),
            "trades": db.session.execute(
                sa.select(sa.func.count()).select_from(Trade)
            ).scalar_one(),
        }


def test_backup_then_restore_gives_back_the_saved_state(app, runner, tmp_path):
    with app.app_context():
        event = make_event()
        make_trade(event, "WELD", "焊工")
        audit.record("测试员", "event.create", "event", event.id, new={"slug": event.slug})
        db.session.commit()
    saved = counts(app)
    target = tmp_path / "backup.bin"
    result = runner.invoke(args=["backup", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "备份已写入" in result.output and target.stat().st_size > 0

    with app.app_context():  # life goes on after the backup
        make_event(slug="later-games")
        db.session.execute(sa.delete(Trade))
        db.session.commit()
    assert counts(app) != saved

    refused = runner.invoke(args=["restore", str(target)])
    assert refused.exit_code == 2 and "--yes" in refused.output
    restored = runner.invoke(args=["restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "数据库已从" in restored.output
    assert counts(app) == saved
    verified = runner.invoke(args=["audit-verify"])
    assert verified.exit_code == 0 and "共 1 条记录" in verified.output


def test_restoring_something_that_is_not_a_backup_changes_nothing(app, runner, tmp_path):
    with app.app_context():
        make_event()
        db.session.commit()
    before = counts(app)
    bogus = tmp_path / "notes.txt"
    bogus.write_text("这不是备份", encoding="utf-8")
    result = runner.invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code == 1
    assert counts(app) == before
    missing = runner.invoke(args=["restore", str(tmp_path / "nowhere.bin"), "--yes"])
    assert missing.exit_code == 1 and "不存在" in missing.output
