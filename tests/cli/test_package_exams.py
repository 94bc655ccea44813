"""import-package refuses theory exams (EXAMS.md §5) until the database can store them: the
package reader reads and computes them, the importer names every part to remove, exits 1 and
changes nothing."""

import sqlalchemy as sa

from contest.core.extensions import db
from contest.events.models import Event
from tests.cli.test_packages import database_content, run, write
from tests.packages import exam_package, small_package


def test_a_package_with_exams_is_refused_and_changes_nothing(app, runner, tmp_path):
    assert run(runner, "import-package", write(tmp_path, small_package())).exit_code == 0
    before = database_content(app)
    result = run(runner, "import-package", write(tmp_path, exam_package(), "exam.json"))
    assert result.exit_code == 1
    assert "赛事数据包未导入" in result.stderr
    lines = [line.strip() for line in result.stderr.splitlines()]
    for path in ("question_bank", "exams", "answers", "scores[0].item"):
        line = next((ln for ln in lines if ln.startswith(f"{path}: ")), "")
        assert "理论考试" in line and "暂不能导入数据库" in line, result.stderr
        assert "请去掉 question_bank、exams、answers" in line
    assert database_content(app) == before
    with app.app_context():
        slugs = db.session.execute(sa.select(Event.slug)).scalars().all()
    assert slugs == ["small-games"]


def test_the_refusal_in_english(runner, tmp_path):
    document = exam_package()
    del document["answers"], document["scores"][:5]  # no attempts, no marks of items
    result = runner.invoke(
        args=["import-package", str(write(tmp_path, document))], env={"LANG": "en_US.UTF-8"}
    )
    assert result.exit_code == 1
    lines = [line.strip() for line in result.stderr.splitlines()]
    assert [ln.split(":")[0] for ln in lines[1:]] == ["question_bank", "exams"]
    assert "cannot be imported into the database yet" in lines[1]
    assert "remove question_bank, exams, answers" in lines[1]
