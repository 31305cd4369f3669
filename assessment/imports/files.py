"""Reading an uploaded CSV file into rows, or saying in plain words why it cannot be read.

A file is UTF-8 text (with or without a byte order mark), its first line names the columns
(any case, spaces around ignored) and sets the delimiter (comma or semicolon, whichever that
line uses more). Each row keeps the number of the line it starts on, as a spreadsheet counts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel.speaklater import LazyString

from assessment.formatting import number
from assessment.logs import escape

# The most data rows one file may hold; a larger file is refused whole (split it).
MAX_ROWS = 5000
# Longest text of a value quoted back in a message.
_SHOWN_LENGTH = 60
DELIMITERS = (",", ";")


class ImportFileError(ValueError):
    """A user-facing reason why a whole file cannot be imported (nothing in it is looked at)."""


@dataclass(frozen=True)
class Column:
    """A column a file may have, with what it holds in words (the upload page lists them)."""

    name: str
    required: bool
    meaning: LazyString


@dataclass(frozen=True)
class Row:
    line: int  # the line of the file the row starts on (the header is line 1)
    values: dict[str, str]  # known column -> trimmed cell ("" when absent)
    overflow: bool  # more non-empty cells than the header has columns


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]  # the known columns the file has
    ignored: tuple[str, ...]  # other column names, as written
    rows: tuple[Row, ...]


def shown(value: str) -> str:
    """A value quoted back to the reader: control characters escaped, long text shortened."""
    text = escape(value)
    if len(text) > _SHOWN_LENGTH:
        text = text[:_SHOWN_LENGTH - 1] + "…"
    return f"“{text}”"


def example_csv(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> bytes:
    """A file to start from: the header and example rows, UTF-8 with a byte order mark (so that
    spreadsheets read the accents), every cell plain text that no spreadsheet runs as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    writer.writerows(rows)
    return "\ufeff".encode() + out.getvalue().encode()


def decode(data: bytes) -> str:
    """The text of ``data``, or ImportFileError when it is not UTF-8 text."""
    save_as = _("In your spreadsheet, choose “Save as” and the format “CSV UTF-8”, then try again.")
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileError(_("This is a spreadsheet workbook (or another kind of archive), not a "
                                "CSV file.") + " " + save_as)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(_("This file is UTF-16 text; only UTF-8 can be read.") + " " + save_as)
    if b"\x00" in data:
        raise ImportFileError(_("This is not a text file, so it is not a CSV file.") + " " + save_as)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ImportFileError(_("This file is not UTF-8 text: line %(line)d has bytes that UTF-8 does "
                                "not allow (it was probably saved in another encoding).",
                                line=line) + " " + save_as) from None
    return text


def _key(name: str) -> str:
    return " ".join(name.split()).lower()


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _join(names: Sequence[str]) -> str:
    return ", ".join(names)


def read_table(data: bytes | str, columns: Sequence[Column]) -> Table:
    """The rows of a CSV file with ``columns``; ImportFileError when the file cannot be used."""
    text = decode(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    last_line = 0
    try:
        header: list[str] = next(reader, [])
        last_line = reader.line_num
        known = {column.name for column in columns}
        positions: dict[str, int] = {}
        ignored = []
        for position, cell in enumerate(header):
            name = _key(cell)
            if name in positions:
                raise ImportFileError(_("The column “%(name)s” appears twice in the first line.",
                                        name=name))
            if name in known:
                positions[name] = position
            elif name:
                ignored.append(" ".join(cell.split()))
        missing = [column.name for column in columns if column.required and column.name not in positions]
        if missing:
            raise ImportFileError(
                ngettext("The first line of the file lacks the column %(names)s.",
                         "The first line of the file lacks the columns %(names)s.", len(missing),
                         names=_join(missing))
                + " " + _("It must name the columns, separated by commas or semicolons: %(names)s "
                          "(the last ones are optional).", names=_join([c.name for c in columns])))
        rows: list[Row] = []
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines and rows of empty cells, as spreadsheets leave at the end
            if len(rows) == MAX_ROWS:
                raise ImportFileError(_("The file has more than %(max)s rows; one file may hold at "
                                        "most %(max)s. Split it into smaller files.",
                                        max=number(MAX_ROWS, 0)))
            values = {name: cells[position].strip() if position < len(cells) else ""
                      for name, position in positions.items()}
            overflow = any(cell.strip() for cell in cells[len(header):])
            rows.append(Row(line, values, overflow))
    except csv.Error:
        raise ImportFileError(_("The file cannot be read as CSV from line %(line)d on: look for a "
                                "quotation mark that is not closed there.",
                                line=last_line + 1)) from None
    if not rows:
        raise ImportFileError(_("The file has a header line but no rows to import."))
    return Table(tuple(positions), tuple(ignored), tuple(rows))
