"""SQLite writers take turns through the gate: one at a time, across threads and processes,
released after COMMIT and ROLLBACK alike; readers never wait for it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event, text

from assessment.database import make_engine, write_intent


@pytest.fixture()
def engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE log (who TEXT, at REAL)"))
    yield engine
    engine.dispose()


INSERT = text("INSERT INTO log VALUES (:who, :at)")


def write(engine, who: str, hold: float = 0.0) -> None:
    """One write transaction, as a request with write intent makes it."""
    token = write_intent.set(True)
    try:
        with engine.begin() as connection:
            connection.execute(INSERT, {"who": f"{who} in", "at": time.monotonic()})
            time.sleep(hold)
            connection.execute(INSERT, {"who": f"{who} out", "at": time.monotonic()})
    finally:
        write_intent.reset(token)


def entries(engine) -> list[str]:
    with engine.connect() as connection:
        return [row.who for row in connection.execute(text("SELECT who FROM log ORDER BY rowid"))]


def test_the_gate_file_lies_next_to_the_database(engine, tmp_path) -> None:
    write(engine, "a")
    assert (tmp_path / "gate.db-writers").exists()


def test_writers_in_threads_wait_for_each_other_at_the_gate(engine) -> None:
    """With SQLite's own waiting switched off, a second writer would fail at once with
    "database is locked"; the gate makes it wait for the first one instead."""
    @event.listens_for(engine, "connect")
    def _no_busy_wait(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    engine.dispose()  # new connections, with the listener above
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            write(engine, name, 0.05)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(name,)) for name in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not errors
    log = entries(engine)
    assert len(log) == 8
    for index in range(0, 8, 2):  # each writer's "in" is followed by its own "out"
        assert log[index].split()[0] == log[index + 1].split()[0]


def test_the_gate_is_released_after_a_rollback(engine) -> None:
    token = write_intent.set(True)
    try:
        with pytest.raises(RuntimeError), engine.begin() as connection:
            connection.execute(text("INSERT INTO log VALUES ('lost', 0)"))
            raise RuntimeError("the request failed")
    finally:
        write_intent.reset(token)
    done = threading.Event()
    threading.Thread(target=lambda: (write(engine, "next"), done.set()), daemon=True).start()
    assert done.wait(5), "the gate stayed closed after a rollback"
    assert entries(engine) == ["next in", "next out"]


def test_readers_do_not_wait_for_a_writer(engine) -> None:
    writer = threading.Thread(target=write, args=(engine, "slow", 0.5))
    writer.start()
    time.sleep(0.1)
    began = time.monotonic()
    entries(engine)
    assert time.monotonic() - began < 0.3
    writer.join(5)


def test_a_writer_waits_for_another_process_holding_the_gate(engine, tmp_path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, os, sys, time\n"
         f"fd = os.open({str(tmp_path / 'gate.db-writers')!r}, os.O_RDWR | os.O_CREAT)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\n"
         "print('holding', flush=True)\n"
         "time.sleep(0.6)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        began = time.monotonic()
        write(engine, "after")
        waited = time.monotonic() - began
    finally:
        holder.wait(5)
        holder.stdout.close()
    assert 0.3 < waited < 5
    assert entries(engine) == ["after in", "after out"]
