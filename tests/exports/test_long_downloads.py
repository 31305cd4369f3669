"""Downloads too long for one request: prepared by a job with its progress on the page, kept for
EXPORT_KEEP_HOURS, announced by a message; CSV and JSON still stream at once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyreadstat
import pytest
from sqlalchemy import select

from assessment.exports import files, formats, services
from assessment.exports.models import ExportFile, ExportStatus
from tests.conftest import read
from tests.mailbox import parts, sent
from tests.mailbox import read as read_mail


@pytest.fixture(autouse=True)
def folder(app, monkeypatch, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    place = tmp_path / "exports"
    monkeypatch.setitem(app.config, "EXPORT_FOLDER", str(place))
    return place


@pytest.fixture()
def small_direct(app, monkeypatch):  # type: ignore[no-untyped-def]
    """Tables of more than 10 rows count as large."""
    monkeypatch.setitem(app.config, "EXPORT_DIRECT_ROWS", 10)


def test_a_large_excel_download_is_sent_to_the_page_to_be_prepared(client, login, world,
                                                                   small_direct) -> None:
    login(world.analyst)
    response = client.get("/exports/download", query_string={"table": "long", "format": "xlsx",
                                                              "round": "2025"})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/exports?") and "round=2025" in location
    page = client.get(location).get_data(as_text=True)
    assert "prepared in the background" in page and "Prepare the file" in page
    # CSV and JSON of the same table stream at once, however large.
    for fmt in ("csv", "json"):
        with client.get("/exports/download", query_string={"table": "long", "format": fmt,
                                                           "round": "2025"}) as streamed:
            assert streamed.status_code == 200 and streamed.is_streamed


def test_a_large_excel_export_completes_as_a_job_with_progress(
        app, client, login, world, db_session, folder, monkeypatch, small_direct) -> None:
    monkeypatch.setattr(formats, "BATCH_ROWS", 25)
    monkeypatch.setattr(files, "PROGRESS_SECONDS", 0)
    told: list[tuple[int, int]] = []
    real = files.ProgressFile.__call__

    def watched(self, done: int) -> None:  # type: ignore[no-untyped-def]
        real(self, done)
        told.append(files.read_progress_file(self.path))  # what the page reads at that moment

    monkeypatch.setattr(files.ProgressFile, "__call__", watched)
    login(world.analyst)
    response = client.post("/exports/prepare", data={"table": "long", "format": "xlsx"})
    assert response.status_code == 303
    db_session.expire_all()
    row = db_session.scalars(select(ExportFile).where(ExportFile.user_id == world.analyst.id)).one()
    assert row.status == ExportStatus.READY and row.rows == services.table("long").count(
        db_session, services.Filters(), services.scope_for(world.analyst))
    total = row.rows
    assert len(told) >= 3 and told[-1] == (total, total)
    assert [done for done, _ in told] == sorted(done for done, _ in told)
    assert {seen_total for _, seen_total in told} == {total}
    assert not list(folder.glob("*.progress"))  # the sidecar goes with the build
    assert row.expires_at - row.finished_at == timedelta(hours=24)  # type: ignore[operator]
    workbook = read("xlsx", (folder / row.file_name).read_bytes(), sheet_name="long")
    assert len(workbook) == total


def test_the_page_shows_the_progress_of_a_file_being_prepared(client, login, world,
                                                             db_session) -> None:
    login(world.analyst)
    filters = services.Filters.from_mapping({"round": "2025"})
    row, _ = files.prepare(db_session, world.analyst, services.table("long"), "sav", filters)
    db_session.info.pop("jobs_pending")  # as if a worker had not picked it up yet
    db_session.commit()
    page = client.get("/exports").get_data(as_text=True)
    assert "Waiting to start" in page and "Answers (long), SPSS file" in page
    files.progress_path(row).parent.mkdir(parents=True, exist_ok=True)
    files.ProgressFile(files.progress_path(row), 400)(100)
    page = client.get("/exports").get_data(as_text=True)
    assert f'<progress id="progress-{row.id}" max="400" value="100"' in page
    assert "100 of 400 rows written (25%)" in page


def test_the_owner_is_told_when_the_file_is_ready_and_it_is_kept_as_set(
        app, client, login, world, db_session, folder, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "EXPORT_KEEP_HOURS", 6)
    login(world.analyst)
    client.post("/exports/prepare", data={"table": "wide", "format": "dta", "round": "2025"})
    db_session.expire_all()
    row = db_session.scalars(select(ExportFile).where(ExportFile.user_id == world.analyst.id)).one()
    assert row.status == ExportStatus.READY
    assert row.expires_at - row.finished_at == timedelta(hours=6)  # type: ignore[operator]
    frame, meta = pyreadstat.read_dta(str(folder / row.file_name))
    assert len(frame) == 3 and meta.variable_value_labels
    page = client.get("/exports").get_data(as_text=True)
    assert "for 6 hours after it is ready" in page
    messages = sent(db_session, files.MAIL_KIND, world.analyst.email)
    assert len(messages) == 1
    text, html = parts(read_mail(messages[0]))
    assert "Answers (wide), Stata file" in text and "round 2025" in text
    assert "/exports#your-files" in text and "/exports#your-files" in html
    with client.get(f"/exports/files/{row.id}") as response:
        assert response.status_code == 200
        assert "city-innovation-wide-round-2025-" in response.headers["Content-Disposition"]
