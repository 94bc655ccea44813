"""Absolute links the platform gives out — QR codes, addresses printed in documents — built
from the configured public address (``PUBLIC_URL``), never from the request's Host header,
which any client can set: a cached document must not send later visitors elsewhere."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute address of ``endpoint`` at the platform's public address."""
    app = current_app
    address = urlsplit(app.config["PUBLIC_URL"])
    adapter = app.url_map.bind(
        address.netloc, script_name=address.path or "/", url_scheme=address.scheme
    )
    app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)
