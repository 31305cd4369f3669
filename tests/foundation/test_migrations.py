"""The schema comes from migrations, the migrations match the models, and `flask db` is safe."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import flask_migrate
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from assessment import migrate
from assessment.database import make_engine
from assessment.extensions import db
from assessment.models import Base
from tests.conftest import create_postgres_database


@pytest.fixture()
def scratch(app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[Engine]:
    """An empty database of the kind under test, which the app migrates for one test."""
    base = os.environ.get("TEST_DATABASE_URL", "").strip()
    drop: Callable[[], None] = lambda: None  # noqa: E731
    if base.startswith("postgresql"):
        url, drop = create_postgres_database(base, prefix="assessment_scratch")
    else:
        url = f"sqlite:///{tmp_path / 'scratch.db'}"
    engine = make_engine(url)
    # migrations/env.py runs on the app's engine; point it here, away from the shared database.
    monkeypatch.setattr(db, "engine", engine)
    try:
        yield engine
    finally:
        engine.dispose()
        drop()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def script(app: Flask) -> ScriptDirectory:
    with app.app_context():
        return ScriptDirectory.from_config(migrate.alembic_config())


def upgrade(app: Flask) -> None:
    with app.app_context():
        flask_migrate.upgrade()


def test_fresh_database_upgrades_to_head_and_matches_the_models(database_url: str, app) -> None:
    # The session database was built by `upgrade head`; `check` autogenerates a diff
    # against the models and fails on any drift.
    with app.app_context():
        command.check(migrate.alembic_config())
    engine = create_engine(database_url)
    try:
        found = tables(engine)
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= found
    assert "alembic_version" in found


def test_migrations_downgrade_to_base_and_upgrade_again(app, scratch: Engine) -> None:
    upgrade(app)
    assert set(Base.metadata.tables) <= tables(scratch)
    with app.app_context():
        flask_migrate.downgrade(revision="base")
    assert tables(scratch) <= {"alembic_version"}
    upgrade(app)
    with app.app_context():
        command.check(migrate.alembic_config())


def test_db_check_passes_on_an_up_to_date_database(app, scratch: Engine) -> None:
    upgrade(app)
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    assert "Models and migrations agree." in result.output


def test_db_check_fails_on_a_drifted_database_and_says_what_differs(app, scratch: Engine) -> None:
    upgrade(app)
    with scratch.begin() as connection:
        connection.execute(text("ALTER TABLE regions ADD COLUMN motto VARCHAR(40)"))
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 1
    assert "The models and the migrations disagree" in result.output
    assert "remove_column regions.motto" in result.output
    assert "Models and migrations agree." not in result.output


def test_column_changes_are_described_by_table_and_column() -> None:
    diffs = [[("modify_nullable", None, "users", "name", {"existing_type": None}, True, False)]]
    assert migrate.describe_diffs(diffs) == ["modify_nullable users.name: True -> False"]


def test_db_check_on_a_database_never_migrated_fails(app, scratch: Engine) -> None:
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code != 0
    assert "Models and migrations agree." not in result.output


def test_db_downgrade_to_base_asks_first(app, scratch: Engine) -> None:
    upgrade(app)
    runner = app.test_cli_runner()
    for answer in ("", "n\n"):
        refused = runner.invoke(args=["db", "downgrade", "base"], input=answer)
        assert refused.exit_code == 1
        assert "drops every table" in refused.output and "Aborted" in refused.output
        assert set(Base.metadata.tables) <= tables(scratch)

    confirmed = runner.invoke(args=["db", "downgrade", "base"], input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert tables(scratch) <= {"alembic_version"}


def test_db_downgrade_past_the_first_migration_asks_first(app, scratch: Engine) -> None:
    first = script(app).get_base()
    with app.app_context():
        flask_migrate.upgrade(revision=first)
    before = tables(scratch)
    assert "users" in before
    runner = app.test_cli_runner()
    # The default, one step back, from the first migration:
    refused = runner.invoke(args=["db", "downgrade"], input="n\n")
    assert refused.exit_code == 1 and "drops every table" in refused.output
    assert tables(scratch) == before


def test_db_downgrade_that_keeps_the_first_migration_does_not_ask(app, scratch: Engine) -> None:
    upgrade(app)
    first = script(app).get_base()
    result = app.test_cli_runner().invoke(args=["db", "downgrade", first])
    assert result.exit_code == 0, result.output
    assert "Continue?" not in result.output
    with app.app_context():
        assert migrate.current_heads(scratch) == (first,)


def test_db_downgrade_to_base_with_yes_does_not_ask(app, scratch: Engine) -> None:
    upgrade(app)
    result = app.test_cli_runner().invoke(args=["db", "downgrade", "base", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Continue?" not in result.output
    assert tables(scratch) <= {"alembic_version"}
    # Nothing left to undo: nothing to ask either.
    again = app.test_cli_runner().invoke(args=["db", "downgrade", "base"])
    assert again.exit_code == 0, again.output


def test_db_upgrade_current_and_history(app, scratch: Engine) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert set(Base.metadata.tables) <= tables(scratch)
    (head,) = script(app).get_heads()
    assert migrate.current_heads(scratch) == (head,)
    for args in (["db", "current"], ["db", "history"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output)
        assert head in result.output, args
