"""docs/exports.md documents every column, code and format the tables have."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment.exports import formats, services
from assessment.exports.columns import WIDE_FIXED
from assessment.questionnaire.types import LOW_MISSING_CODES, MISSING_CODES, MISSING_REASONS

DOC = (Path(__file__).parents[2] / "docs" / "exports.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("table", sorted(services.TABLES))
def test_every_column_is_documented(table) -> None:
    spec = services.TABLES[table]
    columns = spec.fixed_columns if spec.fixed_columns is not None else WIDE_FIXED
    assert f"`{table}`" in DOC
    missing = [c.name for c in columns if f"| `{c.name}` |" not in DOC]
    assert not missing, f"{table}: {missing} not in docs/exports.md"


def test_every_format_and_missing_code_is_documented() -> None:
    for fmt in formats.FORMATS:
        assert f"(`{fmt}`) |" in DOC, fmt
    for reason in MISSING_REASONS:
        assert f"`{reason}`" in DOC
        assert f"`{MISSING_CODES[reason]}`" in DOC and f"`{LOW_MISSING_CODES[reason]}`" in DOC
    for letter in "abcd":
        assert f"`.{letter}`" in DOC
