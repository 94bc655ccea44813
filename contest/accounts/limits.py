"""How many failed logins are allowed: per account (from any address) and per address (over
every account), each counted separately and only when an attempt fails. The venue's
addresses (``VENUE_ADDRESSES``), where a room of judges shares one address, get
``LOGIN_RATE_LIMIT_PER_VENUE`` instead of ``LOGIN_RATE_LIMIT_PER_ADDRESS``."""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import ip_address

from flask import Response, current_app, request
from flask_limiter.util import get_remote_address

from contest.core.extensions import limiter


def failed(response: Response) -> bool:
    """Whether the attempt counts: the credentials were refused."""
    return response.status_code == 401


def account_key(field: str = "username") -> Callable[[], str]:
    """The account tried, as the form's ``field`` named it (known or not: both count
    alike)."""

    def key() -> str:
        return "account:" + request.form.get(field, "").strip().lower()[:64]

    return key


def account_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"]


def address_limit() -> str:
    """The venue's allowance for the venue's addresses, the usual one for any other."""
    config = current_app.config
    return config["LOGIN_RATE_LIMIT_PER_VENUE" if at_venue() else "LOGIN_RATE_LIMIT_PER_ADDRESS"]


def at_venue() -> bool:
    """Whether the request comes from one of the venue's addresses."""
    try:
        address = ip_address(get_remote_address())
    except ValueError:
        return False
    address = getattr(address, "ipv4_mapped", None) or address
    return any(address in network for network in current_app.config["VENUE_ADDRESSES"])


def failed_logins(view: Callable, field: str = "username") -> Callable:
    """Limit the failed attempts of a login view per account (named by the form's
    ``field``) and per address."""
    per_address = limiter.limit(address_limit, methods=["POST"], deduct_when=failed)
    per_account = limiter.limit(
        account_limit, key_func=account_key(field), methods=["POST"], deduct_when=failed
    )
    return per_account(per_address(view))
