"""CPU per full submission, measured in process: the bench's own submission, without gunicorn.

    .venv/bin/python -m bench.submit_profile                      # SQLite, 40 submissions
    .venv/bin/python -m bench.submit_profile --db postgresql -n 40
    .venv/bin/python -m bench.submit_profile --profile 25         # plus the top 25 functions

A fresh database is seeded with the app's own commands (a small world: the cost of one
submission does not depend on how many other cities there are), one official and the regional
office sign in with Flask's test client, and each iteration is exactly the benchmark's
submission (``bench.submissions.submit_once``: the one-page form, then the POST that saves and
submits), after the regional office's reopen (untimed). Production settings; jobs run after each
response, as under gunicorn, and count in the submission's time. The CPU time of the process
is read around the GET and the POST, so the figure hardly depends on what else the machine is
doing. ``--profile N`` runs the same submissions under cProfile and prints the N functions with
the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import json
import os
import pstats
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.client import Response, route_of
from bench.server import app_environment
from bench.world import DEFAULT_PG_URL, Account, World, create_postgres, drop_postgres, seed

GZIP = {"Accept-Encoding": "gzip"}  # as the benchmark's client: pages are compressed


class InProcessClient:
    """The part of ``bench.client.Client`` the submission code uses, over Flask's test client.

    ``cpu`` collects (route, CPU seconds) of every request, the jobs run after it included.
    """

    def __init__(self, app: Any) -> None:
        self._client = app.test_client()
        self.requests = 0
        self.timings: list[tuple[str, float]] | None = None
        self.cpu: list[tuple[str, float]] = []

    def request(self, method: str, url: str, *, form: list[tuple[str, str]] | None = None,
                expect: tuple[int, ...] | None = None, keep_cookies: bool = True) -> Response:
        saved = dict(self._client._cookies) if not keep_cookies else None
        began = time.process_time()
        body = urlencode(form).encode() if form is not None else None
        raw = self._client.open(url, method=method, data=body, headers=GZIP, content_type=(
            "application/x-www-form-urlencoded" if body is not None else None))
        body = raw.get_data()
        if raw.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        raw.close()  # runs what the app left for after the response (the in-process jobs)
        self.cpu.append((f"{method} {route_of(url.split('?')[0])}", time.process_time() - began))
        if saved is not None:
            self._client._cookies.clear()
            self._client._cookies.update(saved)
        self.requests += 1
        if expect is not None and raw.status_code not in expect:
            raise RuntimeError(f"{method} {url}: {raw.status_code}")
        headers = {k.lower(): v for k, v in raw.headers.items()}
        return Response(method, url, raw.status_code, headers, body, len(body), 0)

    def get(self, url: str, *, expect: tuple[int, ...] | None = (200,), **kwargs: Any) -> Response:
        return self.request("GET", url, expect=expect, **kwargs)

    def post(self, url: str, form: list[tuple[str, str]], *,
             expect: tuple[int, ...] | None = (200, 302, 303), **kwargs: Any) -> Response:
        return self.request("POST", url, form=form, expect=expect, **kwargs)

    def follow(self, response: Response) -> Response:
        return self.get(response.location or "")

    def close(self) -> None:
        pass


def sign_in(client: InProcessClient, account: Account) -> None:
    from bench.pages import sign_in as bench_sign_in

    bench_sign_in(client, account)  # type: ignore[arg-type]


def measure(world: World, count: int, profile_top: int, outbox: Path,
            tree_file: Path | None = None) -> dict[str, Any]:
    os.environ.update(app_environment(world.url))
    from assessment import create_app
    from bench.submissions import Official, load_questionnaire, reopen, start, submit_once

    app = create_app({"MAIL_FILE_PATH": str(outbox)})
    questionnaire = load_questionnaire()
    official = Official(InProcessClient(app), InProcessClient(app))  # type: ignore[arg-type]
    sign_in(official.client, world.accounts_with("official")[0])  # type: ignore[arg-type]
    sign_in(official.reopener, world.accounts_with("regional")[0])  # type: ignore[arg-type]
    start(official, int(world.open_round["id"]))  # type: ignore[call-overload]
    for warm_up in range(3):
        submit_once(official, questionnaire, warm_up)
        reopen(official)
    client: InProcessClient = official.client  # type: ignore[assignment]
    profiler = cProfile.Profile() if profile_top else None
    tree = None
    if tree_file is not None:
        from pyinstrument import Profiler

        tree = Profiler(interval=0.0002)
    totals: list[float] = []
    by_route: dict[str, list[float]] = {}
    reopener: InProcessClient = official.reopener  # type: ignore[assignment]
    reopens: list[float] = []
    for iteration in range(count):
        if official.submitted:
            reopener.cpu.clear()
            reopen(official)
            reopens.append(sum(seconds for _route, seconds in reopener.cpu))
        client.cpu.clear()
        if profiler is not None:
            profiler.enable()
        if tree is not None:
            tree.start()
        submit_once(official, questionnaire, iteration + 3)
        if tree is not None:
            tree.stop()
        if profiler is not None:
            profiler.disable()
        totals.append(sum(seconds for _route, seconds in client.cpu))
        for route, seconds in client.cpu:
            by_route.setdefault(route, []).append(seconds)
    report = {
        "db": world.kind, "submissions": count,
        "cpu_ms_per_submission": {"median": statistics.median(totals) * 1000,
                                  "min": min(totals) * 1000, "max": max(totals) * 1000},
        "routes_ms": {route: statistics.median(values) * 1000 for route, values in by_route.items()},
        "reopen_cpu_ms": statistics.median(reopens) * 1000 if reopens else None,
    }
    if tree is not None and tree_file is not None:
        tree_file.write_text(tree.output_text(unicode=False, color=False, show_all=False))
    if profiler is not None:
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.strip_dirs().sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(profile_top)
        report["profile"] = text.getvalue()
    return report


def seeded_copy(seeded: Path, target: Path, cities: int, rounds: int) -> World:
    """A copy of the SQLite world kept in ``seeded`` (seeded there the first time)."""
    facts = seeded.with_suffix(".json")
    if not (seeded.exists() and facts.exists()):
        seeded.parent.mkdir(parents=True, exist_ok=True)
        world = seed("sqlite", f"sqlite:///{seeded}", cities=cities, rounds=rounds, officials=1)
        facts.write_text(json.dumps({"cities": cities, "rounds": rounds, "open_round": world.open_round,
                                     "accounts": [asdict(a) for a in world.accounts]}))
    saved = json.loads(facts.read_text())
    shutil.copyfile(seeded, target)
    return World(kind="sqlite", url=f"sqlite:///{target}", cities=saved["cities"], rounds=saved["rounds"],
                 open_round=saved["open_round"], accounts=[Account(**a) for a in saved["accounts"]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.submit_profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("-n", "--count", type=int, default=40, help="timed submissions")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="run under cProfile and print the N functions with most cumulative time")
    parser.add_argument("--tree", type=Path, metavar="FILE",
                        help="write pyinstrument's call tree of the submissions to FILE "
                             "(.venv/bin/pip install pyinstrument)")
    parser.add_argument("--cities", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--seeded", type=Path, metavar="FILE",
                        help="SQLite: seed into FILE once, and start every later run from a copy of it")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="city-assessment-profile-") as workdir:
        pg_name = None
        if args.db == "sqlite":
            url = f"sqlite:///{Path(workdir) / 'profile.db'}"
        else:
            url, pg_name = create_postgres(args.pg_url)
        try:
            if args.db == "sqlite" and args.seeded is not None:
                world = seeded_copy(args.seeded, Path(workdir) / "profile.db", args.cities, args.rounds)
            else:
                world = seed(args.db, url, cities=args.cities, rounds=args.rounds, officials=1)
            report = measure(world, args.count, args.profile, Path(workdir) / "outbox", args.tree)
        finally:
            if pg_name is not None:
                from assessment.extensions import db

                if db.engine is not None:
                    db.engine.dispose()
                drop_postgres(args.pg_url, pg_name)
    if "profile" in report:
        print(report.pop("profile"))
    cpu = report["cpu_ms_per_submission"]
    print(f"{report['db']}: {report['submissions']} submissions, CPU per submission median "
          f"{cpu['median']:.1f} ms (min {cpu['min']:.1f}, max {cpu['max']:.1f})")
    for route, ms in report["routes_ms"].items():
        print(f"  {route}: median {ms:.1f} ms")
    if report["reopen_cpu_ms"] is not None:
        print(f"  the regional office's reopen before each (untimed in the benchmark): median "
              f"{report['reopen_cpu_ms']:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
