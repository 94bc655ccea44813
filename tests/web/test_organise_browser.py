"""The organiser's list editors driven as a browser without JavaScript drives them: read
the form on the page, press a row button, change what a person would change, submit.

``page_form`` is shared by the other organiser tests."""

from __future__ import annotations

from html.parser import HTMLParser

import sqlalchemy as sa

from contest.core.audit import AuditEntry
from contest.core.extensions import db
from contest.events.models import Criterion, Trade
from tests.conftest import login


class FormReader(HTMLParser):
    """Collects each form's successful controls, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def _add(self, name, value):
        self.forms[-1]["fields"].append((name, value))

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": []})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(a["name"], a.get("value", "on"))
            elif kind not in ("submit", "button", "image", "reset"):
                self._add(a["name"], a.get("value", ""))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected]
            for value in chosen or [v for v, _ in self._options[:1]]:
                self._add(self._select, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea, self._text.removeprefix("\n"))
            self._textarea = None


def page_form(client, path: str, action: str | None = None) -> dict:
    """The data the page's form would submit: its main form, or the one posting to
    ``action``. A name given several times (checkboxes) maps to a list."""
    reader = FormReader()
    reader.feed(client.get(path).get_data(as_text=True))
    forms = [f for f in reader.forms if "/lang" not in f["action"] and "/logout" not in f["action"]]
    if action is not None:
        forms = [f for f in forms if f["action"].endswith(action)]
    else:
        forms = [f for f in forms if f["action"] == ""]
    assert forms, f"no such form on {path}"
    data: dict = {}
    for name, value in forms[0]["fields"]:
        if name in data:
            data[name] = [*(data[name] if isinstance(data[name], list) else [data[name]]), value]
        else:
            data[name] = value
    return data


def _trade(app, code="WELD"):
    with app.app_context():
        return db.session.execute(sa.select(Trade).where(Trade.code == code)).scalar_one()


def _criteria(app, trade_id):
    with app.app_context():
        return [
            (c.code, c.name, str(c.max), c.position)
            for c in db.session.execute(
                sa.select(Criterion)
                .where(Criterion.trade_id == trade_id)
                .order_by(Criterion.position)
            ).scalars()
        ]


def test_add_a_criterion_with_the_button_then_save(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/trades/{world.weld}"
    data = page_form(client, path)
    assert data["components-1-criteria-1-code"] == "P2"

    response = client.post(path, data={**data, "action": "add-criterion:1"})
    assert response.status_code == 200  # the same form, one row longer, nothing saved
    page = response.get_data(as_text=True)
    assert 'name="components-1-criteria-2-code"' in page
    assert len(_criteria(app, world.weld)) == 2

    reader = FormReader()
    reader.feed(page)
    data = dict(reader.forms[-1]["fields"]) | {"csrf_token": data["csrf_token"]}
    data.update(
        {
            "components-1-criteria-2-code": "P3",
            "components-1-criteria-2-name": "安全文明",
            "components-1-criteria-2-max": "10",
            "action": "save",
        }
    )
    response = client.post(path, data=data)
    assert response.status_code == 302
    assert _criteria(app, world.weld)[-1] == ("P3", "安全文明", "10", 2)


def test_row_buttons_move_and_remove_without_saving(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/trades/{world.weld}"
    data = page_form(client, path)
    page = client.post(path, data={**data, "action": "down-criterion:1:0"}).get_data(as_text=True)
    assert page.index('value="P2"') < page.index('value="P1"')
    page = client.post(path, data={**data, "action": "remove-criterion:1:0"}).get_data(as_text=True)
    assert 'value="P1"' not in page and 'value="P2"' in page
    page = client.post(path, data={**data, "action": "add-breaker"}).get_data(as_text=True)
    assert 'name="tie_breakers-0"' in page and "criterion:P1" in page
    assert [c[0] for c in _criteria(app, world.weld)] == ["P1", "P2"]  # nothing saved


def test_reordered_criteria_keep_their_rows_and_swapped_codes_are_fine(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/trades/{world.weld}"
    before = _criteria(app, world.weld)
    data = page_form(client, path)
    data["components-1-criteria-0-code"], data["components-1-criteria-1-code"] = "P2", "P1"
    assert client.post(path, data=data).status_code == 302
    after = _criteria(app, world.weld)
    assert [(c[0], c[1]) for c in after] == [("P2", "评分项1"), ("P1", "评分项2")]
    with app.app_context():
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "trade.update")
        ).scalar_one()
        assert entry.old["components"][1]["criteria"][0]["code"] == "P1"
        assert entry.new["components"][1]["criteria"][0]["code"] == "P2"
    assert len(before) == len(after)


def test_pressing_enter_saves_rather_than_pressing_a_row_button(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/trades/{world.weld}"
    page = client.get(path).get_data(as_text=True)
    first_button = page.index("<button", page.index('class="form organise-editor"'))
    assert 'value="save"' in page[first_button : first_button + 120]


def test_award_rules_editor_adds_moves_and_removes_rows(app, client, world):
    login(client, "organiser")
    path = f"/organise/events/{world.event_id}/awards"
    data = page_form(client, path)
    page = client.post(path, data={**data, "action": "add-rule"}).get_data(as_text=True)
    assert 'name="award_rules-0-code"' in page
    reader = FormReader()
    reader.feed(page)
    data = dict(reader.forms[-1]["fields"]) | {"csrf_token": data["csrf_token"]}
    data |= {"award_rules-0-code": "gold", "award_rules-0-title": "金牌", "action": "add-rule"}
    page = client.post(path, data=data).get_data(as_text=True)
    assert 'name="award_rules-1-code"' in page and 'value="gold"' in page
    data |= {"award_rules-1-code": "silver", "action": "up-rule:1"}
    data["award_rules-1-select-way"] = "top"
    page = client.post(path, data=data).get_data(as_text=True)
    assert page.index('value="silver"') < page.index('value="gold"')
    page = client.post(path, data={**data, "action": "remove-rule:0"}).get_data(as_text=True)
    assert 'value="gold"' not in page
