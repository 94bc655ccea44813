"""Long lists a page at a time (Flask-SQLAlchemy's pagination): the page asked for in the
address (``?page=2``), ``PAGE_SIZE`` rows a page, and the links to the other pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app, request, url_for
from flask_sqlalchemy.pagination import Pagination

from contest.core.extensions import db


def requested() -> int:
    """The page the address asks for (the first if none, or nonsense)."""
    return max(request.args.get("page", 1, type=int), 1)


def page_of(query: sa.Select, number: int) -> Pagination:
    """Page ``number`` of the rows ``query`` selects (an empty page past the last)."""
    size = int(current_app.config["PAGE_SIZE"])
    return db.paginate(query, page=number, per_page=size, max_per_page=size, error_out=False)


def page_url(number: int) -> str:
    """This page's address with another page number, the filters kept."""
    args = {**request.args.to_dict(), "page": number}
    return url_for(request.endpoint or "", **(request.view_args or {}), **args)


def register_template_helpers(app: Flask) -> None:
    """``page_url`` for the pager macro (``macros/ui.html``)."""
    app.jinja_env.globals["page_url"] = page_url
