"""Unbound extension singletons, bound to the app in ``create_app``."""

import select
import sqlite3

import psycopg
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool

# Stable constraint names so Alembic migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
cache = Cache(with_jinja2_ext=False)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite: enforce foreign keys, write-ahead logging and wait for a busy writer."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Pool, "checkout")
def _postgresql_alive(dbapi_connection, _record, _proxy):
    """PostgreSQL: a pooled connection is taken as alive unless the server said something
    while it sat idle — a restart, an idle timeout or an administrator ending the session
    each send a last message and close the socket. Looking costs no round trip (a pre-ping
    costs one per request); the pool replaces a connection found dead before it is used, and
    ``DB_POOL_RECYCLE`` retires connections that may have died silently."""
    if not isinstance(dbapi_connection, psycopg.Connection):
        return
    if dbapi_connection.closed:
        raise exc.DisconnectionError("the connection is closed")
    idle = select.poll()
    idle.register(dbapi_connection.fileno(), select.POLLIN)
    if idle.poll(0):
        raise exc.DisconnectionError("the server closed the connection, or is closing it")
