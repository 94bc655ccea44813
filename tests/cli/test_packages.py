"""import-package, export-results and export-package, as PACKAGE.md specifies them."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.events.models import Event, Judge, Unit, unit_contacts
from contest.packages import importing
from contest.registration.models import Entrant
from tests.factories import make_user
from tests.packages import EXPECTED, small_package

EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "examples"


def write(tmp_path: Path, document, name="package.json") -> Path:
    path = tmp_path / name
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def run(runner, *args):
    return runner.invoke(args=[str(a) for a in args], env={"LANG": "zh_CN.UTF-8"})


def results_json(runner, slug="small-games"):
    result = run(runner, "export-results", slug)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def database_content(app) -> dict:
    """Every row of every table, for "unchanged" comparisons."""
    with app.app_context():
        content = {}
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(sa.select(table)).all()
            content[table.name] = sorted(tuple(map(repr, row)) for row in rows)
        return content


@pytest.fixture
def imported(runner, tmp_path):
    result = run(runner, "import-package", write(tmp_path, small_package()))
    assert result.exit_code == 0, result.output
    return result


def test_import_prints_a_summary_and_the_results_are_exact(runner, imported):
    assert "已创建赛事 small-games" in imported.stdout
    assert "4 名选手" in imported.stdout
    assert results_json(runner) == EXPECTED


def test_import_is_audited(app, imported):
    with app.app_context():
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "package.import")
        ).scalar_one()
        assert entry.new["slug"] == "small-games" and entry.new["replaced"] is False


def test_importing_twice_replaces_the_event(app, runner, tmp_path, imported):
    again = run(runner, "import-package", write(tmp_path, small_package()))
    assert again.exit_code == 0
    assert "已替换赛事" in again.stdout
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar_one() == 1
        assert db.session.execute(sa.select(sa.func.count()).select_from(Entrant)).scalar_one() == 4
    assert results_json(runner) == EXPECTED


def test_replacing_keeps_the_accounts_linked(app, runner, tmp_path, imported):
    with app.app_context():
        contact, judge = make_user(Role.UNIT_CONTACT), make_user(Role.JUDGE)
        unit = db.session.execute(sa.select(Unit).where(Unit.code == "U1")).scalar_one()
        db.session.execute(unit_contacts.insert().values(unit_id=unit.id, user_id=contact.id))
        db.session.execute(sa.update(Judge).where(Judge.code == "J1").values(user_id=judge.id))
        db.session.commit()
        ids = contact.id, judge.id
    run(runner, "import-package", write(tmp_path, small_package()))
    with app.app_context():
        unit = db.session.execute(sa.select(Unit).where(Unit.code == "U1")).scalar_one()
        assert [u.id for u in unit.contacts] == [ids[0]]
        j1 = db.session.execute(sa.select(Judge).where(Judge.code == "J1")).scalar_one()
        assert j1.user_id == ids[1]


def test_export_package_round_trips(runner, tmp_path, imported):
    first = run(runner, "export-package", "small-games", "-o", tmp_path / "out.json")
    assert first.exit_code == 0
    exported = (tmp_path / "out.json").read_text(encoding="utf-8")
    assert json.loads(exported)["format"] == "contest-package/1"
    again = run(runner, "import-package", tmp_path / "out.json")
    assert again.exit_code == 0, again.output
    run(runner, "export-package", "small-games", "-o", tmp_path / "out2.json")
    assert (tmp_path / "out2.json").read_text(encoding="utf-8") == exported
    assert results_json(runner) == EXPECTED


def test_export_package_keeps_every_field(runner, imported):
    exported = json.loads(run(runner, "export-package", "small-games").stdout)
    original = json.loads(json.dumps(small_package()))
    assert exported["event"]["schedule"]["publish"] == {"at": "2026-06-01T01:00:00+00:00"}
    assert exported["trades"][0]["schedule"]["scoring"]["opens"] == "2026-05-10T00:00:00+00:00"
    assert {e["code"]: e.get("id_number") for e in exported["entrants"]} == {
        e["code"]: e.get("id_number") for e in original["entrants"]
    }
    assert exported["excusals"] == original["excusals"]
    assert exported["statuses"] == original["statuses"]
    assert sorted(map(json.dumps, exported["scores"])) == sorted(
        map(json.dumps, original["scores"])
    )


def _mutate(change):
    document = small_package()
    change(document)
    return document


INVALID = {
    "unknown key": (
        lambda d: d["trades"][0]["components"][1]["criteria"][0].update(maxx=5),
        "trades[0].components[1].criteria[0].maxx",
        "未知字段",
    ),
    "dangling reference": (
        lambda d: d["entrants"][0].update(unit="NOPE"),
        "entrants[0].unit",
        "引用了不存在的单位",
    ),
    "duplicate code": (
        lambda d: d["units"].append({"code": "U1", "name": "重复", "kind": "other"}),
        "units[4].code",
        "重复使用",
    ),
    "invalid resident ID": (
        lambda d: d["entrants"][1].update(id_number=d["entrants"][1]["id_number"][:-1] + "0"),
        "entrants[1].id_number",
        "校验码错误",
    ),
    "ID disagrees with birth date": (
        lambda d: d["entrants"][0].update(birth_date="1990-03-02"),
        "entrants[0].id_number",
        "出生日期",
    ),
    "value out of range": (
        lambda d: d["scores"][3].update(value=4),
        "scores[3].value",
        "超出 0–3 的范围",
    ),
    "value off step": (
        lambda d: d["scores"][1].update(value=50.25),
        "scores[1].value",
        "不是 0.5 的整数倍",
    ),
    "score by a recused judge": (
        lambda d: d["scores"].append(
            {"entrant": "E1", "criterion": "P1", "judge": "J3", "value": 50}
        ),
        "scores[12].judge",
        "应当回避",
    ),
    "score by an excused judge": (
        lambda d: d["scores"].append(
            {"entrant": "E2", "criterion": "P1", "judge": "J3", "value": 50}
        ),
        "scores[12].judge",
        "已被免评",
    ),
    "duplicate score": (
        lambda d: d["scores"].append(dict(d["scores"][1])),
        "scores[12]",
        "重复",
    ),
    "unknown tie-breaker": (
        lambda d: d["trades"][0].update(tie_breakers=["criterion:P9"]),
        "trades[0].tie_breakers[0]",
        "同分决胜",
    ),
    "wrong format name": (lambda d: d.update(format="contest-package/2"), "format", "必须是"),
}


@pytest.mark.parametrize("kind", list(INVALID))
def test_invalid_package_changes_nothing_and_names_the_path(app, runner, tmp_path, imported, kind):
    change, path, words = INVALID[kind]
    before = database_content(app)
    document = _mutate(change)
    document["event"]["name"] = "不应写入的名称"
    result = run(runner, "import-package", write(tmp_path, document, "bad.json"))
    assert result.exit_code == 1
    assert "赛事数据包未导入" in result.stderr
    line = next((ln for ln in result.stderr.splitlines() if ln.strip().startswith(path + ":")), "")
    assert words in line, result.stderr
    assert database_content(app) == before


def test_every_problem_is_listed(runner, tmp_path, imported):
    document = small_package()
    document["units"][0]["kind"] = "zoo"
    document["entrants"][2]["trade"] = "NOPE"
    document["event"]["decimals"] = 9
    result = run(runner, "import-package", write(tmp_path, document, "bad.json"))
    assert result.exit_code == 1
    for path in ("units[0].kind", "event.decimals"):
        assert f"  {path}:" in result.stderr


def test_malformed_json_is_refused(app, runner, tmp_path):
    result = run(runner, "import-package", write(tmp_path, '{"format": ', "broken.json"))
    assert result.exit_code == 1
    assert "不是有效的 JSON" in result.stderr
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar_one() == 0


def test_messages_follow_the_console_language(runner, tmp_path):
    document = small_package()
    document["units"][0]["kind"] = "zoo"
    result = runner.invoke(
        args=["import-package", str(write(tmp_path, document))], env={"LANG": "en_US.UTF-8"}
    )
    assert "units[0].kind: “zoo” is not one of" in result.stderr


def test_weights_not_adding_to_one_is_a_warning(runner, tmp_path):
    document = small_package()
    document["trades"][1]["components"][0]["weight"] = 2
    result = run(runner, "import-package", write(tmp_path, document))
    assert result.exit_code == 0
    assert "权重之和为 2" in result.stderr


def test_unknown_event_slug(runner):
    for command in ("export-results", "export-package"):
        result = run(runner, command, "no-such-event")
        assert result.exit_code == 1
        assert "没有标识为“no-such-event”的赛事" in result.stderr


def test_xlsx_export_reads_back_with_chinese_headers(runner, tmp_path, imported):
    path = tmp_path / "results.xlsx"
    result = run(runner, "export-results", "small-games", "--format", "xlsx", "-o", path)
    assert result.exit_code == 0
    book = load_workbook(path)
    assert book.sheetnames == ["个人成绩", "团体成绩", "单位排名", "获奖名单"]
    rows = list(book["个人成绩"].iter_rows(values_only=True))
    assert rows[0][:9] == (
        "工种代码",
        "工种",
        "名次",
        "选手编号",
        "姓名",
        "单位",
        "代表队",
        "状态",
        "总成绩",
    )
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["选手编号"] == "E1" and first["姓名"] == "张伟" and first["名次"] == 1
    assert Decimal(str(first["总成绩"])) == Decimal("87.08")
    assert first["奖项"] == "金牌工人、晋升"
    units = list(book["单位排名"].iter_rows(values_only=True))
    assert units[1] == (1, "U1", "一号区总工会", 10, 2, 0, 0)
    awards = list(book["获奖名单"].iter_rows(values_only=True))
    assert ("promote", "晋升", "焊工", 1, "E1", "张伟", "一号区总工会", "技师") in awards


def test_csv_export_opens_in_excel(runner, tmp_path, imported):
    path = tmp_path / "results.csv"
    assert (
        run(runner, "export-results", "small-games", "--format", "csv", "-o", path).exit_code == 0
    )
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark for Excel
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["选手编号"] for r in rows] == ["E1", "E2", "E3", "E4"]
    assert rows[2]["状态"] == "未参赛" and rows[2]["总成绩"] == ""
    assert rows[1]["实操"] == "84.42"


@pytest.mark.parametrize(
    "name", ["demo-city-games", "diving-example", "ws-style-example", "edge-cases"]
)
def test_shared_examples_through_the_database(runner, name):
    path = EXAMPLES / f"{name}.json"
    if not path.exists():
        pytest.skip(f"shared examples not available at {EXAMPLES}")
    assert run(runner, "import-package", path).exit_code == 0
    expected = json.loads((EXAMPLES / f"{name}.results.json").read_text(encoding="utf-8"))
    assert results_json(runner, name) == expected


def test_a_deeply_nested_document_is_refused_unparsed(app, runner, tmp_path):
    nested = '{"format": "contest-package/1", "event": ' + "[" * 100_000 + "]" * 100_000 + "}"
    result = run(runner, "import-package", write(tmp_path, nested, "deep.json"))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # said so, no traceback
    assert "文件无法读取：数据嵌套超过 32 层" in result.stderr
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar_one() == 0


def test_brackets_inside_strings_are_not_nesting(runner, tmp_path):
    document = small_package()
    document["event"]["name"] = "[" * 100 + '"{' * 50
    result = run(runner, "import-package", write(tmp_path, document))
    assert result.exit_code == 0, result.output


def test_a_document_over_the_size_limit_is_refused_unread(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "MAX_PACKAGE_SIZE", 1 << 20)
    padded = json.dumps(small_package()) + " " * (1 << 20)
    result = run(runner, "import-package", write(tmp_path, padded, "big.json"))
    assert result.exit_code == 1
    assert "文件无法读取：文件超过 1 MB" in result.stderr
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar_one() == 0
