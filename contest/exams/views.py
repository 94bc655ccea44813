"""The exam pages an entrant sits on (EXAMS.md §4), on a tablet, a PC or a phone: sign in
with the admission number and the ID number's last 4 characters, the paper, and the JSON
calls the page makes — the state (the server's clock, pause, end), each answer's save with
its idempotency key and the revision it changed, and the hand-in.

The entrant is not an account: the sign-in keeps the entrant's id in the session, and signing
in on another device resumes the same sitting."""

from __future__ import annotations

import re
from functools import partial, wraps
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from contest.accounts.limits import failed_logins
from contest.core.extensions import db
from contest.core.refusals import as_json
from contest.core.types import utcnow
from contest.core.web import on_refusal
from contest.events.models import Event
from contest.exams import bank
from contest.exams import sitting as sittings
from contest.exams.forms import SignInForm
from contest.exams.models import ExamSetting, ExamSitting, SittingEnd
from contest.registration.models import Entrant

bp = Blueprint("exam", __name__)

#: An idempotency key: what the page makes (a random id), nothing else.
KEY = re.compile(r"^[A-Za-z0-9_-]{8,48}$")
SESSION = "exam_entrant"


def _event(slug: str) -> Event:
    return db.first_or_404(sa.select(Event).where(Event.slug == slug))


def signed_in(page: bool = False):
    """The signed-in entrant of the event and the exam of their trade, passed to the view;
    when nobody of this event is signed in on this device, a page goes to the sign-in page
    and a call is answered 401."""

    def decorator(view):
        @wraps(view)
        def wrapped(slug: str, **kwargs):
            event = _event(slug)
            entrant = db.session.get(Entrant, session.get(SESSION) or 0)
            if entrant is None or entrant.event_id != event.id:
                if page:
                    return redirect(url_for(".sign_in", slug=slug))
                raise sittings.SittingError(sittings.SittingError.SIGNED_OUT)
            return view(event, entrant, sittings.exam_of(entrant), **kwargs)

        return wrapped

    return decorator


def _sign_in_page(event: Event, form: SignInForm, status: int = 200) -> ResponseReturnValue:
    return render_template("exams/sign_in.html", event=event, form=form, bare=True), status


@bp.route("/<slug>/", methods=["GET", "POST"])
@partial(failed_logins, field="admission")
def sign_in(slug: str):
    """The sign-in page of the event's exams: a wrong number or ID counts as a failed
    login."""
    event = _event(slug)
    form = SignInForm()
    if form.validate_on_submit():
        on_refusal(lambda refused: _sign_in_page(event, form), form, field="last4")
        entrant = sittings.sign_in(event, form.admission.data, form.last4.data)
        sittings.exam_of(entrant)
        session[SESSION] = entrant.id
        return redirect(url_for(".paper", slug=slug))
    return _sign_in_page(event, form, 400 if form.is_submitted() else 200)


@bp.get("/<slug>/card/<token>")
def card(slug: str, token: str):
    """Signed in by the QR on the entrant's card, to the paper."""
    event = _event(slug)
    entrant = sittings.card_entrant(event, token)
    sittings.exam_of(entrant)
    session[SESSION] = entrant.id
    return redirect(url_for(".paper", slug=slug))


@bp.get("/<slug>/paper")
@signed_in(page=True)
def paper(event: Event, entrant: Entrant, setting: ExamSetting):
    """The entrant's paper; the sitting starts (or resumes) on opening it."""
    if not sittings.has_opened(setting, utcnow()) and sittings.sitting_of(setting, entrant) is None:
        return render_template(
            "exams/waiting.html", event=event, entrant=entrant, setting=setting, bare=True
        )
    found = sittings.start(setting, entrant)
    state = sittings.state(found, setting)
    if found.ended_at is not None:
        return redirect(url_for(".done", slug=event.slug))
    return render_template(
        "exams/paper.html",
        event=event,
        entrant=entrant,
        setting=setting,
        sitting=found,
        parts=sittings.paper(setting, entrant),
        state=state,
        bare=True,
    )


def _state_json(found: ExamSitting, state: sittings.State) -> dict[str, Any]:
    return {
        "left": state.left,
        "paused": state.paused,
        "ended": state.ended.value if state.ended else None,
        "answers": {
            code: {"response": response, "revision": revision}
            for code, (response, revision) in state.answers.items()
        },
    }


def _sitting(setting: ExamSetting, entrant: Entrant) -> ExamSitting:
    found = sittings.sitting_of(setting, entrant)
    if found is None:
        raise sittings.SittingError(sittings.SittingError.NOT_OPEN)
    return found


@bp.get("/<slug>/state")
@signed_in()
def state(event: Event, entrant: Entrant, setting: ExamSetting):
    """Seconds left by the server's clock, paused or ended, and the stored answers."""
    found = _sitting(setting, entrant)
    return jsonify(_state_json(found, sittings.state(found, setting)))


@bp.post("/<slug>/answers")
@signed_in()
def save(event: Event, entrant: Entrant, setting: ExamSetting):
    """Save one answer: ``{"item", "response", "base"}`` with an ``Idempotency-Key``."""
    key = request.headers.get("Idempotency-Key", "")
    if not KEY.match(key):
        raise sittings.SittingError(sittings.SittingError.BAD_KEY)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("item"), str):
        raise sittings.SittingError(sittings.SittingError.UNREADABLE)
    base = body.get("base", 0)
    if not isinstance(base, int) or isinstance(base, bool) or base < 0:
        base = -1  # never the stored revision: refused as stale
    found = _sitting(setting, entrant)
    if sittings.ended_if_over(found, setting, utcnow()):
        # Answered, not raised: the end of the time is kept when the save is refused.
        over = sittings.SittingError(
            sittings.SittingError.TIME_UP
            if found.ended_how == SittingEnd.TIME
            else sittings.SittingError.ENDED
        )
        return jsonify(as_json(over)), over.status
    saved = sittings.save_answer(found.id, body["item"], body.get("response"), base, key)
    headers = {"Idempotent-Replay": "true"} if saved.replay else {}
    return (
        jsonify({"item": saved.item, "response": saved.response, "revision": saved.revision}),
        200,
        headers,
    )


@bp.post("/<slug>/submit")
@signed_in()
def submit(event: Event, entrant: Entrant, setting: ExamSetting):
    """Hand the paper in (JSON from the page; a form post goes to the end page)."""
    found = sittings.submit(_sitting(setting, entrant))
    if request.is_json:
        return jsonify({"ended": found.ended_how.value if found.ended_how else None})
    return redirect(url_for(".done", slug=event.slug))


@bp.get("/<slug>/done")
@signed_in(page=True)
def done(event: Event, entrant: Entrant, setting: ExamSetting):
    """The end of the sitting: how it ended and how many questions were answered."""
    found = _sitting(setting, entrant)
    state = sittings.state(found, setting)
    if found.ended_at is None:
        return redirect(url_for(".paper", slug=event.slug))
    answered = sum(1 for response, _ in state.answers.values() if response is not None)
    return render_template(
        "exams/done.html", event=event, entrant=entrant, sitting=found, answered=answered, bare=True
    )


@bp.post("/<slug>/leave")
def leave(slug: str):
    """Sign the entrant out of this device (the sitting goes on)."""
    session.pop(SESSION, None)
    return redirect(url_for(".sign_in", slug=slug))


@bp.get("/<slug>/images/<name>")
@signed_in()
def image(event: Event, entrant: Entrant, setting: ExamSetting, name: str):
    """The image of a stem on the entrant's paper (404 for any other)."""
    codes = sittings.paper_codes(setting, entrant)
    if name not in sittings.paper_images(setting, codes).values():
        abort(404)
    path = bank.image_folder() / name
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/png" if name.endswith(".png") else "image/jpeg")
