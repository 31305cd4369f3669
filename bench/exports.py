"""The long table (one row per answer) of ALL rows, downloaded as CSV and XLSX.

Timed at the client from the request to the last byte; the memory figure is the peak
resident set size of the gunicorn worker that served it, sampled from /proc every 10 ms and
checked against the kernel's own high-water mark (VmHWM, reset before each download). The
command-line export is measured too, with its own peak RSS from ``wait4``.
"""

from __future__ import annotations

import statistics
import time
from typing import TYPE_CHECKING

from bench.ceilings import count_lines, timed_command
from bench.pages import signed_in
from bench.report import Row
from bench.server import PROJECT_ROOT, MemoryWatch
from bench.world import _cli_env

if TYPE_CHECKING:
    from bench.runner import Context

DUMP_RATIO_TARGET = 3.0
MEMORY_TARGET_MB = 300.0
MIB = 1024 * 1024
# The worker timeout of the production command in README.md: a worker busy with one request
# for longer is killed, and the download fails.
PRODUCTION_TIMEOUT = 120.0


class Sink:
    """Counts bytes and lines of a streamed body; gives up past a deadline."""

    def __init__(self, deadline: float) -> None:
        self.bytes = 0
        self.lines = 0
        self.deadline = deadline
        self.first_byte: float | None = None

    def __call__(self, chunk: bytes) -> None:
        if self.first_byte is None:
            self.first_byte = time.perf_counter()
        self.bytes += len(chunk)
        self.lines += chunk.count(b"\n")
        if time.perf_counter() > self.deadline:
            raise TimeoutError("the export took longer than the benchmark allows")


def download(ctx: Context, fmt: str) -> dict[str, float]:
    client = signed_in(ctx, ctx.world.accounts_with("analyst")[0])
    try:
        url = f"/exports/download?table=long&format={fmt}"
        began = time.perf_counter()
        sink = Sink(began + ctx.plan.export_seconds)
        with MemoryWatch(ctx.server.worker_pids()) as memory:
            response = client.request("GET", url, stream_to=sink, expect=(200,))
        seconds = time.perf_counter() - began
        baseline, peak = memory.busiest()
        return {"seconds": seconds, "bytes": sink.bytes, "lines": sink.lines, "wire": response.wire_body,
                "first_byte_s": (sink.first_byte or began) - began, "rss_before_mb": baseline * MIB / 1e6,
                "peak_rss_mb": peak * MIB / 1e6, "hwm_checked": memory.hwm_reset}
    finally:
        client.close()


def cli_export(ctx: Context, fmt: str) -> dict[str, float]:
    out = ctx.workdir / f"cli-export.{fmt}"
    flask_bin = PROJECT_ROOT / ".venv" / "bin" / "flask"
    command = [str(flask_bin), "--app", "assessment", "export", "--table", "long", "--format", fmt,
               "-o", str(out)]
    timed = timed_command(command, ctx.workdir / "cli-export.log", env=_cli_env(ctx.world.url),
                          cwd=PROJECT_ROOT, timeout=ctx.plan.export_seconds)
    lines = count_lines(out) if fmt == "csv" else 0
    size = out.stat().st_size
    out.unlink()
    return {"seconds": timed.seconds, "bytes": size, "lines": lines,
            "peak_rss_mb": (timed.peak_mib or 0) * MIB / 1e6}


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def scenario(ctx: Context) -> list[Row]:
    rows: list[Row] = []
    dump = ctx.ceilings.get("dump.seconds")
    dump_rows = int(ctx.ceilings.get("dump.rows", 0))
    csv_runs = [download(ctx, "csv") for _ in range(ctx.plan.export_csv_runs)]
    exported = int(csv_runs[0]["lines"]) - 1
    ctx.raw["export.csv"] = csv_runs
    seconds = _median(csv_runs, "seconds")
    peak = max(r["peak_rss_mb"] for r in csv_runs)
    rate = exported / seconds
    rows.append(Row("export.csv.seconds", f"long export, CSV download, {exported:,} rows", seconds, "s",
                    ceiling=dump, ceiling_label="dump" if dump else "",
                    target=f"<= {DUMP_RATIO_TARGET:.0f}x dump",
                    met=(seconds <= DUMP_RATIO_TARGET * dump) if dump else None,
                    note=f"{rate:,.0f} rows/s; {csv_runs[0]['bytes'] / 1e6:.0f} MB; first byte after "
                         f"{_median(csv_runs, 'first_byte_s') * 1000:.0f} ms"
                         + ("" if not dump_rows or dump_rows == exported else
                            f"; dump had {dump_rows:,} rows")))
    rows.append(Row("export.csv.memory", "  worker peak RSS during the CSV download", peak, "MB",
                    target=f"< {MEMORY_TARGET_MB:.0f} MB", met=peak < MEMORY_TARGET_MB,
                    note=f"{peak - min(r['rss_before_mb'] for r in csv_runs):+.0f} MB over the worker "
                         f"before the download"))
    xlsx_runs = [download(ctx, "xlsx") for _ in range(ctx.plan.export_xlsx_runs)]
    ctx.raw["export.xlsx"] = xlsx_runs
    seconds = _median(xlsx_runs, "seconds")
    peak = max(r["peak_rss_mb"] for r in xlsx_runs)
    rows.append(Row("export.xlsx.seconds", f"long export, XLSX download, {exported:,} rows", seconds, "s",
                    ceiling=dump, ceiling_label="dump" if dump else "",
                    note=f"{exported / seconds:,.0f} rows/s; {xlsx_runs[0]['bytes'] / 1e6:.0f} MB; "
                         f"first byte after {_median(xlsx_runs, 'first_byte_s'):.1f} s "
                         "(built in a temporary file)" + (
                             f"; past the production worker timeout of {PRODUCTION_TIMEOUT:.0f} s"
                             if _median(xlsx_runs, "first_byte_s") > PRODUCTION_TIMEOUT else "")))
    rows.append(Row("export.xlsx.memory", "  worker peak RSS during the XLSX download", peak, "MB",
                    target=f"< {MEMORY_TARGET_MB:.0f} MB", met=peak < MEMORY_TARGET_MB,
                    note=f"{peak - min(r['rss_before_mb'] for r in xlsx_runs):+.0f} MB over the worker "
                         f"before the download"))
    cli = cli_export(ctx, "csv")
    ctx.raw["export.cli_csv"] = cli
    rows.append(Row("export.cli_csv.seconds", "long export, CSV, command line (incl. start-up)",
                    cli["seconds"], "s", ceiling=dump, ceiling_label="dump" if dump else "",
                    note=f"peak RSS {cli['peak_rss_mb']:.0f} MB; {int(cli['lines']) - 1:,} rows"))
    return rows
