"""SQLite's write lock: taken at a transaction's first write, never while it only reads.

Two connections to one database file stand for two requests (or a request and a job) of two
workers. Without the rule in ``database.py``, a transaction that read before another writer
committed could not write at all ("database is locked"), and one that took the lock at BEGIN
would hold it through everything it only reads.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import OperationalError

from assessment.database import make_engine

metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("body", String))


@pytest.fixture
def database(tmp_path):
    url = f"sqlite:///{tmp_path / 'lock.db'}"
    engine = make_engine(url, busy_seconds=5)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(notes), [{"id": 1, "body": "first"}])
    yield engine, tmp_path / "lock.db"
    engine.dispose()


def other_writer_commits(path, body: str) -> None:
    """Another process writes and commits, waiting at most 0.2 s for the lock."""
    other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE notes SET body = ? WHERE id = 1", (body,))
        other.execute("COMMIT")
    finally:
        other.close()


def test_a_transaction_that_read_before_another_writer_committed_can_still_write(database):
    engine, path = database
    with engine.begin() as connection:
        assert connection.scalar(select(notes.c.body)) == "first"
        other_writer_commits(path, "theirs")  # the reader held no lock: this went through
        connection.execute(insert(notes).values(id=2, body="mine"))
        # From its first write on, the transaction sees what is committed, and is alone.
        assert connection.scalar(select(notes.c.body).where(notes.c.id == 1)) == "theirs"
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other_writer_commits(path, "blocked")
    with engine.connect() as connection:
        assert connection.execute(select(notes.c.id, notes.c.body).order_by(notes.c.id)).all() == [
            (1, "theirs"), (2, "mine")]


@pytest.mark.parametrize("first_write", [
    pytest.param(lambda c: c.execute(update(notes).values(body="x")), id="update"),
    pytest.param(lambda c: c.execute(select(notes.c.id).with_for_update()).all(), id="for-update"),
    pytest.param(lambda c: c.begin_nested(), id="savepoint"),
    pytest.param(lambda c: c.execute(text("DELETE FROM notes WHERE id = 99")), id="text"),
])
def test_the_write_lock_is_taken_by_the_first_statement_that_writes_or_locks(database, first_write):
    engine, path = database
    with engine.connect() as connection, connection.begin():
        connection.execute(select(notes)).all()
        other_writer_commits(path, "while I only read")
        first_write(connection)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other_writer_commits(path, "while I write")
    other_writer_commits(path, "after")  # the lock is released at the end


def test_a_transaction_that_only_reads_never_blocks_a_writer(database):
    engine, path = database
    with engine.connect() as connection, connection.begin():
        for n in range(3):
            connection.execute(select(notes)).all()
            other_writer_commits(path, f"write {n}")


def test_waiting_for_the_lock_past_the_busy_timeout_is_a_database_error(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'busy.db'}", busy_seconds=0.1)
    metadata.create_all(engine)
    holder = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="locked"), engine.begin() as connection:
            connection.execute(select(notes)).all()
            connection.execute(insert(notes).values(id=5, body="waits"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with engine.connect() as connection:
        assert connection.scalar(select(notes.c.id)) is None
    engine.dispose()
