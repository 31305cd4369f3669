"""The schema comes from migrations, and the migrations match the models."""

from alembic import command
from sqlalchemy import create_engine, inspect

from assessment import migrate
from assessment.models import Base


def test_fresh_database_upgrades_to_head_and_matches_the_models(database_url: str, app) -> None:
    # The session database was built by `upgrade head`; `check` autogenerates a diff
    # against the models and fails on any drift.
    migrate.check(database_url)
    engine = create_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrations_downgrade_to_base_and_upgrade_again(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    engine = create_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    migrate.upgrade(url)
    command.check(migrate.alembic_config(url))
