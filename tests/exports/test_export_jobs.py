"""Excel and Parquet files prepared in the background: asked for on the page, built by a job with
the account's scope as it is when the job runs, downloaded by their owner (or an admin) for 24
hours, then deleted."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from assessment import jobs
from assessment.audit.models import AuditEvent
from assessment.auth.models import Role
from assessment.database import utcnow
from assessment.exports import files, formats, services
from assessment.exports.models import ExportFile, ExportStatus
from assessment.jobs.models import Job, JobStatus
from tests.conftest import read
from tests.exports.test_formats import _normalised

XLSX = formats.MEDIA_TYPES["xlsx"]


@pytest.fixture(autouse=True)
def folder(app, monkeypatch, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Each test's files go to a folder of its own."""
    place = tmp_path / "exports"
    monkeypatch.setitem(app.config, "EXPORT_FOLDER", str(place))
    return place


def prepare(client, **choices: str) -> str:  # type: ignore[no-untyped-def]
    """Press "Prepare the file" with ``choices``; returns the page it leads to."""
    response = client.post("/exports/prepare", data=choices)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return str(response.headers["Location"])


def only_file(db_session, user) -> ExportFile:  # type: ignore[no-untyped-def]
    db_session.expire_all()
    return db_session.scalars(select(ExportFile).where(ExportFile.user_id == user.id)).one()


def job_of(db_session, row: ExportFile) -> Job:  # type: ignore[no-untyped-def]
    job = db_session.get(Job, row.job_id, populate_existing=True)
    assert job is not None
    return job


def files_in(place: Path) -> list[str]:
    return sorted(path.name for path in place.iterdir()) if place.is_dir() else []


def test_an_excel_long_table_is_prepared_and_reads_back_like_the_csv(
        client, login, world, download, db_session, folder) -> None:
    login(world.analyst)
    location = prepare(client, table="long", format="xlsx", round="2025", region="Africa")
    assert location.startswith("/exports?") and location.endswith("#your-files")

    # In-process jobs run right after the request: the file is ready when the POST returns.
    row = only_file(db_session, world.analyst)
    assert row.status == ExportStatus.READY and row.error is None
    assert (row.table, row.format, row.filters, row.language) == (
        "long", "xlsx", {"round": "2025", "region": "Africa"}, "en")
    assert files_in(folder) == [row.file_name]
    assert row.size == (folder / row.file_name).stat().st_size
    assert row.expires_at - row.finished_at == timedelta(hours=24)  # type: ignore[operator]

    page = client.get(location).get_data(as_text=True)
    assert "Your files" in page and "Answers (long), Excel workbook" in page
    assert "round 2025, region Africa" in page and "Ready" in page
    assert 'http-equiv="refresh"' not in page  # nothing is being prepared
    link = f'href="/exports/files/{row.id}"'
    assert link in page

    with client.get(f"/exports/files/{row.id}") as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == XLSX
        assert response.headers["Cache-Control"] == "no-store"
        stamp = row.finished_at.strftime("%Y%m%d")  # type: ignore[union-attr]
        assert response.headers["Content-Disposition"] == (
            f"attachment; filename=city-innovation-long-round-2025-region-africa-{stamp}.xlsx")
        body = response.get_data()

    text = {"round": str, "questionnaire_version": str}
    workbook = read("xlsx", body, sheet_name="long", dtype=text)
    csv_frame = read("csv", download(table="long", format="csv", round="2025", region="Africa")[1])
    assert len(csv_frame) == row.rows > 0
    assert set(csv_frame["city"]) == {"Kigali", "Nairobi"}
    assert list(workbook.columns) == list(csv_frame.columns)
    assert _normalised(workbook) == _normalised(csv_frame)
    # The same workbook as the direct download: the codebook and the column descriptions too.
    sheets = openpyxl.load_workbook(folder / row.file_name, read_only=True).sheetnames
    assert sheets == ["long", "codebook", "columns", "about"]

    actions = db_session.scalars(select(AuditEvent).where(
        AuditEvent.user_id == world.analyst.id, AuditEvent.action.in_(
            ("export.prepare", "export.download"))).order_by(AuditEvent.id)).all()
    assert [event.action for event in actions] == ["export.prepare", "export.download", "export.download"]
    assert actions[0].detail == {"table": "long", "format": "xlsx", "file": row.id,
                                 "filters": {"round": "2025", "region": "Africa"}}
    assert actions[1].detail["file"] == row.id


def test_the_page_offers_prepare_for_excel_and_parquet_without_javascript(
        client, login, world) -> None:
    login(world.analyst)
    page = client.get("/exports").get_data(as_text=True)
    form = page.split('<form method="get" action="/exports/download"')[1].split("</form>")[0]
    button = re.search(r'<button[^>]*formaction="/exports/prepare"[^>]*>', form)
    assert button is not None and 'formmethod="post"' in button.group(0)
    assert 'name="csrf_token"' in button.group(0)  # the token never lands in a download link
    assert "Prepare the file" in form and ">Download</button>" in form
    assert 'id="your-files"' not in page  # nothing asked for yet
    assert client.get("/exports/prepare").status_code == 405


def test_while_a_file_is_prepared_the_page_reloads_itself(client, login, world, db_session) -> None:
    login(world.analyst)
    filters = services.Filters.from_mapping({"round": "2026"})
    row, new = files.prepare(db_session, world.analyst, services.table("wide"), "parquet", filters)
    db_session.info.pop("jobs_pending")  # as if a worker had not picked it up yet
    db_session.commit()
    assert new
    # A second click while it is being prepared asks for nothing more.
    assert files.prepare(db_session, world.analyst, services.table("wide"), "parquet",
                         filters) == (row, False)

    page = client.get("/exports").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "Being prepared" in page and "Answers (wide), Parquet file" in page
    assert "reload=off" in page  # the reader can stop it
    assert f"/exports/files/{row.id}" not in page
    quiet = client.get("/exports?reload=off").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in quiet and "Reload now" in quiet
    assert client.get(f"/exports/files/{row.id}").status_code == 404  # not ready


def test_a_regional_users_file_holds_only_their_region(client, login, world, db_session,
                                                       folder) -> None:
    login(world.regional)
    prepare(client, table="long", format="parquet")
    row = only_file(db_session, world.regional)
    with client.get(f"/exports/files/{row.id}") as response:
        frame = read("parquet", response.get_data())
    assert set(frame["city"]) == {"Kigali", "Nairobi"}  # Africa, never Bandung
    prepare(client, table="wide", format="xlsx", region="Asia-Pacific")  # a filter cannot widen it
    db_session.expire_all()
    wide = db_session.scalars(select(ExportFile).where(ExportFile.table == "wide")).one()
    with client.get(f"/exports/files/{wide.id}") as response:
        assert read("xlsx", response.get_data()).empty


def test_the_job_reads_the_account_again_when_it_runs(client, login, world, db_session, folder) -> None:
    """A regional office moved to another region gets that region; a deactivated account nothing."""
    moved = files.prepare(db_session, world.regional, services.table("wide"), "xlsx",
                          services.Filters())[0]
    world.regional.region = world.asia
    db_session.commit()
    jobs.run_ready(db_session)
    assert only_file(db_session, world.regional).status == ExportStatus.READY
    assert set(read("xlsx", (folder / moved.file_name).read_bytes())["city"]) == {"Bandung"}

    gone = files.prepare(db_session, world.analyst, services.table("long"), "xlsx",
                         services.Filters())[0]
    world.analyst.active = False
    db_session.commit()
    jobs.run_ready(db_session)
    row = only_file(db_session, world.analyst)
    assert (row.status, row.error) == (ExportStatus.FAILED, "no-access")
    assert gone.file_name not in files_in(folder)
    assert job_of(db_session, row).status == JobStatus.DONE  # trying again would not help


def test_another_user_cannot_download_it(client, login, world, make, db_session) -> None:
    login(world.analyst)
    prepare(client, table="scores", format="xlsx")
    row = only_file(db_session, world.analyst)
    url = f"/exports/files/{row.id}"
    for other in (make.user(Role.ANALYST), world.regional, world.official):
        login(other)
        assert client.get(url).status_code == 404
        assert url not in client.get("/exports").get_data(as_text=True)
    denied = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert len(denied) == 3
    login(world.admin)
    with client.get(url) as response:
        assert response.status_code == 200 and response.headers["Content-Type"] == XLSX
    assert client.get("/exports/files/999999").status_code == 404


def test_a_failing_build_is_marked_failed_and_shown_on_the_jobs_page(
        client, login, world, db_session, folder, monkeypatch) -> None:
    def full_disk(*args: object, **kwargs: object) -> int:
        raise OSError("No space left on device")

    login(world.analyst)
    with monkeypatch.context() as patch:
        patch.setattr(formats, "write_xlsx", full_disk)
        prepare(client, table="long", format="xlsx")
    row = only_file(db_session, world.analyst)
    job = job_of(db_session, row)
    assert (row.status, row.error) == (ExportStatus.FAILED, "failed")
    assert job.status == JobStatus.RETRYING and job.attempts == 1
    assert job.last_error == "OSError: No space left on device"
    assert files_in(folder) == []  # no half-written file is left behind

    page = client.get("/exports").get_data(as_text=True)
    assert "Failed" in page
    assert "The file could not be prepared because of an error on the server." in page
    assert "It will be tried again at" in page
    assert "No space left" not in page  # the technical error is for administrators
    assert f"/exports/files/{row.id}" not in page

    login(world.admin)
    jobs_page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Prepare an export file" in jobs_page and "No space left on device" in jobs_page

    # Once the disk has room again, the administrator's "try again" makes the file.
    assert client.post(f"/admin/jobs/{job.id}/retry").status_code == 302
    row = only_file(db_session, world.analyst)
    assert row.status == ExportStatus.READY and row.error is None
    assert files_in(folder) == [row.file_name]


def test_a_table_too_large_for_excel_fails_with_the_reason(client, login, world, db_session,
                                                           monkeypatch) -> None:
    monkeypatch.setattr(formats, "XLSX_MAX_ROWS", 5)
    login(world.analyst)
    prepare(client, table="long", format="xlsx")
    row = only_file(db_session, world.analyst)
    assert (row.status, row.error) == (ExportStatus.FAILED, "too-large")
    assert job_of(db_session, row).status == JobStatus.DONE
    page = client.get("/exports").get_data(as_text=True)
    assert "more rows than an Excel sheet can hold" in page


def test_expired_files_are_deleted_and_the_page_says_so(client, login, world, db_session,
                                                        folder) -> None:
    assert jobs.PERIODIC["exports.expire"].every_seconds == 3600
    login(world.analyst)
    prepare(client, table="codebook", format="xlsx", lang="fr")
    row = only_file(db_session, world.analyst)
    path = folder / row.file_name
    assert path.is_file()

    row.expires_at = utcnow() - timedelta(minutes=1)
    db_session.commit()
    # Past its time the file is refused at once, even before the hourly job has deleted it.
    expired = client.get(f"/exports/files/{row.id}")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)

    jobs.enqueue(db_session, "exports.expire")
    db_session.commit()
    jobs.run_ready(db_session)
    assert not path.exists() and files_in(folder) == []
    assert only_file(db_session, world.analyst).status == ExportStatus.EXPIRED
    page = client.get("/exports").get_data(as_text=True)
    assert "Expired" in page and "labels in Français" in page
    assert f'href="/exports/files/{row.id}"' not in page
    assert client.get(f"/exports/files/{row.id}").status_code == 410

    # A week later the row itself is forgotten.
    files.expire(db_session, utcnow() + timedelta(days=8))
    db_session.commit()
    assert db_session.scalars(select(ExportFile)).all() == []


def test_running_the_job_twice_makes_one_file(client, login, world, db_session, folder) -> None:
    login(world.analyst)
    prepare(client, table="long", format="parquet", country="Rwanda")
    row = only_file(db_session, world.analyst)
    build = jobs.TASKS["exports.build"]
    args = job_of(db_session, row).args
    assert args == {"file_id": row.id, "user_id": world.analyst.id, "table": "long",
                    "format": "parquet", "filters": {"country": "Rwanda"}, "language": "en"}
    first = (folder / row.file_name).read_bytes()

    build(db_session, **args)  # a ready file is left alone
    assert files_in(folder) == [row.file_name]
    # A worker that was lost half-way: the job is claimed again and builds once more.
    row.status = ExportStatus.PREPARING
    db_session.commit()
    build(db_session, **args)
    build(db_session, **args)
    assert files_in(folder) == [row.file_name]
    assert only_file(db_session, world.analyst).status == ExportStatus.READY
    assert read("parquet", (folder / row.file_name).read_bytes()).equals(read("parquet", first))


def test_prepare_counts_against_the_export_limit(app, client, login, world, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "EXPORT_RATE_LIMIT", "3 per minute")
    login(world.regional_asia)
    codes = [client.post("/exports/prepare", data={"table": "codebook", "format": "parquet"}).status_code
             for _ in range(2)]
    codes += [client.get("/exports/download?table=codebook&format=csv").status_code for _ in range(2)]
    assert codes == [303, 303, 200, 429]  # one count for prepared files and downloads
    limited = client.post("/exports/prepare", data={"table": "codebook", "format": "parquet"})
    assert limited.status_code == 429 and 0 < int(limited.headers["Retry-After"]) <= 60


def test_bad_choices_get_a_clear_400(client, login, world) -> None:
    login(world.analyst)
    for data, message in (({"table": "nope", "format": "xlsx"}, "Unknown table"),
                          ({"table": "long", "format": "docx"}, "Choose a format"),
                          ({"table": "long", "format": "xlsx", "lang": "xx"}, "label language")):
        response = client.post("/exports/prepare", data=data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_celery_beat_schedules_the_expiry(tmp_path: Path) -> None:
    """In a fresh process, as the worker starts: the hourly job is on beat's schedule."""
    script = ("from assessment import create_app\n"
              f"app = create_app({{'REDIS_URL': 'redis://127.0.0.1:1/0', 'SECRET_KEY': 'x', "
              f"'DATABASE_URL': 'sqlite:///{tmp_path / 'beat.db'}'}})\n"
              "print(sorted(app.extensions['celery'].conf.beat_schedule))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2], check=True)
    assert "'exports.expire'" in done.stdout
    assert "'reminders.due'" in done.stdout and "'jobs.sweep'" in done.stdout
