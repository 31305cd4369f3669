"""What the dashboard shows, to take away: each of its tables as CSV, and the words and the
file name that say which view it is (region, round and filters), on the page and in the name.

The city table's file holds every city of the view, not only the page on screen; its element
scores are read in one query.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from assessment.dashboard import aggregates
from assessment.dashboard.choices import Selection
from assessment.dashboard.services import Dashboard
from assessment.places.labels import SIZE_LABELS
from assessment.places.models import Country
from assessment.places.peers import PeerGroup

TABLES = ("elements", "changes", "cities")
# A spreadsheet reads a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ViewName:
    """The dashboard view in words ("Region: Africa · Round: 2026 · Country: Kenya") and as a
    file name stem ("dashboard-africa-2026-kenya")."""

    words: str
    stem: str


def slug(text: str) -> str:
    """``text`` in lower-case ASCII letters, digits and hyphens, for a file name."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def view_name(selection: Selection, countries: Sequence[Country],
              groups: Sequence[PeerGroup], *, with_round: bool = True) -> ViewName:
    parts = [(_("Region"), selection.region.name)]
    stems = [selection.region.name]
    if with_round:
        parts.append((_("Round"), selection.round.name))
        stems.append(selection.round.name)
    country = next((c for c in countries if c.id == selection.country_id), None)
    if country is not None:
        parts.append((_("Country"), country.name))
        stems.append(country.name)
    if selection.size is not None:
        parts.append((_("Size"), str(SIZE_LABELS[selection.size])))
        stems.append(selection.size.value)
    group = next((g for g in groups if g.id == selection.group_id), None)
    if group is not None:
        parts.append((_("Peer group"), group.name))
        stems.append(group.name)
    words = " · ".join(_("%(what)s: %(value)s", what=what, value=value) for what, value in parts)
    stem = "-".join(part for part in ("dashboard", *(slug(s) for s in stems)) if part)
    return ViewName(words, stem)


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: Iterator[Sequence[Any]]


def element_table(dashboard: Dashboard) -> Table:
    header = ["element_id", "element", "cities", "mean", "median", "target", "mean_minus_target",
              "min", "q1", "q3", "max"]
    rows = ([e.element.id, e.element.title, e.cities, e.mean, e.median, e.element.target, e.gap,
             e.minimum, e.lower_quartile, e.upper_quartile, e.maximum] for e in dashboard.elements)
    return Table(header, rows)


def change_table(dashboard: Dashboard) -> Table:
    previous = dashboard.selection.previous
    header = ["element_id", "element", "previous_round", "previous_mean", "previous_cities",
              "round", "mean", "cities", "change_in_mean", "cities_in_both", "their_mean_change"]
    rows = ([e.element.id, e.element.title, previous.name if previous else None, e.previous_mean,
             e.previous_cities, dashboard.selection.round.name, e.mean, e.cities, e.change,
             e.paired_cities, e.paired_change] for e in dashboard.elements)
    return Table(header, rows)


def city_table(session: Session, dashboard: Dashboard) -> Table:
    """Every city of the view, in the table's order, with its element scores."""
    elements = [e.element for e in dashboard.elements]
    rows = dashboard.all_rows
    scores = aggregates.scores_of(
        session, [row.assessment_id for row in rows if row.submitted and row.assessment_id],
        dashboard.selection.reviewed)
    header = ["city_id", "city", "country", "size_class", "status", "overall_index",
              "reviewed_overall_index",
              *(e.id for e in elements), "questions_answered", "change_in_overall_index"]

    def lines() -> Iterator[list[Any]]:
        for row in rows:
            own = scores.get(row.assessment_id or 0, {}) if row.submitted else {}
            yield [row.city_id, row.name, row.country, row.size.value if row.size else None,
                   row.status.value if row.status else "not_started",
                   row.overall if row.submitted else None, row.reviewed,
                   *(own.get(e.id) for e in elements),
                   row.completeness, row.change]
    return Table(header, lines())


def table(session: Session, dashboard: Dashboard, name: str) -> Table:
    if name == "elements":
        return element_table(dashboard)
    if name == "changes":
        return change_table(dashboard)
    if name == "cities":
        return city_table(session, dashboard)
    raise KeyError(name)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, str):
        # A city's name typed as "=HYPERLINK(...)" stays text in a spreadsheet.
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return value


def csv_bytes(data: Table) -> bytes:
    """The table as UTF-8 CSV, with a byte order mark so that spreadsheets read the accents
    (the file's name says which view it is)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(data.header)
    for row in data.rows:
        writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
