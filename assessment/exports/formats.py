"""Writers for the response tables: CSV, XLSX, Parquet and JSON.

CSV and JSON are generators of byte chunks (a web response streams them); XLSX and Parquet
write to a file object in bounded memory (xlsxwriter's ``constant_memory`` mode, Parquet row
groups of ``BATCH_ROWS``). Rows are plain tuples typed as the columns say (see services).

Spreadsheet safety: text that a spreadsheet would run as a formula (it begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with ``'`` in CSV, and written
as a string cell with formulas off in XLSX. Numbers stay numbers, negative ones included.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from assessment.exports.codebook import CODEBOOK_COLUMNS, codebook_rows
from assessment.exports.columns import Column, Row

FORMATS = ("csv", "xlsx", "parquet", "json")
STREAMED = frozenset({"csv", "json"})  # the others are complete files before their first byte
MEDIA_TYPES = {
    "csv": "text/csv",  # Werkzeug adds "; charset=utf-8" to text types
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "json": "application/json",
}
# Rows formatted per chunk (CSV, JSON) or per Parquet row group.
BATCH_ROWS = 2000
# Rows per Parquet row group (large groups read faster and compress better).
PARQUET_ROW_GROUP = 50_000
FORMULA_START = frozenset("=+-@\t\r")
# Text that is a plain number is not a formula, even with a sign: "-5" stays -5.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
XLSX_MAX_ROWS = 1_048_576 - 1  # one for the header
XLSX_MAX_TEXT = 32_767
ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class ExportTooLarge(ValueError):
    """The table does not fit the format (an Excel sheet holds 1,048,576 rows)."""


def spreadsheet_safe(text: str) -> str:
    """``text`` as a spreadsheet will show it, never run it: a formula-like start gets a ``'``."""
    if text and text[0] in FORMULA_START and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


# --- CSV ---------------------------------------------------------------------------------------


def csv_chunks(columns: Sequence[Column], rows: Iterable[Row], *, bom: bool = False) -> Iterator[bytes]:
    """RFC 4180 CSV in UTF-8: ``,`` separators, ``\r\n`` line ends, text quoted, booleans as
    ``true``/``false``, empty cells for missing values.

    ``bom`` starts the file with a UTF-8 byte-order mark, so Excel shows accented names right.
    Batches of rows are formatted by Arrow's CSV writer (C++), several times faster than
    Python's csv module on large tables.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow([c.name for c in columns])
    yield (("\ufeff" if bom else "") + header.getvalue()).encode("utf-8")
    schema = _arrow_schema(columns, datetimes_as_text=True)
    options = pa_csv.WriteOptions(include_header=False, eol="\r\n", quoting_style="needed",
                                  batch_size=BATCH_ROWS)
    for batch in _batches(rows):
        sink = pa.BufferOutputStream()
        pa_csv.write_csv(_arrow_batch(columns, schema, batch, safe_text=True), sink, options)
        yield sink.getvalue().to_pybytes()


def _batches(rows: Iterable[Row]) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, BATCH_ROWS)):
        yield batch


# --- JSON --------------------------------------------------------------------------------------


def json_chunks(columns: Sequence[Column], rows: Iterable[Row]) -> Iterator[bytes]:
    """One JSON array of row objects, streamed: ``[`` + one object per line + ``]``."""
    names = [c.name for c in columns]
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    iterator = iter(rows)
    first = True
    yield b"["
    while True:
        batch = list(itertools.islice(iterator, BATCH_ROWS))
        if batch:
            text = ",\n".join(encode(dict(zip(names, row, strict=True))) for row in batch)
            yield (("\n" if first else ",\n") + text).encode("utf-8")
            first = False
        if len(batch) < BATCH_ROWS:
            break
    yield b"\n]\n"


# --- XLSX --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: Sequence[Column]
    rows: Iterable[Row]


def write_xlsx(target: str | os.PathLike[str], sheets: Sequence[Sheet]) -> int:
    """Write ``sheets`` as one workbook at the path ``target``, in constant memory (each sheet
    goes to a temporary file row by row); returns the data rows of the first sheet."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(os.fspath(target), {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "nan_inf_to_errors": True,
    })
    header = workbook.add_format({"bold": True})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    counts = []
    try:
        for sheet in sheets:
            worksheet = workbook.add_worksheet(sheet.name[:31])
            worksheet.freeze_panes(1, 0)
            for col, column in enumerate(sheet.columns):
                worksheet.write_string(0, col, column.name, header)
            writers = [_cell_writer(worksheet, column.type, when) for column in sheet.columns]
            count = 0
            for count, row in enumerate(sheet.rows, start=1):
                if count > XLSX_MAX_ROWS:
                    raise ExportTooLarge(
                        f"The {sheet.name} table has more than {XLSX_MAX_ROWS:,} rows, the most an "
                        "Excel sheet can hold. Narrow the filters, or choose CSV or Parquet."
                    )
                for col, value in enumerate(row):
                    if value is not None:
                        writers[col](count, col, value)
            counts.append(count)
    finally:
        workbook.close()
    return counts[0] if counts else 0


def _cell_writer(worksheet: Any, kind: str, when: Any) -> Any:
    if kind == "string":
        # Always a string cell: text beginning with "=" is shown, never evaluated.
        return lambda r, c, v: worksheet.write_string(r, c, str(v)[:XLSX_MAX_TEXT])
    if kind in ("integer", "number"):
        return worksheet.write_number
    if kind == "boolean":
        return worksheet.write_boolean
    if kind == "datetime":
        # Excel has no time zones: the value is UTC, as the column description says.
        return lambda r, c, v: worksheet.write_datetime(r, c, datetime.strptime(v, ISO_FORMAT), when)
    raise ValueError(f"unknown column type {kind!r}")


def columns_sheet(tables: Sequence[tuple[str, Sequence[Column]]]) -> Sheet:
    """A sheet describing every column of the other sheets."""
    columns = [Column("sheet", "string", ""), Column("column", "string", ""),
               Column("type", "string", ""), Column("description", "string", "")]
    rows = [(name, c.name, c.type, c.description) for name, cols in tables for c in cols]
    return Sheet("columns", columns, rows)


# --- Parquet -----------------------------------------------------------------------------------


def write_parquet(target: str | os.PathLike[str], columns: Sequence[Column],
                  rows: Iterable[Row]) -> int:
    """Write a Parquet file at the path ``target``; returns the rows written.

    Rows are converted ``BATCH_ROWS`` at a time into Arrow batches, which are written as row
    groups of up to ``PARQUET_ROW_GROUP`` rows: memory is bounded by one row group.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _arrow_schema(columns)
    total = 0
    pending: list[Any] = []
    with pq.ParquetWriter(os.fspath(target), schema, compression="zstd") as writer:
        for batch in _batches(rows):
            pending.append(_arrow_batch(columns, schema, batch))
            total += len(batch)
            if sum(b.num_rows for b in pending) >= PARQUET_ROW_GROUP:
                writer.write_table(pa.Table.from_batches(pending, schema=schema))
                pending = []
        if pending or total == 0:
            writer.write_table(pa.Table.from_batches(pending, schema=schema))
    return total


def _arrow_schema(columns: Sequence[Column], *, datetimes_as_text: bool = False) -> Any:
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "datetime": pa.string() if datetimes_as_text else pa.timestamp("s", tz="UTC"),
    }
    return pa.schema([
        pa.field(c.name, types[c.type], metadata={"description": c.description}) for c in columns
    ])


def _arrow_batch(columns: Sequence[Column], schema: Any, batch: list[Row], *,
                 safe_text: bool = False) -> Any:
    """Rows as an Arrow record batch; ``safe_text`` defuses formula-like text (CSV)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    data: list[Sequence[Any]] = list(zip(*batch, strict=True)) if batch else [() for _ in columns]
    arrays = []
    for column, field, values in zip(columns, schema, data, strict=True):
        if column.type == "string" and safe_text and any(
            value and value[0] in FORMULA_START for value in set(values)  # distinct values only
        ):
            values = [spreadsheet_safe(value) if value else value for value in values]
        if column.type == "datetime" and not pa.types.is_string(field.type):
            text = pa.array(values, type=pa.string())
            arrays.append(pc.strptime(text, format=ISO_FORMAT, unit="s").cast(field.type))
        else:
            arrays.append(pa.array(values, type=field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


# --- whole exports (download page and command line) -----------------------------------------


def export_filename(table: str, fmt: str, filters: Any, when: datetime) -> str:
    """``city-innovation-long-2026-africa-20260301.csv``: table, filters that are set, date."""
    parts = ["city-innovation", table, *filters.as_query().values(), when.strftime("%Y%m%d")]
    slug = "-".join(re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in parts)
    return f"{re.sub(r'-+', '-', slug)}.{fmt}"


def export_chunks(fmt: str, columns: Sequence[Column], rows: Iterable[Row], *,
                  bom: bool = False) -> Iterator[bytes]:
    """A CSV or JSON export as a stream of byte chunks."""
    if fmt == "csv":
        return csv_chunks(columns, rows, bom=bom)
    if fmt == "json":
        return json_chunks(columns, rows)
    raise ValueError(f"{fmt} is written to a file, not streamed")


def write_export(target: str | os.PathLike[str], session: Any, spec: Any, fmt: str, filters: Any,
                 scope: Any) -> int:
    """Write an XLSX or Parquet export to the file at ``target``; returns the rows of the table.

    Both libraries write to the file themselves, so nothing large passes through Python.
    """
    columns = spec.columns(session, filters)
    rows = spec.rows(session, filters, scope)
    if fmt == "parquet":
        return write_parquet(target, columns, rows)
    if fmt == "xlsx":
        sheets = [Sheet(spec.name, columns, rows)]
        described = [(spec.name, columns)]
        if spec.name != "codebook":
            sheets.append(Sheet("codebook", CODEBOOK_COLUMNS, codebook_rows(session, filters)))
            described.append(("codebook", CODEBOOK_COLUMNS))
        sheets.append(columns_sheet(described))
        return write_xlsx(target, sheets)
    raise ValueError(f"{fmt} is streamed, not written to a file")


def write_chunks(target: BinaryIO, session: Any, spec: Any, fmt: str, filters: Any, scope: Any, *,
                 bom: bool = False) -> int:
    """Write a CSV or JSON export to the binary stream ``target``; returns the rows written."""
    count = 0

    def counted(rows: Iterator[Row]) -> Iterator[Row]:
        nonlocal count
        for count, row in enumerate(rows, start=1):  # noqa: B007 (read after the loop)
            yield row

    columns = spec.columns(session, filters)
    for chunk in export_chunks(fmt, columns, counted(spec.rows(session, filters, scope)), bom=bom):
        target.write(chunk)
    return count


def write_file(target: Path, session: Any, spec: Any, fmt: str, filters: Any, scope: Any, *,
               bom: bool = False) -> int:
    """Write an export of any format to the file ``target``; returns the rows of the table.

    It is written under a temporary name beside ``target`` (readable by this user only) and
    renamed when complete, so nobody ever finds half a file, and a failure leaves nothing.
    """
    handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                       dir=target.parent)
    try:
        if fmt in STREAMED:
            with os.fdopen(handle, "wb") as stream:
                rows = write_chunks(stream, session, spec, fmt, filters, scope, bom=bom)
        else:
            os.close(handle)
            rows = write_export(partial, session, spec, fmt, filters, scope)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return rows
