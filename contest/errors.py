"""Error pages: a clear message in the user's language and the right status, never a trace."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from contest.core.transaction import rollback

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
    429: (_l("Too many attempts"), _l("Too many attempts. Please wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. It has been logged.")),
    503: (
        _l("Temporarily unavailable"),
        _l("The service is temporarily unavailable. Please try again in a moment."),
    ),
}
CSRF_MESSAGE = _l("The form has expired or was not sent from this site. Reload and try again.")


def wants_json() -> bool:
    """API calls and clients that ask for JSON get JSON errors."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def render_error(code: int, message: str | None = None):
    """Render the error page (or JSON body) for ``code``."""
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    text = str(message or default_message)
    if wants_json():
        return jsonify(error=str(title), message=text, status=code), code
    # Server-side failures may come from the database, so the page must not touch it.
    bare = code >= 500
    return (
        render_template("errors/error.html", code=code, title=title, message=text, bare=bare),
        code,
    )


def register(app: Flask) -> None:
    """Install the handlers on ``app``."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        description = error.description if _has_custom_description(error) else None
        return render_error(error.code, description)

    @app.errorhandler(DataError)
    def data_error(error):
        # A value the database cannot hold (an id beyond its integer range, …): bad input.
        app.logger.warning("refused input the database cannot hold: %s", error.orig)
        rollback()
        return render_error(400)

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        app.logger.error("database unavailable: %s", error)
        rollback()
        return render_error(503)

    @app.errorhandler(Exception)
    def unexpected(error):
        app.logger.exception("unhandled error")
        rollback()
        return render_error(InternalServerError.code)


def _has_custom_description(error: HTTPException) -> bool:
    """A view's own ``abort(code, message)`` text, as opposed to Werkzeug's English default."""
    return error.description != type(error).description
