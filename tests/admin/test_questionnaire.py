"""Questionnaire versions: what is stored, what uses it, and the current file's status."""

import pytest
from sqlalchemy import select

from assessment.assessments.models import AssessmentStatus, QuestionnaireVersion
from assessment.assessments.versions import ensure_version
from tests.admin.conftest import older_questionnaire, page, post


def test_versions_page_shows_which_rounds_use_each_version(client, admin, make, questionnaire) -> None:
    older = older_questionnaire(questionnaire)
    for name in ("2024", "2025"):
        round_ = make.round(name=name, questionnaire=older)
        make.assessment(round=round_, status=AssessmentStatus.SUBMITTED)
    make.assessment(round=make.round(name="2026"))
    html = page(client, "/admin/questionnaire")
    assert "2 rounds use version 2025.9." in html
    assert "2 assessments were answered under it (2 submitted)." in html
    assert f"1 round uses version {questionnaire.version}." in html
    assert "never changes an existing assessment" in html
    for version in (older, questionnaire):
        assert version.content_hash[:12] in html


def test_a_version_page_shows_that_versions_own_wording(client, admin, db_session, questionnaire) -> None:
    older = ensure_version(db_session, older_questionnaire(questionnaire))
    current = ensure_version(db_session, questionnaire)
    old_html = page(client, f"/admin/questionnaire/versions/{older.id}")
    new_html = page(client, f"/admin/questionnaire/versions/{current.id}")
    first = questionnaire.elements[0]
    assert f"{first.title} (old wording)" in old_html
    assert f"{first.title} (old wording)" not in new_html and str(first.title) in new_html
    for question in questionnaire.questions:
        assert question.id in new_html
    assert "the questionnaire file has changed since" in old_html
    assert "new rounds use this version" in new_html


def test_store_the_current_file_as_a_version(client, admin, db_session, questionnaire, events) -> None:
    html = page(client, "/admin/questionnaire")
    assert "Not yet." in html and "/admin/questionnaire/store" in html
    assert questionnaire.content_hash in html
    post(client, "/admin/questionnaire/store")
    stored = db_session.scalar(select(QuestionnaireVersion).where(
        QuestionnaireVersion.content_hash == questionnaire.content_hash))
    assert stored is not None and stored.label == questionnaire.version
    assert "/admin/questionnaire/store" not in page(client, "/admin/questionnaire")
    # Storing twice changes nothing.
    post(client, "/admin/questionnaire/store")
    stored_event, = events("admin.questionnaire.store")
    assert stored_event.detail["content_hash"] == questionnaire.content_hash


def test_a_label_reused_for_other_content_is_pointed_out(client, admin, db_session, questionnaire) -> None:
    from assessment.questionnaire import parse_questionnaire

    same_label = parse_questionnaire(questionnaire.source_text + "\n# an edit without a new label\n")
    assert same_label.version == questionnaire.version
    ensure_version(db_session, same_label)
    html = page(client, "/admin/questionnaire")
    assert f"A stored version is also labelled {questionnaire.version} but has different content" in html


def test_storing_a_label_already_used_by_other_content_is_refused(client, admin, db_session,
                                                                  questionnaire) -> None:
    from assessment.assessments.versions import VersionLabelTaken
    from assessment.questionnaire import parse_questionnaire

    same_label = parse_questionnaire(questionnaire.source_text + "\n# an edit without a new label\n")
    ensure_version(db_session, same_label)
    db_session.commit()  # kept when a refused request rolls back
    with pytest.raises(VersionLabelTaken, match="change `version`"):
        ensure_version(db_session, questionnaire)
    client.post("/admin/questionnaire/store")
    assert "change “version” at the top of questionnaire.yaml" in page(client, "/admin/questionnaire")
    created = client.post("/admin/rounds/new", data={"name": "2031", "opens_on": "2031-01-01"})
    assert "change “version” at the top of questionnaire.yaml" in created.get_data(as_text=True)
    assert db_session.scalar(select(QuestionnaireVersion).where(
        QuestionnaireVersion.content_hash == questionnaire.content_hash)) is None
