"""Configuration defaults.

Layering, later wins: these defaults → ``instance/config.py`` → ``CONTEST_*`` environment
variables (``CONTEST_SECRET_KEY``, ``CONTEST_SQLALCHEMY_DATABASE_URI``, …) plus the usual
``DATABASE_URL`` / ``REDIS_URL`` → the overrides a caller passes to ``create_app``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit


class Defaults:
    """Settings every deployment starts from; safe for development, not production."""

    # "development" or "production"; production refuses to start without a real secret.
    ENV_NAME = "development"
    SECRET_KEY: str | None = None

    SQLALCHEMY_DATABASE_URI: str | None = None  # default: sqlite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # PostgreSQL connection pool of each worker process (SQLite keeps SQLAlchemy's default).
    DB_POOL_SIZE = 5
    DB_MAX_OVERFLOW = 5
    DB_POOL_RECYCLE = 1800
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted.
    PROXY_COUNT = 0
    SQLALCHEMY_RECORD_QUERIES = False

    # --- database timeouts (PostgreSQL): a database that stops answering fails fast ------
    #: Seconds to wait for a new connection to the database (libpq ``connect_timeout``).
    DB_CONNECT_TIMEOUT = 5
    #: Seconds any one SQL statement may run before the server cancels it (0: no limit).
    DB_STATEMENT_TIMEOUT = 30
    #: Seconds a request waits for a free connection of its worker's pool.
    DB_POOL_TIMEOUT = 10

    # --- the public address: absolute links and the hosts requests may name --------------
    #: Where people reach the platform (``https://jineng.example.org``, perhaps with a path).
    #: Every absolute link it gives out — the QR code and address on certificates, the
    #: verification address on award lists — is built from it, never from the request's
    #: Host header. Required in production; ``DEVELOPMENT_PUBLIC_URL`` otherwise.
    PUBLIC_URL: str | None = None
    #: Host names requests may name besides ``PUBLIC_URL``'s (a health check on the host
    #: itself asks for 127.0.0.1). Requests for any other host are refused with 400, unless
    #: ``TRUSTED_HOSTS`` (Flask's own setting) is set explicitly.
    EXTRA_HOSTS: list[str] = ["localhost", "127.0.0.1"]
    TRUSTED_HOSTS: list[str] | None = None

    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parents[2] / "translations")
    LANGUAGES = {"zh_Hans_CN": "中文", "en": "English"}

    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session (judges work all day)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Failed logins (a wrong password, an unknown or disabled account) allowed per account
    # from any address, and per address over every account; successful logins never count.
    # The venue's addresses — IP addresses or networks ("10.20.0.0/16"), as a list or one
    # string separated by commas — share one address among many judges and get the larger
    # allowance.
    LOGIN_RATE_LIMIT_PER_ACCOUNT = "10 per minute"
    LOGIN_RATE_LIMIT_PER_ADDRESS = "30 per minute"
    LOGIN_RATE_LIMIT_PER_VENUE = "300 per minute"
    VENUE_ADDRESSES: str | list | tuple = ()
    # How passwords are hashed (werkzeug's generate_password_hash); a login to an unknown or
    # disabled account checks a hash made the same way, so that it takes as long.
    PASSWORD_HASH_METHOD = "scrypt"
    # Sent in production only (ENV_NAME): browsers then use HTTPS alone for the site.
    STRICT_TRANSPORT_SECURITY = "max-age=31536000"
    # Saves and submits of score sheets, per judge (a tablet sending its queue after a
    # network outage sends a few hundred at once).
    SCORE_RATE_LIMIT = "600 per minute"
    # Entrants looking up their own result (name + ID digits, or a certificate number).
    LOOKUP_RATE_LIMIT = "10 per minute"
    # Real-name objections to the 公示 list, per address.
    OBJECTION_RATE_LIMIT = "5 per minute"

    # Published public pages are cached: in Redis when REDIS_URL is set (shared by every
    # worker and host), else in each process's memory. CACHE_TYPE set explicitly wins.
    REDIS_URL: str | None = None
    CACHE_TYPE: str | None = None
    CACHE_DEFAULT_TIMEOUT = 300
    CACHE_KEY_PREFIX = "contest:"
    #: Seconds a published page (results, awards, screen) is kept; a new publication, or a
    #: change of the event, makes a new key at once.
    PUBLIC_CACHE_TIMEOUT = 300
    #: Rows a page of a long list shows (registrations, entrants, the audit log).
    PAGE_SIZE = 50
    #: Where the images of question bank stems are kept (default: ``instance/item-images``);
    #: every application host must see the same folder.
    QUESTION_IMAGE_FOLDER: str | None = None
    #: The event home also shows live figures (entrants per trade), so it is kept briefly.
    PUBLIC_HOME_CACHE_TIMEOUT = 60
    #: Seconds a worker reuses what it last read of an event's state (publications, last
    #: change) for its public pages: a results-day burst then costs no query per request,
    #: and a new publication shows within this time.
    PUBLIC_STAMP_TTL = 1.0

    # The stage scheduler: run inside this process (development) and how often it reconciles.
    SCHEDULER_IN_PROCESS = False
    SCHEDULER_INTERVAL = 60
    #: Seconds an exam's public board by unit is kept between computations.
    QUIZ_BOARD_SECONDS = 30


def apply_environment(config: dict) -> None:
    """Apply the conventional unprefixed variables (``DATABASE_URL``, ``REDIS_URL``)."""
    if os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("REDIS_URL"):
        config["REDIS_URL"] = os.environ["REDIS_URL"]
        config["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]


def login_settings(config: dict) -> None:
    """What logging in derives from the settings: the remember cookie is Secure whenever the
    session cookie is; the venue's addresses as networks (a mistyped one stops the start)."""
    if config["SESSION_COOKIE_SECURE"]:
        config["REMEMBER_COOKIE_SECURE"] = True
    config["VENUE_ADDRESSES"] = venue_networks(config["VENUE_ADDRESSES"])


def venue_networks(value: str | Iterable) -> tuple[IPv4Network | IPv6Network, ...]:
    """``VENUE_ADDRESSES`` as networks: a list, or one string separated by commas or spaces,
    of IP addresses and networks."""
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    networks = []
    for item in items:
        try:
            networks.append(ip_network(str(item).strip(), strict=False))
        except ValueError:
            raise ValueError(f"VENUE_ADDRESSES: {item!r} is not an IP address or network") from None
    return tuple(networks)


def cache_settings(config: dict) -> dict:
    """Flask-Caching settings: RedisCache when ``REDIS_URL`` is set, else SimpleCache (unless
    ``CACHE_TYPE`` was chosen explicitly)."""
    if config.get("CACHE_TYPE"):
        return {}
    if config.get("REDIS_URL"):
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": config["REDIS_URL"]}
    return {"CACHE_TYPE": "SimpleCache"}


DEVELOPMENT_PUBLIC_URL = "http://127.0.0.1:5000"


def public_address(config: dict) -> None:
    """Check ``PUBLIC_URL`` (required in production; ``DEVELOPMENT_PUBLIC_URL`` otherwise)
    and derive ``TRUSTED_HOSTS`` from it and ``EXTRA_HOSTS`` unless set explicitly."""
    url = config.get("PUBLIC_URL")
    if not url:
        if config["ENV_NAME"] == "production":
            raise RuntimeError(
                "CONTEST_PUBLIC_URL must be set in production: the address people reach the "
                "platform at, e.g. https://jineng.example.org (certificates link to it)."
            )
        url = DEVELOPMENT_PUBLIC_URL
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise RuntimeError(
            f"CONTEST_PUBLIC_URL must be an http(s) address such as "
            f"https://jineng.example.org, not {url!r}."
        )
    config["PUBLIC_URL"] = url.rstrip("/")
    if config.get("TRUSTED_HOSTS") is None:
        extra = config.get("EXTRA_HOSTS") or []
        if isinstance(extra, str):  # CONTEST_EXTRA_HOSTS="a.example, b.example"
            extra = [name.strip() for name in extra.split(",") if name.strip()]
        config["TRUSTED_HOSTS"] = list(dict.fromkeys([parts.hostname, *extra]))


def database_options(config: dict) -> dict:
    """SQLAlchemy engine options for PostgreSQL: the pool of each worker and the timeouts
    that make a database which stops answering fail fast (a 503) instead of holding
    requests forever."""
    connect_args = {"connect_timeout": int(config["DB_CONNECT_TIMEOUT"])}
    statement_ms = int(float(config["DB_STATEMENT_TIMEOUT"]) * 1000)
    if statement_ms > 0:
        connect_args["options"] = f"-c statement_timeout={statement_ms}"
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    return {
        **options,
        "pool_size": int(config["DB_POOL_SIZE"]),
        "max_overflow": int(config["DB_MAX_OVERFLOW"]),
        "pool_recycle": int(config["DB_POOL_RECYCLE"]),
        "pool_timeout": float(config["DB_POOL_TIMEOUT"]),
        "connect_args": {**connect_args, **options.get("connect_args", {})},
    }


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgres://`` / ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret(instance_path: str) -> str:
    """Return the development secret kept in the instance folder, creating it on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
