"""Alembic migrations through Flask-Migrate, over plain SQLAlchemy (no Flask-SQLAlchemy).

``migrations/env.py`` takes the engine and the metadata from the app; the ``flask db``
commands are in ``assessment.cli``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from flask import Flask, current_app
from flask_migrate import Migrate
from sqlalchemy.engine import Engine

from assessment.config import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"

# compare_type: autogenerate notices changed column types. render_as_batch: SQLite cannot
# ALTER most things, so revisions are written in batch mode, which works on every database.
migrations = Migrate(directory=str(MIGRATIONS_DIR), compare_type=True, render_as_batch=True)


@migrations.configure
def _print_to_the_current_stdout(config: Config) -> Config:
    # Alembic's default is the sys.stdout of import time; print where the command's output
    # goes now (a redirection, or click's test runner).
    config.stdout = sys.stdout
    return config


def init_app(app: Flask) -> None:
    """Bind Flask-Migrate to ``app`` (it also adds its ``db`` group, which the CLI replaces)."""
    migrations.init_app(app)


def alembic_config(directory: str | None = None) -> Config:
    """The Alembic config the ``flask db`` commands use (needs an app context)."""
    config: Config = current_app.extensions["migrate"].migrate.get_config(directory)
    return config


def app_engine() -> Engine:
    """The engine of the current app, which the migrations run on."""
    engine: Engine | None = current_app.extensions["database"].engine
    if engine is None:
        raise RuntimeError("The database is not set up on this app.")
    return engine


def current_heads(engine: Engine) -> tuple[str, ...]:
    """The revisions the database is at (empty for a database never migrated)."""
    with engine.connect() as connection:
        return tuple(MigrationContext.configure(connection).get_current_heads())


def undoes_first_migration(config: Config, heads: Sequence[str], revision: str) -> bool:
    """Whether downgrading from ``heads`` to ``revision`` would undo a first migration,
    that is drop the tables it created, and every row in them."""
    script = ScriptDirectory.from_config(config)
    try:
        # The same walk Alembic's downgrade makes, without running anything.
        steps = list(script.iterate_revisions(tuple(heads), revision, select_for_downgrade=True))
    except RevisionError:
        return False  # not a valid target: the downgrade itself reports it
    return any(step.is_base for step in steps)


def describe_diffs(diffs: Iterable[Any]) -> list[str]:
    """One readable line per difference found by ``alembic check``."""
    lines = []
    for diff in diffs:
        # Column changes come as a list of ("modify_...", ...) tuples, the rest as one tuple
        # whose last item is the table, column, index or constraint concerned.
        for change in diff if isinstance(diff, list) else [diff]:
            operation = change[0]
            if operation.startswith("modify_"):
                # (operation, schema, table, column, {existing...}, old, new)
                table, column, old, new = change[2], change[3], change[-2], change[-1]
                lines.append(f"{operation} {table}.{column}: {old!r} -> {new!r}")
            else:
                lines.append(f"{operation} {_name(change[-1])}")
    return lines


def _name(item: Any) -> str:
    name = getattr(item, "name", None)
    if name is None:
        return str(item)
    # Columns, indexes and constraints are named after their table.
    table_name = getattr(getattr(item, "table", None), "name", None)
    return f"{table_name}.{name}" if table_name else str(name)
