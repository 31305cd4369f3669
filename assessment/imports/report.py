"""What an import did, or would do, to each row, and the one place that decides what is written.

Every row is planned first, reading only. Then, unless this is a check, either every row is
written (when none is refused), or only the valid ones (when asked), or nothing; the audit
trail records the import with its counts in every case except a check.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import Session

from assessment.audit.services import record
from assessment.auth.models import Role, User


class ImportAccessError(PermissionError):
    """The person may not run this kind of import at all."""


class Mode(enum.StrEnum):
    CHECK = "check"  # read and report; write nothing
    ALL_OR_NOTHING = "all"  # write every row, or nothing when any row is refused
    VALID_ROWS_ONLY = "valid"  # write the rows that are not refused


class Outcome(enum.StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


# Before anything is written, the same outcomes in the future tense.
_LABELS = {
    (Outcome.ADDED, True): _l("added"), (Outcome.ADDED, False): _l("to add"),
    (Outcome.UPDATED, True): _l("updated"), (Outcome.UPDATED, False): _l("to update"),
    (Outcome.UNCHANGED, True): _l("unchanged"), (Outcome.UNCHANGED, False): _l("unchanged"),
    (Outcome.REFUSED, True): _l("refused"), (Outcome.REFUSED, False): _l("refused"),
}


@dataclass
class RowPlan:
    """One row as planned: what it is about, what is wrong with it or what it changes, and how
    to write it (run only when the import writes)."""

    line: int
    subject: str
    problems: list[str] = field(default_factory=list)
    outcome: Outcome = Outcome.UNCHANGED
    details: list[str] = field(default_factory=list)
    write: Callable[[], None] | None = None

    @property
    def refused(self) -> bool:
        return bool(self.problems)


@dataclass(frozen=True)
class RowReport:
    line: int
    subject: str
    outcome: Outcome
    label: str  # the outcome in words, in the tense of the report
    details: tuple[str, ...]  # the problems of a refused row, otherwise what changes


@dataclass(frozen=True)
class ImportReport:
    kind: str  # "cities" or "users"
    mode: Mode
    written: bool
    rows: tuple[RowReport, ...]
    ignored_columns: tuple[str, ...] = ()
    invited: int = 0
    extra: dict[str, int] = field(default_factory=dict)  # other counts, e.g. countries added

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def refused(self) -> int:
        return self.count(Outcome.REFUSED)

    @property
    def valid(self) -> int:
        return len(self.rows) - self.refused

    @property
    def refused_rows(self) -> tuple[RowReport, ...]:
        return tuple(row for row in self.rows if row.outcome == Outcome.REFUSED)

    def counts(self) -> str:
        """"12 rows: 10 added, 1 updated, 0 unchanged, 1 refused" (future tense before writing)."""
        rows = ngettext("%(num)d row", "%(num)d rows", len(self.rows))
        if self.written:
            parts = _("%(added)d added, %(updated)d updated, %(unchanged)d unchanged, "
                      "%(refused)d refused", **self._numbers())
        else:
            parts = _("%(added)d to add, %(updated)d to update, %(unchanged)d unchanged, "
                      "%(refused)d refused", **self._numbers())
        return _("%(rows)s: %(parts)s", rows=rows, parts=parts)

    def _numbers(self) -> dict[str, int]:
        return {"added": self.count(Outcome.ADDED), "updated": self.count(Outcome.UPDATED),
                "unchanged": self.count(Outcome.UNCHANGED), "refused": self.refused}

    def conclusion(self) -> str:
        """What happened to the database, in one or two sentences."""
        if self.mode == Mode.CHECK:
            if self.refused:
                return ngettext(
                    "Checked only: nothing was written. %(num)d row is refused: an import of this "
                    "file would write nothing, unless only the valid rows are imported.",
                    "Checked only: nothing was written. %(num)d rows are refused: an import of this "
                    "file would write nothing, unless only the valid rows are imported.",
                    self.refused)
            return _("Checked only: nothing was written. Every row can be imported.")
        if not self.valid:
            return _("Nothing was written: every row is refused.")
        if not self.written:
            return ngettext(
                "Nothing was written: %(num)d row is refused, and an import writes every row or "
                "none. Correct the file and import it again, or import only the valid rows.",
                "Nothing was written: %(num)d rows are refused, and an import writes every row or "
                "none. Correct the file and import it again, or import only the valid rows.",
                self.refused)
        if self.refused:
            return ngettext("The valid rows were imported; %(num)d refused row was left out.",
                            "The valid rows were imported; %(num)d refused rows were left out.",
                            self.refused)
        return _("Every row was imported.")


def importer_region_id(actor: User | None, *, users: bool) -> int | None:
    """The region an import is limited to (None: everything), or ImportAccessError.

    Commands run as an administrator; on the pages, administrators import anything and regional
    offices import accounts of their own region.
    """
    if actor is None or actor.role == Role.ADMIN:
        return None
    if users and actor.role == Role.REGIONAL and actor.region_id is not None:
        return actor.region_id
    raise ImportAccessError(_("Only administrators can import cities; regional offices can import "
                              "accounts for their region."))


def finish(session: Session, kind: str, action: str, plans: list[RowPlan], mode: Mode, *,
           actor: User | None, filename: str, ignored: tuple[str, ...],
           after_write: Callable[[list[RowPlan]], dict[str, int]] | None = None) -> ImportReport:
    """Write what ``mode`` allows, record the import (unless it is a check) and report."""
    refused = [plan for plan in plans if plan.refused]
    valid = len(plans) - len(refused)
    written = valid > 0 and (mode == Mode.VALID_ROWS_ONLY or (mode == Mode.ALL_OR_NOTHING and not refused))
    extra: dict[str, int] = {}
    if written:
        for plan in plans:
            if not plan.refused and plan.write is not None:
                plan.write()
        session.flush()
        if after_write is not None:
            extra = after_write([plan for plan in plans if not plan.refused])
    rows = tuple(
        RowReport(plan.line, plan.subject, Outcome.REFUSED if plan.refused else plan.outcome,
                  str(_LABELS[(Outcome.REFUSED if plan.refused else plan.outcome, written)]),
                  tuple(plan.problems if plan.refused else plan.details))
        for plan in plans
    )
    invited = extra.pop("invited", 0)
    report = ImportReport(kind, mode, written, rows, ignored, invited, extra)
    if mode != Mode.CHECK:
        detail: dict[str, Any] = {"file": filename, "mode": mode.value, "written": written,
                                  "rows": len(rows), **report._numbers(), **extra}
        if kind == "users":
            detail["invited"] = invited
        record(session, action, actor, **detail)
    return report
