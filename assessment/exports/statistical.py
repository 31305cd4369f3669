"""Stata (.dta) and SPSS (.sav) files, written by pyreadstat.

Each column becomes a variable with a label (a question's text in the label language, or the
column's description), its value labels (levels, Yes/No, options, chosen/not chosen) and its
missing-value codes: in SPSS the codes -1 to -4 are declared user-missing (a range, since SPSS
keeps at most three single values), in Stata they become the extended missing values .a (don't
know), .b (not applicable), .c (not answered) and .d (not asked in this version), each labelled.
Booleans are 0/1 with labels, times are date-times (UTC), text is text.

Names longer than Stata allows are shortened (``names``); the codebook lists the short names.
pyreadstat writes a whole data frame, so the table is read into memory: these files are
prepared in the background (``files``), like Excel.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from assessment.exports.about import About
from assessment.exports.columns import Column, Row
from assessment.exports.names import short_names

# Stata keeps at most 2,045 bytes in a text variable, 80 characters in a label.
STATA_MAX_TEXT = 2045
STATA_MAX_LABEL = 80
SPSS_MAX_LABEL = 256
# Stata's extended missing values for the codes, in the order of ``MISSING_REASONS``.
STATA_LETTERS = "abcd"


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def _frame(columns: Sequence[Column], rows: Iterable[Row], progress: Callable[[int], None] | None,
           *, stata: bool) -> Any:
    import pandas as pd

    from assessment.exports.formats import ISO_FORMAT, _batches

    names = [c.name for c in columns]
    parts = []
    total = 0
    for batch in _batches(rows):
        parts.append(pd.DataFrame.from_records(batch, columns=names))
        total += len(batch)
        if progress is not None:
            progress(total)
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=names)
    for column in columns:
        series = frame[column.name]
        if column.type == "string":
            texts = series.astype(object).where(series.notna(), "")
            if stata:
                texts = texts.map(lambda v: _cut_bytes(str(v), STATA_MAX_TEXT))
            frame[column.name] = texts.astype(str)
        elif column.type == "datetime":
            frame[column.name] = pd.to_datetime(series, format=ISO_FORMAT, utc=True).dt.tz_localize(None)
        elif column.type == "boolean":
            frame[column.name] = series.map({True: 1.0, False: 0.0}).astype("float64")
        else:
            frame[column.name] = pd.to_numeric(series, errors="coerce").astype("float64")
    return frame


def _yes_no(translate: Callable[[str], str]) -> dict[float, str]:
    return {1.0: translate("Yes"), 0.0: translate("No")}


def write_statistical(target: str | os.PathLike[str], fmt: str, columns: Sequence[Column],
                      rows: Iterable[Row], *, about: About | None = None,
                      progress: Callable[[int], None] | None = None,
                      translate: Callable[[str], str] = str) -> int:
    """Write a ``dta`` or ``sav`` file at ``target``; returns the rows written."""
    import pyreadstat

    stata = fmt == "dta"
    frame = _frame(columns, rows, progress, stata=stata)
    short = short_names(c.name for c in columns)
    limit = STATA_MAX_LABEL if stata else SPSS_MAX_LABEL
    labels: dict[str, str | None] = {}
    value_labels: dict[str, dict[Any, str]] = {}
    missing: dict[str, Any] = {}
    for column in columns:
        name = short[column.name]
        label = column.label or column.description
        if name != column.name:
            label = f"{column.name}: {label}"
        labels[name] = label[:limit]
        if column.type == "boolean":
            value_labels[name] = _yes_no(translate)
        coded = dict(column.value_labels)
        if not column.missing:
            if coded:
                value_labels[name] = {float(k): v for k, v in coded.items()}
            continue
        if stata:
            letters = dict(zip(sorted(column.missing, reverse=True), STATA_LETTERS, strict=False))
            series = frame[column.name].astype(object)
            frame[column.name] = series.map(lambda v, m=letters: m.get(int(v), v)
                                            if v == v and v is not None and float(v).is_integer()
                                            else v)
            missing[name] = [letters[code] for code in sorted(letters, reverse=True)]
            value_labels[name] = {(letters[int(k)] if int(k) in letters else int(k)): v
                                  for k, v in coded.items()}
            if column.type == "number":
                # Stata labels whole numbers only: the number columns keep the missing labels.
                value_labels[name] = {k: v for k, v in value_labels[name].items() if isinstance(k, str)}
        else:
            missing[name] = [{"lo": float(min(column.missing)), "hi": float(max(column.missing))}]
            value_labels[name] = {float(k): v for k, v in coded.items()}
    frame = frame.rename(columns=short)
    if stata:
        pyreadstat.write_dta(frame, os.fspath(target),
                             file_label=about.file_label(STATA_MAX_LABEL) if about else "",
                             column_labels=labels, variable_value_labels=value_labels or None,
                             missing_user_values=missing or None)
    else:
        note = [f"{name}: {value}" for name, value in about.lines()] if about else None
        pyreadstat.write_sav(frame, os.fspath(target),
                             file_label=about.file_label(64) if about else "",
                             column_labels=labels, variable_value_labels=value_labels or None,
                             missing_ranges=missing or None, note=note)
    return len(frame)
