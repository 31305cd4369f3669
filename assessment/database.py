"""Database engine, declarative base and the request-scoped session.

Plain SQLAlchemy 2.x: services receive ``db.session`` (or any Session) and flush;
views commit once at the request boundary.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

from flask import Flask
from flask.globals import app_ctx
from sqlalchemy import DateTime, MetaData, create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Set for requests that write, so SQLite takes its write lock at BEGIN instead of
# failing with "database is locked" when two readers both try to upgrade.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)
SQLITE_BUSY_SECONDS = 30.0  # how long a writer waits for another before giving up (a setting)

class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


def _app_ctx_id() -> int:
    return id(app_ctx._get_current_object())  # type: ignore[attr-defined]


def make_engine(url: str, *, busy_seconds: float = SQLITE_BUSY_SECONDS) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys.

    Statement parameters are kept out of error messages, so no answer ever reaches a log.
    """
    if url.startswith("sqlite"):
        connect_args = {"timeout": busy_seconds, "check_same_thread": False}
        kwargs: dict[str, Any] = {"connect_args": connect_args, "hide_parameters": True}
        if url in {"sqlite://", "sqlite:///:memory:"}:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, busy_seconds)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True)


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot serve now (down, locked, full, read-only),
    as opposed to a mistake in a statement: the request may be tried again later."""
    if isinstance(error, exc.TimeoutError | exc.DisconnectionError):
        return True
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if error.orig.__class__.__module__.startswith("sqlite3"):
        # SQLite raises OperationalError for mistakes too ("no such table"): go by the message.
        return any(sign in str(error.orig).lower() for sign in _SQLITE_UNAVAILABLE)
    if isinstance(error, exc.OperationalError | exc.InterfaceError):
        return True
    # PostgreSQL: read-only transaction (25006), insufficient resources (53...), shutting down (57P...).
    code = getattr(error.orig, "sqlstate", None) or ""
    return code == "25006" or code.startswith(("53", "57P"))


_SQLITE_UNAVAILABLE = ("locked", "disk is full", "readonly", "read-only", "unable to open",
                       "disk i/o error", "busy")


def _configure_sqlite(engine: Engine, busy_seconds: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (needed for
        # SAVEPOINT and for BEGIN IMMEDIATE below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A request that writes takes the write lock at BEGIN, so two requests never both
        # read and then fail to upgrade ("database is locked").
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


class Database:
    """Holds the engine and a session scoped to the Flask application context."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session_factory = sessionmaker(expire_on_commit=False)
        self._scoped = scoped_session(self.session_factory, scopefunc=_app_ctx_id)
        # The scoped session stands for the Session of the current app context and proxies all
        # of its methods; typed as that Session, so services can say they take a Session.
        self.session: Session = cast(Session, self._scoped)

    def init_app(self, app: Flask) -> None:
        self.bind(app)
        app.extensions["database"] = self

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            self._scoped.remove()

    def bind(self, app: Flask) -> None:
        """Point the engine and every new session at ``app``'s database (the last app wins)."""
        if self.engine is not None:
            self.engine.dispose()
        self.engine = make_engine(app.config["DATABASE_URL"],
                                  busy_seconds=app.config.get("SQLITE_BUSY_SECONDS", SQLITE_BUSY_SECONDS))
        self.session_factory.configure(bind=self.engine)

    @contextmanager
    def bound_to(self, connection: Any) -> Iterator[None]:
        """Bind every session to ``connection`` (tests: one outer transaction, rolled back)."""
        self._scoped.remove()
        self.session_factory.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            self._scoped.remove()
            self.session_factory.configure(bind=self.engine, join_transaction_mode="conditional_savepoint")
