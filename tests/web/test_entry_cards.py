"""Entry cards (参赛证): a PDF of cards, each with its QR; the QR decoded from the printed
PDF leads the door staff to the entrant's check-in, the entrant to the theory exam (when the
trade has one), anyone else to a page that names no one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from contest.core.extensions import db
from contest.registration.models import CheckIn, Entrant
from tests.conftest import csrf_token, login

needs_tools = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg") and shutil.which("pdftotext")),
    reason="pdftoppm, pdftotext and zbarimg (poppler-utils, zbar-tools) are needed",
)


def qr_codes(pdf: bytes, folder: Path) -> list[str]:
    """Every QR code on the PDF's pages, as zbarimg reads the rendered pages."""
    (folder / "cards.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", str(folder / "cards.pdf"), str(folder / "page")],
        check=True,
    )
    found = []
    for page in sorted(folder.glob("page*.png")):
        out = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(page)], capture_output=True, text=True
        )
        found += [line for line in out.stdout.splitlines() if line]
    return found


@needs_tools
def test_the_cards_qr_checks_the_entrant_in(app, client, world, tmp_path):
    login(client, "organiser")
    pdf = client.get(f"/registration/trades/{world.weld}/cards.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    (tmp_path / "c.pdf").write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "参赛证" in text and "焊工" in text and "E1" in text
    codes = qr_codes(pdf.data, tmp_path)
    assert len(codes) == 2  # E1 and E2 of the welding trade
    with app.app_context():
        e1 = db.session.execute(sa.select(Entrant).where(Entrant.code == "E1")).scalar_one()
        name = e1.name
    scans = {client.get(urlsplit(c).path).text.count(name) > 0: c for c in codes}
    page = client.get(urlsplit(scans[True]).path)
    assert page.status_code == 200 and "到场" in page.text
    token = csrf_token(client, urlsplit(scans[True]).path)
    done = client.post(
        f"/registration/trades/{world.weld}/check-in/{e1.id}",
        data={"csrf_token": token, "present": "到场"},
    )
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Entrant, e1.id).check_in == CheckIn.PRESENT
    # Anyone else scanning the card learns no name.
    visitor = app.test_client()
    shown = visitor.get(urlsplit(scans[True]).path)
    assert shown.status_code == 200 and name not in shown.text
    # Another trade's door staff may not check the welder in.
    other = app.test_client()
    login(other, "unit_contact")
    assert other.get(urlsplit(scans[True]).path).status_code == 403


def test_an_altered_card_leads_nowhere(client, world):
    assert client.get("/card/not-a-card").status_code == 404
