"""Rounds: created on the current questionnaire version and tied to it for good."""

from datetime import date

from sqlalchemy import select

from assessment.assessments.models import AssessmentStatus, QuestionnaireVersion, Round
from tests.admin.conftest import older_questionnaire, page, post, refused


def round_row(html: str, name: str) -> str:
    return html[html.index(f">{name}</a>"):].split("</tr>")[0]


def test_a_new_round_uses_the_current_questionnaire_version(client, admin, db_session, questionnaire,
                                                            events) -> None:
    html = page(client, "/admin/rounds/new")
    assert questionnaire.version in html and questionnaire.content_hash[:12] in html
    response = post(client, "/admin/rounds/new",
                    {"name": "2027", "opens_on": "2027-02-01", "closes_on": "2027-06-30"})
    assert response.status_code == 302
    round_ = db_session.scalar(select(Round).where(Round.name == "2027"))
    assert (round_.opens_on, round_.closes_on) == (date(2027, 2, 1), date(2027, 6, 30))
    assert round_.questionnaire_version.content_hash == questionnaire.content_hash
    created, = events("admin.round.create")
    assert created.detail["version"] == questionnaire.version
    assert created.detail["opens_on"] == "2027-02-01"


def test_creating_a_round_stores_the_current_file_when_it_is_new(client, admin, db_session,
                                                                 questionnaire) -> None:
    stored = select(QuestionnaireVersion).where(
        QuestionnaireVersion.content_hash == questionnaire.content_hash)
    assert db_session.scalar(stored) is None
    post(client, "/admin/rounds/new", {"name": "First", "opens_on": "2027-01-01"})
    assert db_session.scalar(stored) is not None


def test_round_list_counts_started_and_submitted_assessments(client, admin, make) -> None:
    round_ = make.round(name="Busy round")
    make.assessment(round=round_)
    make.assessment(round=round_)
    make.assessment(round=round_, status=AssessmentStatus.SUBMITTED)
    make.round(name="Quiet round")
    html = page(client, "/admin/rounds")
    busy = round_row(html, "Busy round")
    assert '<td class="num">3</td>' in busy and '<td class="num">1</td>' in busy
    assert '<td class="num">0</td>' in round_row(html, "Quiet round")


def test_edit_a_rounds_dates(client, admin, make, events) -> None:
    round_ = make.round(name="2026", opens_on=date(2026, 3, 1))
    make.assessment(round=round_)
    response = post(client, f"/admin/rounds/{round_.id}",
                    {"name": "2026", "opens_on": "2026-03-01", "closes_on": "2026-12-15"})
    assert response.status_code == 302
    assert round_.closes_on == date(2026, 12, 15)
    updated, = events("admin.round.update")
    assert updated.detail["changes"] == {"closes_on": [None, "2026-12-15"]}


def test_round_validation_keeps_the_input(client, admin, make, save) -> None:
    make.round(name="2026")
    save()
    html = refused(client, "/admin/rounds/new",
                {"name": "Backwards", "opens_on": "2027-06-01", "closes_on": "2027-01-01"})
    assert "The round cannot close before it opens." in html and 'value="Backwards"' in html
    html = refused(client, "/admin/rounds/new", {"name": "2026", "opens_on": "2027-01-01"})
    assert "There is already a round called 2026." in html
    html = refused(client, "/admin/rounds/new", {"name": "No date", "opens_on": ""})
    assert "Enter the opening date." in html


def test_a_started_round_keeps_its_version_for_good(client, admin, make, db_session, questionnaire, save,
                                                   events) -> None:
    round_ = make.round(name="Old round", questionnaire=older_questionnaire(questionnaire))
    make.assessment(round=round_)
    old_version_id = round_.questionnaire_version_id
    save()
    html = page(client, f"/admin/rounds/{round_.id}")
    assert "2025.9" in html and "can no longer change" in html
    assert f"/admin/rounds/{round_.id}/version" not in html
    post(client, f"/admin/rounds/{round_.id}/version")
    db_session.refresh(round_)
    assert round_.questionnaire_version_id == old_version_id
    assert events("admin.round.version") == []
    # Editing its dates does not touch the version either.
    post(client, f"/admin/rounds/{round_.id}", {"name": "Old round", "opens_on": "2025-01-01"})
    assert round_.questionnaire_version_id == old_version_id


def test_a_round_nobody_started_can_move_to_the_current_version(client, admin, make, questionnaire,
                                                               events) -> None:
    round_ = make.round(name="Early", questionnaire=older_questionnaire(questionnaire))
    html = page(client, f"/admin/rounds/{round_.id}")
    assert f"/admin/rounds/{round_.id}/version" in html
    post(client, f"/admin/rounds/{round_.id}/version")
    assert round_.questionnaire_version.content_hash == questionnaire.content_hash
    moved, = events("admin.round.version")
    assert moved.detail["changes"]["version"] == ["2025.9", questionnaire.version]


def test_only_a_round_nobody_started_can_be_deleted(client, admin, make, db_session, save, events) -> None:
    started = make.round(name="Started")
    make.assessment(round=started)
    unused = make.round(name="Unused")
    unused_id = unused.id
    save()
    post(client, f"/admin/rounds/{started.id}/delete")
    assert db_session.get(Round, started.id) is not None
    assert "cannot be deleted" in page(client, f"/admin/rounds/{started.id}")
    post(client, f"/admin/rounds/{unused_id}/delete")
    assert db_session.get(Round, unused_id) is None
    assert [e.detail["name"] for e in events("admin.round.delete")] == ["Unused"]
