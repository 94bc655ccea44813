"""The entrant's practice pages (模拟练习): the banks offered, a round of questions, and the
round marked with the keys and explanations."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import current_user

from contest.accounts.access import roles_required
from contest.accounts.models import Role
from contest.domain.exams import Item, ItemType
from contest.exams import practice
from contest.exams.models import QuestionBank
from contest.registration import services as registration

bp = Blueprint("practice", __name__)
SESSION = "practice_seed"


def _bank(bank_id: int) -> QuestionBank:
    """One of the entrant's banks, else 404."""
    mine = {bank.id: bank for bank, _ in _banks()}
    if bank_id not in mine:
        abort(404)
    return mine[bank_id]


def _banks() -> list[tuple[QuestionBank, int]]:
    return practice.banks_for(registration.entries_for_user(current_user))


@bp.get("/")
@roles_required(Role.ENTRANT)
def home():
    """The banks the entrant may practise on."""
    return render_template("exams/practice_home.html", banks=_banks())


@bp.get("/<int:bank_id>")
@roles_required(Role.ENTRANT)
def start(bank_id: int):
    """A new round of questions."""
    bank = _bank(bank_id)
    seed = practice.new_seed()
    session[SESSION] = seed
    round_ = practice.round_of(practice.offered(bank), seed)
    return render_template("exams/practice.html", bank=bank, round=round_, marked=None)


def _response(item: Item, values: list[str]) -> Any:
    if item.type == ItemType.MULTIPLE:
        return values
    if item.type == ItemType.FILL:
        return [v if v.strip() else None for v in values]
    if not values:
        return None
    if item.type == ItemType.JUDGE:
        return {"true": True, "false": False}.get(values[0], values[0])
    return values[0]


@bp.post("/<int:bank_id>")
@roles_required(Role.ENTRANT)
def check(bank_id: int):
    """The round marked: each question right or wrong, with its key and explanation."""
    bank = _bank(bank_id)
    seed = session.get(SESSION)
    if not seed:
        return redirect(url_for(".start", bank_id=bank.id))
    round_ = practice.round_of(practice.offered(bank), seed)
    given = {item.code: _response(item, request.form.getlist(f"q-{item.code}")) for item in round_}
    marked = practice.mark(round_, given)
    return render_template(
        "exams/practice.html",
        bank=bank,
        round=round_,
        marked={m.item.code: m for m in marked},
        right=sum(1 for m in marked if m.right),
    )
