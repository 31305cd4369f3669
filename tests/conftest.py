"""Shared fixtures: one app and one migrated database per run, one rolled-back transaction per test.

Set TEST_DATABASE_URL=postgresql+psycopg://... to run everything on PostgreSQL: a
throwaway database is created next to the one named, and dropped at the end.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import flask_migrate
import pandas as pd
import pytest
from flask import Flask, g, request_started
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from assessment import create_app
from assessment.assessments.models import Answer, Assessment, AssessmentStatus, Round
from assessment.assessments.versions import ensure_version
from assessment.auth import services as auth_services
from assessment.auth.models import Role, User
from assessment.extensions import db
from assessment.places.models import City, Country, Region, SizeClass
from assessment.questionnaire import Question, Questionnaire, QuestionType
from tests.mailbox import Inbox, sending_through, smtp_server

# A fast hash for test accounts; real accounts use the library default (scrypt).
FAST_HASH_METHOD = "pbkdf2:sha256:1000"
TEST_PASSWORD = "correct horse battery"


def create_postgres_database(
    base_url: str, prefix: str = "assessment_test"
) -> tuple[str, Callable[[], None]]:
    """A fresh database next to the one ``base_url`` names; returns its URL and a dropper."""
    url = make_url(base_url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL", "").strip()
    if base.startswith("postgresql"):
        url, drop = create_postgres_database(base)
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        {
            "MAIL_FILE_PATH": str(tmp_path_factory.mktemp("outbox")),
            "APP_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "WTF_CSRF_ENABLED": False,
            # Generous, so only the rate-limit test (which tightens it) ever hits it.
            "LOGIN_RATE_LIMIT": "10000 per minute",
            "LOGIN_ACCOUNT_RATE_LIMIT": "10000 per minute",
            "API_RATE_LIMIT": "10000 per minute",
            "EXPORT_RATE_LIMIT": "10000 per minute",
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    assert db.engine is not None
    db.engine.dispose()


@contextmanager
def audit_events_deletable(session: Session) -> Iterator[None]:
    """Let a test clean up the audit events it committed (the database refuses deletions):
    triggers are off for this transaction on PostgreSQL, dropped and made again on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
        yield
        return
    triggers = session.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'")).all()
    for name, _sql in triggers:
        session.execute(text(f'DROP TRIGGER "{name}"'))
    yield
    for _name, sql in triggers:
        session.execute(text(sql))


@pytest.fixture()
def shared_database_back(app: Flask) -> Iterator[None]:
    """For tests that build apps of their own: the extensions are shared, and the last app
    built owns the engine, so give it back to the suite's app afterwards."""
    yield
    db.bind(app)


def _forget_request_globals(sender: Flask, **extra: object) -> None:
    """Requests in a test share the test's app context, and so ``g``; a browser's requests do
    not. Forget what Flask-Login, Flask-WTF and Flask-Babel cache in ``g`` so two clients are two people."""
    for name in ("_login_user", "csrf_token", "_flask_babel"):
        g.pop(name, None)


@pytest.fixture()
def db_session(app: Flask) -> Iterator[Session]:
    """Every test runs inside one transaction that is rolled back at the end."""
    assert db.engine is not None
    connection = db.engine.connect()
    transaction = connection.begin()
    request_started.connect(_forget_request_globals, app)
    try:
        with app.app_context(), db.bound_to(connection):
            yield db.session
    finally:
        request_started.disconnect(_forget_request_globals, app)
        transaction.rollback()
        connection.close()


@pytest.fixture()
def smtp(app: Flask) -> Iterator[Inbox]:
    """The app sends through a real SMTP server on loopback for this test; its inbox."""
    with smtp_server() as (inbox, port), sending_through(app, port):
        yield inbox


@pytest.fixture()
def client(app: Flask, db_session: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def runner(app: Flask, db_session: Session) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture()
def questionnaire(app: Flask) -> Questionnaire:
    return app.extensions["questionnaire"]  # type: ignore[no-any-return]


# --- factories ---------------------------------------------------------------------


class Factory:
    """Builds the rows a test needs, with sensible defaults and keyword overrides."""

    def __init__(self, session: Session, questionnaire: Questionnaire) -> None:
        self.session = session
        self.questionnaire = questionnaire
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def region(self, name: str | None = None) -> Region:
        region = Region(name=name or f"Region {self._next()}")
        self.session.add(region)
        self.session.flush()
        return region

    def country(self, region: Region | None = None, name: str | None = None) -> Country:
        country = Country(name=name or f"Country {self._next()}", region=region or self.region())
        self.session.add(country)
        self.session.flush()
        return country

    def city(self, country: Country | None = None, name: str | None = None,
             population: int = 500_000, region: Region | None = None) -> City:
        city = City(
            name=name or f"City {self._next()}",
            country=country or self.country(region=region),
            population=population,
            size_class=SizeClass.for_population(population),
        )
        self.session.add(city)
        self.session.flush()
        return city

    def user(self, role: Role = Role.OFFICIAL, *, city: City | None = None,
             region: Region | None = None, email: str | None = None,
             password: str = TEST_PASSWORD) -> User:
        if role == Role.OFFICIAL and city is None:
            city = self.city()
        if role == Role.REGIONAL and region is None:
            region = self.region()
        return auth_services.create_user(
            self.session, email=email or f"user{self._next()}@example.org", password=password,
            role=role, city=city, region=region,
            password_hash=generate_password_hash(password, method=FAST_HASH_METHOD),
        )

    def round(self, name: str | None = None, opens_on: date = date(2026, 3, 1),
              questionnaire: Questionnaire | None = None) -> Round:
        version = ensure_version(self.session, questionnaire or self.questionnaire)
        round_ = Round(name=name or f"Round {self._next()}", opens_on=opens_on,
                       closes_on=None, questionnaire_version_id=version.id)
        self.session.add(round_)
        self.session.flush()
        return round_

    def assessment(self, city: City | None = None, round: Round | None = None,
                   **overrides: Any) -> Assessment:
        round_ = round or self.round()
        assessment = Assessment(
            city_id=(city or self.city()).id, round_id=round_.id,
            questionnaire_version_id=round_.questionnaire_version_id,
            status=overrides.pop("status", AssessmentStatus.DRAFT), **overrides,
        )
        self.session.add(assessment)
        self.session.flush()
        return assessment


    def answer(self, assessment: Assessment, level: float | dict[str, float] = 2.0, *,
               fill: float = 1.0, submit: bool = False, seed: int = 1,
               user: User | None = None) -> Assessment:
        """Answer ``assessment`` as a city at maturity ``level`` (per element if a dict).

        Uses the demo answer generator and the real scoring engine; ``submit`` also stores
        the element scores and marks the assessment submitted, as submission does.
        """
        import random

        from sqlalchemy import insert

        from assessment.assessments.models import Answer
        from assessment.assessments.scores import score_answers
        from assessment.assessments.services import store_submission
        from assessment.assessments.versions import questionnaire_for
        from assessment.demo.seed import answer_rows, answers_for_city

        questionnaire = questionnaire_for(assessment.questionnaire_version)
        profile = level if isinstance(level, dict) else {e.id: level for e in questionnaire.elements}
        answers = answers_for_city(questionnaire, profile, random.Random(seed), fill=fill,
                                   dont_know_rate=0.0)
        when = assessment.updated_at
        self.session.execute(insert(Answer), answer_rows(
            questionnaire, assessment.id, answers, user.id if user else None, when))
        self.session.expire(assessment, ["answers"])
        result = score_answers(questionnaire, assessment.answers)
        assessment.completeness = result.completeness
        self.session.flush()
        if submit:
            store_submission(self.session, assessment, result, user=user, at=when)
        self.session.flush()
        return assessment


@pytest.fixture()
def make(db_session: Session, questionnaire: Questionnaire) -> Factory:
    return Factory(db_session, questionnaire)


@pytest.fixture()
def login(client: FlaskClient, app: Flask, db_session: Session) -> Callable[[User], User]:
    """Sign a user in on ``client`` without going through the (rate-limited) form."""

    def sign_in(user: User) -> User:
        token = auth_services.start_session(db_session, user, app.config["SESSION_HOURS"])
        db_session.flush()
        with client.session_transaction() as session:
            session.clear()
            session["_user_id"] = token
            session["_fresh"] = True
        return user

    return sign_in


@pytest.fixture()
def get_user(db_session: Session) -> Callable[[str], User | None]:
    def find(email: str) -> User | None:
        return db_session.scalar(select(User).where(User.email == email))

    return find


# --- shared worlds ------------------------------------------------------------------


def first_of(questionnaire: Questionnaire, kind: QuestionType, *, allow_na: bool | None = None) -> Question:
    return next(q for q in questionnaire.questions
                if q.type is kind and (allow_na is None or q.allow_na == allow_na))


@dataclass
class CityWorld:
    city: City
    round: Round
    assessment: Assessment
    official: User
    colleague: User


@pytest.fixture()
def world(make, questionnaire: Questionnaire) -> CityWorld:
    """A city with two officials and a draft assessment in an open round."""
    city = make.city(name="Kigali")
    round_ = make.round(name="2026")
    assessment = make.assessment(city=city, round=round_)
    return CityWorld(city, round_, assessment,
                     make.user(Role.OFFICIAL, city=city, email="aline@kigali.example.org"),
                     make.user(Role.OFFICIAL, city=city, email="jean@kigali.example.org"))


# A small world of cities, rounds and assessments in every state, for the export and API tests.
@dataclass
class ExportWorld:
    africa: Region
    asia: Region
    kigali: City
    nairobi: City
    bandung: City
    round_2025: Round
    round_2026: Round
    kigali_2025: Assessment  # submitted, level 2
    kigali_2026: Assessment  # draft, half answered
    nairobi_2025: Assessment  # submitted, level 3
    bandung_2025: Assessment  # submitted, level 4: above target
    official: User  # Kigali
    regional: User  # Africa
    regional_asia: User
    analyst: User
    admin: User

    def answers(self, session: Session, assessment: Assessment) -> list[Answer]:
        return list(session.scalars(select(Answer).where(Answer.assessment_id == assessment.id)))


def build_export_world(make) -> ExportWorld:  # type: ignore[no-untyped-def]
    africa = make.region("Africa")
    asia = make.region("Asia-Pacific")
    rwanda = make.country(region=africa, name="Rwanda")
    rwanda.iso_code = "RWA"
    kenya = make.country(region=africa, name="Kenya")
    indonesia = make.country(region=asia, name="Indonesia")
    kigali = make.city(country=rwanda, name="Kigali", population=1_745_000)
    nairobi = make.city(country=kenya, name="Nairobi", population=4_397_000)
    bandung = make.city(country=indonesia, name="Bandung", population=2_444_000)
    official = make.user(Role.OFFICIAL, city=kigali, email="official@kigali.example.org")
    round_2025 = make.round(name="2025")
    round_2026 = make.round(name="2026")
    kigali_2025 = make.answer(make.assessment(city=kigali, round=round_2025), 2.0, submit=True,
                              user=official, seed=3)
    kigali_2026 = make.answer(make.assessment(city=kigali, round=round_2026), 2.0, fill=0.5,
                              user=official, seed=4)
    nairobi_2025 = make.answer(make.assessment(city=nairobi, round=round_2025), 3.0, submit=True,
                               seed=5)
    bandung_2025 = make.answer(make.assessment(city=bandung, round=round_2025), 4.0, submit=True,
                               seed=6)
    assert kigali_2026.status == AssessmentStatus.DRAFT
    return ExportWorld(
        africa=africa, asia=asia, kigali=kigali, nairobi=nairobi, bandung=bandung,
        round_2025=round_2025, round_2026=round_2026, kigali_2025=kigali_2025,
        kigali_2026=kigali_2026, nairobi_2025=nairobi_2025, bandung_2025=bandung_2025,
        official=official, regional=make.user(Role.REGIONAL, region=africa),
        regional_asia=make.user(Role.REGIONAL, region=asia), analyst=make.user(Role.ANALYST),
        admin=make.user(Role.ADMIN),
    )


def read(fmt: str, body: bytes, **kwargs) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """A downloaded table as pandas reads it."""
    if fmt == "csv":
        # Round names and version labels look like numbers ("2025", "2026.1"): read them as text.
        kwargs.setdefault("dtype", {"round": str, "questionnaire_version": str})
        return pd.read_csv(io.BytesIO(body), keep_default_na=False, na_values=[""], **kwargs)
    if fmt == "xlsx":
        return pd.read_excel(io.BytesIO(body), **kwargs)
    if fmt == "parquet":
        return pd.read_parquet(io.BytesIO(body), **kwargs)
    return pd.read_json(io.BytesIO(body), dtype=False, **kwargs)
