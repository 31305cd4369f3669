"""Database engine, declarative base and the request-scoped session.

Plain SQLAlchemy 2.x: services receive ``db.session`` (or any Session) and flush;
views commit once at the request boundary.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

try:
    import fcntl
except ImportError:  # Windows has no fcntl: SQLite's own waiting is used there
    fcntl = None  # type: ignore[assignment]

from flask import Flask
from flask.globals import app_ctx
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
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

F = TypeVar("F", bound=Callable[..., Any])


def reads_first(view: F) -> F:
    """Mark a view that reads and checks everything it needs before it writes.

    Its request starts with a read transaction even when it is a POST, and the view calls
    ``Database.begin_write`` just before writing: on SQLite the write lock is then held
    only for the writes themselves, not while a large form is read, checked and compared.
    """
    view.reads_first = True  # type: ignore[attr-defined]
    return view


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


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        connect_args = {"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False}
        kwargs: dict[str, Any] = {"connect_args": connect_args}
        if url in {"sqlite://", "sqlite:///:memory:"}:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


SQLITE_BUSY_SECONDS = 30  # how long a writer waits for another before giving up


class WriteGate:
    """One SQLite writer at a time, across the threads of this process and the other worker
    processes, handed over the moment the previous writer is done.

    SQLite lets a writer that finds the database locked sleep and retry, with pauses that grow
    to 100 ms; with many officials saving at once those pauses, not the writes, set the pace.
    The gate is an exclusive ``flock`` on a file next to the database (a blocked writer wakes as
    soon as it is released), plus a lock for the threads of a process, since ``flock`` does not
    tell one thread from another. It is taken just before ``BEGIN IMMEDIATE`` and released when
    the connection goes back to the pool, after its COMMIT or ROLLBACK.
    """

    KEY = "holds_write_gate"

    def __init__(self, database_path: str) -> None:
        self.path = database_path + "-writers"
        # A plain lock: a connection may be returned to the pool by another thread.
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid: int | None = None

    def _file(self) -> int:
        # One open file per process: a forked child must not share its parent's lock.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def acquire(self) -> None:
        if not self._threads.acquire(timeout=SQLITE_BUSY_SECONDS):
            raise TimeoutError(f"the database stayed locked for writing for {SQLITE_BUSY_SECONDS} s")
        try:
            fcntl.flock(self._file(), fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        try:
            fcntl.flock(self._file(), fcntl.LOCK_UN)
        finally:
            self._threads.release()


def _sqlite_file(url: str) -> str | None:
    """The database file of a SQLite URL, or None for an in-memory database."""
    database = make_url(url).database
    return None if not database or database == ":memory:" else database


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (needed for
        # SAVEPOINT and for BEGIN IMMEDIATE below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    path = _sqlite_file(str(engine.url))
    gate = WriteGate(path) if path is not None and fcntl is not None else None

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if not write_intent.get():
            conn.exec_driver_sql("BEGIN")
            return
        if gate is not None and not conn.info.get(WriteGate.KEY):
            gate.acquire()
            conn.info[WriteGate.KEY] = True
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    if gate is not None:
        @event.listens_for(engine.pool, "checkin")
        def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
            if record is not None and record.info.pop(WriteGate.KEY, False):
                gate.release()

        @event.listens_for(engine.pool, "invalidate")
        def _on_invalidate(_dbapi_connection: Any, record: Any, _exception: Any) -> None:
            if record is not None and record.info.pop(WriteGate.KEY, False):
                gate.release()


class Database:
    """Holds the engine and a session scoped to the Flask application context."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session_factory = sessionmaker(expire_on_commit=False)
        self.session: scoped_session[Session] = scoped_session(
            self.session_factory, scopefunc=_app_ctx_id
        )

    def init_app(self, app: Flask) -> None:
        if self.engine is not None:
            self.engine.dispose()
        self.engine = make_engine(app.config["DATABASE_URL"])
        self.session_factory.configure(bind=self.engine)
        app.extensions["database"] = self

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            self.session.remove()

    def begin_write(self) -> None:
        """End the current read transaction, keeping what it loaded, and write from now on
        (on SQLite the next transaction begins IMMEDIATE, taking the write lock). For views
        marked ``reads_first``; a no-op when the request already writes."""
        if write_intent.get():
            return
        if self.session.new or self.session.dirty or self.session.deleted:
            raise RuntimeError("begin_write() must come before the first change")
        self.session.commit()
        write_intent.set(True)

    @contextmanager
    def bound_to(self, connection: Any) -> Iterator[None]:
        """Bind every session to ``connection`` (tests: one outer transaction, rolled back)."""
        self.session.remove()
        self.session_factory.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            self.session.remove()
            self.session_factory.configure(bind=self.engine, join_transaction_mode="conditional_savepoint")
