"""`flask backup` and `flask restore`, on a database of the kind under test, through the CLI."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from assessment import migrate
from assessment.assessments.models import Answer
from assessment.assessments.services import reopen_assessment, start_assessment
from assessment.auth.models import Role
from assessment.database import make_engine
from assessment.extensions import db
from assessment.models import Base
from assessment.questionnaire import Questionnaire
from tests.conftest import Factory, create_postgres_database

POSTGRES = os.environ.get("TEST_DATABASE_URL", "").strip().startswith("postgresql")
Rows = dict[str, list[tuple[Any, ...]]]


class Scratch:
    """Fresh databases of the kind under test, each migrated, and the app pointed at one."""

    def __init__(self, app: Flask, monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
        self.app = app
        self.monkeypatch = monkeypatch
        self.directory = directory
        self.engines: list[Engine] = []
        self.drops: list[Callable[[], None]] = []

    def new(self, revision: str = "head") -> Engine:
        if POSTGRES:
            url, drop = create_postgres_database(os.environ["TEST_DATABASE_URL"],
                                                 prefix="assessment_backup")
            self.drops.append(drop)
        else:
            url = f"sqlite:///{self.directory / f'scratch{len(self.engines)}.db'}"
        engine = make_engine(url)
        self.engines.append(engine)
        self.use(engine)
        with self.app.app_context():
            flask_migrate.upgrade(revision=revision)
        return engine

    def use(self, engine: Engine) -> None:
        """Point the app (its DATABASE_URL, and the engine the migrations run on) at ``engine``."""
        self.monkeypatch.setitem(self.app.config, "DATABASE_URL",
                                 engine.url.render_as_string(hide_password=False))
        self.monkeypatch.setattr(db, "engine", engine)

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()
        for drop in self.drops:
            drop()


def fill(engine: Engine, questionnaire: Questionnaire, city: str = "Kigali", names_from: int = 0) -> None:
    """A submitted (then reopened) assessment with answers, scores and its audit trail, and a
    draft of another city. ``names_from`` numbers the other regions, countries and rounds."""
    with Session(engine) as session:
        make = Factory(session, questionnaire)
        make._n = names_from
        kigali = make.city(name=city)
        official = make.user(Role.OFFICIAL, city=kigali, email=f"official@{city.lower()}.example.org")
        round_ = make.round()
        assessment, _created = start_assessment(session, city_id=kigali.id, round_=round_,
                                                user=official, now=datetime(2026, 3, 2, tzinfo=UTC))
        make.answer(assessment, 2.5, submit=True, user=official, seed=7)
        first = session.scalars(select(Answer).where(Answer.assessment_id == assessment.id)
                                .order_by(Answer.id)).first()
        assert first is not None
        session.execute(update(Answer).where(Answer.id == first.id).values(
            note="Données ouvertes — 开放数据 — البيانات المفتوحة", evidence_url="https://example.org/a?b=1"))
        reopen_assessment(session, assessment, official, "Evidence to add")
        make.answer(make.assessment(round=round_), 1.5, fill=0.5, seed=8)
        session.commit()


def rows(engine: Engine) -> Rows:
    """Every row of every table of the app, in primary-key order."""
    with engine.connect() as connection:
        return {name: [tuple(row) for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for name, table in Base.metadata.tables.items()}


def revision_of(engine: Engine) -> tuple[str, ...]:
    return migrate.current_heads(engine)


@pytest.fixture()
def scratch(app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Scratch]:
    databases = Scratch(app, monkeypatch, tmp_path)
    try:
        yield databases
    finally:
        monkeypatch.undo()
        databases.close()


@pytest.fixture()
def source(scratch: Scratch, questionnaire: Questionnaire) -> Engine:
    engine = scratch.new()
    fill(engine, questionnaire)
    return engine


def backup(app: Flask, path: Path) -> Any:
    return app.test_cli_runner().invoke(args=["backup", "-o", str(path)])


def restore(app: Flask, path: Path, *options: str, input: str | None = None) -> Any:
    return app.test_cli_runner().invoke(args=["restore", str(path), *options], input=input)


def test_backup_then_restore_keeps_every_row(app, scratch: Scratch, source: Engine,
                                             questionnaire: Questionnaire, tmp_path: Path) -> None:
    before = rows(source)
    assert len(before["answers"]) > 20 and before["element_scores"] and before["audit_events"]
    action = list(Base.metadata.tables["audit_events"].columns.keys()).index("action")
    assert {row[action] for row in before["audit_events"]} >= {"start", "submit", "reopen"}
    path = tmp_path / "site.backup"
    written = backup(app, path)
    assert written.exit_code == 0, written.output
    assert f"Wrote {path} (" in written.output
    assert (f"assessments: 2, answers: {len(before['answers'])}, "
            f"audit events: {len(before['audit_events'])}") in written.output
    # Only its owner can read it: it holds password hashes.
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    # Another database, with data of its own that the restore replaces.
    target = scratch.new()
    fill(target, questionnaire, city="Nairobi")
    assert rows(target) != before
    restored = restore(app, path, "--yes")
    assert restored.exit_code == 0, restored.output
    assert f"Restored {path} (" in restored.output
    assert f"answers: {len(before['answers'])}" in restored.output
    assert "db upgrade" not in restored.output
    assert rows(target) == before
    assert revision_of(target) == revision_of(source)

    # The restored database takes new rows (the sequences came along on PostgreSQL).
    fill(target, questionnaire, city="Bandung", names_from=1000)


def test_restore_asks_first_and_no_changes_nothing(app, scratch: Scratch, source: Engine,
                                                   tmp_path: Path) -> None:
    path = tmp_path / "site.backup"
    assert backup(app, path).exit_code == 0
    target = scratch.new()
    empty = rows(target)
    for answer in ("", "n\n"):
        refused = restore(app, path, input=answer)
        assert refused.exit_code == 1
        assert "Replace every row in" in refused.output and "Aborted" in refused.output
        assert rows(target) == empty

    confirmed = restore(app, path, input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert rows(target) == rows(source)


def test_restore_of_a_file_that_is_not_a_backup_says_so_and_changes_nothing(
        app, scratch: Scratch, source: Engine, tmp_path: Path) -> None:
    before = rows(source)
    text = tmp_path / "notes.txt"
    text.write_text("not a backup\n")
    kind = "a pg_dump archive" if POSTGRES else "an SQLite database"
    result = restore(app, text, "--yes")
    assert result.exit_code == 1
    assert f"{text} is not a backup of this app: it is not {kind}" in result.output
    assert "Traceback" not in result.output
    assert rows(source) == before

    # A real archive of the other kind, or one of a database that was never migrated.
    other = tmp_path / "other.db"
    if POSTGRES:
        other.write_bytes(b"PGDMP" + b"\x00" * 64)
        expected = "pg_restore failed (exit status 1): pg_restore: error:"
    else:
        import sqlite3

        with sqlite3.connect(other) as connection:
            connection.execute("CREATE TABLE notes (body TEXT)")
        expected = f"{other} is not a backup of this app: it has no alembic_version table."
    result = restore(app, other, "--yes")
    assert result.exit_code == 1 and expected in result.output, result.output
    assert rows(source) == before

    missing = restore(app, tmp_path / "missing.backup", "--yes")
    assert missing.exit_code == 2 and "does not exist" in missing.output


@pytest.mark.skipif(not POSTGRES, reason="pg_restore runs on PostgreSQL only")
def test_a_restore_that_fails_half_way_changes_nothing(app, scratch: Scratch, source: Engine,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "site.backup"
    assert backup(app, path).exit_code == 0
    # The table of contents and the first tables are there; the rest of the data is not.
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
    before = rows(source)
    result = restore(app, truncated, "--yes")
    assert result.exit_code == 1
    assert "pg_restore failed" in result.output and "Traceback" not in result.output
    assert rows(source) == before


def test_backup_into_a_missing_directory_fails_clearly(app, source: Engine, tmp_path: Path) -> None:
    path = tmp_path / "missing" / "site.backup"
    result = backup(app, path)
    assert result.exit_code == 1
    assert f"The directory {path.parent} does not exist" in result.output
    assert "Traceback" not in result.output
    assert not path.parent.exists()


def test_restore_of_an_older_schema_says_to_upgrade_or_upgrades(app, scratch: Scratch,
                                                                tmp_path: Path) -> None:
    with app.app_context():
        script = ScriptDirectory.from_config(migrate.alembic_config())
    first, (head,) = script.get_base(), script.get_heads()
    if first == head:
        pytest.skip("one migration only: no older schema to restore")
    scratch.new(revision=first)
    path = tmp_path / "old.backup"
    written = backup(app, path)
    assert written.exit_code == 0, written.output
    assert f"schema revision {first}" in written.output
    assert "older schema than this version of the app" in written.output

    target = scratch.new()
    told = restore(app, path, "--yes")
    assert told.exit_code == 0, told.output
    assert (f"The backup is of an older schema (revision {first}; this version of the app is "
            f"at {head}): run flask --app assessment db upgrade") in told.output
    assert revision_of(target) == (first,)

    upgraded = restore(app, path, "--yes", "--upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert f"Upgraded the schema to revision {head}." in upgraded.output
    assert revision_of(target) == (head,)
    assert set(Base.metadata.tables) <= set(rows(target))


@pytest.mark.skipif(not POSTGRES, reason="pg_dump and pg_restore are used on PostgreSQL only")
def test_missing_postgres_programs_are_named(app, source: Engine, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "site.backup"
    assert backup(app, path).exit_code == 0
    monkeypatch.setenv("PATH", str(tmp_path))
    result = backup(app, tmp_path / "again.backup")
    assert result.exit_code == 1
    assert "pg_dump was not found on the PATH" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "again.backup").exists()
    result = restore(app, path, "--yes")
    assert result.exit_code == 1 and "pg_restore was not found on the PATH" in result.output


def test_both_commands_explain_themselves(app) -> None:
    runner = app.test_cli_runner()
    backup_help = runner.invoke(args=["backup", "--help"])
    assert backup_help.exit_code == 0 and "-o, --output FILE" in backup_help.output
    restore_help = runner.invoke(args=["restore", "--help"])
    assert restore_help.exit_code == 0
    assert "--yes" in restore_help.output and "--upgrade" in restore_help.output
