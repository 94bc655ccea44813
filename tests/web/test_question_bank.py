"""The organisers' question bank (EXAMS.md §1, §5): banks, the Excel template and imports
(all or nothing, every problem by row and column in the user's language), JSON in the
package's format both ways, search and filters, the item editor (a new version when a sealed
paper uses the item, in place otherwise), the practice flag, the stem's image, and access."""

from __future__ import annotations

import gc
import io
import json
import re

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from contest.accounts.models import Role
from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.domain.exam_bank import HEADER
from contest.exams.models import QuestionBank, QuestionItem
from tests.cli.test_package_exams import imported
from tests.conftest import login, post
from tests.factories import make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def row(code, kind, stem, options=(), key=None, marks=None, difficulty=None, tags=None,
        level=None, explanation=None):  # fmt: skip
    options = list(options) + [None] * (8 - len(options))
    return [code, kind, stem, *options, key, marks, difficulty, tags, level, explanation]


GOOD = [
    row("Q1", "单选题", "焊条电弧焊时电源种类根据什么选择？", ["厚度", "药皮", "位置", "坡口"],
        "B", 1, 2, "2.1.3、1.2", "高级工"),
    row("Q2", "多选题", "下列属于焊接缺陷的是", ["气孔", "坡口", "夹渣", "裂纹"],
        "A,C,D", 2, 3, "2.2"),
    row("Q3", "判断题", "氩气是惰性气体。", key="对", tags="1.2"),
    row("Q4", "填空题", "保护气体为____，电源为____", key="氩气/Ar|直流正接", marks=2),
    row("Q5", "简答题", "简述预热的作用。", key="降低冷却速度。", level="技师",
        explanation="见教材"),
]  # fmt: skip


def workbook(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def staff(app):
    """An organiser, an admin, a judge; a bank named 题库一. Its id."""
    with app.app_context():
        for role in (Role.ORGANISER, Role.ADMIN, Role.JUDGE):
            make_user(role, username=role.value)
        bank = QuestionBank(name="题库一")
        db.session.add(bank)
        db.session.commit()
        return bank.id


def upload(client, bank_id, data, name="items.xlsx", path="import"):
    return post(
        client,
        f"/organise/banks/{bank_id}/{path}",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def items(app, bank_id):
    """(code, version, type) of every stored row, in order."""
    with app.app_context():
        return [
            (r.code, r.version, r.type.value)
            for r in db.session.execute(
                sa.select(QuestionItem)
                .where(QuestionItem.bank_id == bank_id)
                .order_by(QuestionItem.code, QuestionItem.version)
            ).scalars()
        ]


def row_id(app, bank_id, code, version=None):
    with app.app_context():
        query = sa.select(QuestionItem).where(
            QuestionItem.bank_id == bank_id, QuestionItem.code == code
        )
        if version is not None:
            query = query.where(QuestionItem.version == version)
        return db.session.execute(query.order_by(QuestionItem.version.desc())).scalars().first().id


def listed(html):
    """The codes of the item list."""
    return re.findall(r'<tr data-item="([^"]+)"', html)


# --- banks ----------------------------------------------------------------------------------------


def test_banks_list_and_create(app, client, staff):
    login(client, "organiser")
    page = client.get("/organise/banks/")
    assert page.status_code == 200 and "题库一" in page.text
    response = post(client, "/organise/banks/", {"name": "  焊工题库 "})
    assert response.status_code == 302
    with app.app_context():
        names = db.session.execute(sa.select(QuestionBank.name).order_by(QuestionBank.id))
        assert names.scalars().all() == ["题库一", "焊工题库"]
    again = post(client, "/organise/banks/", {"name": "焊工题库"})
    assert again.status_code == 400
    assert "名为“焊工题库”的题库已存在" in again.text
    empty = post(client, "/organise/banks/", {"name": " "})
    assert empty.status_code == 400 and "请填写题库名称" in empty.text


def test_the_organisers_home_and_navigation_link_the_banks(client, staff):
    login(client, "organiser")
    assert 'href="/organise/banks/"' in client.get("/organise/").text


def test_banks_list_counts_latest_items_by_type(app, client, staff):
    login(client, "organiser")
    assert upload(client, staff, workbook(GOOD)).status_code == 302
    page = client.get("/organise/banks/").text
    cells = re.search(rf'<tr data-bank="{staff}">(.*?)</tr>', page, re.S).group(1)
    numbers = re.findall(r'<td class="num">(\d+)</td>', cells)
    assert numbers == ["5", "1", "1", "1", "1", "1"]


# --- Excel --------------------------------------------------------------------------------------


def test_the_template_has_the_headers_and_the_instructions(client, staff):
    login(client, "organiser")
    response = client.get("/organise/banks/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    response.close()
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "试题编号", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F",
        "选项G", "选项H", "答案", "分值", "难度", "知识点", "等级", "解析",
    ]  # fmt: skip
    assert "ABD" in sheet["L1"].comment.text and "对" in sheet["L1"].comment.text
    guide = "\n".join(str(c.value) for r in book.worksheets[1].iter_rows() for c in r if c.value)
    for word in ("单选题", "多选题", "判断题", "填空题", "简答题", "A,B,D", "√/×", "|"):
        assert word in guide


def test_the_template_filled_in_imports(app, client, staff):
    """The template's own example rows import as they are."""
    login(client, "organiser")
    data = client.get("/organise/banks/template.xlsx").data
    assert upload(client, staff, data).status_code == 302
    assert [code for code, *_ in items(app, staff)] == ["Q0001", "Q0002"]


def test_a_good_file_imports(app, client, staff):
    login(client, "organiser")
    response = upload(client, staff, workbook(GOOD))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "新增 5 道" in page
    assert items(app, staff) == [
        ("Q1", 1, "single"), ("Q2", 1, "multiple"), ("Q3", 1, "judge"), ("Q4", 1, "fill"),
        ("Q5", 1, "short"),
    ]  # fmt: skip
    with app.app_context():
        stored = {r.code: r for r in db.session.execute(sa.select(QuestionItem)).scalars()}
        assert stored["Q1"].tags == ["2.1.3", "1.2"] and stored["Q1"].level == "高级工"
        assert stored["Q2"].key == ["A", "C", "D"] and str(stored["Q2"].marks) == "2"
        assert stored["Q3"].key is True
        assert stored["Q4"].key == [["氩气", "Ar"], ["直流正接"]]
        assert stored["Q5"].explanation == "见教材"
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "bank.import")
        ).scalar_one()
        assert entry.new["new"] == ["Q1", "Q2", "Q3", "Q4", "Q5"]


def test_a_bad_file_imports_nothing_and_lists_every_row(app, client, staff):
    login(client, "organiser")
    bad = [
        GOOD[0],
        row("Q2", "单选题", "错误答案的题", ["甲", "乙", "丙", "丁"], "E"),
        row("Q3", "多选题", "只有一个答案的多选", ["甲", "乙", "丙"], "A"),
        row("Q4", "判断题", "", key="对"),
        row("Q5", "问答题", "未知题型"),
        row("Q6", "单选题", "分值为零", ["甲", "乙"], "A", 0, 6),
        row("Q1", "判断题", "重复编号", key="错"),
    ]
    response = upload(client, staff, workbook(bad))
    assert response.status_code == 400
    text = response.text
    assert "共 7 个问题，未导入任何内容" in text
    for line in (
        "第 3 行 答案：“E”不是本题的选项（A, B, C, D）",
        "第 4 行 答案：多选题答案至少包含两个选项",
        "第 5 行 题干：为必填项",
        "第 6 行 题型：“问答题”不是题型（单选题、多选题、判断题、填空题、简答题）",
        "第 7 行 分值：必须大于 0（当前为 0）",
        "第 7 行 难度：不得大于 5（当前为 6）",
        "第 8 行 试题编号：编号“Q1”已在第 2 行使用",
    ):
        assert line in text, line
    assert items(app, staff) == []


def test_duplicate_stems_are_reported_not_merged(app, client, staff):
    login(client, "organiser")
    assert upload(client, staff, workbook(GOOD)).status_code == 302
    again = [
        row("Q9", "判断题", " 焊条电弧焊时电源种类根据什么选择? ", key="错"),  # Q1's, NFKC
        row("Q10", "判断题", "ＡＢＣ 是字母", key="对"),
        row("Q11", "判断题", "abc  是字母", key="对"),  # Q10's, full-width and case aside
    ]
    response = upload(client, staff, workbook(again))
    assert response.status_code == 400
    assert "第 2 行 题干：与题库中的试题“Q1”题干相同（规范化后）" in response.text
    assert "<li>第 3 行" not in response.text
    assert "第 4 行 题干：与第 3 行的试题“Q10”题干相同（规范化后）" in response.text
    assert [code for code, *_ in items(app, staff)] == ["Q1", "Q2", "Q3", "Q4", "Q5"]


def test_importing_again_makes_versions_of_changed_items_only(app, client, staff):
    login(client, "organiser")
    assert upload(client, staff, workbook(GOOD)).status_code == 302
    q4 = row("Q4", "填空题", "保护气体为____，电源为____", key="氩气|直流正接", marks=2)
    changed = [*GOOD[:3], q4, GOOD[4]]
    response = upload(client, staff, workbook(changed))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "新增 0 道" in page and "1 道题有改动，已存为新版本" in page and "4 道未改动" in page
    assert "未改动：Q1、Q2、Q3、Q5" in page
    assert [(c, v) for c, v, _ in items(app, staff) if c == "Q4"] == [("Q4", 1), ("Q4", 2)]


def test_a_file_that_is_not_the_template_is_refused(app, client, staff):
    login(client, "organiser")
    wrong = upload(client, staff, workbook(GOOD, header=["编号", "题型"]))
    assert wrong.status_code == 400 and "第 1 行" in wrong.text and "试题编号 | 题型" in wrong.text
    broken = upload(client, staff, b"not a workbook")
    assert broken.status_code == 400 and "文件无法读取" in broken.text
    assert items(app, staff) == []


# --- JSON ---------------------------------------------------------------------------------------


def test_json_round_trip(app, client, staff, tmp_path):
    login(client, "organiser")
    assert upload(client, staff, workbook(GOOD)).status_code == 302
    exported = client.get(f"/organise/banks/{staff}/export.json")
    assert exported.status_code == 200
    document = json.loads(exported.data)
    assert [i["code"] for i in document["question_bank"]] == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert document["question_bank"][1] == {
        "code": "Q2", "type": "multiple", "stem": "下列属于焊接缺陷的是",
        "options": {"A": "气孔", "B": "坡口", "C": "夹渣", "D": "裂纹"}, "key": ["A", "C", "D"],
        "marks": 2, "tags": ["2.2"], "difficulty": 3,
    }  # fmt: skip
    post(client, "/organise/banks/", {"name": "副本"})
    with app.app_context():
        copy = db.session.execute(
            sa.select(QuestionBank.id).where(QuestionBank.name == "副本")
        ).scalar_one()
    assert upload(client, copy, exported.data, "bank.json", "import-json").status_code == 302
    again = client.get(f"/organise/banks/{copy}/export.json")
    assert json.loads(again.data) == document
    unchanged = upload(client, copy, exported.data, "bank.json", "import-json")
    assert "5 道未改动" in client.get(unchanged.headers["Location"]).text


def test_bad_json_imports_nothing(app, client, staff):
    login(client, "organiser")
    document = {
        "question_bank": [
            {"code": "Q1", "type": "single", "stem": "甲", "options": {"A": "1", "B": "2"},
             "key": "C"},
            {"code": "Q2", "type": "judge", "stem": "乙", "key": "对"},
            {"code": "Q3", "type": "judge", "stem": "丙", "key": True},
            {"code": "Q3", "type": "judge", "stem": "丁", "key": True},
            {"code": "Q5", "type": "judge", "stem": " 丙 ", "key": False},
        ]
    }  # fmt: skip
    data = json.dumps(document).encode()
    response = upload(client, staff, data, "bank.json", "import-json")
    assert response.status_code == 400
    assert "question_bank[0].key: “C”不是本题的选项（A, B）" in response.text
    assert "question_bank[1].key: 必须是 true 或 false" in response.text
    assert "question_bank[3].code: 代码“Q3”重复使用" in response.text
    assert "question_bank[4].stem: 试题“Q5”与试题“Q3”题干相同（规范化后）" in response.text
    assert items(app, staff) == []
    assert upload(client, staff, b"{", "bank.json", "import-json").status_code == 400


# --- browsing -----------------------------------------------------------------------------------


def test_search_and_filters(app, client, staff):
    login(client, "organiser")
    upload(client, staff, workbook(GOOD))
    base = f"/organise/banks/{staff}"
    assert listed(client.get(base).text) == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert listed(client.get(f"{base}?q=焊接").text) == ["Q2"]
    assert listed(client.get(f"{base}?q=q4").text) == ["Q4"]  # in the code, any case
    assert listed(client.get(f"{base}?q=Q4").text) == ["Q4"]
    assert listed(client.get(f"{base}?type=judge").text) == ["Q3"]
    assert listed(client.get(f"{base}?tag=1").text) == ["Q1", "Q3"]
    assert listed(client.get(f"{base}?tag=2.1").text) == ["Q1"]
    assert listed(client.get(f"{base}?tag=.2").text) == []  # a prefix, not any part
    assert listed(client.get(f"{base}?level=技师").text) == ["Q5"]
    assert listed(client.get(f"{base}?difficulty=3").text) == ["Q2"]
    assert listed(client.get(f"{base}?public=yes").text) == []
    assert listed(client.get(f"{base}?type=nonsense&difficulty=9").text) == [
        "Q1", "Q2", "Q3", "Q4", "Q5"
    ]  # fmt: skip


def test_the_list_is_paginated_and_shows_latest_versions(app, client, another_app, staff):
    login(client, "organiser")
    many = [row(f"Q{n:03}", "判断题", f"第 {n} 题", key="对") for n in range(1, 61)]
    assert upload(client, staff, workbook(many)).status_code == 302
    many[0] = row("Q001", "判断题", "第 1 题（改）", key="对")
    assert upload(client, staff, workbook(many)).status_code == 302
    first = client.get(f"/organise/banks/{staff}").text
    assert len(listed(first)) == 50 and "Q001" in listed(first)
    assert "第 1 题（改）" in first
    assert listed(client.get(f"/organise/banks/{staff}?page=2").text) == [
        f"Q{n:03}" for n in range(51, 61)
    ]


# --- editing ------------------------------------------------------------------------------------


def edit(client, bank_id, item_id, **fields):
    data = {"type": "single", "stem": "焊条电弧焊时电源种类根据什么选择？", "option_a": "厚度",
            "option_b": "药皮", "option_c": "位置", "option_d": "坡口", "key": "B", "marks": "1",
            "difficulty": "2", "tags": "2.1.3、1.2", "level": "高级工"}  # fmt: skip
    data.update(fields)
    return post(client, f"/organise/banks/{bank_id}/items/{item_id}", data,
                content_type="multipart/form-data")  # fmt: skip


def test_edit_in_place_when_no_sealed_paper_uses_the_item(app, client, staff):
    login(client, "organiser")
    upload(client, staff, workbook(GOOD))
    q1 = row_id(app, staff, "Q1")
    page = client.get(f"/organise/banks/{staff}/items/{q1}")
    assert page.status_code == 200 and 'value="药皮"' in page.text
    response = edit(client, staff, q1, key="C", difficulty="4")
    assert response.status_code == 302
    assert [(c, v) for c, v, _ in items(app, staff) if c == "Q1"] == [("Q1", 1)]
    with app.app_context():
        stored = db.session.get(QuestionItem, q1)
        assert stored.key == "C" and stored.difficulty == 4
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "bank_item.update")
        ).scalar_one()
        assert entry.old["key"] == "B" and entry.new["key"] == "C"
    same = edit(client, staff, q1, key="C", difficulty="4")
    assert "没有改动" in client.get(same.headers["Location"]).text


def test_edit_is_checked_by_the_template_rules(app, client, staff):
    login(client, "organiser")
    upload(client, staff, workbook(GOOD))
    q1 = row_id(app, staff, "Q1")
    response = edit(client, staff, q1, key="E", marks="0", stem="")
    assert response.status_code == 400
    assert "“E”不是本题的选项（A, B, C, D）" in response.text
    assert "必须大于 0（当前为 0）" in response.text and "为必填项" in response.text
    taken = edit(client, staff, q1, stem="氩气是惰性气体。")  # Q3's stem
    assert taken.status_code == 400 and "试题“Q3”的题干与此相同" in taken.text
    with app.app_context():
        assert db.session.get(QuestionItem, q1).key == "B"


def test_edit_makes_a_new_version_when_a_sealed_paper_uses_the_item(app, client, runner, tmp_path):
    imported(runner, tmp_path)  # the exam of WELD draws from bank "exam-games", sealed at v1
    with app.app_context():
        make_user(Role.ORGANISER, username="organiser")
        db.session.commit()
        bank = db.session.execute(sa.select(QuestionBank.id)).scalar_one()
    login(client, "organiser")
    q1 = row_id(app, bank, "Q01")
    page = client.get(f"/organise/banks/{bank}/items/{q1}").text
    assert "此版本在已封存的试卷中" in page
    response = edit(client, bank, q1, stem="焊条电弧焊时……（修订）", option_a="甲", option_b="乙",
                    option_c="丙", option_d="丁", key="B", marks="1", tags="2.1.3",
                    difficulty="2")  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        old, new = db.session.execute(
            sa.select(QuestionItem)
            .where(QuestionItem.bank_id == bank, QuestionItem.code == "Q01")
            .order_by(QuestionItem.version)
        ).scalars()
        assert (old.version, old.stem) == (1, "焊条电弧焊时……")
        assert (new.version, new.stem) == (2, "焊条电弧焊时……（修订）")
        assert (
            db.session.execute(
                sa.select(AuditEntry.action).where(AuditEntry.entity == "question_item")
            ).scalar_one()
            == "bank_item.new_version"
        )
    history = client.get(response.headers["Location"]).text
    assert re.findall(r'<tr data-version="(\d+)"', history) == ["2", "1"]
    assert "已封存" in history
    # The new version is on no sealed paper: a further edit changes it in place.
    again = edit(client, bank, new.id, stem="焊条电弧焊时……（再改）", option_a="甲", option_b="乙",
                 option_c="丙", option_d="丁", key="B", tags="2.1.3", difficulty="2")  # fmt: skip
    assert again.status_code == 302
    assert [v for c, v, _ in items(app, bank) if c == "Q01"] == [1, 2]


def test_practice_flag(app, client, staff):
    login(client, "organiser")
    upload(client, staff, workbook(GOOD))
    q3 = row_id(app, staff, "Q3")
    response = post(client, f"/organise/banks/{staff}/items/{q3}/public", {"public": "yes"})
    assert response.status_code == 302
    assert listed(client.get(f"/organise/banks/{staff}?public=yes").text) == ["Q3"]
    assert listed(client.get(f"/organise/banks/{staff}?public=no").text) == ["Q1", "Q2", "Q4", "Q5"]
    bad = post(client, f"/organise/banks/{staff}/items/{q3}/public", {"public": "maybe"})
    assert bad.status_code == 400
    with app.app_context():
        assert db.session.execute(
            sa.select(AuditEntry.new).where(AuditEntry.action == "bank_item.public")
        ).scalar_one() == {"public": True}


def test_stem_image(app, client, staff, tmp_path):
    app.config["QUESTION_IMAGE_FOLDER"] = str(tmp_path)
    login(client, "organiser")
    upload(client, staff, workbook(GOOD))
    q1 = row_id(app, staff, "Q1")
    wrong = edit(client, staff, q1, image=(io.BytesIO(b"GIF89a..."), "x.png"))
    assert wrong.status_code == 400 and "图片须为 PNG 或 JPEG 文件" in wrong.text
    response = edit(client, staff, q1, image=(io.BytesIO(PNG), "figure.png"))
    assert response.status_code == 302
    with app.app_context():
        name = db.session.get(QuestionItem, q1).image
    assert name and name.endswith(".png")
    assert [p.name for p in tmp_path.iterdir()] == [name]
    refused = edit(client, staff, q1, stem="氩气是惰性气体。", image=(io.BytesIO(PNG), "b.png"))
    assert refused.status_code == 400 and len(list(tmp_path.iterdir())) == 1
    page = client.get(f"/organise/banks/{staff}/items/{q1}").text
    address = f"/organise/banks/{staff}/images/{name}"
    assert address in page
    image = client.get(address)
    assert image.status_code == 200 and image.data == PNG and image.mimetype == "image/png"
    image.close()
    assert client.get(f"/organise/banks/{staff}/images/../secret_key").status_code == 404
    assert client.get(f"/organise/banks/{staff}/images/{'0' * 32}.png").status_code == 404
    judge = app.test_client()
    login(judge, "judge")
    assert judge.get(address).status_code == 403


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/organise/banks/", "/organise/banks/template.xlsx", "/organise/banks/{bank}",
     "/organise/banks/{bank}/export.json"],
)  # fmt: skip
def test_only_staff(app, staff, path):
    path = path.format(bank=staff)
    assert app.test_client().get(path).status_code == 302  # to the login page
    judge = app.test_client()
    login(judge, "judge")
    assert judge.get(path).status_code == 403
    assert upload(judge, staff, workbook(GOOD)).status_code == 403
    assert post(judge, "/organise/banks/", {"name": "x"}).status_code == 403
    admin = app.test_client()
    login(admin, "admin")
    response = admin.get(path)
    assert response.status_code == 200
    response.close()
    assert items(app, staff) == []


# The test client spools a request body over 500 KB to a temporary file it does not close:
# collected here, its warning is this test's, not a later one's.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_images_are_bounded_and_items_belong_to_their_bank(app, client, staff, tmp_path):
    app.config["QUESTION_IMAGE_FOLDER"] = str(tmp_path)
    login(client, "organiser")
    upload(client, staff, workbook(GOOD))
    q1 = row_id(app, staff, "Q1")
    big = b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024)
    response = edit(client, staff, q1, image=(io.BytesIO(big), "big.jpg"))
    assert response.status_code == 400 and "图片超过 2 MB" in response.text
    del response
    gc.collect()
    assert list(tmp_path.iterdir()) == []
    jpeg = edit(client, staff, q1, image=(io.BytesIO(b"\xff\xd8\xff\xe0" + b"\x00" * 32), "a.jpg"))
    assert jpeg.status_code == 302
    removed = edit(client, staff, q1, remove_image="y")
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.get(QuestionItem, q1).image is None
    post(client, "/organise/banks/", {"name": "另一个"})
    with app.app_context():
        other = db.session.execute(
            sa.select(QuestionBank.id).where(QuestionBank.name == "另一个")
        ).scalar_one()
    assert client.get(f"/organise/banks/{other}/items/{q1}").status_code == 404
    assert client.get("/organise/banks/999").status_code == 404


def test_the_pages_in_english(client, staff):
    login(client, "organiser")
    post(client, "/lang", {"lang": "en"})
    bad = [row("Q1", "单选题", "题", ["甲", "乙"], "C")]
    response = upload(client, staff, workbook(bad))
    assert response.status_code == 400
    assert "1 problem(s); nothing was imported." in response.text
    assert "row 2 答案: “C” is not one of the item&#39;s options (A, B)" in response.text
