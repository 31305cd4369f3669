"""The results table and the JSON line appended to ``bench/results/<date>.jsonl``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Row:
    """One figure of one run on one database."""

    key: str  # stable identifier, e.g. "submit.c16.rate"
    label: str  # what a reader sees in the table
    value: float | None  # the headline figure (a median, or a single measurement)
    unit: str  # "/s", "ms", "s", "MB", "kB", "req"
    p95: float | None = None
    ceiling: float | None = None  # the same thing measured on the ceiling, same unit
    ceiling_label: str = ""
    target: str = ""  # e.g. ">= 150", "<= 3x dump"
    met: bool | None = None  # None: no target, or not measured
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.ceiling:
            return None
        return self.value / self.ceiling


def number(value: float | None, unit: str = "") -> str:
    """A figure with sensible precision: 1234 -> "1,234", 12.34 -> "12.3", 0.1234 -> "0.123"."""
    if value is None:
        return "-"
    magnitude = abs(value)
    if magnitude >= 100:
        text = f"{value:,.0f}"
    elif magnitude >= 10:
        text = f"{value:.1f}"
    elif magnitude >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3f}"
    return f"{text} {unit}".rstrip() if unit else text


def verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: ""}[met]


def format_table(rows: Sequence[Row], title: str = "") -> str:
    """A plain-text table: figure, median, p95, ceiling, ratio, target, verdict, note."""
    header = ("figure", "median", "p95", "ceiling", "ratio", "target", "", "note")
    body = [
        (
            row.label,
            number(row.value, row.unit),
            number(row.p95, row.unit) if row.p95 is not None else "",
            f"{number(row.ceiling, row.unit)} {row.ceiling_label}".strip() if row.ceiling is not None else "",
            f"{row.ratio:.2f}x" if row.ratio is not None else "",
            row.target,
            verdict(row.met),
            row.note,
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    right = {1, 2, 4}

    def render(line: Sequence[str]) -> str:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                 for i, cell in enumerate(line)]
        return "  ".join(cells).rstrip()

    lines = []
    if title:
        lines.append(title)
    lines.append(render(header))
    lines.append("  ".join("-" * w for w in widths).rstrip())
    lines.extend(render(line) for line in body)
    return "\n".join(lines)


def row_dict(row: Row) -> dict[str, object]:
    data = asdict(row)
    data["ratio"] = round(row.ratio, 4) if row.ratio is not None else None
    return data


def append_result(record: dict[str, object], day: str, directory: Path = RESULTS_DIR) -> Path:
    """Append one JSON line for this run to ``<directory>/<day>.jsonl``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{day}.jsonl"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, sort_keys=True, default=str) + "\n")
    return path
