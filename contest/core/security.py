"""HTTP security headers applied to every response."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, request
from flask_babel import gettext as _

# No inline scripts or styles anywhere, so the policy needs no 'unsafe-inline' or nonces.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def set_headers(response: Response) -> Response:
    """Add the security headers unless a view has set its own value; in production also
    Strict-Transport-Security (HTTPS only, ``STRICT_TRANSPORT_SECURITY``)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    hsts = current_app.config["STRICT_TRANSPORT_SECURITY"]
    if hsts and current_app.config["ENV_NAME"] == "production":
        response.headers.setdefault("Strict-Transport-Security", hsts)
    return response


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def refuse_nul_characters() -> None:
    """Refuse input carrying NUL characters (no text field can store them; PostgreSQL would
    fail) before any view sees it: form fields, query arguments and JSON bodies."""
    values = [*request.args.values(), *request.form.values(), *request.args, *request.form]
    if request.is_json:
        values.append(request.get_json(silent=True))
    if any(_has_nul(value) for value in values):
        abort(400, _("The input contains characters that are not allowed."))
