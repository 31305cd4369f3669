"""``python -m bench``: seed, serve, measure, print the table, append the JSON line."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path

from bench import ceilings, exports, pages, submissions
from bench.plan import FULL, QUICK, Plan
from bench.report import RESULTS_DIR, Row, append_result, format_table, row_dict
from bench.server import PROJECT_ROOT, Server
from bench.stats import summarise
from bench.world import DEFAULT_PG_URL, World, create_postgres, drop_postgres, seed


@dataclass
class Context:
    """What one database's scenarios share: the world, the server, the plan and the ceilings."""

    world: World
    server: Server
    plan: Plan
    workdir: Path
    ceilings: dict[str, float] = field(default_factory=dict)
    raw: dict[str, object] = field(default_factory=dict)
    log: Callable[[str], None] = print


def scenario_healthz(ctx: Context) -> list[Row]:
    rows = []
    for concurrency in ctx.plan.concurrency:
        budget = ctx.plan.healthz[concurrency]
        result, cpu = ceilings.healthz(ctx.server, concurrency=concurrency, count=budget.count,
                                       seconds=budget.seconds)
        summary = summarise(result.samples)
        cpu_ms = cpu.workers / max(result.ok, 1) * 1000
        ctx.ceilings[f"healthz.c{concurrency}.cpu_ms"] = cpu_ms
        ctx.ceilings[f"healthz.c{concurrency}.rate"] = result.rate
        ctx.ceilings[f"healthz.c{concurrency}.p50_ms"] = summary.median * 1000
        ctx.raw[f"healthz.c{concurrency}"] = {
            "rate": round(result.rate, 1), "latency_ms": summary.as_dict(), "errors": len(result.errors),
            "stopped_by": result.stopped_by, "cpu": cpu.as_dict(),
            "worker_cpu_ms_per_request": round(cpu_ms, 3),
        }
        rows.append(Row(f"healthz.c{concurrency}.rate", f"/healthz, {concurrency} at once (stack ceiling)",
                        result.rate, "req/s",
                        note=f"p50 {summary.median * 1000:.1f} ms; worker CPU {cpu_ms:.2f} ms/req; "
                             f"client CPU {cpu.client / cpu.wall:.0%} of a core"))
    return rows


def scenario_dump(ctx: Context) -> list[Row]:
    runs = []
    for run in range(ctx.plan.dump_runs):
        out = ctx.workdir / f"dump-{run}.csv"
        if ctx.world.kind == "sqlite":
            assert ctx.world.sqlite_path is not None
            runs.append(ceilings.sqlite_dump(ctx.world.sqlite_path, out))
        else:
            runs.append(ceilings.postgres_dump(ctx.world.url, out))
        lines = ceilings.count_lines(out)
        out.unlink()
    seconds = sorted(r.seconds for r in runs)[len(runs) // 2]
    ctx.ceilings["dump.seconds"] = seconds
    ctx.ceilings["dump.rows"] = lines - 1
    tool = "sqlite3 -csv" if ctx.world.kind == "sqlite" else "COPY ... TO STDOUT CSV"
    ctx.raw["dump"] = {"tool": tool, "seconds": [round(r.seconds, 3) for r in runs], "rows": lines - 1,
                       "bytes": runs[-1].bytes}
    return [Row("dump.seconds", f"database's own dump ({tool}), {lines - 1:,} rows", seconds, "s",
                note=f"{runs[-1].bytes / 1e6:.0f} MB")]


RUNNERS: dict[str, Callable[[Context], list[Row]]] = {
    "healthz": scenario_healthz,
    "dump": scenario_dump,
    "submit": submissions.scenario,
    "report": pages.scenario_report,
    "dashboard": pages.scenario_dashboard,
    "opendata": pages.scenario_opendata,
    "weight": pages.scenario_weight,
    "export": exports.scenario,
}
# The dump runs just before the exports, after the submissions, so both see the same rows.
ORDER = ("healthz", "submit", "report", "dashboard", "opendata", "weight", "dump", "export")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Seed a fresh database at scale, serve the app with gunicorn (2 workers) on "
                    "127.0.0.1 and measure it against its ceilings. See bench/README.md.",
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--cities", type=int, help="synthetic cities (default 1000; 100 with --quick)")
    parser.add_argument("--rounds", type=int, help="rounds per city (default 10; 2 with --quick)")
    parser.add_argument("--quick", action="store_true", help="a smoke check: small world, few iterations")
    parser.add_argument("--only", help=f"comma-separated scenarios to run, of: {', '.join(ORDER)}")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL,
                        help="a PostgreSQL database on this machine, used to create and drop the "
                             "benchmark's own database (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=4,
                        help="threads per gunicorn worker (default %(default)s, as the production "
                             "command in README.md; 1 gives gunicorn's sync workers)")
    parser.add_argument("--no-save", action="store_true", help="do not append to bench/results/")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and databases")
    parser.add_argument("--show", action="store_true",
                        help="print the tables of the latest saved run and exit (measures nothing)")
    return parser.parse_args(argv)


def show_latest() -> int:
    """Print the tables of the last run appended to bench/results/."""
    files = sorted(RESULTS_DIR.glob("*.jsonl"))
    if not files:
        print("no saved runs in bench/results/", file=sys.stderr)
        return 1
    record = json.loads(files[-1].read_text().splitlines()[-1])
    names = {f.name for f in fields(Row)}
    print(f"run of {record['started']} at commit {record['commit']}, {record['minutes']} min, "
          f"load average {record['machine']['load_before'][0]} before")
    for kind, result in sorted(record["databases"].items(), key=lambda item: item[0] != "sqlite"):
        world = result["world"]
        counts = world.get("counts", {})
        title = (f"{kind}: {world['cities']} cities x {world['rounds']} rounds, "
                 f"{counts.get('assessments', 0):,} assessments, {counts.get('answers', 0):,} answers "
                 f"(seeded in {world.get('seed_seconds')} s)")
        rows = [Row(**{k: v for k, v in row.items() if k in names}) for row in result["rows"]]
        print("\n" + format_table(rows, title))
    return 0


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "assessment",
                            "templates", "static"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                           check=False)
    return done.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def run_database(kind: str, plan: Plan, only: tuple[str, ...], args: argparse.Namespace,
                 workroot: Path) -> tuple[World | None, list[Row], dict[str, object]]:
    workdir = workroot / kind
    workdir.mkdir()
    pg_name = None
    rows: list[Row] = []
    raw: dict[str, object] = {}
    world: World | None = None
    try:
        if kind == "sqlite":
            path = workdir / "bench.db"
            url = f"sqlite:///{path}"
        else:
            url, pg_name = create_postgres(args.pg_url)
        print(f"[{kind}] seeding {plan.cities} cities x {plan.rounds} rounds ...", flush=True)
        world = seed(kind, url, cities=plan.cities, rounds=plan.rounds, officials=plan.officials)
        if kind == "sqlite":
            world.sqlite_path = path
        print(f"[{kind}] seeded in {world.seed_seconds:.0f} s: {world.counts}", flush=True)
        with Server(url, workdir, threads=args.threads) as server:
            ctx = Context(world, server, plan, workdir)
            for name in ORDER:
                if name not in only:
                    continue
                began = time.perf_counter()
                print(f"[{kind}] {name} ...", flush=True)
                try:
                    new_rows = RUNNERS[name](ctx)
                except Exception as error:
                    traceback.print_exc()
                    print(server.log_tail(), file=sys.stderr)
                    message = f"{type(error).__name__}: {error}"[:160]
                    new_rows = [Row(f"{name}.error", f"{name}: failed", None, "", note=message)]
                rows.extend(new_rows)
                print(f"[{kind}] {name} done in {time.perf_counter() - began:.0f} s", flush=True)
            raw = ctx.raw
    finally:
        if pg_name and not args.keep:
            drop_postgres(args.pg_url, pg_name)
    return world, rows, raw


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.show:
        return show_latest()
    plan = QUICK if args.quick else FULL
    plan = replace(plan, cities=args.cities or plan.cities, rounds=args.rounds or plan.rounds)
    only = tuple(s.strip() for s in args.only.split(",")) if args.only else ORDER
    unknown = set(only) - set(ORDER)
    if unknown:
        print(f"unknown scenarios: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    workroot = Path(tempfile.mkdtemp(prefix="city-assessment-bench-"))
    results: dict[str, object] = {}
    tables = []
    try:
        for kind in kinds:
            world, rows, raw = run_database(kind, plan, only, args, workroot)
            title = f"{kind}: {plan.cities} cities x {plan.rounds} rounds"
            if args.quick:
                # Targets are set for the full world; a smoke check says nothing about them.
                rows = [replace(row, met=None) for row in rows]
                title += " (quick: no verdicts)"
            if world is not None:
                counts = world.counts
                title += (f", {counts.get('assessments', 0):,} assessments, "
                          f"{counts.get('answers', 0):,} answers (seeded in {world.seed_seconds:.0f} s)")
            table = format_table(rows, title)
            tables.append(table)
            print("\n" + table + "\n", flush=True)
            results[kind] = {
                "world": {"cities": plan.cities, "rounds": plan.rounds,
                          "counts": world.counts if world else {},
                          "seed_seconds": round(world.seed_seconds, 1) if world else None,
                          "region": world.first_region if world else None,
                          "region_cities": world.region_cities if world else None},
                "rows": [row_dict(r) for r in rows],
                "raw": raw,
            }
    finally:
        if not args.keep:
            shutil.rmtree(workroot, ignore_errors=True)
        else:
            print(f"kept {workroot}")
    finished = datetime.now(UTC)
    print("\n\n".join(tables))
    record = {
        "started": started.isoformat(timespec="seconds"),
        "minutes": round((finished - started).total_seconds() / 60, 1),
        "commit": git_commit(),
        "quick": args.quick,
        "server": {"workers": 2, "threads": args.threads},
        "only": list(only),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_before": [round(x, 2) for x in load_before],
                    "load_after": [round(x, 2) for x in os.getloadavg()]},
        "databases": results,
    }
    if not args.no_save:
        path = append_result(record, started.date().isoformat())
        print(f"\nappended to {path.relative_to(PROJECT_ROOT)}")
    print(f"total {record['minutes']} min; load average before {load_before[0]:.2f}, "
          f"after {os.getloadavg()[0]:.2f}")
    return 0
