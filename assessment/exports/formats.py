"""Writers for the response tables: CSV, XLSX, Parquet, JSON, Stata (.dta) and SPSS (.sav).

CSV and JSON are generators of byte chunks (a web response streams them); XLSX and Parquet
write to a file object in bounded memory (xlsxwriter's ``constant_memory`` mode, Parquet row
groups of ``BATCH_ROWS``); Stata and SPSS files are written by pyreadstat from a data frame of
the whole table (see ``statistical``). Rows are plain tuples typed as the columns say (see
services).

Every file says where it comes from (``About``: the table, the filters, the questionnaire
versions, the export time and the app's version): XLSX in its ``about`` sheet, Parquet in its
metadata, Stata and SPSS in the file label and notes, CSV and JSON in a sidecar
``…-metadata.json`` (CSV on the Web) that the download links to.

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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from assessment.exports.about import About
from assessment.exports.codebook import CODEBOOK_COLUMNS, codebook_rows
from assessment.exports.columns import Column, Row

FORMATS = ("csv", "xlsx", "parquet", "json", "dta", "sav")
STREAMED = frozenset({"csv", "json"})  # the others are complete files before their first byte
STATISTICAL = frozenset({"dta", "sav"})
MEDIA_TYPES = {
    "csv": "text/csv",  # Werkzeug adds "; charset=utf-8" to text types
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "json": "application/json",
    "dta": "application/x-stata-dta",
    "sav": "application/x-spss-sav",
}
# Told how many rows are written so far (a prepared file's progress).
Progress = Callable[[int], None]
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


def write_xlsx(target: str | os.PathLike[str], sheets: Sequence[Sheet], *,
               progress: Progress | None = None, about: About | None = None) -> int:
    """Write ``sheets`` as one workbook at the path ``target``, in constant memory (each sheet
    goes to a temporary file row by row); returns the data rows of the first sheet, of which
    ``progress`` is told every ``BATCH_ROWS``."""
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
    if about is not None:
        workbook.set_properties({"title": about.title, "subject": about.describe(),
                                 "comments": about.describe(), "created": about.exported_at})
    counts = []
    try:
        for index, sheet in enumerate(sheets):
            told = progress if index == 0 else None
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
                if told is not None and count % BATCH_ROWS == 0:
                    told(count)
            if told is not None:
                told(count)
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
    """A sheet describing every column of the other sheets: type, meaning, label, codes."""
    columns = [Column("sheet", "string", ""), Column("column", "string", ""),
               Column("type", "string", ""), Column("description", "string", ""),
               Column("label", "string", ""), Column("value_labels", "string", ""),
               Column("missing_codes", "string", "")]
    rows = [(name, c.name, c.type, c.description, c.label,
             " | ".join(f"{code} = {label}" for code, label in c.value_labels) or None,
             ", ".join(str(code) for code in c.missing) or None)
            for name, cols in tables for c in cols]
    return Sheet("columns", columns, rows)


def about_sheet(about: About) -> Sheet:
    """Where the file comes from: one line per fact."""
    columns = [Column("name", "string", ""), Column("value", "string", "")]
    return Sheet("about", columns, about.lines())


# --- Parquet -----------------------------------------------------------------------------------


def write_parquet(target: str | os.PathLike[str], columns: Sequence[Column],
                  rows: Iterable[Row], *, progress: Progress | None = None,
                  about: About | None = None) -> int:
    """Write a Parquet file at the path ``target``; returns the rows written.

    Rows are converted ``BATCH_ROWS`` at a time into Arrow batches, which are written as row
    groups of up to ``PARQUET_ROW_GROUP`` rows: memory is bounded by one row group.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _arrow_schema(columns)
    if about is not None:
        schema = schema.with_metadata({"city_innovation": json.dumps(about.as_dict(),
                                                                     ensure_ascii=False)})
    total = 0
    pending: list[Any] = []
    with pq.ParquetWriter(os.fspath(target), schema, compression="zstd") as writer:
        for batch in _batches(rows):
            pending.append(_arrow_batch(columns, schema, batch))
            total += len(batch)
            if progress is not None:
                progress(total)
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
    return pa.schema([pa.field(c.name, types[c.type], metadata=_field_metadata(c)) for c in columns])


def _field_metadata(column: Column) -> dict[str, str]:
    """A Parquet column's description, and its label, value labels and missing codes if any."""
    metadata = {"description": column.description}
    if column.label:
        metadata["label"] = column.label
    if column.value_labels:
        metadata["value_labels"] = json.dumps({str(k): v for k, v in column.value_labels},
                                              ensure_ascii=False)
    if column.missing:
        metadata["missing_codes"] = json.dumps(list(column.missing))
    return metadata


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
    """``city-innovation-long-round-2026-region-africa-20260301.csv``: the table, each filter
    that is set with its name, the label language when not English, and the date."""
    parts = ["city-innovation", table]
    for name, value in filters.as_query().items():
        parts += [name, value]
    parts.append(when.strftime("%Y%m%d"))
    slug = "-".join(re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in parts)
    return f"{re.sub(r'-+', '-', slug)}.{fmt}"


def metadata_filename(name: str) -> str:
    """The sidecar of a CSV or JSON file, named as CSV on the Web looks for it."""
    return f"{name}-metadata.json"


def metadata_document(about: About, columns: Sequence[Column], file_name: str) -> dict[str, Any]:
    """The sidecar of a CSV or JSON file (CSV on the Web's table description, with ``about``)."""
    datatypes = {"string": "string", "integer": "integer", "number": "number",
                 "boolean": "boolean", "datetime": "datetime"}

    def column(c: Column) -> dict[str, Any]:
        described: dict[str, Any] = {"name": c.name, "titles": c.name, "datatype": datatypes[c.type],
                                     "dc:description": c.description, "required": not c.nullable}
        if c.label:
            described["label"] = c.label
        if c.value_labels:
            described["value_labels"] = {str(code): label for code, label in c.value_labels}
        if c.missing:
            described["missing_codes"] = list(c.missing)
        return described

    return {
        "@context": "http://www.w3.org/ns/csvw",
        "url": file_name,
        "dc:title": about.title,
        "dc:description": about.describe(),
        "dc:created": about.exported,
        "about": about.as_dict(),
        "tableSchema": {"columns": [column(c) for c in columns]},
    }


def export_chunks(fmt: str, columns: Sequence[Column], rows: Iterable[Row], *,
                  bom: bool = False) -> Iterator[bytes]:
    """A CSV or JSON export as a stream of byte chunks."""
    if fmt == "csv":
        return csv_chunks(columns, rows, bom=bom)
    if fmt == "json":
        return json_chunks(columns, rows)
    raise ValueError(f"{fmt} is written to a file, not streamed")


def write_export(target: str | os.PathLike[str], session: Any, spec: Any, fmt: str, filters: Any,
                 scope: Any, *, about: About | None = None, progress: Progress | None = None) -> int:
    """Write an XLSX, Parquet, Stata or SPSS export to the file at ``target``; returns the rows
    of the table. ``progress`` is told the rows written so far."""
    columns = spec.columns(session, filters)
    rows = spec.rows(session, filters, scope)
    if fmt == "parquet":
        return write_parquet(target, columns, rows, progress=progress, about=about)
    if fmt == "xlsx":
        sheets = [Sheet(spec.name, columns, rows)]
        described = [(spec.name, columns)]
        if spec.name != "codebook":
            sheets.append(Sheet("codebook", CODEBOOK_COLUMNS, codebook_rows(session, filters)))
            described.append(("codebook", CODEBOOK_COLUMNS))
        sheets.append(columns_sheet(described))
        if about is not None:
            sheets.append(about_sheet(about))
        return write_xlsx(target, sheets, progress=progress, about=about)
    if fmt in STATISTICAL:
        from assessment.exports.catalog import translator
        from assessment.exports.statistical import write_statistical

        return write_statistical(target, fmt, columns, rows, about=about, progress=progress,
                                 translate=translator(filters.lang))
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
               bom: bool = False, about: About | None = None,
               progress: Progress | None = None) -> int:
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
            rows = write_export(partial, session, spec, fmt, filters, scope, about=about,
                                progress=progress)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return rows
