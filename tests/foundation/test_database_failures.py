"""When the database cannot serve, every write answers 503 with Retry-After, repeats what was
typed, and the app recovers by itself once the database is back.

Each case runs its own app on its own database, so the failure touches nothing else: SQLite
locked by another process past the busy timeout, SQLite on a disk that is full (a small tmpfs),
and a PostgreSQL server that this test starts on its own port, stops and starts again, and
switches to read-only. None of them is the shared database of the suite.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text

from assessment import create_app
from assessment.assessments.models import Answer, Assessment
from assessment.auth.models import Role
from assessment.extensions import db
from assessment.questionnaire import QuestionType
from tests.conftest import TEST_PASSWORD, Factory
from tests.forms import element_url, load_form, set_answer

pytestmark = pytest.mark.usefixtures("shared_database_back")

NOTE = "Our open-data portal went live in March; the by-law is number 2026/14."


@dataclass
class Standalone:
    app: Flask
    client: FlaskClient
    assessment: Assessment
    email: str

    def sign_in(self) -> None:
        response = self.client.post("/sign-in", data={"email": self.email, "password": TEST_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]

    def answers_form(self):  # type: ignore[no-untyped-def]
        questionnaire = self.app.extensions["questionnaire"]
        element = questionnaire.elements[0]
        question = next(q for q in element.questions if q.type is QuestionType.MATURITY)
        data = load_form(self.client, self.assessment, element.id)
        set_answer(data, question, "3")
        data[f"note_{question.id}"] = NOTE
        return element_url(self.assessment, element.id), data, question

    def stored_note(self, question_id: str) -> str | None:
        with self.app.app_context():
            return db.session.scalar(select(Answer.note).where(
                Answer.assessment_id == self.assessment.id, Answer.question_id == question_id))


def standalone(url: str, **config: object) -> Standalone:
    """An app on its own migrated database, with a city, its official and a draft assessment."""
    app = create_app({
        "APP_ENV": "testing", "TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT": "10000 per minute", "SQLITE_BUSY_SECONDS": 0.3,
        **config,
    })
    with app.app_context():
        flask_migrate.upgrade()
        make = Factory(db.session, app.extensions["questionnaire"])
        city = make.city(name="Kigali")
        official = make.user(Role.OFFICIAL, city=city, email="aline@kigali.example.org")
        assessment = make.assessment(city=city)
        db.session.commit()
    return Standalone(app, app.test_client(), assessment, official.email)


def dispose(app: Flask) -> None:
    with app.app_context():
        assert db.engine is not None
        db.engine.dispose()


def assert_not_saved_page(response, *typed: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "nothing was saved" in page
    for value in typed:
        assert value in page, value
    assert TEST_PASSWORD not in page


# --- SQLite locked past the busy timeout -------------------------------------------------------


@pytest.fixture()
def sqlite_app(tmp_path: Path) -> Iterator[Standalone]:
    world = standalone(f"sqlite:///{tmp_path / 'own.db'}")
    yield world
    dispose(world.app)


def test_a_save_while_sqlite_is_locked_answers_503_keeps_the_answers_and_works_once_free(
        sqlite_app: Standalone, tmp_path: Path) -> None:
    sqlite_app.sign_in()
    url, data, question = sqlite_app.answers_form()
    other = sqlite3.connect(tmp_path / "own.db", timeout=0.1, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        saved = sqlite_app.client.post(url, data=data)
        assert_not_saved_page(saved, NOTE)
        # The page posts everything again, to the same address.
        assert f'action="{url}"' in saved.get_data(as_text=True)
        autosave = sqlite_app.client.post(url + "/autosave", data=data)
        assert autosave.status_code == 503 and autosave.is_json
        assert autosave.json["status"] == "unavailable" and "nothing was saved" in autosave.json["message"]
        assert int(autosave.headers["Retry-After"]) > 0
        submitted = sqlite_app.client.post(f"/assessments/{sqlite_app.assessment.id}/submit",
                                           data={"confirm": "y"})
        assert_not_saved_page(submitted)
        assert 'name="confirm"' in submitted.get_data(as_text=True)  # sent again as it was
    finally:
        other.rollback()
        other.close()
    assert sqlite_app.stored_note(question.id) is None
    # Lock released: the same form saves, without restarting anything.
    again = sqlite_app.client.post(url, data=data)
    assert again.status_code == 302
    assert sqlite_app.stored_note(question.id) == NOTE


def test_sign_in_and_admin_forms_while_sqlite_is_locked_keep_what_was_typed(
        sqlite_app: Standalone, tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "own.db", timeout=0.1, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        response = sqlite_app.client.post(
            "/sign-in", data={"email": sqlite_app.email, "password": TEST_PASSWORD})
        assert_not_saved_page(response, sqlite_app.email)
    finally:
        other.rollback()
    with sqlite_app.app.app_context():
        make = Factory(db.session, sqlite_app.app.extensions["questionnaire"])
        make.user(Role.ADMIN, email="admin@example.org")
        db.session.commit()
    sqlite_app.client.post("/sign-in", data={"email": "admin@example.org", "password": TEST_PASSWORD})
    other.execute("BEGIN EXCLUSIVE")
    try:
        created = sqlite_app.client.post("/admin/regions/new", data={"name": "Région Afrique de l'Ouest"})
        assert_not_saved_page(created, "Région Afrique de l&#39;Ouest")
    finally:
        other.rollback()
        other.close()


# --- SQLite on a full disk ------------------------------------------------------------------------


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs, so the disk can really fill up."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:  # unbuffered: closing has nothing left to write
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass
    return filler


def test_a_full_disk_answers_503_keeps_the_answers_and_health_says_so(small_disk: Path) -> None:
    world = standalone(f"sqlite:///{small_disk / 'own.db'}", HEALTH_MIN_FREE_MB=1)
    try:
        world.sign_in()
        url, data, question = world.answers_form()
        assert world.client.get("/healthz").json["disk"] == "ok"
        filler = fill(small_disk)
        data[f"note_{question.id}"] = NOTE + " " + "x" * 4000  # new pages are needed
        saved = world.client.post(url, data=data)
        assert_not_saved_page(saved, NOTE)
        health = world.client.get("/healthz")
        assert health.status_code == 503 and health.json["disk"] == "full"
        filler.unlink()
        assert world.client.post(url, data=data).status_code == 302
        assert (world.stored_note(question.id) or "").startswith(NOTE)
        assert world.client.get("/healthz").status_code == 200
    finally:
        dispose(world.app)


def test_health_reports_a_read_only_sqlite_database(tmp_path: Path) -> None:
    world = standalone(f"sqlite:///{tmp_path / 'own.db'}")
    dispose(world.app)
    read_only = create_app({"APP_ENV": "testing", "TESTING": True, "SECRET_KEY": "x",
                            "DATABASE_URL": f"sqlite:///file:{tmp_path / 'own.db'}?mode=ro&uri=true"})
    try:
        health = read_only.test_client().get("/healthz")
        assert health.status_code == 503 and health.json["database"] == "read-only"
    finally:
        dispose(read_only)


# --- a PostgreSQL server of this test's own ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OwnPostgres:
    """A throwaway PostgreSQL cluster in a temporary folder, on a port of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = _free_port()
        self.user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        subprocess.run([*self.user, *args], check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self.folder.chmod(0o777)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture()
def own_postgres() -> Iterator[OwnPostgres]:
    if not shutil.which("initdb") or not shutil.which("pg_ctl"):
        pytest.skip("PostgreSQL's initdb and pg_ctl are not on PATH")
    # Not under pytest's temporary folder, which the postgres user may not enter.
    server = OwnPostgres(Path(tempfile.mkdtemp(prefix="assessment-own-postgres-")))
    try:
        server.init()
        server.start()
        yield server
    finally:
        subprocess.run([*server.user, "pg_ctl", "-D", str(server.data), "-m", "immediate", "stop"],
                       capture_output=True, check=False, timeout=60)
        shutil.rmtree(server.folder, ignore_errors=True)


def test_postgres_down_answers_503_on_every_write_and_recovers_without_restart(
        own_postgres: OwnPostgres) -> None:
    world = standalone(own_postgres.url)
    try:
        world.sign_in()
        url, data, question = world.answers_form()
        own_postgres.stop()

        assert_not_saved_page(world.client.post(url, data=data), NOTE)
        autosave = world.client.post(url + "/autosave", data=data)
        assert autosave.status_code == 503 and autosave.json["status"] == "unavailable"
        signed_out = world.app.test_client()
        assert_not_saved_page(signed_out.post("/sign-in", data={"email": world.email,
                                                                "password": TEST_PASSWORD}), world.email)
        # Pages and error pages need no database to say so.
        page = world.client.get(url)
        assert page.status_code == 503 and "Retry-After" in page.headers
        assert signed_out.get("/no-such-page").status_code == 404
        health = world.client.get("/healthz")
        assert health.status_code == 503 and health.json["database"] == "unavailable"

        own_postgres.start()
        assert world.client.get("/healthz").status_code == 200
        saved = world.client.post(url, data=data)
        assert saved.status_code == 302
        assert world.stored_note(question.id) == NOTE
    finally:
        dispose(world.app)


def test_a_read_only_postgres_answers_503_and_health_says_read_only(own_postgres: OwnPostgres) -> None:
    world = standalone(own_postgres.url)
    try:
        world.sign_in()
        url, data, question = world.answers_form()
        admin = create_engine(own_postgres.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("ALTER SYSTEM SET default_transaction_read_only = on"))
            connection.execute(text("SELECT pg_reload_conf()"))
        admin.dispose()
        with world.app.app_context():
            assert db.engine is not None
            db.engine.dispose()  # new connections read the new setting
        health = world.client.get("/healthz")
        assert health.status_code == 503 and health.json["database"] == "read-only"
        assert_not_saved_page(world.client.post(url, data=data), NOTE)
        assert world.stored_note(question.id) is None
    finally:
        dispose(world.app)
