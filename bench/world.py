"""A fresh database seeded at scale with the app's own commands, plus the benchmark accounts."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.server import PROJECT_ROOT, app_environment

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass
class Account:
    role: str
    email: str
    password: str
    city: str | None = None
    region: str | None = None


@dataclass
class World:
    """What a run's scenarios need to know about the seeded database."""

    kind: str  # "sqlite" or "postgresql"
    url: str
    cities: int
    rounds: int
    seed_seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    accounts: list[Account] = field(default_factory=list)
    open_round: dict[str, object] = field(default_factory=dict)
    first_region: str = ""
    region_cities: int = 0
    first_region_id: int = 0
    last_round_id: int = 0  # the latest seeded round (all of its assessments submitted)
    report_assessment: int | None = None  # the first official's city, latest seeded round
    questionnaire_url: str | None = None  # the page with every question of an assessment, once known
    element_url: str | None = None  # one element's page of the same assessment
    sqlite_path: Path | None = None
    pg_admin_url: str | None = None
    pg_database: str | None = None

    def accounts_with(self, role: str) -> list[Account]:
        return [a for a in self.accounts if a.role == role]


def flask(url: str, *args: str, stdin: str | None = None) -> str:
    """Run ``flask --app assessment ARGS`` against ``url``; the output, or an error with it."""
    flask_bin = PROJECT_ROOT / ".venv" / "bin" / "flask"
    command = [str(flask_bin) if flask_bin.exists() else "flask", "--app", "assessment", *args]
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=_cli_env(url), input=stdin,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def _cli_env(url: str) -> dict[str, str]:
    env = app_environment(url)
    env["APP_ENV"] = "development"  # the CLI needs no secret key
    env.pop("SECRET_KEY", None)
    return env


def python_in_app(url: str, code: str) -> str:
    """Run a snippet with the app created and its context pushed; returns its standard output."""
    prelude = (
        "from assessment import create_app\n"
        "app = create_app()\n"
        "ctx = app.app_context(); ctx.push()\n"
    )
    done = subprocess.run([sys.executable, "-c", prelude + code], cwd=PROJECT_ROOT,
                          env=_cli_env(url), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"snippet failed:\n{done.stdout}{done.stderr}")
    return done.stdout


# --- databases ---------------------------------------------------------------------------


def _psycopg_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def create_postgres(admin_url: str) -> tuple[str, str]:
    """A new, empty database next to ``admin_url``'s; returns (its SQLAlchemy URL, its name)."""
    import psycopg

    _refuse_remote(admin_url)
    name = f"bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(_psycopg_url(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return _with_database(admin_url, name), name


def drop_postgres(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_psycopg_url(admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _refuse_remote(url: str) -> None:
    host = urlsplit(url).hostname or "127.0.0.1"
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"the benchmarks only use a database on this machine, not {host!r}")


# --- seeding ---------------------------------------------------------------------------


PASSWORD_BYTES = 12  # random per run: the accounts live only in the throwaway database
_FACTS = """
import json
from sqlalchemy import select, func
from assessment.extensions import db
from assessment.places.models import City, Country, Region
from assessment.assessments.models import Answer, Assessment, AssessmentStatus, Round
s = db.session
region = s.scalars(select(Region).order_by(Region.id)).first()
city_names = list(s.scalars(select(City.name).join(Country).where(Country.region_id == region.id)
                  .order_by(City.id)))
last_round = s.scalar(select(func.max(Round.id)))
first_city = s.scalar(select(City.id).join(Country).where(Country.region_id == region.id)
                      .order_by(City.id).limit(1))
report = s.scalar(select(Assessment.id).where(Assessment.city_id == first_city,
                                              Assessment.round_id == last_round))
print(json.dumps({
    "region": region.name, "region_id": region.id, "region_cities": city_names,
    "last_round": last_round, "report_assessment": report,
    "counts": {"cities": s.scalar(select(func.count()).select_from(City)),
               "assessments": s.scalar(select(func.count()).select_from(Assessment)),
               "answers": s.scalar(select(func.count()).select_from(Answer)),
               "rounds": s.scalar(select(func.count()).select_from(Round))},
}))
"""

_OPEN_ROUND = """
import json
from datetime import date, timedelta
from assessment.extensions import db
from assessment.assessments.models import Round
from assessment.assessments.versions import current_questionnaire, ensure_version
s = db.session
version = ensure_version(s, current_questionnaire())
today = date.today()
round_ = Round(name="Benchmark round", opens_on=today - timedelta(days=1),
               closes_on=today + timedelta(days=60), questionnaire_version_id=version.id)
s.add(round_)
s.commit()
print(json.dumps({"id": round_.id, "name": round_.name}))
"""

# The app's own `users create` command, invoked once per account in one process.
_ACCOUNTS = """
import json, sys
from assessment.cli import users_create
accounts = json.loads(sys.stdin.read())
runner = app.test_cli_runner()
for a in accounts:
    args = ["--email", a["email"], "--role", a["role"], "--name", "Benchmark " + a["role"]]
    if a.get("city"):
        args += ["--city", a["city"]]
    if a.get("region"):
        args += ["--region", a["region"]]
    result = runner.invoke(users_create, args, input=a["password"] + "\\n")
    if result.exit_code != 0:
        raise SystemExit(f"users create {a['email']}: {result.output}")
print(len(accounts))
"""


def seed(kind: str, url: str, *, cities: int, rounds: int, officials: int) -> World:
    """Migrate, seed ``cities`` x ``rounds`` with ``seed-demo``, open a round, create accounts."""
    world = World(kind=kind, url=url, cities=cities, rounds=rounds)
    flask(url, "db", "upgrade")
    began = time.perf_counter()
    flask(url, "seed-demo", "--cities", str(cities), "--rounds", str(rounds))
    world.seed_seconds = time.perf_counter() - began
    if kind == "postgresql":
        # A bulk load leaves the planner without statistics, and the visibility map that lets
        # an index-only scan skip the table unset, until autovacuum gets to the new tables; a
        # database in service has both, so the measurement should too.
        import psycopg

        with psycopg.connect(_psycopg_url(url), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    facts = json.loads(python_in_app(url, _FACTS))
    world.counts = facts["counts"]
    world.first_region = facts["region"]
    world.region_cities = len(facts["region_cities"])
    world.first_region_id = facts["region_id"]
    world.last_round_id = facts["last_round"]
    world.report_assessment = facts["report_assessment"]
    world.open_round = json.loads(python_in_app(url, _OPEN_ROUND))
    if officials > len(facts["region_cities"]):
        raise ValueError(f"{officials} officials need as many cities in {world.first_region}")
    accounts = [
        Account("official", f"official{n + 1}@bench.example.org",
                secrets.token_urlsafe(PASSWORD_BYTES), city=facts["region_cities"][n])
        for n in range(officials)
    ]
    accounts += [
        Account("regional", "regional@bench.example.org", secrets.token_urlsafe(PASSWORD_BYTES),
                region=world.first_region),
        Account("analyst", "analyst@bench.example.org", secrets.token_urlsafe(PASSWORD_BYTES)),
        Account("admin", "admin@bench.example.org", secrets.token_urlsafe(PASSWORD_BYTES)),
    ]
    payload = json.dumps([a.__dict__ for a in accounts])
    done = subprocess.run(
        [sys.executable, "-c", "from assessment import create_app\napp = create_app()\n"
         "ctx = app.app_context(); ctx.push()\n" + _ACCOUNTS],
        cwd=PROJECT_ROOT, env=_cli_env(url), input=payload, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"creating accounts failed:\n{done.stdout}{done.stderr}")
    world.accounts = accounts
    return world
