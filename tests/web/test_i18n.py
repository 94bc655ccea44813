"""Chinese by default, English on request, every string translated."""

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po

from contest.accounts.models import User
from contest.core.extensions import db
from tests.conftest import csrf_token, login, post

ROOT = Path(__file__).resolve().parents[2]


def test_default_language_is_simplified_chinese(client, world):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "职工技能大赛平台" in page
    assert "登录" in page


def test_switch_to_english_and_back(client, world):
    response = post(client, "/lang", {"lang": "en", "next": "/e/test-games/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/e/test-games/"
    page = client.get("/e/test-games/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Skills Contest Platform" in page and "Trades" in page
    assert "职工技能大赛平台" not in page

    post(client, "/lang", {"lang": "zh_Hans_CN"})
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


def test_unknown_language_is_refused(client, world):
    response = post(client, "/lang", {"lang": "fr"})
    assert response.status_code == 400
    assert "无法识别该请求" in response.get_data(as_text=True)


def test_visitors_switch_language_without_a_token_accounts_need_one(client, world):
    response = client.post("/lang", data={"lang": "en", "next": "/"})
    assert response.status_code == 302 and "Skills Contest Platform" in client.get("/").text
    login(client, "judge")
    assert client.post("/lang", data={"lang": "zh_Hans_CN"}).status_code == 400


def test_language_switch_does_not_redirect_off_site(client, world):
    response = post(client, "/lang", {"lang": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_choice_is_saved_on_the_account(app, client, world):
    login(client, "judge")
    post(client, "/lang", {"lang": "en"})
    with app.app_context():
        locale = db.session.execute(sa.select(User.locale).where(User.username == "judge"))
        assert locale.scalar_one() == "en"
    # A new session of the same account starts in English.
    other = app.test_client()
    login(other, "judge")
    assert "My panels" in other.get("/judging/").get_data(as_text=True)


def test_form_validation_messages_are_chinese(client, world):
    response = client.post("/login", data={"csrf_token": csrf_token(client)})
    assert "该字段是必填字段" in response.get_data(as_text=True)


def test_dates_follow_the_language(client, world):
    assert "2026年5月10日" in client.get("/").get_data(as_text=True)
    post(client, "/lang", {"lang": "en"})
    assert "May 10, 2026" in client.get("/").get_data(as_text=True)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Every translatable string in the code and templates, freshly extracted."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [
            str(pybabel),
            "--quiet",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "N_",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_every_string_is_translated(extracted, locale):
    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    done = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(extracted - done)
    assert not missing, f"untranslated in {locale}: {missing}"
