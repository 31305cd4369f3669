"""Database engine, declarative base and the request-scoped session.

Plain SQLAlchemy 2.x: services receive ``db.session`` (or any Session) and flush;
views commit once at the request boundary.
"""

from __future__ import annotations

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

    # Reads take no lock under WAL; the write lock is taken when the transaction first writes.
    # Upgrading the read transaction then would fail ("database is locked") whenever another
    # writer committed since it began, so the read transaction, in which nothing was written,
    # is ended and a new one begun with BEGIN IMMEDIATE, which waits for the lock. The
    # statements before see the data as it was when they ran, as under PostgreSQL's READ
    # COMMITTED; from the first write (or SELECT ... FOR UPDATE, or SAVEPOINT) on, the
    # transaction is alone. No writer holds the lock while it only reads (a password checked, a
    # page's answers parsed, a message rendered).
    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")
        conn.info[_READING] = not conn.info.get(_OUTER)

    @event.listens_for(engine, "before_cursor_execute")
    def _before_statement(conn: Any, cursor: Any, statement: str, _parameters: Any, context: Any,
                          _executemany: bool) -> None:
        if conn.info.get(_READING) and _writes(statement, context):
            _take_write_lock(conn)

    @event.listens_for(engine, "savepoint")
    def _on_savepoint(conn: Any, _name: str) -> None:
        if conn.info.get(_READING):
            _take_write_lock(conn)

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn: Any) -> None:
        conn.info.pop(_READING, None)


_READING = "assessment.sqlite_reading"  # the transaction has not written yet
_OUTER = "assessment.outer_transaction"  # a caller's transaction (tests): never ended here
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _writes(statement: str, context: Any) -> bool:
    if statement.lstrip()[:7].upper().startswith(_WRITES):
        return True
    compiled = getattr(context, "compiled", None)
    return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None


def _take_write_lock(conn: Any) -> None:
    conn.info[_READING] = False
    raw = conn.connection.dbapi_connection
    raw.execute("COMMIT")  # nothing was written: only the read snapshot ends
    raw.execute("BEGIN IMMEDIATE")


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
        connection.info[_OUTER] = True
        connection.info.pop(_READING, None)
        try:
            yield
        finally:
            connection.info.pop(_OUTER, None)
            self._scoped.remove()
            self.session_factory.configure(bind=self.engine, join_transaction_mode="conditional_savepoint")
