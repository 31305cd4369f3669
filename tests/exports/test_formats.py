"""Every table in every format reads back into pandas with the same values and sensible types."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from sqlalchemy import insert, select

from assessment.assessments.models import Answer
from tests.conftest import read

TABLES = ("long", "wide", "scores", "codebook")
FORMATS = ("csv", "xlsx", "parquet", "json")


def _normalised(frame: pd.DataFrame) -> list[dict]:  # type: ignore[type-arg]
    """Comparable records: missing values as None, whole floats as ints, timestamps as text."""
    out = []
    for record in frame.to_dict("records"):
        row = {}
        for key, value in record.items():
            if value is pd.NaT:
                value = None
            elif isinstance(value, pd.Timestamp):
                value = value.strftime("%Y-%m-%dT%H:%M:%SZ")
            elif value is None or (isinstance(value, float) and pd.isna(value)):
                value = None
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            elif hasattr(value, "item"):
                value = value.item()
            row[key] = value if not isinstance(value, float) else round(value, 9)
        out.append(row)
    return out


@pytest.mark.parametrize("table", TABLES)
def test_formats_agree_value_for_value(client, login, world, download, table) -> None:
    login(world.analyst)
    frames = {}
    for fmt in FORMATS:
        headers, body = download(table=table, format=fmt)
        assert f".{fmt}" in headers["Content-Disposition"]
        text_columns = {"round": str, "questionnaire_version": str}
        kwargs = {"dtype": text_columns} if fmt in ("xlsx",) else {}
        frames[fmt] = read(fmt, body, **kwargs)
    reference = _normalised(frames["parquet"])
    assert reference, "the world has rows in every table"
    for fmt in ("csv", "xlsx", "json"):
        frame = frames[fmt]
        assert list(frame.columns) == list(frames["parquet"].columns), fmt
        assert _normalised(frame) == reference, fmt


def test_parquet_keeps_types_and_column_descriptions(client, login, world, download) -> None:
    login(world.analyst)
    body = download(table="long", format="parquet")[1]
    frame = read("parquet", body)
    assert str(frame["score"].dtype) == "float64"
    assert str(frame["dont_know"].dtype) == "bool"
    when = str(frame["answered_at"].dtype)
    assert when.startswith("datetime64") and "UTC" in when
    assert str(frame["assessment_id"].dtype) == "int64"
    schema = pq.read_schema(io.BytesIO(body))
    assert b"last changed" in schema.field("answered_at").metadata[b"description"]


def test_xlsx_has_the_table_the_codebook_and_the_column_descriptions(client, login, world,
                                                                     download) -> None:
    login(world.analyst)
    headers, body = download(table="scores", format="xlsx", round="2025")
    assert headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheets = pd.read_excel(io.BytesIO(body), sheet_name=None)
    assert list(sheets) == ["scores", "codebook", "columns", "about"]
    assert set(sheets["scores"]["round"].astype(str)) == {"2025"}
    assert "civic_tech_resident_tools" in set(sheets["codebook"]["question_id"])
    described = sheets["columns"]
    assert {"scores", "codebook"} == set(described["sheet"])
    assert "gap" in set(described[described["sheet"] == "scores"]["column"])


def test_json_is_one_array_of_row_objects(client, login, world, download) -> None:
    login(world.analyst)
    headers, body = download(table="wide", format="json")
    assert headers["Content-Type"].startswith("application/json")
    rows = json.loads(body)
    assert isinstance(rows, list) and len(rows) == 4
    assert rows[0]["assessment_id"] and "civic_tech_resident_tools" in rows[0]


def test_csv_is_utf8_with_optional_byte_order_mark(client, login, make, world, download) -> None:
    make.city(country=world.kigali.country, name="Medellín")
    login(world.analyst)
    plain = download(table="wide", format="csv")[1]
    assert plain.startswith(b"assessment_id,") and b"\r\n" in plain
    excel = download(table="wide", format="csv", bom="y")[1]
    assert excel.startswith("\ufeff".encode()) and excel[3:] == plain


def test_empty_tables_still_have_their_header(client, login, world, download) -> None:
    login(world.analyst)
    for fmt in FORMATS:
        frame = read(fmt, download(table="scores", format=fmt, round="no such round")[1])
        assert frame.empty
        if fmt != "json":
            assert "overall_index" in frame.columns


# --- formula injection ------------------------------------------------------------------


DANGEROUS = {
    "city": '=HYPERLINK("http://evil.example","click")',
    "note": "+SUM(1,2)",
    "url": "@cmd",
}


@pytest.fixture()
def hostile(make, world, db_session, questionnaire):  # type: ignore[no-untyped-def]
    """A city, a note and a link that a spreadsheet would run, and a negative number."""
    city = make.city(country=world.kigali.country, name=DANGEROUS["city"])
    assessment = make.assessment(city=city, round=world.round_2025)
    rows = [
        {"assessment_id": assessment.id, "question_id": "civic_tech_resident_tools", "value": "2",
         "score": 2.0, "note": DANGEROUS["note"], "evidence_url": DANGEROUS["url"],
         "updated_at": assessment.updated_at},
        {"assessment_id": assessment.id, "question_id": "geographies_budget_share", "value": "-5",
         "note": "-2+3", "evidence_url": "\tTAB", "updated_at": assessment.updated_at},
    ]
    db_session.execute(insert(Answer), rows)
    return assessment


def test_csv_cells_cannot_become_formulas(client, login, world, hostile, download) -> None:
    login(world.analyst)
    body = download(table="long", format="csv", country="Rwanda")[1].decode()
    assert "'=HYPERLINK" in body and ",\"=HYPERLINK" not in body
    frame = read("csv", body.encode())
    mine = frame[frame["assessment_id"] == hostile.id].set_index("question_id")
    assert mine.loc["civic_tech_resident_tools", "city"] == "'" + DANGEROUS["city"]
    assert mine.loc["civic_tech_resident_tools", "note"] == "'+SUM(1,2)"
    assert mine.loc["civic_tech_resident_tools", "evidence_url"] == "'@cmd"
    assert mine.loc["geographies_budget_share", "note"] == "'-2+3"
    assert mine.loc["geographies_budget_share", "evidence_url"] == "'\tTAB"
    # A negative number stays a number, as text (the stored value) and as a number (wide).
    assert mine.loc["geographies_budget_share", "value"] == "-5"
    wide = read("csv", download(table="wide", format="csv", country="Rwanda")[1])
    row = wide[wide["assessment_id"] == hostile.id].iloc[0]
    assert row["geographies_budget_share"] == -5.0
    assert row["city"] == "'" + DANGEROUS["city"]


def test_xlsx_cells_cannot_become_formulas(client, login, world, hostile, download) -> None:
    login(world.analyst)
    body = download(table="long", format="xlsx", country="Rwanda")[1]
    sheet = openpyxl.load_workbook(io.BytesIO(body))["long"]
    header = [cell.value for cell in sheet[1]]
    cells = {}
    for row in sheet.iter_rows(min_row=2):
        record = dict(zip(header, row, strict=True))
        if record["assessment_id"].value == hostile.id:
            cells[record["question_id"].value] = record
    city = cells["civic_tech_resident_tools"]["city"]
    # Text, shown as typed: a string cell, never a formula cell.
    assert city.data_type == "s" and city.value == DANGEROUS["city"]
    assert cells["civic_tech_resident_tools"]["note"].data_type == "s"
    assert cells["geographies_budget_share"]["note"].value == "-2+3"
    assert cells["geographies_budget_share"]["score"].value is None
    assert cells["civic_tech_resident_tools"]["score"].data_type == "n"
    wide = openpyxl.load_workbook(io.BytesIO(download(table="wide", format="xlsx",
                                                      country="Rwanda")[1]))["wide"]
    header = [cell.value for cell in wide[1]]
    for row in wide.iter_rows(min_row=2):
        record = dict(zip(header, row, strict=True))
        if record["assessment_id"].value == hostile.id:
            assert record["geographies_budget_share"].data_type == "n"
            assert record["geographies_budget_share"].value == -5
            assert record["city"].data_type == "s"


def test_json_and_parquet_keep_text_exactly(client, login, world, hostile, download, db_session) -> None:
    login(world.analyst)
    rows = json.loads(download(table="long", format="json", country="Rwanda")[1])
    notes = {r["note"] for r in rows if r["assessment_id"] == hostile.id and r["note"]}
    assert notes == {"+SUM(1,2)", "-2+3"}
    frame = read("parquet", download(table="long", format="parquet", country="Rwanda")[1])
    assert set(frame[frame["assessment_id"] == hostile.id]["city"]) == {DANGEROUS["city"]}
    assert db_session.scalar(select(Answer.note).where(Answer.value == "-5")) == "-2+3"
