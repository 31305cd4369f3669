"""Alembic environment for Flask-Migrate: the engine and the metadata come from the app."""

from __future__ import annotations

import logging
from logging.config import fileConfig
from typing import Any

from alembic import context
from flask import current_app

from assessment.migrate import app_engine
from assessment.models import Base

config = context.config
target_metadata = Base.metadata
logger = logging.getLogger("alembic.env")

# `flask db ...` logs what it does as alembic.ini says; a process that has set up logging
# already (the tests, or a host program) keeps its own.
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _skip_empty_revision(context: Any, revision: Any, directives: list[Any]) -> None:
    # `db revision --autogenerate` with no changes writes no empty file.
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def _configure_args() -> dict[str, Any]:
    """Flask-Migrate's settings (compare_type, render_as_batch), copied: it keeps them."""
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("process_revision_directives", _skip_empty_revision)
    return args


def run_migrations_offline() -> None:
    args = _configure_args()
    args.pop("process_revision_directives")
    context.configure(
        url=app_engine().url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        **args,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with app_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          **_configure_args())
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
