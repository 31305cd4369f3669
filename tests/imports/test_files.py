"""Reading an import file: encodings, delimiters, headers, line numbers and the refusals."""

from __future__ import annotations

import pytest

from assessment.imports import CITY_COLUMNS, ImportFileError
from assessment.imports.files import read_table, shown
from assessment.imports.values import population


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():
        yield


def test_line_numbers_count_blank_lines_and_values_on_several_lines() -> None:
    table = read_table(b'name,country,region\n\n"Kigali\nCity",Rwanda,Africa\n,,\nHuye,Rwanda,Africa\n',
                       CITY_COLUMNS)
    assert [(row.line, row.values["name"]) for row in table.rows] == [(3, "Kigali\nCity"), (6, "Huye")]


def test_the_delimiter_is_the_one_the_header_uses() -> None:
    table = read_table("name;country;region\n\"Kigali, the capital\";Rwanda;Africa\n", CITY_COLUMNS)
    assert table.rows[0].values["name"] == "Kigali, the capital"
    table = read_table("\ufeffname,country,region,population\nKigali,Rwanda,Africa,\"1,745,000\"\n",
                       CITY_COLUMNS)
    assert table.columns == ("name", "country", "region", "population")
    assert table.rows[0].values["population"] == "1,745,000"


def test_missing_cells_are_empty_and_extra_values_are_flagged() -> None:
    table = read_table("name,country,region,population\nKigali,Rwanda\nHuye,Rwanda,Africa,1,2\n"
                       "Musanze,Rwanda,Africa,5,,\n", CITY_COLUMNS)
    first, second, third = table.rows
    assert (first.values["region"], first.overflow) == ("", False)
    assert second.overflow and not third.overflow  # trailing empty cells are harmless


@pytest.mark.parametrize(("data", "message"), [
    (b"\xff\xfen\x00a\x00m\x00e\x00", "UTF-16"),
    (b"name\x00,country", "not a text file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "spreadsheet workbook"),
    (b"name,country,region\nKigali,Rwanda,Africa\nZ\xfcrich,Switzerland,Europe\n", "line 3"),
    (b"   \n\n", "The file is empty."),
    (b"name,country,region\n", "no rows to import"),
    (b"name,Name,country,region\nA,B,C,D\n", "The column “name” appears twice"),
    (b"name,country\nKigali,Rwanda\n", "lacks the column region."),
])
def test_files_refused_whole(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError) as refused:
        read_table(data, CITY_COLUMNS)
    assert message in str(refused.value)


def test_values_quoted_back_cannot_forge_a_line_or_run_long() -> None:
    assert shown("bad\x1b[2J\nline") == "“bad\\x1b[2J\\nline”"
    assert len(shown("x" * 500)) == 62 and shown("x" * 500).endswith("…”")


@pytest.mark.parametrize(("text", "expected"), [
    ("1745000", 1_745_000), ("1 745 000", 1_745_000), ("1,745,000", 1_745_000), ("0", 0),
    ("1\u202f745\u202f000", 1_745_000), ("", None), ("1.5", None), ("-3", None), ("12,34", None),
    ("200000000", None),
])
def test_population_is_a_whole_number(text: str, expected: int | None) -> None:
    problems: list[str] = []
    assert population(text, problems) == expected
    assert bool(problems) == (expected is None and text != "")
