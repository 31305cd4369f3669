"""Two app instances under load, on one PostgreSQL database and one Redis: nothing is lost.

Two gunicorn instances (two threaded workers each, production settings) serve the same fresh
database; a pretend load balancer may send any request of a browser to either. Twelve
officials, each for their own city, sign in on one instance, start their assessment, autosave,
save a draft and submit on both, a third of them submitting twice at the same moment on both
instances, while two analysts download exports from both. Afterwards the database holds every
answer written, exactly one submission per assessment (in the audit trail and the stored
scores), neither instance answered anything with a 5xx, and the sign-in limits counted the
attempts made on both instances together.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.security import generate_password_hash

from assessment.assessments.models import Answer, Assessment, AssessmentStatus, ElementScore, Round
from assessment.assessments.versions import ensure_version
from assessment.audit.models import AuditEvent
from assessment.auth.models import Role
from assessment.auth.services import create_user
from assessment.places.models import City, Country, Region, SizeClass
from assessment.questionnaire import Question, Questionnaire, encode_value, kind_of, parse_form_value
from bench.client import form_pairs, parse_page
from bench.pages import sign_in
from bench.server import app_environment
from bench.submissions import Official as BenchOfficial
from bench.submissions import choices, load_questionnaire, start
from bench.world import Account
from tests.conftest import FAST_HASH_METHOD, create_postgres_database
from tests.foundation.instances import (
    GUNICORN,
    PROJECT_ROOT,
    Browser,
    Instance,
    Seen,
    redis_database,
    run_threads,
    running,
)

pytestmark = pytest.mark.slow

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
OFFICIALS = 12
DOUBLE_SUBMIT_EVERY = 3  # officials 0, 3, 6 and 9 press "Save and submit" on both instances at once
ANALYST_DOWNLOADS = 10  # each, well under EXPORT_RATE_LIMIT's 30 a minute
DOWNLOADS = [("long", "csv"), ("wide", "json"), ("scores", "csv"), ("long", "xlsx"), ("codebook", "json")]
LOGIN_LIMIT = 5  # LOGIN_RATE_LIMIT and LOGIN_ACCOUNT_RATE_LIMIT, per minute
LOAD_SECONDS = 90.0  # the load takes a few seconds; this only bounds a hang
PASSWORD = "two-instances-password"
INSTANCES = ("A", "B")


def other(name: str) -> str:
    return "B" if name == "A" else "A"


# --- the shared database and Redis --------------------------------------------------------------


@pytest.fixture()
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database: next to TEST_DATABASE_URL on the PostgreSQL run, on the
    local server otherwise (this test is about PostgreSQL, whatever the suite runs on)."""
    base = os.environ.get("TEST_DATABASE_URL", "").strip()
    on_postgres_run = base.startswith("postgresql")
    try:
        url, drop = create_postgres_database(base if on_postgres_run else LOCAL_POSTGRES,
                                             prefix="assessment_two_instances")
    except OperationalError as error:
        if on_postgres_run:
            raise
        pytest.skip(f"two instances need PostgreSQL, and {LOCAL_POSTGRES} cannot be reached: {error}")
    try:
        yield url
    finally:
        drop()


@pytest.fixture()
def redis_url() -> Iterator[str]:
    import redis

    try:
        with redis_database() as url:
            yield url
    except redis.ConnectionError as error:
        pytest.skip(f"two instances share their limits through Redis, and 127.0.0.1:6379 cannot be "
                    f"reached: {error}")


def instance_environment(database_url: str, redis_url: str) -> dict[str, str]:
    """Production settings, the same on both instances (SECRET_KEY included)."""
    return {
        **app_environment(database_url),  # APP_ENV=production, a random SECRET_KEY, plain HTTP cookies
        "REDIS_URL": redis_url,
        # Behind the load balancer, which connects from 127.0.0.1 and names the client.
        "PROXY_COUNT": "1",
        "TRUSTED_PROXIES": "127.0.0.1",
        "LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
        "LOGIN_ACCOUNT_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
        "EXPORT_RATE_LIMIT": "30 per minute",
    }


def migrate(env: dict[str, str]) -> None:
    flask = GUNICORN.parent / "flask"
    done = subprocess.run([str(flask), "--app", "assessment", "db", "upgrade"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"flask db upgrade failed:\n{done.stdout}\n{done.stderr}"


@dataclass
class World:
    round_id: int
    officials: list[Account]
    analysts: list[Account]
    target: Account  # the account someone tries to guess the password of


def build_world(database_url: str, questionnaire: Questionnaire) -> World:
    """One region, a city per official, an open round; accounts with a fast password hash."""
    fast = generate_password_hash(PASSWORD, method=FAST_HASH_METHOD)
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            region = Region(name="Two instances")
            country = Country(name="Loadland", region=region)
            session.add_all([region, country])
            today = date.today()
            round_ = Round(name="Two instances round", opens_on=today - timedelta(days=1),
                           closes_on=today + timedelta(days=60),
                           questionnaire_version_id=ensure_version(session, questionnaire).id)
            session.add(round_)
            officials = []
            for n in range(OFFICIALS):
                city = City(name=f"Loadcity {n + 1}", country=country, population=500_000,
                            size_class=SizeClass.for_population(500_000))
                session.add(city)
                session.flush()
                email = f"official{n + 1}@two-instances.example.org"
                create_user(session, email=email, password=PASSWORD, role=Role.OFFICIAL, city=city,
                            name=f"Official {n + 1}", password_hash=fast)
                officials.append(Account("official", email, PASSWORD, city=city.name))
            analysts = []
            for n in range(2):
                email = f"analyst{n + 1}@two-instances.example.org"
                create_user(session, email=email, password=PASSWORD, role=Role.ANALYST, password_hash=fast)
                analysts.append(Account("analyst", email, PASSWORD))
            target = Account("analyst", "target@two-instances.example.org", PASSWORD)
            create_user(session, email=target.email, password=PASSWORD, role=Role.ANALYST, password_hash=fast)
            session.commit()
            return World(round_.id, officials, analysts, target)
    finally:
        engine.dispose()


# --- what a form says about an answer -----------------------------------------------------------

Stored = tuple[str | None, str | None, str | None]  # value as stored, evidence link, note


def answer_in(question: Question, pairs: list[tuple[str, str]]) -> Stored:
    """The answer ``pairs`` give ``question``, in the form the database keeps it."""
    form = MultiDict(pairs)
    kind = kind_of(question)
    value = None
    if kind.has_value:
        raw = form.getlist(question.field_name)
        value = encode_value(question, parse_form_value(question, raw if kind.multiple else (raw or [""])[0]))
    url = (form.get(f"url_{question.id}") or "").strip() or None
    note = (form.get(f"note_{question.id}") or "").strip() or None
    return value, url, note


def answering(loaded: list[tuple[str, str]], questions: list[Question], seed: int,
              label: str) -> list[tuple[str, str]]:
    """The form as loaded, with ``questions`` answered anew (every other answer as loaded)."""
    ids = {q.id for q in questions}
    own = {f"{prefix}{qid}" for qid in ids for prefix in ("q_", "dk_", "na_", "url_", "note_")}
    pairs = [(k, v) for k, v in loaded if k not in own]
    for position, question in enumerate(questions):
        options = choices(question)
        if options:
            pairs.extend((question.field_name, v) for v in options[(seed + position) % len(options)])
        if not kind_of(question).has_value:  # an evidence question: its answer is the link
            link = f"https://data.city.example.org/{label.replace(' ', '-')}/{question.id}"
            pairs.append((f"url_{question.id}", link))
        pairs.append((f"note_{question.id}", f"{label}: {question.id}"))
    return pairs


def only(questions: list[Question], pairs: list[tuple[str, str]], csrf_token: str) -> list[tuple[str, str]]:
    """What an autosave of these questions posts: the token and their fields (the server reads
    only the questions whose revision is sent)."""
    names = {f"{prefix}{q.id}" for q in questions for prefix in ("q_", "url_", "note_", "rev_", "was_")}
    return [("csrf_token", csrf_token), *((k, v) for k, v in pairs if k in names)]


# --- the people -----------------------------------------------------------------------------------


@dataclass
class OfficialRun:
    account: Account
    browser: Browser
    home: str  # the instance that signs them in; "away" is the other one
    double_submit: bool
    assessment_id: int | None = None
    written: dict[str, Stored] = field(default_factory=dict)  # the last saved answer per question
    submit_replies: list[tuple[int, str]] = field(default_factory=list)


def official_journey(run: OfficialRun, questionnaire: Questionnaire, round_id: int) -> None:
    home, away = run.home, other(run.home)
    browser = run.browser
    elements = questionnaire.elements
    label = run.account.email.split("@")[0]
    sign_in(browser.on(home), run.account)
    started = BenchOfficial(client=browser.on(away), reopener=browser.on(away))
    start(started, round_id)
    run.assessment_id = started.assessment_id
    url = started.form_url or ""
    page_path = url.split("?")[0]
    autosave_url = page_path + "/autosave"

    def load(instance: str, saved: list[Question]) -> list[tuple[str, str]]:
        """The page with every question, which must show every answer saved so far."""
        loaded = form_pairs(browser.on(instance).get(url).text, "answers")
        shown = {q.id: answer_in(q, loaded) for q in saved}
        expected = {q.id: run.written[q.id] for q in saved}
        assert shown == expected, f"{label}: the page on {instance} lost answers"
        return loaded

    # 1. Autosave the first two elements, one on each instance (the JSON endpoint).
    loaded = load(home, [])
    token = dict(loaded)["csrf_token"]
    for n, element in enumerate(elements[:2]):
        questions = list(element.questions)
        pairs = answering(loaded, questions, seed=n, label=f"{label} autosave")
        reply = browser.on(home if n == 0 else away).post(autosave_url, only(questions, pairs, token),
                                                          expect=(200,))
        data = json.loads(reply.body)
        assert data["status"] == "saved", f"{label}: autosave of {element.id}: {data}"
        run.written.update({q.id: answer_in(q, pairs) for q in questions})
    saved = [q for e in elements[:2] for q in e.questions]

    # 2. "Save draft" with the next two elements, on the other instance.
    loaded = load(away, saved)
    questions = [q for e in elements[2:4] for q in e.questions]
    pairs = answering(loaded, questions, seed=2, label=f"{label} draft")
    done = browser.on(away).post(url, [*pairs, ("go", "save")], expect=(302, 303))
    assert (done.location or "").split("?")[0].endswith(page_path), f"{label}: draft led to {done.location}"
    run.written.update({q.id: answer_in(q, pairs) for q in questions})
    saved += questions

    # 3. "Save and submit" with the last two elements; some press it on both instances at once.
    loaded = load(home, saved)
    questions = [q for e in elements[4:] for q in e.questions]
    pairs = [*answering(loaded, questions, seed=4, label=f"{label} submit"),
             ("confirm", "y"), ("go", "submit")]
    run.written.update({q.id: answer_in(q, pairs) for q in questions})
    targets = [home, away] if run.double_submit else [home]
    together = threading.Barrier(len(targets), timeout=30)

    def press(instance: str) -> None:
        together.wait()
        reply = browser.on(instance).post(url, pairs, expect=(200, 302, 303))
        run.submit_replies.append((reply.status, reply.location or reply.text[:300]))

    errors, hung = run_threads({f"{label} submit on {i}": (lambda i=i: press(i)) for i in targets}, 60)
    assert not errors and not hung, f"{label}: {errors or hung}"


def analyst_downloads(browser: Browser, account: Account, home: str, stop: threading.Event,
                      outcomes: list[str]) -> None:
    sign_in(browser.on(home), account)
    for n in range(ANALYST_DOWNLOADS):
        if stop.is_set() and n >= len(INSTANCES):
            break
        table, fmt = DOWNLOADS[n % len(DOWNLOADS)]
        instance = INSTANCES[n % len(INSTANCES)]
        body = browser.on(instance).get(f"/exports/download?table={table}&format={fmt}", expect=(200,)).body
        if fmt == "csv":
            assert body.decode("utf-8-sig").splitlines()[0], f"{table}.csv has no header"
        elif fmt == "json":
            json.loads(body)
        else:
            assert body[:2] == b"PK", f"{table}.{fmt} is not a workbook"
        outcomes.append(f"{table}.{fmt} on {instance}")


def failed_sign_ins(instances: list[Instance], seen: list[Seen], *, addresses: list[str],
                    emails: list[str]) -> list[int]:
    """Wrong passwords posted in turn to A and B; the status of each attempt."""
    codes = []
    for n, (address, email) in enumerate(zip(addresses, emails, strict=True)):
        browser = Browser(instances, address, seen)
        try:
            client = browser.on(INSTANCES[n % len(INSTANCES)])
            form = parse_page(client.get("/sign-in").text).form(having="password")
            fields = [(k, v) for k, v in form.defaults() if k not in ("email", "password")]
            response = client.post(form.action or "/sign-in",
                                   [*fields, ("email", email), ("password", "not the password")],
                                   expect=(200, 429))
            codes.append(response.status)
        finally:
            browser.close()
    return codes


# --- the test -------------------------------------------------------------------------------------


def test_two_instances_under_load_lose_nothing(postgres_url: str, redis_url: str, tmp_path: Path) -> None:
    questionnaire = load_questionnaire()
    env = instance_environment(postgres_url, redis_url)
    migrate(env)
    world = build_world(postgres_url, questionnaire)
    instances = [Instance(name, env, tmp_path / f"gunicorn-{name}.log") for name in INSTANCES]
    seen: list[Seen] = []
    runs = [OfficialRun(account, Browser(instances, f"192.0.2.{n + 1}", seen), INSTANCES[n % 2],
                        double_submit=n % DOUBLE_SUBMIT_EVERY == 0)
            for n, account in enumerate(world.officials)]
    analysts = [Browser(instances, f"192.0.2.{101 + n}", seen) for n in range(len(world.analysts))]
    analyst_outcomes: list[list[str]] = [[] for _ in analysts]
    limit_codes: dict[str, list[int]] = {}
    attempts = LOGIN_LIMIT + 1
    officials_done = threading.Event()

    def officials() -> None:
        try:
            errors, hung = run_threads(
                {r.account.email: (lambda r=r: official_journey(r, questionnaire, world.round_id))
                 for r in runs}, LOAD_SECONDS)
        finally:
            officials_done.set()
        assert not errors and not hung, "\n".join([*errors.values(), *(f"{h} did not finish" for h in hung)])

    def analyst(n: int) -> None:
        analyst_downloads(analysts[n], world.analysts[n], INSTANCES[n % 2], officials_done,
                          analyst_outcomes[n])

    def one_address() -> None:  # one client, a different unknown account each time
        limit_codes["address"] = failed_sign_ins(
            instances, seen, addresses=["203.0.113.66"] * attempts,
            emails=[f"nobody{n}@two-instances.example.org" for n in range(attempts)])

    def one_account() -> None:  # one account, from a different client each time
        limit_codes["account"] = failed_sign_ins(
            instances, seen, addresses=[f"198.51.100.{n + 1}" for n in range(attempts)],
            emails=[world.target.email] * attempts)

    with running(instances):
        try:
            errors, hung = run_threads({
                "officials": officials,
                **{f"analyst {n + 1}": (lambda n=n: analyst(n)) for n in range(len(analysts))},
                "guesses from one address": one_address,
                "guesses at one account": one_account,
            }, LOAD_SECONDS + 30)
            logs = "\n".join(f"--- {i.name}\n{i.log_tail()}" for i in instances)
            assert not errors and not hung, "\n".join([*errors.values(), *hung, logs])
            # The export agrees with the database, whichever instance serves it.
            long_rows = {i: list(csv.DictReader(io.StringIO(analysts[0].on(i).get(
                "/exports/download?table=long&format=csv", expect=(200,)).body.decode("utf-8-sig"))))
                for i in INSTANCES}
        finally:  # before the instances stop, which would otherwise wait for these connections
            for browser in [*(r.browser for r in runs), *analysts]:
                browser.close()

    # No server error, on either side of the wire; both instances took their share.
    server_errors = [s for s in seen if s.status >= 500]
    assert not server_errors, server_errors
    for instance in instances:
        logged = instance.access_log()
        assert not [line for line in logged if line[1] >= 500], (instance.name, instance.log_tail())
        assert len(logged) > 50, f"{instance.name} answered only {len(logged)} requests"
        assert "Traceback" not in instance.log_text(), instance.log_tail(80)
    assert {s.instance for s in seen} == set(INSTANCES)
    assert all(len(outcomes) >= len(INSTANCES) for outcomes in analyst_outcomes), analyst_outcomes

    # Every submit press ended on the report: the first submitted, the second found it done.
    for run in runs:
        assert len(run.submit_replies) == (2 if run.double_submit else 1), run.submit_replies
        for status, where in run.submit_replies:
            assert status in (302, 303) and "/report" in where, (run.account.email, status, where)

    # The sign-in limits are shared: the attempt after the fifth is refused, whichever instance gets it.
    assert limit_codes["address"] == [200] * LOGIN_LIMIT + [429]
    assert limit_codes["account"] == [200] * LOGIN_LIMIT + [429]

    engine = create_engine(postgres_url)
    try:
        with Session(engine) as session:
            for run in runs:
                assessment = session.get(Assessment, run.assessment_id)
                assert assessment is not None and assessment.status == AssessmentStatus.SUBMITTED
                assert assessment.overall_index is not None
                rows = session.scalars(select(Answer).where(Answer.assessment_id == run.assessment_id)).all()
                stored = {row.question_id: (row.value, row.evidence_url, row.note) for row in rows}
                assert len(rows) == len(stored) == len(questionnaire.questions), run.account.email
                assert stored == run.written, run.account.email
                assert not any(row.dont_know or row.not_applicable for row in rows)
                submits = session.scalar(select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.assessment_id == run.assessment_id, AuditEvent.action == "submit"))
                assert submits == 1, (run.account.email, submits)
                scores = session.scalars(select(ElementScore.element_id)
                                         .where(ElementScore.assessment_id == run.assessment_id)).all()
                assert sorted(scores) == sorted(e.id for e in questionnaire.elements), run.account.email
            answers = session.scalar(select(func.count()).select_from(Answer))
            assert answers == OFFICIALS * len(questionnaire.questions)
    finally:
        engine.dispose()
    assert {i: len(rows) for i, rows in long_rows.items()} == {i: answers for i in INSTANCES}
