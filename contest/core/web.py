"""The request boundary and how a request ends badly.

- A view that returns commits the request's work once; a view that raises has all of it
  rolled back before the error is shown (after Indico's ``RH.process``).
- Every refusal is a ``Refused``, answered by one handler: a JSON body for API clients; for
  pages, the message flashed and the page shown again as the view said (``on_refusal``),
  with the messages on the form's fields — or an error page with the message.
- Every other error gets a friendly, translated page (or JSON), never a stack trace.
- A JSON body nested deeper than any of ours is refused (400) before anything walks it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, flash, g, jsonify, make_response, render_template, request
from flask import Request as FlaskRequest
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, SecurityError
from wtforms import Form

from contest.core.extensions import db
from contest.core.refusals import as_json, describe, place
from contest.core.transaction import rollback
from contest.domain.refusal import Refused

#: How deeply a JSON body may nest (arrays and objects); the API's bodies are flat.
MAX_JSON_DEPTH = 32


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether parsed JSON nests arrays and objects more than ``limit`` levels deep (looked
    at level by level, not recursively)."""
    level = [value]
    for _ in range(limit + 1):
        containers = [item for item in level if isinstance(item, dict | list)]
        if not containers:
            return False
        level = [
            child
            for item in containers
            for child in (item.values() if isinstance(item, dict) else item)
        ]
    return True


class Request(FlaskRequest):
    """Flask's request with JSON bodies bounded: one nested more than ``MAX_JSON_DEPTH``
    levels (or beyond what Python's parser follows) is a 400 with a clear message, also when
    read with ``silent=True`` — never a 500 from a recursion limit further on."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        try:
            value = super().get_json(force=force, silent=silent, cache=cache)
            too_deep = nested_deeper_than(value, MAX_JSON_DEPTH)
        except RecursionError:
            too_deep = True
        if too_deep:
            raise BadRequest(
                gettext(
                    "The JSON document is nested too deeply (at most %(depth)d levels).",
                    depth=MAX_JSON_DEPTH,
                )
            )
        return value


class App(Flask):
    """Flask with one transaction per request."""

    request_class = Request

    def dispatch_request(self) -> ResponseReturnValue:
        """Run the view; commit once if it returns, roll back if it raises. A failed commit
        is an error of the request like any other (a conflict, the database gone)."""
        try:
            response = super().dispatch_request()
        except BaseException:
            rollback()
            raise
        db.session.commit()
        return response


# --- refusals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Again:
    """How to show a page again when the rest of the request is refused."""

    page: Callable[[Refused], ResponseReturnValue]
    form: Form | None
    field: str | None
    aliases: tuple[tuple[str, str], ...]
    prefix: str


def on_refusal(
    page: Callable[[Refused], ResponseReturnValue],
    form: Form | None = None,
    field: str | None = None,
    aliases: Iterable[tuple[str, str]] = (),
    prefix: str = "",
) -> None:
    """Should the rest of this request be refused, show ``page(refusal)`` again (with the
    refusal's status) and put the refusal's messages on ``form``: under the field the form
    names for the code (``refusal_fields``) or ``field``, each problem under the field its
    path names (see ``contest.core.refusals.place``). Messages without a field are flashed."""
    g.on_refusal = Again(page, form, field, tuple(aliases), prefix)


def refused(error: Refused) -> ResponseReturnValue:
    """The one answer to a refusal (the request's work is already rolled back)."""
    if wants_json():
        return jsonify(as_json(error)), error.status
    again: Again | None = g.pop("on_refusal", None)
    if again is None:
        return render_error(error.status, describe(error))
    messages = (
        [describe(error)]
        if again.form is None
        else place(again.form, error, again.field, again.aliases, again.prefix)
    )
    for message in messages:
        flash(message, "error")
    try:
        response = make_response(again.page(error))
    except Refused:  # the page itself is refused now (the sheet of a judge taken off it)
        return render_error(error.status, describe(error))
    response.status_code = error.status
    return response


# --- other errors --------------------------------------------------------------------------

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please check and try again."),
    ),
    401: (_l("Please log in"), _l("You need to log in to see this page.")),
    403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or is not public yet.")),
    405: (_l("Not allowed"), _l("This action is not available here.")),
    409: (_l("Conflict"), _l("Someone else changed this in the meantime. Reload and try again.")),
    413: (_l("File too large"), _l("The uploaded file is larger than allowed.")),
    423: (_l("Locked"), _l("This can no longer be changed.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Please wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. It has been logged.")),
    503: (
        _l("Temporarily unavailable"),
        _l("The service is temporarily unavailable. Please try again in a moment."),
    ),
}
CSRF_MESSAGE = _l("The form has expired or was not sent from this site. Reload and try again.")
UNKNOWN_HOST_MESSAGE = _l("This site is not served at the address you asked for.")


def wants_json() -> bool:
    """API calls and clients that ask for JSON get JSON errors."""
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def render_error(code: int, message: str | None = None) -> ResponseReturnValue:
    """Render the error page (or JSON body) for ``code``."""
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    text = str(message or default_message)
    if wants_json():
        return jsonify(error=str(title), message=text, status=code), code
    if isinstance(request.routing_exception, SecurityError):
        # A host this site does not serve (TRUSTED_HOSTS): no page links can be built for it.
        return f"{title}\n\n{text}\n", code, {"Content-Type": "text/plain; charset=utf-8"}
    # Server-side failures may come from the database, so the page must not touch it.
    bare = code >= 500
    return (
        render_template("errors/error.html", code=code, title=title, message=text, bare=bare),
        code,
    )


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(Refused, refused)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_error(400, str(CSRF_MESSAGE))

    @app.errorhandler(SecurityError)
    def unknown_host(error: SecurityError) -> ResponseReturnValue:
        return render_error(400, str(UNKNOWN_HOST_MESSAGE))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if error.code is None or error.code < 400:
            return error
        description = error.description if _has_custom_description(error) else None
        return render_error(error.code, description)

    @app.errorhandler(IntegrityError)
    def conflict(error: IntegrityError) -> ResponseReturnValue:
        # Two people saved the same thing at the same moment: the later one is told to reload.
        app.logger.info("refused a conflicting write: %s", error.orig)
        rollback()
        return render_error(409)

    @app.errorhandler(DataError)
    def data_error(error: DataError) -> ResponseReturnValue:
        # A value the database cannot hold (an id beyond its integer range, …): bad input.
        app.logger.warning("refused input the database cannot hold: %s", error.orig)
        rollback()
        return render_error(400)

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error: OperationalError | PoolTimeout) -> ResponseReturnValue:
        # Gone, not answering within DB_CONNECT_TIMEOUT / DB_STATEMENT_TIMEOUT, or every
        # connection of the pool busy for DB_POOL_TIMEOUT.
        app.logger.error("database unavailable: %s", error)
        rollback()
        return render_error(503)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        app.logger.exception("unhandled error")
        rollback()
        return render_error(InternalServerError.code)


def _has_custom_description(error: HTTPException) -> bool:
    """A view's own ``abort(code, message)`` text, as opposed to Werkzeug's English default."""
    return error.description != type(error).description
