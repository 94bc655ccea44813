"""Score sheet API: load a sheet, save a value (draft or amendment), submit.

Every write carries an ``Idempotency-Key`` header: the first request with a key is applied
(or refused) and its answer stored in the same transaction; any retry with that key gets the
stored answer and changes nothing. Whether the judge sits on the trade's panel is the sheet
service's first check (it finds the judge with the same query). See ``openapi.yaml`` at the
root of the project.
"""

from __future__ import annotations

import re
from contextlib import suppress
from decimal import Decimal
from functools import wraps
from typing import Annotated, Any

from flask import Blueprint, abort, current_app, jsonify, request
from flask_login import current_user
from pydantic import AfterValidator, BaseModel, Strict, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from contest.accounts.access import JUDGING, roles_required
from contest.core.extensions import db, limiter
from contest.core.refusals import as_json
from contest.core.transaction import rollback
from contest.domain.numbers import reasonable
from contest.domain.refusal import Refused
from contest.events.models import Trade
from contest.judging import sheets
from contest.judging.models import ApiRequest
from contest.registration.models import Entrant
from contest.results.models import Score

bp = Blueprint("api", __name__)


def _score_limit() -> str:
    return current_app.config["SCORE_RATE_LIMIT"]


def _judge() -> str:
    """Scores are limited per judge, wherever their tablet connects from."""
    return f"judge:{current_user.get_id()}"


#: The limit of a judge's saves and submits.
per_judge = limiter.limit(_score_limit, key_func=_judge)
KEY = re.compile(r"^[A-Za-z0-9_-]{8,48}$")


def idempotent(handler):
    """Apply a write once per ``Idempotency-Key``; replay the stored answer to retries. A
    refused write changes nothing, and its answer is stored too."""

    @wraps(handler)
    def wrapped(*args, **kwargs):
        raw = request.headers.get("Idempotency-Key", "")
        if not KEY.match(raw):
            raise sheets.SheetError(sheets.SheetError.BAD_KEY)
        key = f"{current_user.id}:{raw}"
        # No read of the key first: a retry is rare, and its answer, once the key's row
        # refuses to go in twice, is the stored one; everything it did is rolled back.
        try:
            try:
                status, body = 200, handler(*args, **kwargs)
            except Refused as error:
                rollback()
                status, body = error.status, as_json(error)
            db.session.add(ApiRequest(key=key, user_id=current_user.id, status=status, body=body))
            db.session.flush()
        except (IntegrityError, StaleDataError):
            rollback()
            stored = db.session.get(ApiRequest, key)
            if stored is None:  # a concurrent write of the same value won
                raise _conflict(*args, **kwargs) from None
            return jsonify(stored.body), stored.status, {"Idempotent-Replay": "true"}
        return jsonify(body), status

    return wrapped


def _conflict(trade: Trade, entrant: Entrant) -> sheets.SheetError:
    """The refusal of the loser of a race on the same value, with the value that won."""
    criterion = (request.get_json(silent=True) or {}).get("criterion")
    current = None
    with suppress(sheets.SheetError):  # no value to show a judge no longer on the sheet
        current = sheets.load(current_user, trade, entrant).item(str(criterion)).score
    return sheets.SheetError(
        sheets.SheetError.CONFLICT,
        value=str(current.value) if current else None,
        version=current.version if current else None,
    )


def sheet_address(view):
    """The trade and the entrant of a sheet's address in one query (404 unless the entrant
    is the trade's), passed to the view in their place."""

    @wraps(view)
    def wrapped(trade_id: int, entrant_id: int):
        found = sheets.address(trade_id, entrant_id)
        if found is None:
            abort(404)
        return view(*found)

    return wrapped


def score_json(score: Score | None) -> dict[str, Any] | None:
    if score is None:
        return None
    return {"value": str(score.value), "version": score.version, "state": score.state.value}


def sheet_json(sheet: sheets.Sheet) -> dict[str, Any]:
    """Everything the tablet shows: criteria with their rules and this judge's values, and
    why the sheet cannot be changed now (``closed``), if it cannot."""
    closed = sheets.closed(sheet)
    return {
        "trade": sheet.trade.code,
        "entrant": {"id": sheet.entrant.id, "label": sheet.entrant.judge_label},
        "judge": sheet.judge.code,
        "submitted": sheet.submitted,
        "locked": sheet.trade.is_locked,
        "rescore": sheet.rescore.reason if sheet.rescore else None,
        "closed": as_json(closed) if closed is not None else None,
        "criteria": [
            {
                "code": item.criterion.code,
                "name": item.criterion.name,
                "description": item.criterion.description,
                "component": item.component.code,
                "kind": item.criterion.kind.value,
                "max": str(item.criterion.max),
                "scale": str(item.criterion.scale) if item.criterion.scale is not None else None,
                "entry_max": str(item.criterion.entry_max),
                "step": str(item.criterion.step),
                "score": score_json(item.score),
            }
            for item in sheet.items
        ],
    }


@bp.get("/sheets/<int:trade_id>/<int:entrant_id>")
@roles_required(*JUDGING)
@sheet_address
def load_sheet(trade: Trade, entrant: Entrant):
    """The judge's sheet for one entrant."""
    return jsonify(sheet_json(sheets.load(current_user, trade, entrant)))


def _plausible(value: Decimal) -> Decimal:
    """A number short enough to be a mark (``numbers.reasonable``), seen before any
    arithmetic is done with it."""
    if not reasonable(value):
        raise ValueError("not a reasonable number")
    return value


def _reason(text: str) -> str | None:
    text = text.strip()
    if len(text) > 500:
        raise ValueError("longer than 500 characters")
    return text or None


class ValueBody(BaseModel):
    """The body of a save: which criterion, the value (a decimal as text or a JSON number;
    the sheet checks its range and step), the version the judge saw (None for a first save)
    and, to change a submitted sheet, the reason (at most 500 characters)."""

    criterion: Annotated[str, Strict()]
    value: Annotated[Decimal, AfterValidator(_plausible)]
    base_version: Annotated[int, Strict()] | None = None
    reason: Annotated[str, Strict(), AfterValidator(_reason)] | None = None


@bp.post("/sheets/<int:trade_id>/<int:entrant_id>/values")
@per_judge
@roles_required(*JUDGING)
@sheet_address
@idempotent
def save_value(trade: Trade, entrant: Entrant) -> dict[str, Any]:
    """Save one value: ``{"criterion", "value", "base_version", "reason"?}``."""
    try:
        body = ValueBody.model_validate(request.get_json(silent=True))
    except ValidationError:
        raise sheets.SheetError(sheets.SheetError.BAD_REQUEST) from None
    score = sheets.save(
        current_user, trade, entrant, body.criterion, body.value, body.base_version, body.reason
    )
    return {"criterion": body.criterion, "score": score_json(score)}


@bp.post("/sheets/<int:trade_id>/<int:entrant_id>/submit")
@per_judge
@roles_required(*JUDGING)
@sheet_address
@idempotent
def submit_sheet(trade: Trade, entrant: Entrant) -> dict[str, Any]:
    """Submit the sheet: every value in, they now count."""
    return sheet_json(sheets.submit(current_user, trade, entrant))
