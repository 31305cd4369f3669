"""flask --app assessment export, as an analyst or operator runs it."""

from __future__ import annotations

import io

import pandas as pd

from tests.conftest import read


def test_export_writes_each_table_and_format_to_a_file(runner, world, tmp_path) -> None:
    for table, rows in (("long", None), ("wide", 4), ("scores", 18), ("codebook", None)):
        for fmt in ("csv", "xlsx", "parquet", "json"):
            path = tmp_path / f"{table}.{fmt}"
            result = runner.invoke(args=["export", "--table", table, "--format", fmt, "-o", str(path)])
            assert result.exit_code == 0, result.output
            frame = read(fmt, path.read_bytes())
            if rows is not None:
                assert len(frame) == rows, (table, fmt)
            assert f"Wrote {len(frame):,} rows of the {table} table" in result.output
    assert not list(tmp_path.glob(".*partial")), "no temporary file is left behind"


def test_export_filters_and_standard_output(runner, world) -> None:
    result = runner.invoke(args=["export", "--table", "wide", "--format", "csv", "--round", "2025",
                                 "--region", "Africa", "-o", "-"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.BytesIO(result.stdout_bytes))
    assert set(frame["city"]) == {"Kigali", "Nairobi"} and set(frame["round"]) == {2025}
    assert "Wrote 2 rows" in result.stderr


def test_binary_formats_to_standard_output_when_piped(runner, world) -> None:
    result = runner.invoke(args=["export", "--table", "scores", "--format", "parquet",
                                 "--status", "submitted", "-o", "-"])
    assert result.exit_code == 0, result.stderr
    frame = pd.read_parquet(io.BytesIO(result.stdout_bytes))
    assert len(frame) == 18 and set(frame["status"]) == {"submitted"}


def test_export_explains_bad_options(runner, world, tmp_path) -> None:
    result = runner.invoke(args=["export", "--table", "long", "--status", "archived", "-o", "-"])
    assert result.exit_code == 2 and "archived" in result.output
    result = runner.invoke(args=["export", "--table", "long", "-o",
                                 str(tmp_path / "missing" / "x.csv")])
    assert result.exit_code == 1 and "does not exist" in result.output
    result = runner.invoke(args=["export", "--table", "long"])
    assert result.exit_code == 2 and "-o" in result.output


def test_export_help_documents_every_option(runner) -> None:
    result = runner.invoke(args=["export", "--help"])
    assert result.exit_code == 0
    for option in ("--table", "--format", "--round", "--region", "--country", "--status",
                   "--version", "--bom", "--output", "long|wide|choices|scores|codebook|actions",
                   "csv|xlsx|parquet|json|dta|sav"):
        assert option in result.output
