"""The QR of an entry card scanned (``/card/<token>``): the door staff of the entrant's trade
get the check-in page for that entrant (name, unit, station, the ID number's last 4 to
check against the identity card); the entrant, on their own phone, goes to the theory exam
when their trade has one; anyone else learns only that the card is to be shown at the door."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from contest.core.extensions import db
from contest.events.access import can_check_in
from contest.exams.models import ExamSetting
from contest.judging.forms import CheckInForm
from contest.registration import cards

bp = Blueprint("cards", __name__)


@bp.get("/card/<token>")
def scan(token: str):
    """Where the card's QR leads, by who scans it."""
    entrant = cards.card_entrant(token)
    if entrant is None:
        abort(404)
    if current_user.is_authenticated:
        if not can_check_in(current_user, entrant.trade):
            abort(403)
        return render_template("judging/card.html", entrant=entrant, form=CheckInForm())
    has_exam = db.session.scalar(
        sa.select(ExamSetting.id).where(ExamSetting.trade_id == entrant.trade_id)
    )
    if has_exam:
        return redirect(url_for("exam.card", slug=entrant.event.slug, token=token))
    return render_template("judging/card_shown.html", event=entrant.event)
