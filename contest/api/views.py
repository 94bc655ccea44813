"""Score sheet API: load a sheet, save a value (draft or amendment), submit.

Every write carries an ``Idempotency-Key`` header: the first request with a key is applied
and its answer stored in the same transaction; any retry with that key gets the stored
answer and changes nothing. Whether the judge sits on the trade's panel is the sheet
service's first check (it finds the judge with the same query). See ``openapi.yaml`` at the
root of the project.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from contest.auth.access import JUDGING, roles_required
from contest.extensions import db
from contest.messages import describe_sheet
from contest.models import ApiRequest, Entrant, Score, Trade
from contest.services import sheets

bp = Blueprint("api", __name__)
KEY = re.compile(r"^[A-Za-z0-9_-]{8,48}$")


def _error(status: int, code: str, **params: Any) -> tuple[int, dict[str, Any]]:
    return status, {"error": code, "message": describe_sheet(code, **params), **params}


def idempotent(handler):
    """Apply a write once per ``Idempotency-Key``; replay the stored answer to retries."""

    @wraps(handler)
    def wrapped(*args, **kwargs):
        raw = request.headers.get("Idempotency-Key", "")
        if not KEY.match(raw):
            status, body = _error(400, "bad_key")
            return jsonify(body), status
        key = f"{current_user.id}:{raw}"
        # No read of the key first: a retry is rare, and its answer, once the key's row
        # refuses to go in twice, is the stored one; everything it did is rolled back.
        try:
            status, body = handler(*args, **kwargs)
            if status >= 400:
                db.session.rollback()
            db.session.add(ApiRequest(key=key, user_id=current_user.id, status=status, body=body))
            db.session.flush()
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            stored = db.session.get(ApiRequest, key)
            if stored is None:  # a concurrent write of the same value won
                status, body = _conflict(*args, **kwargs)
                return jsonify(body), status
            return jsonify(stored.body), stored.status, {"Idempotent-Replay": "true"}
        return jsonify(body), status

    return wrapped


def _conflict(trade: Trade, entrant: Entrant) -> tuple[int, dict[str, Any]]:
    """The answer to the loser of a race on the same value."""
    criterion = (request.get_json(silent=True) or {}).get("criterion")
    current = None
    try:
        sheet = sheets.load(current_user, trade, entrant)
        item = sheet.item(str(criterion))
        current = item.score
    except sheets.SheetError:
        pass
    return _error(
        409,
        "conflict",
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
    """Everything the tablet shows: criteria with their rules and this judge's values."""
    return {
        "trade": sheet.trade.code,
        "entrant": {"id": sheet.entrant.id, "label": sheet.entrant.judge_label},
        "judge": sheet.judge.code,
        "submitted": sheet.submitted,
        "locked": sheet.trade.is_locked,
        "rescore": sheet.rescore.reason if sheet.rescore else None,
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


def _refused(error: sheets.SheetError) -> tuple[int, dict[str, Any]]:
    return _error(error.status, error.code, **error.params)


@bp.get("/sheets/<int:trade_id>/<int:entrant_id>")
@roles_required(*JUDGING)
@sheet_address
def load_sheet(trade: Trade, entrant: Entrant):
    """The judge's sheet for one entrant."""
    try:
        sheet = sheets.load(current_user, trade, entrant)
    except sheets.SheetError as error:
        status, body = _refused(error)
        return jsonify(body), status
    return jsonify(sheet_json(sheet))


@bp.post("/sheets/<int:trade_id>/<int:entrant_id>/values")
@roles_required(*JUDGING)
@sheet_address
@idempotent
def save_value(trade: Trade, entrant: Entrant):
    """Save one value: ``{"criterion", "value", "base_version", "reason"?}``."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("criterion"), str):
        return _error(400, "bad_request")
    try:
        value = Decimal(str(data.get("value")))
        base = data.get("base_version")
        if base is not None and (not isinstance(base, int) or isinstance(base, bool)):
            raise ValueError(base)
        if not value.is_finite() or abs(value) > 10**9:
            raise ValueError(value)
    except (InvalidOperation, ValueError):
        return _error(400, "bad_request")
    reason = str(data.get("reason") or "").strip()[:500] or None
    try:
        score = sheets.save(current_user, trade, entrant, data["criterion"], value, base, reason)
    except sheets.SheetError as error:
        return _refused(error)
    return 200, {"criterion": data["criterion"], "score": score_json(score)}


@bp.post("/sheets/<int:trade_id>/<int:entrant_id>/submit")
@roles_required(*JUDGING)
@sheet_address
@idempotent
def submit_sheet(trade: Trade, entrant: Entrant):
    """Submit the sheet: every value in, they now count."""
    try:
        sheet = sheets.submit(current_user, trade, entrant)
    except sheets.SheetError as error:
        return _refused(error)
    return 200, sheet_json(sheet)
