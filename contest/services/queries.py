"""Small query helpers shared by the services."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from contest.extensions import db


def as_dict(statement: Select) -> dict[Any, Any]:
    """Run a two-column select (key, value) and return it as a dict."""
    return {key: value for key, value in db.session.execute(statement).all()}
