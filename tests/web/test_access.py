"""Every role reaches its own pages and is refused (403, not 500) everywhere else."""

import re

import pytest

from tests.conftest import login

# Each role's home and the roles allowed there.
HOMES = {
    "/admin/": {"admin"},
    "/organise/": {"admin", "organiser"},
    "/unit/": {"unit_contact"},
    "/judging/": {"judge", "chief_judge"},
    "/me/": {"entrant"},
}
ROLES = ["admin", "organiser", "unit_contact", "chief_judge", "judge", "entrant"]


@pytest.mark.parametrize("role", ROLES)
def test_role_homes(client, world, role):
    login(client, role)
    for path, allowed in HOMES.items():
        status = client.get(path).status_code
        expected = {200, 302} if role in allowed else {403}
        assert status in expected, f"{role} → {path}: {status}"


@pytest.mark.parametrize("role", ROLES)
def test_home_redirects_to_own_page(client, world, role):
    login(client, role)
    target = client.get("/home").headers["Location"]
    assert client.get(target, follow_redirects=True).status_code == 200


def test_forbidden_page_is_friendly_and_translated(client, world):
    login(client, "judge")
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "您的账号无权访问此页面" in response.get_data(as_text=True)


def test_unit_contact_sees_only_own_unit(client, world):
    login(client, "unit_contact")
    assert client.get("/unit/").headers["Location"] == f"/unit/{world.unit_a}"
    assert client.get(f"/unit/{world.unit_a}").status_code == 200
    assert client.get(f"/unit/{world.unit_b}").status_code == 403
    assert client.get("/unit/999999").status_code == 404


def test_unit_page_masks_resident_ids(client, world):
    login(client, "unit_contact")
    page = client.get(f"/unit/{world.unit_a}").get_data(as_text=True)
    assert world.id_number not in page
    assert world.id_number[:4] + "*" * 10 + world.id_number[-4:] in page
    assert "138****5678" in page and "13812345678" not in page


def test_organiser_may_open_any_unit(client, world):
    login(client, "organiser")
    assert client.get(f"/unit/{world.unit_b}").status_code == 200
    assert client.get(f"/organise/events/{world.event_id}").status_code == 200


def test_judge_sees_only_own_panel_and_no_names(client, world):
    login(client, "judge")
    response = client.get(f"/judging/trades/{world.weld}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "A001" in page and "A002" in page  # station codes, not names
    assert "选手E1" not in page and "选手E2" not in page
    assert "回避" in page  # the judge is from unit B: recused from E2
    assert "裁判组进度" not in page  # panel progress is for the chief judge only
    assert client.get(f"/judging/trades/{world.elec}").status_code == 403


def test_chief_judge_sees_panel_progress(client, world):
    login(client, "chief_judge")
    page = client.get(f"/judging/trades/{world.weld}").get_data(as_text=True)
    assert "裁判组进度" in page
    assert "裁判J2" in page


@pytest.mark.parametrize("role", ["unit_contact", "judge", "chief_judge", "entrant"])
def test_non_staff_cannot_open_event_management(client, world, role):
    login(client, role)
    assert client.get(f"/organise/events/{world.event_id}").status_code == 403


def test_entrant_sees_own_entry_masked(client, world):
    login(client, "entrant")
    page = client.get("/me/").get_data(as_text=True)
    assert "焊工" in page
    assert world.id_number not in page
    assert re.search(r"\d{4}\*{10}[\dX]{4}", page)


def test_admin_pages_refuse_organisers(client, world):
    login(client, "organiser")
    assert client.post("/admin/users", data={}).status_code in {400, 403}
    assert client.get("/admin/users/1/password").status_code == 403
