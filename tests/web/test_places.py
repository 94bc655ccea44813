"""Places per unit and trade (名额分配): set in the grid or from Excel, shown on the unit's page
("焊工：限报 2 人，已报 1 人"), counted by registration, and the units with more entries than
their new places named when an organiser cuts them."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.events.models import UnitPlaces
from tests.conftest import csrf_token, login
from tests.web.test_organise_browser import page_form


def address(world) -> str:
    return f"/organise/events/{world.event_id}/places"


def cell(world, unit, trade) -> str:
    return f"p-{getattr(world, 'unit_' + unit)}-{getattr(world, trade)}"


def save(client, world, **cells):
    token = csrf_token(client, address(world))
    return client.post(address(world), data={"csrf_token": token, **cells})


def stored(app) -> set[tuple[int, int, int]]:
    with app.app_context():
        return set(db.session.execute(sa.select(UnitPlaces.unit_id, UnitPlaces.trade_id,
                                                UnitPlaces.places)))  # fmt: skip


def test_places_set_in_the_grid_show_on_the_units_page(app, client, world):
    login(client, "organiser")
    page = client.get(address(world))
    assert page.status_code == 200 and "焊工" in page.text and "电工" in page.text
    done = save(client, world, **{cell(world, "a", "weld"): "2", cell(world, "b", "elec"): "0"})
    assert done.status_code == 302
    assert stored(app) == {(world.unit_a, world.weld, 2), (world.unit_b, world.elec, 0)}
    contact = app.test_client()
    login(contact, "unit_contact")
    unit = contact.get(f"/unit/{world.unit_a}").text
    assert "焊工：限报 2 人，已报 1 人" in unit
    with app.app_context():
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "places.set")
        ).scalar_one()
        assert {c["trade"] for c in entry.new["changes"]} == {"WELD", "ELEC"}
    # Back to the trade's quota: the cell emptied.
    assert save(client, world, **{cell(world, "b", "elec"): "0"}).status_code == 302
    assert stored(app) == {(world.unit_b, world.elec, 0)}


def test_cutting_places_below_the_entries_names_who_is_over(app, client, world):
    login(client, "organiser")
    save(client, world, **{cell(world, "a", "weld"): "0"})
    page = client.get(address(world)).text
    assert "超出名额" in page
    assert re.search(
        r"A单位 · 焊工：限报 0 人，已报 1 人|A[^<]* · 焊工：限报 0 人，已报 1 人", page
    )


@pytest.mark.parametrize("raw", ["-1", "two", "1.5", "1000"])
def test_a_cell_that_is_no_whole_number_saves_nothing(app, client, world, raw):
    login(client, "organiser")
    refused = save(client, world, **{cell(world, "a", "weld"): "2", cell(world, "b", "weld"): raw})
    assert refused.status_code == 400 and "未保存" in refused.text
    assert f'value="{raw}"' in refused.text  # what was typed stays
    assert stored(app) == set()


def test_places_round_trip_through_excel(app, client, world):
    login(client, "organiser")
    save(client, world, **{cell(world, "a", "weld"): "3"})
    sheet = client.get(f"{address(world)}.xlsx")
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(sheet.data))
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert rows[0][:2] == ["单位代码", "单位"] and rows[0][2].startswith("焊工")
    rows[2][2] = 5  # unit B, WELD
    rows[1][3] = 1  # unit A, ELEC
    filled = Workbook()
    for row in rows:
        filled.active.append(row)
    data = io.BytesIO()
    filled.save(data)
    token = csrf_token(client, address(world))
    done = client.post(
        f"{address(world)}/upload",
        data={"csrf_token": token, "file": (io.BytesIO(data.getvalue()), "places.xlsx")},
    )
    assert done.status_code == 302
    assert stored(app) == {
        (world.unit_a, world.weld, 3),
        (world.unit_b, world.weld, 5),
        (world.unit_a, world.elec, 1),
    }


def test_a_sheet_with_bad_cells_is_refused_naming_row_and_column(app, client, world):
    login(client, "organiser")
    book = Workbook()
    sheet = book.active
    sheet.append(["单位代码", "单位", "焊工（WELD）", "电工（ELEC）"])
    sheet.append(["A", "A", "x", 2])
    sheet.append(["Z", "无此单位", 1, 1])
    data = io.BytesIO()
    book.save(data)
    token = csrf_token(client, address(world))
    refused = client.post(
        f"{address(world)}/upload",
        data={"csrf_token": token, "file": (io.BytesIO(data.getvalue()), "places.xlsx")},
    )
    assert refused.status_code == 400
    assert "第 2 行" in refused.text and "焊工（WELD）" in refused.text
    assert "没有单位 Z" in refused.text
    assert stored(app) == set()


def test_registration_counts_against_the_units_places(app, client, world):
    login(client, "organiser")
    save(client, world, **{cell(world, "a", "elec"): "1"})  # A has E3 in ELEC already
    from contest.domain.registration import over_quota
    from contest.events.models import Event
    from contest.registration import places
    from contest.registration import services as registration

    with app.app_context():
        event = db.session.get(Event, world.event_id)
        rules = registration.rules_for(event)
        assert rules.quota("A", "ELEC") == 1 and rules.quota("B", "ELEC") is None
        assert over_quota(rules, places.entered(event)) == []


def test_places_are_the_organisers(client, world):
    login(client, "unit_contact")
    assert client.get(address(world)).status_code == 403


def test_tightening_a_trades_quota_names_the_units_over_it(app, client, world):
    """Both A and B have one welder; cutting the welding quota per unit to 1 is fine, a
    unit given 0 places is named with its entries."""
    login(client, "organiser")
    save(client, world, **{cell(world, "b", "weld"): "0"})
    path = f"/organise/events/{world.event_id}/trades/{world.weld}"
    data = page_form(client, path)
    saved = client.post(path, data={**data, "unit_quota": "1"}, follow_redirects=True)
    assert saved.status_code == 200
    assert "超出名额" in saved.text and "（限报 0 人，已报 1 人）" in saved.text
    warning = saved.text.split("超出名额：")[1].split("</p>")[0]
    assert "B区总工会" in warning and "A区总工会" not in warning
