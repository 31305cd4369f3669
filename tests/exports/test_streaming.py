"""Exports run in bounded memory: the peak does not grow with the number of rows."""

from __future__ import annotations

import gc
import tempfile
import tracemalloc
from collections.abc import Callable

import pytest
from sqlalchemy import String, cast, func, select, update

from assessment.assessments.models import Answer
from assessment.demo.seed import seed_synthetic
from assessment.exports import formats, query, services
from assessment.places.models import Country, Region

pytestmark = pytest.mark.slow


def _peak(produce: Callable[[], None]) -> int:
    produce()  # warm caches (compiled statements, parsed questionnaire) outside the measure
    gc.collect()
    tracemalloc.start()
    try:
        produce()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _producers(session, table: str) -> dict[str, Callable[[], None]]:  # type: ignore[no-untyped-def]
    spec = services.table(table)
    filters, scope = services.Filters(), services.scope_for(None)

    def streamed(fmt: str) -> Callable[[], None]:
        def produce() -> None:
            columns = spec.columns(session, filters)
            for _chunk in formats.export_chunks(fmt, columns, spec.rows(session, filters, scope)):
                pass
        return produce

    def written(fmt: str) -> Callable[[], None]:
        def produce() -> None:
            with tempfile.TemporaryDirectory() as folder:
                formats.write_export(f"{folder}/export.{fmt}", session, spec, fmt, filters, scope)
        return produce

    return {"csv": streamed("csv"), "json": streamed("json"), "xlsx": written("xlsx"),
            "parquet": written("parquet")}


def _measure(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Peaks of every format of the long table, and of the wide table as CSV and XLSX."""
    peaks = {f"long/{fmt}": _peak(produce) for fmt, produce in _producers(session, "long").items()}
    wide = _producers(session, "wide")
    peaks.update({f"wide/{fmt}": _peak(wide[fmt]) for fmt in ("csv", "xlsx")})
    return peaks


def _seed_more(session, questionnaire, cities: int) -> int:  # type: ignore[no-untyped-def]
    # seed_synthetic names its regions and countries the same way each time: rename the
    # previous ones so a second call adds cities instead of colliding.
    session.execute(update(Region).values(name=Region.name + " " + cast(Region.id, String)))
    session.execute(update(Country).values(name=Country.name + " " + cast(Country.id, String)))
    seed_synthetic(session, questionnaire, cities=cities, rounds=1, seed=cities)
    session.flush()
    return session.scalar(select(func.count()).select_from(Answer)) or 0


def test_export_memory_does_not_grow_with_rows(db_session, questionnaire, monkeypatch) -> None:
    # Small batches, so both sizes stream many of them. (Not below 20 rows: CPython keeps up to
    # 2,000 freed tuples of each size under 20 for reuse, which tracemalloc counts as live.)
    monkeypatch.setattr(query, "BATCH_SIZE", 25)
    monkeypatch.setattr(formats, "BATCH_ROWS", 25)
    monkeypatch.setattr(formats, "PARQUET_ROW_GROUP", 100)
    small_rows = _seed_more(db_session, questionnaire, 20)
    small = _measure(db_session)
    large_rows = _seed_more(db_session, questionnaire, 60)  # 80 cities in all
    assert large_rows >= 3.5 * small_rows
    large = _measure(db_session)
    for key in small:
        # Four times the rows; the peak stays within half again of the small export's peak.
        assert large[key] < 1.5 * small[key], (key, small[key], large[key])
