"""Profile one page in-process with pyinstrument, as a signed-in user, against a kept database.

    python -m bench --db sqlite --keep ...          # keeps the seeded database; note its path
    .venv/bin/pip install pyinstrument
    python -m bench.profile --database-url sqlite:////tmp/.../sqlite/bench.db \\
        --email regional@bench.example.org --password ... --url '/dashboard?region=1&round=10'

Without --email/--password the page is fetched signed out. ``--repeat`` requests are
profiled after one warm-up; the report goes to standard output (``--html FILE`` for a page).
"""

from __future__ import annotations

import argparse
import os
import re
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--url", required=True, help="path and query, e.g. /assessments/12/report")
    parser.add_argument("--method", default="GET", choices=("GET", "POST"))
    parser.add_argument("--data", default="", help="POST body (urlencoded); CSRF token added")
    parser.add_argument("--email")
    parser.add_argument("--password")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--html", help="write an HTML report to this file")
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("LOGIN_RATE_LIMIT", "100000 per minute")
    from pyinstrument import Profiler

    from assessment import create_app

    app = create_app()
    client = app.test_client()
    token = ""
    if args.email:
        page = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        signed = client.post("/sign-in", data={"csrf_token": token, "email": args.email,
                                               "password": args.password or ""})
        if signed.status_code != 302:
            print("sign-in failed", file=sys.stderr)
            return 1

    def once() -> int:
        if args.method == "GET":
            return client.get(args.url).status_code
        body = f"{args.data}&csrf_token={token}" if token else args.data
        return client.post(args.url, data=body, content_type="application/x-www-form-urlencoded").status_code

    print(f"warm-up: {once()}", file=sys.stderr)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.repeat):
        once()
    profiler.stop()
    if args.html:
        with open(args.html, "w") as handle:
            handle.write(profiler.output_html())
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
