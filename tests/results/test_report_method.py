"""The method in the report, through the HTTP client: stored scores of submitted assessments,
their history over resubmissions, a change between rounds answered under different versions,
the robustness panel and the what-if page."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, update

from assessment.assessments.models import Answer, Assessment, AssessmentStatus, ElementScore, ScoreHistory
from assessment.assessments.scores import answer_inputs, score_answers
from assessment.assessments.services import reopen_assessment, store_submission
from assessment.assessments.versions import ensure_version, questionnaire_for
from assessment.auth.models import Role
from assessment.questionnaire import parse_questionnaire, score_assessment
from assessment.questionnaire.scoring import RULES_VERSION
from assessment.questionnaire.sensitivity import restricted, shared_questions
from tests.results.conftest import shown

PROFILE = {"civic_tech": 3.0, "tech_firms": 1.0, "bottom_up": 2.0, "geographies": 2.5,
           "inclusion_privacy": 1.5, "digital_rights": 0.5}


def test_a_submitted_report_shows_the_stored_scores_and_says_which_rules_made_them(
        make, login, report_page, db_session):
    city = make.city()
    assessment = make.answer(make.assessment(city=city), PROFILE, seed=4, submit=True)
    assert assessment.scoring_version == RULES_VERSION
    login(make.user(Role.OFFICIAL, city=city))
    assert "version 1 of the scoring rules" not in report_page(assessment.id).text
    # Scores stored by earlier rules are shown as stored, never silently recomputed.
    db_session.execute(update(ElementScore).where(ElementScore.assessment_id == assessment.id,
                                                  ElementScore.element_id == "civic_tech")
                       .values(score=12.5))
    db_session.execute(update(Assessment).where(Assessment.id == assessment.id)
                       .values(scoring_version=1, overall_index=33.3))
    db_session.expire_all()

    page = report_page(assessment.id)

    assert page.row("civic_tech")[1] == "12.5"
    assert "Overall index 33.3 / 100" in page.text
    assert (f"computed with version 1 of the scoring rules. The recommendations and the robustness "
            f"checks use the current rules (version {RULES_VERSION})") in page.text


def test_a_resubmission_keeps_the_earlier_scores_as_history(make, login, report_page, db_session):
    city = make.city()
    assessment = make.answer(make.assessment(city=city), PROFILE, seed=5, submit=True)
    first_overall = assessment.overall_index
    regional = make.user(Role.REGIONAL, region=city.country.region)
    reopen_assessment(db_session, assessment, regional, "Check element 2")
    questionnaire = questionnaire_for(assessment.questionnaire_version)
    lowered = [q.id for q in questionnaire.element("civic_tech").scored_questions]
    db_session.execute(update(Answer).where(Answer.assessment_id == assessment.id,
                                            Answer.question_id.in_(lowered))
                       .values(value=None, dont_know=True, not_applicable=False))
    db_session.expire(assessment, ["answers"])
    result = score_answers(questionnaire, assessment.answers)
    assert store_submission(db_session, assessment, result, user=None,
                            at=datetime.now(UTC))

    history = db_session.scalars(select(ScoreHistory).where(ScoreHistory.assessment_id == assessment.id)
                                 .order_by(ScoreHistory.id)).all()
    assert [h.overall_index for h in history] == [first_overall, assessment.overall_index]
    assert history[0].overall_index != history[1].overall_index
    assert [e["element_id"] for e in history[0].elements] == [e.id for e in questionnaire.elements]
    login(make.user(Role.OFFICIAL, city=city))
    page = report_page(assessment.id)
    assert "Earlier submissions" in page.text
    assert shown(first_overall) in page.text.split("Earlier submissions", 1)[1]


def test_a_change_between_versions_is_computed_on_the_shared_questions(
        make, login, report_page, db_session, questionnaire):
    city = make.city()
    # The earlier round used a version without two of the current scored questions.
    dropped = {questionnaire.element("civic_tech").scored_questions[1].id,
               questionnaire.element("digital_rights").scored_questions[2].id}
    older_text = questionnaire.source_text.replace(f'version: "{questionnaire.version}"',
                                                   'version: "older"', 1)
    for question_id in dropped:
        older_text = older_text.replace(f"- id: {question_id}\n", f"- id: {question_id}_old\n", 1)
    older = parse_questionnaire(older_text)
    ensure_version(db_session, older)
    before = make.answer(make.assessment(city=city, round=make.round(
        name="2025", opens_on=date(2025, 3, 1), questionnaire=older)), PROFILE, seed=8, submit=True)
    now = make.answer(make.assessment(city=city, round=make.round(name="2026")), PROFILE, seed=9)
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(now.id)

    shared = shared_questions(questionnaire, older)
    assert len(shared) == len(questionnaire.scored_questions) - 2
    expected_now = score_assessment(restricted(questionnaire, shared), {
        k: v for k, v in answer_inputs(questionnaire, now.answers).items() if k in shared})
    expected_then = score_assessment(restricted(older, shared), {
        k: v for k, v in answer_inputs(older, before.answers).items() if k in shared})
    civic_now = round(expected_now.element("civic_tech").score, 1)
    civic_then = round(expected_then.element("civic_tech").score, 1)
    cells = page.row("civic_tech")
    assert cells[5] == shown(civic_then)
    change = round(civic_now - civic_then, 1)
    assert cells[6] == (f"+{change:.1f}" if change > 0 else f"−{-change:.1f}" if change < 0 else "0.0")
    assert (f"computed on the {len(shared)} of {len(questionnaire.scored_questions)} scored questions "
            f"that questionnaire versions older (2025) and {questionnaire.version} share") in page.text


def test_the_report_has_a_robustness_panel(make, login, report_page):
    city = make.city()
    assessment = make.answer(make.assessment(city=city), PROFILE, seed=3)
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    assert "How robust are these conclusions?" in page.text
    for rule in ("Every question weighs the same", "Geometric instead of arithmetic mean",
                 "\"Don't know\" counted as level 0", "Each question left out in turn"):
        assert rule in page.text
    assert page.text.count("Robust:") + page.text.count("Fragile:") == 3


def test_what_if_changes_scores_and_order_without_storing_anything(make, login, client, db_session):
    city = make.city()
    assessment = make.answer(make.assessment(city=city), PROFILE, seed=6, submit=True)
    stored = assessment.overall_index
    login(make.user(Role.OFFICIAL, city=city))

    plain = client.get(f"/assessments/{assessment.id}/what-if").get_data(as_text=True)
    assert "These are the method's choices" in plain
    # Only "digital_rights" counts: the overall index is that element's score.
    weights = {f"w_{e}": "0.0" for e in PROFILE}
    weights["w_digital_rights"] = "1.0"
    response = client.get(f"/assessments/{assessment.id}/what-if", query_string=weights)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "These are the method's choices" not in page
    rights = db_session.scalar(select(ElementScore.score).where(
        ElementScore.assessment_id == assessment.id, ElementScore.element_id == "digital_rights"))
    from tests.results.conftest import text_of
    overall_row = text_of(page.split("Overall index", 1)[1].split("</tr>", 1)[0])
    assert overall_row.split()[0] == shown(rights)
    partial = client.get(f"/assessments/{assessment.id}/what-if",
                         query_string={**weights, "partial": "1"}).get_data(as_text=True)
    assert "<form" not in partial and "Scores under these choices" in partial
    db_session.expire_all()
    assert db_session.get(Assessment, assessment.id).overall_index == stored
    assert db_session.get(Assessment, assessment.id).status == AssessmentStatus.SUBMITTED


def test_what_if_is_refused_outside_the_users_cities(make, login, client):
    assessment = make.answer(make.assessment(), PROFILE, seed=6)
    login(make.user(Role.OFFICIAL, city=make.city()))
    assert client.get(f"/assessments/{assessment.id}/what-if").status_code == 404
