"""The ceilings every figure is compared with, measured in the same run on the same machine.

- ``/healthz`` is the stack's own limit: gunicorn, Flask, the session machinery and one
  ``SELECT 1``, with no feature code.
- The database's own CSV dump of the rows the long export holds is the limit for exports:
  ``sqlite3 -csv`` for SQLite, ``COPY (SELECT ...) TO STDOUT WITH CSV`` for PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.loop import LoopResult, bounded_loop
from bench.server import CpuMeter, Server

# The rows of the long table, read with the same joins, columns and order as the export
# (``assessment/exports/answers.py and query.py``), timestamps formatted by the database as it does; the
# export adds element, position, type and answer label from the questionnaire in Python.
_LONG_ROWS_SQL = """
SELECT a.id, ro.name, r.name, co.name, co.iso_code, ci.id, ci.name, qv.label,
       substr(qv.content_hash, 1, 12), a.status, an.question_id, an.value, an.score,
       an.dont_know, an.not_applicable, an.evidence_url, an.note, an.updated_by_id, u.role,
       {answered_at}
FROM answers an
JOIN assessments a ON an.assessment_id = a.id
JOIN cities ci ON a.city_id = ci.id
JOIN countries co ON ci.country_id = co.id
JOIN regions r ON co.region_id = r.id
JOIN rounds ro ON a.round_id = ro.id
JOIN questionnaire_versions qv ON a.questionnaire_version_id = qv.id
LEFT OUTER JOIN users u ON an.updated_by_id = u.id
ORDER BY an.assessment_id, an.question_id
"""
LONG_ROWS_SQL = {
    "sqlite": _LONG_ROWS_SQL.format(answered_at="strftime('%Y-%m-%dT%H:%M:%SZ', an.updated_at)"),
    "postgresql": _LONG_ROWS_SQL.format(
        answered_at="""to_char(an.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""),
}


def healthz(server: Server, *, concurrency: int, count: int, seconds: float) -> tuple[LoopResult, CpuMeter]:
    clients = [server.client() for _ in range(concurrency)]
    for client in clients:  # warm each connection and worker
        client.get("/healthz")

    def task(worker: int, _iteration: int) -> None:
        clients[worker].get("/healthz")

    try:
        with CpuMeter(server.worker_pids()) as meter:
            result = bounded_loop(task, count=count, seconds=seconds, concurrency=concurrency)
        return result, meter
    finally:
        for client in clients:
            client.close()


@dataclass(frozen=True)
class Timed:
    seconds: float
    bytes: int
    peak_mib: float | None = None  # peak RSS of the process that did the work


def timed_command(command: list[str], out: Path, *, env: dict[str, str] | None = None,
                  cwd: Path | None = None, timeout: float = 900) -> Timed:
    """Run ``command`` with standard output to ``out``; wall time and the child's own peak RSS."""
    with out.open("wb") as sink:
        began = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE, env=env, cwd=cwd)
        deadline = began + timeout
        while True:
            # wait4 gives this child's own resource usage (ru_maxrss in KiB on Linux).
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                raise TimeoutError(f"{command[0]} ran for more than {timeout} s")
            time.sleep(0.01)
        seconds = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} ... failed ({process.returncode}): {stderr[-500:]}")
    return Timed(seconds, out.stat().st_size, usage.ru_maxrss / 1024)


def sqlite_dump(db_path: Path, out: Path) -> Timed:
    """``sqlite3 -csv -header`` of the long rows (Debian's ``sqlite3`` package)."""
    binary = shutil.which("sqlite3")
    if binary is None:
        raise FileNotFoundError("the sqlite3 command is missing: apt-get install sqlite3")
    return timed_command([binary, "-csv", "-header", "-readonly", str(db_path), LONG_ROWS_SQL["sqlite"]], out)


def postgres_dump(url: str, out: Path) -> Timed:
    """``COPY (SELECT ...) TO STDOUT WITH CSV HEADER`` through psycopg, written to a file."""
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    began = time.perf_counter()
    statement = f"COPY ({LONG_ROWS_SQL['postgresql']}) TO STDOUT WITH (FORMAT csv, HEADER)"
    with psycopg.connect(conninfo) as conn, out.open("wb") as sink, conn.cursor().copy(statement) as copy:
        for chunk in copy:
            sink.write(chunk)
    return Timed(time.perf_counter() - began, out.stat().st_size)


def count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
    return lines

