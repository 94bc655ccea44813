"""Published documents: award lists as PDF and Excel, certificates with a QR code, and the
public verification page the QR code opens."""

import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from PIL import Image

from contest.accounts.models import Role, User
from contest.core.extensions import db
from contest.domain.package import read_package
from contest.events.models import Event
from contest.packages import importing
from contest.publication import certificates, documents, final
from contest.publication import services as publications
from contest.publication.models import Certificate, Decision, Objection, ObjectionAction
from contest.registration.models import Entrant
from tests.conftest import login, post
from tests.factories import make_user, sign_off
from tests.packages import small_package

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"
HEADER = ["奖项", "序号", "姓名", "单位", "工种", "名次", "总成绩", "晋升等级", "证书编号"]


def _import_games():
    """The small package's event, every trade signed off by its chief judge."""
    package = read_package(json.loads(json.dumps(small_package()), parse_float=Decimal))
    event = importing.import_package(package).event
    event.host = "示范市总工会"
    sign_off(*event.trades)
    return event


@pytest.fixture
def games(app):
    """The small package's event with its results published: 金牌工人 张伟 (E1) and 赵敏 (E4),
    晋升 张伟 to 技师; 技术能手 李娜 (E2) was taken off that list by an upheld objection."""
    with app.app_context():
        for role in (Role.ORGANISER, Role.UNIT_CONTACT, Role.JUDGE, Role.ENTRANT):
            make_user(role, username=role.value)
        event = _import_games()
        db.session.flush()
        publications.publish_notice(event)
        db.session.add(
            Objection(
                event_id=event.id, award_code="expert", entrant_code="E2", name="王某",
                phone="13812345678", text="该选手理论成绩登记有误。", status=Decision.UPHELD,
                action=ObjectionAction.REMOVE, decision_reason="复核后成绩不符合条件",
            )
        )  # fmt: skip
        final.publish_results(event)
        db.session.commit()
        codes = {
            (award, entrant): code
            for award, entrant, code in db.session.execute(
                sa.select(Certificate.award_code, Entrant.code, Certificate.code).join(
                    Entrant, Entrant.id == Certificate.entrant_id
                )
            )
        }
        return SimpleNamespace(event_id=event.id, slug=event.slug, codes=codes)


@pytest.fixture
def unpublished(app):
    """The same event, scored and with award rules, but nothing published yet."""
    with app.app_context():
        make_user(Role.ORGANISER, username="organiser")
        event = _import_games()
        db.session.commit()
        return SimpleNamespace(
            event_id=event.id, slug=event.slug, code=certificates.make_code(event, 1)
        )


# --- helpers ---------------------------------------------------------------------------------


def _need(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} (poppler-utils) is not installed")
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    if "Noto Sans CJK" not in fonts:
        pytest.skip("the Noto CJK fonts (fonts-noto-cjk) are not installed")


def _text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")


def _png(pdf: bytes, name: str, resolution: int = 110) -> Image.Image:
    """The first page rendered by poppler, saved as evidence under test-artifacts/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(resolution), "-singlefile", "-", str(ARTIFACTS / name)],
        input=pdf, capture_output=True, check=True,
    )  # fmt: skip
    with Image.open(ARTIFACTS / f"{name}.png") as image:
        return image.copy()


def _download(client, path: str):
    response = client.get(path)
    data = response.data
    response.close()
    return response, data


def _attachment(response, name: str) -> None:
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    disposition.encode("latin-1")  # the header itself stays ASCII-safe


# --- award lists -----------------------------------------------------------------------------


def test_award_lists_pdf_shows_chinese_names_and_titles(client, games):
    response, pdf = _download(client, f"/e/{games.slug}/awards.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert pdf.startswith(b"%PDF")
    _attachment(response, "小型测试赛-获奖名单.pdf")
    _need("pdftotext", "pdftoppm", "pdffonts")

    text = _text(pdf)
    names = ["小型测试赛", "获奖名单", "金牌工人", "技术能手", "晋升", "张伟", "赵敏"]
    names += ["一号区总工会", "焊工", "技师", "87.08", games.codes[("gold", "E1")]]
    for expected in [*names, *HEADER[1:]]:
        assert expected in text, expected
    # The upheld objection: 李娜 is off the 技术能手 list, and the change is listed with its reason.
    assert "公示后的变更" in text and "李娜" in text and "复核后成绩不符合条件" in text
    assert "本名单无人" in text
    assert "\ufffd" not in text and "□" not in text

    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
    cjk = [line for line in fonts.stdout.decode().splitlines() if "Noto-Sans-CJK" in line]
    assert cjk and all(line.split()[-5:-2] == ["yes"] * 3 for line in cjk)  # emb, sub, uni

    page = _png(pdf, "awards").convert("L")
    assert page.width > page.height  # A4 landscape
    dark = sum(page.histogram()[:128])
    assert dark > 2000  # real glyphs drawn, not an empty page


def test_award_lists_workbook_has_the_header_and_rows(client, games):
    response, data = _download(client, f"/e/{games.slug}/awards.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    _attachment(response, "小型测试赛-获奖名单.xlsx")
    book = load_workbook(io.BytesIO(data))
    sheet = book["获奖名单"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    gold_e1, gold_e4 = games.codes[("gold", "E1")], games.codes[("gold", "E4")]
    assert rows[1] == ["金牌工人", 1, "张伟", "一号区总工会", "焊工", 1, 87.08, None, gold_e1]
    assert rows[2][:4] == ["金牌工人", 2, "赵敏", "一号区总工会"] and rows[2][8] == gold_e4
    assert rows[3] == [
        "晋升", 1, "张伟", "一号区总工会", "焊工", 1, 87.08, "技师", games.codes[("promote", "E1")],
    ]  # fmt: skip
    assert len(rows) == 4  # 技术能手 is empty after the objection
    assert sheet["G2"].number_format == "0.00"
    changes = [list(row) for row in book["公示后的变更"].iter_rows(values_only=True)]
    assert changes[1] == ["技术能手", "E2", "李娜", "从名单中撤销", "复核后成绩不符合条件"]


def test_nothing_is_shown_before_the_results_are_published(app, client, unpublished):
    for path in (
        f"/e/{unpublished.slug}/awards.pdf",
        f"/e/{unpublished.slug}/awards.xlsx",
        f"/certificates/{unpublished.code}.pdf",
        f"/verify/{unpublished.code}",
        "/e/no-such-event/awards.pdf",
    ):
        assert client.get(path).status_code == 404, path
    login(client, "organiser")
    bundle = client.get(f"/documents/events/{unpublished.event_id}/certificates.pdf")
    assert bundle.status_code == 404
    with app.app_context():  # the notice alone does not publish the final lists
        publications.publish_notice(db.session.get(Event, unpublished.event_id))
        db.session.commit()
    assert client.get(f"/e/{unpublished.slug}/awards.pdf").status_code == 404


# --- certificates ----------------------------------------------------------------------------


def test_certificate_qr_code_opens_its_verification_page(app, client, games):
    code = games.codes[("gold", "E1")]
    response, pdf = _download(client, f"/certificates/{code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    _attachment(response, f"荣誉证书-张伟-{code}.pdf")
    _need("pdftotext", "pdftoppm")
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (requirements-dev) is missing")

    text = _text(pdf)
    for expected in ("荣誉证书", "张伟", "一号区总工会", "焊工", "金牌工人", "小型测试赛",
                     "示范市总工会", code):  # fmt: skip
        assert expected in text, expected
    page = _png(pdf, "certificate", resolution=150)
    assert page.width > page.height  # A4 landscape
    found = zxingcpp.read_barcodes(page)
    assert [b.format for b in found] == [zxingcpp.BarcodeFormat.QRCode]
    url = found[0].text
    assert url == f"http://127.0.0.1:5000/verify/{code}"  # the public address (development)

    verified = client.get(urlsplit(url).path)
    page_text = verified.get_data(as_text=True)
    assert verified.status_code == 200
    assert "证书真实有效" in page_text and "未查到该证书" not in page_text
    for expected in ("张伟", "一号区总工会", "焊工", "金牌工人", "小型测试赛", code):
        assert expected in page_text, expected

    last = code[-1]
    tampered = code[:-1] + ("0" if last != "0" else "1")
    refused = client.get(f"/verify/{tampered}")
    assert refused.status_code == 404
    refused_text = refused.get_data(as_text=True)
    assert "未查到该证书，证书可能不真实" in refused_text and "张伟" not in refused_text
    assert client.get(f"/certificates/{tampered}.pdf").status_code == 404


def test_a_well_formed_number_that_was_never_issued_is_not_genuine(app, client, games):
    with app.app_context():
        never = certificates.make_code(db.session.get(Event, games.event_id), 999)
    assert client.get(f"/verify/{never}").status_code == 404
    assert client.get(f"/certificates/{never}.pdf").status_code == 404
    assert client.get("/verify/" + "A" * 500).status_code == 404


def test_the_verify_form_takes_a_typed_number(client, games):
    form = client.get("/verify")
    assert form.status_code == 200 and 'name="code"' in form.get_data(as_text=True)
    code = games.codes[("promote", "E1")]
    typed = client.get("/verify", query_string={"code": f"  {code.lower()} "})
    assert typed.status_code == 302 and typed.headers["Location"] == f"/verify/{code}"
    page = client.get(typed.headers["Location"]).get_data(as_text=True)
    assert "证书真实有效" in page and "晋升" in page and "技师" in page


def test_organisers_download_every_certificate_in_one_pdf(app, client, games):
    path = f"/documents/events/{games.event_id}/certificates.pdf"
    assert client.get(path).status_code == 302  # anonymous: log in first
    for username in ("unit_contact", "judge", "entrant"):
        other = app.test_client()
        login(other, username)
        assert other.get(path).status_code == 403, username
    login(client, "organiser")
    response, pdf = _download(client, path)
    assert response.status_code == 200 and pdf.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "private, no-store"
    _attachment(response, "小型测试赛-证书.pdf")
    _need("pdftotext", "pdfinfo")
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    assert "Pages:           3" in info.decode()  # 金牌工人 ×2, 晋升 ×1
    text = _text(pdf)
    assert "赵敏" in text and "晋升" in text and "李娜" not in text
    for code in games.codes.values():
        assert code in text


def test_documents_follow_the_visitors_language(client, games):
    chinese = load_workbook(io.BytesIO(client.get(f"/e/{games.slug}/awards.xlsx").data))
    assert next(chinese["获奖名单"].iter_rows(values_only=True))[1] == "序号"
    post(client, "/lang", {"lang": "en"})
    response = client.get(f"/e/{games.slug}/awards.xlsx")  # not the cached Chinese file
    english = load_workbook(io.BytesIO(response.data))
    assert next(english["Award lists"].iter_rows(values_only=True))[:3] == ("Award", "No.", "Name")
    page = client.get(f"/verify/{games.codes[('gold', 'E1')]}").get_data(as_text=True)
    assert "This certificate is genuine and valid." in page and "张伟" in page
    refused = client.get("/verify/2026001-00001-000000").get_data(as_text=True)
    assert "may not be genuine" in refused


PAYLOAD = {
    "entrants": {"E2": {"name": "李娜"}, "E4": {"name": "赵敏"}},
    "changes": [
        {"award": "expert", "award_title": "技术能手", "entrant": "E2", "action": "remove",
         "to": None, "to_title": None, "reason": "不符合条件"},
        {"award": "gold", "award_title": "金牌工人", "entrant": "E4", "action": "change",
         "to": "expert", "to_title": "技术能手", "reason": "名次有误"},
    ],
}  # fmt: skip


def test_changes_say_what_each_upheld_objection_did(app):
    with app.test_request_context():  # in the visitor's language (Chinese by default)
        changes = documents.changes(SimpleNamespace(payload=PAYLOAD))
    assert [(c.award, c.name, c.what, c.reason) for c in changes] == [
        ("技术能手", "李娜", "从名单中撤销", "不符合条件"),
        ("金牌工人", "赵敏", "改列入“技术能手”名单", "名次有误"),
    ]


def test_an_entrant_finds_their_certificates_on_their_own_page(app, client, games):
    with app.app_context():
        entrant = db.session.execute(sa.select(Entrant).where(Entrant.code == "E1")).scalar_one()
        entrant.user = db.session.execute(
            sa.select(User).where(User.username == "entrant")
        ).scalar_one()
        db.session.commit()
    login(client, "entrant")
    page = client.get("/me/").get_data(as_text=True)
    code = games.codes[("gold", "E1")]
    assert f"/certificates/{code}.pdf" in page and "金牌工人" in page
    assert _download(client, f"/certificates/{code}.pdf")[1].startswith(b"%PDF")
