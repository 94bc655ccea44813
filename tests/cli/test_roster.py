"""roster-template and import-roster from the command line."""

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from contest.core.extensions import db
from contest.registration.models import Entrant
from tests.factories import make_event, make_trade, make_unit
from tests.rosters import billion_laughs, zip_bomb
from tests.web.test_registration import HEADER, roster_bytes, row


def run(runner, *args):
    return runner.invoke(args=[str(a) for a in args], env={"LANG": "zh_CN.UTF-8"})


def setup(app):
    with app.app_context():
        event = make_event()
        make_unit(event, "A", "甲区总工会")
        make_trade(event, "WELD", "焊工")
        db.session.commit()


def count(app):
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(Entrant)).scalar_one()


def test_template(app, runner, tmp_path):
    setup(app)
    path = tmp_path / "template.xlsx"
    assert run(runner, "roster-template", "test-games", "-o", path).exit_code == 0
    assert [c.value for c in load_workbook(path).worksheets[0][1]] == HEADER


def test_import_success_prints_a_one_line_summary(app, runner, tmp_path):
    setup(app)
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster_bytes([row(1), row(2)]))
    result = run(runner, "import-roster", "test-games", path, "--unit", "A")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines() == [
        "已为甲区总工会导入 2 名选手（赛事 test-games）。"
    ]
    assert count(app) == 2


def test_import_with_errors_changes_nothing(app, runner, tmp_path):
    setup(app)
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster_bytes([row(1), row(2, phone="123"), row(3, trade="厨师")]))
    result = run(runner, "import-roster", "test-games", path, "--unit", "A")
    assert result.exit_code == 1
    assert "2 行共有 2 个问题，未导入任何数据" in result.stderr
    assert "第 3 行 手机号码：必须是11位手机号码" in result.stderr
    assert "第 4 行 工种：“厨师”不是本赛事的工种" in result.stderr
    assert count(app) == 0


def test_unknown_unit_or_event(app, runner, tmp_path):
    setup(app)
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster_bytes([row(1)]))
    no_unit = run(runner, "import-roster", "test-games", path, "--unit", "ZZ")
    assert no_unit.exit_code == 1 and "没有代码为“ZZ”的单位" in no_unit.stderr
    no_event = run(runner, "import-roster", "nope", path, "--unit", "A")
    assert no_event.exit_code == 1
    assert count(app) == 0


@pytest.mark.parametrize(
    "data, words",
    [
        (b"not a workbook", "不是 Excel 工作簿"),
        (zip_bomb(20), "MB，超过允许的 16 MB"),
        (billion_laughs(), "文档类型声明"),
    ],
    ids=["not a zip", "zip bomb", "entity expansion"],
)
def test_a_hostile_or_broken_file_is_refused_with_a_message(app, runner, tmp_path, data, words):
    setup(app)
    path = tmp_path / "roster.xlsx"
    path.write_bytes(data)
    result = run(runner, "import-roster", "test-games", path, "--unit", "A")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # said so, no traceback
    assert "文件无法读取" in result.stderr and words in result.stderr
    assert "Traceback" not in result.output
    assert count(app) == 0
