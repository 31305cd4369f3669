"""The report shows the scoring engine's numbers: per element, overall, and in the chart data."""

from __future__ import annotations

import math
import re

from sqlalchemy import delete, select, update

from assessment.assessments.models import Answer, AssessmentStatus, ElementScore
from assessment.auth.models import Role
from assessment.questionnaire import Answer as AnswerInput
from assessment.questionnaire import decode_value, score_assessment, score_question
from tests.results.conftest import shown

PROFILE = {"civic_tech": 1.0, "tech_firms": 3.5, "bottom_up": 2.0, "geographies": 2.5,
           "inclusion_privacy": 0.5, "digital_rights": 3.0}


def engine_inputs(questionnaire, answers):
    return {
        row.question_id: AnswerInput(
            row.question_id, decode_value(questionnaire.question(row.question_id), row.value),
            row.dont_know, row.not_applicable, row.evidence_url, row.note,
        )
        for row in answers
    }


def by_hand(questionnaire, inputs, element_id):
    """Element score (0-100) and completeness straight from the method: 25 x weighted mean."""
    element = questionnaire.element(element_id)
    weighted, weights, applicable = 0.0, 0.0, 0
    for question in element.scored_questions:
        answer = inputs.get(question.id)
        if answer is not None and answer.not_applicable and question.allow_na:
            continue
        applicable += 1
        points = score_question(question, answer)
        if points is not None:
            weighted += question.weight * points
            weights += question.weight
    answered = sum(1 for q in element.scored_questions
                   if score_question(q, inputs.get(q.id)) is not None)
    return 25 * weighted / weights, answered / applicable


def test_preview_shows_the_engine_scores_for_every_element(make, login, report_page, questionnaire,
                                                           db_session):
    city = make.city(name="Huye")
    assessment = make.answer(make.assessment(city=city), PROFILE, seed=7)
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    assert page.status == 200
    assert "This is a preview." in page.text
    assert "(preview)" in page.trace("Huye")["name"]
    inputs = engine_inputs(questionnaire, db_session.scalars(
        select(Answer).where(Answer.assessment_id == assessment.id)))
    expected = score_assessment(questionnaire, inputs)
    for number, element in enumerate(questionnaire.elements, start=1):
        score, completeness = by_hand(questionnaire, inputs, element.id)
        engine = expected.element(element.id)
        assert math.isclose(score, engine.score)
        name, shown_score, target, gap, _median, level = page.row(element.id)
        assert name == f"{number}. {element.title}"
        assert shown_score == shown(score)
        # The level reached: 25 points a level, whole levels only (54.7 is level 2).
        reached = int(round(score, 1) // 25)
        label = questionnaire.scale_labels[reached]
        assert level == f"{reached} · {label if isinstance(label, str) else label['en']}"
        assert target == shown(element.target * 25)
        assert gap == shown(max(0.0, element.target * 25 - score))
        assert f"{round(completeness * 100)} %" in page.card(element.id)
    assert f"Overall index {shown(expected.overall)} / 100" in page.text
    assert f"Balance index {shown(expected.geometric)} / 100" in page.text
    weakest = questionnaire.element(expected.weakest_element_id)
    assert f"Weakest element {list(questionnaire.elements).index(weakest) + 1}. {weakest.title}" in page.text


def test_chart_data_holds_the_same_numbers_as_the_table(make, login, report_page, questionnaire):
    city = make.city(name="Kumasi")
    assessment = make.answer(make.assessment(city=city), PROFILE, seed=3)
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    city_trace = page.trace("Kumasi")
    target_trace = page.trace("Recommended target")
    assert {t["type"] for t in page.figure["data"]} == {"scatterpolar"}
    # Six axes, and the line closes on the first one.
    assert len(city_trace["r"]) == len(questionnaire.elements) + 1
    assert city_trace["r"][0] == city_trace["r"][-1]
    for index, element in enumerate(questionnaire.elements):
        row = page.row(element.id)
        assert shown(city_trace["r"][index]) == row[1]
        assert shown(target_trace["r"][index]) == row[2]


def test_an_element_without_enough_answers_is_flagged_never_drawn_as_zero(make, login, report_page,
                                                                          questionnaire, db_session):
    city = make.city(name="Sfax")
    assessment = make.answer(make.assessment(city=city), PROFILE, seed=5)
    # Leave one answer in the digital rights element: below the 60 % threshold.
    rights = [q.id for q in questionnaire.element("digital_rights").scored_questions]
    db_session.execute(delete(Answer).where(Answer.assessment_id == assessment.id,
                                            Answer.question_id.in_(rights[1:])))
    db_session.expire(assessment, ["answers"])
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    assert page.row("digital_rights")[1] == "Insufficient data"
    assert page.row("digital_rights")[3] == "—"  # no gap either
    card = page.card("digital_rights")
    assert "Insufficient data" in card and f"1 of {len(rights)} applicable questions" in card
    index = [e.id for e in questionnaire.elements].index("digital_rights")
    assert page.trace("Sfax")["r"][index] is None
    assert "1 element has too few answers to be scored" in page.text


def test_submitted_report_is_final_and_agrees_with_the_stored_scores(make, login, report_page,
                                                                     db_session):
    city = make.city(name="Dakar")
    assessment = make.answer(make.assessment(city=city), PROFILE, seed=11, submit=True)
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    assert "Final" in page.text and "This is a preview." not in page.text
    assert "(preview)" not in page.trace("Dakar")["name"]
    stored = db_session.scalars(
        select(ElementScore).where(ElementScore.assessment_id == assessment.id)).all()
    assert len(stored) == 6
    for row in stored:
        cells = page.row(row.element_id)
        assert cells[1] == shown(row.score)
        assert cells[2] == shown(row.target)
        assert cells[3] == shown(row.gap)
    assert f"Overall index {shown(assessment.overall_index)} / 100" in page.text
    assert f"Balance index {shown(assessment.overall_geometric)} / 100" in page.text


def test_recommendations_are_ranked_by_priority_and_link_to_their_question(
        make, login, report_page, questionnaire, db_session):
    city = make.city(name="Rabat")
    assessment = make.answer(make.assessment(city=city), PROFILE, seed=2)
    # One "don't know": it must come with the recommendation to find who is responsible.
    unknown = questionnaire.element("tech_firms").scored_questions[0]
    db_session.execute(update(Answer).where(Answer.assessment_id == assessment.id,
                                            Answer.question_id == unknown.id)
                       .values(value=None, dont_know=True))
    db_session.expire(assessment, ["answers"])
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    inputs = engine_inputs(questionnaire, db_session.scalars(
        select(Answer).where(Answer.assessment_id == assessment.id)))
    expected = score_assessment(questionnaire, inputs).recommendations
    assert expected, "the profile leaves gaps, so there are recommendations"
    ranked = page.html.split('id="recommendations-heading"', 1)[1]
    links = re.findall(rf'href="/assessments/{assessment.id}/elements/(\w+)#q_(\w+)"', ranked)
    assert links == [(r.element_id, r.question_id) for r in expected]
    priorities = [r.priority for r in expected]
    assert priorities == sorted(priorities, reverse=True)
    assert (unknown.element_id, unknown.id) in links
    assert questionnaire.dont_know_recommendation.split(".")[0] in page.text


def test_report_links_to_the_methodology_and_explains_each_index(make, login, report_page):
    city = make.city()
    assessment = make.answer(make.assessment(city=city), 2.0)
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    assert 'href="/methodology"' in page.html
    assert "The weighted average of the element scores" in page.text
    assert "The geometric mean of the element scores" in page.text
    assert "The element furthest below its target" in page.text


def test_empty_draft_has_a_report_with_no_scores(make, login, report_page, questionnaire):
    city = make.city()
    assessment = make.assessment(city=city, status=AssessmentStatus.DRAFT)
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    assert page.status == 200
    assert "No element has enough answers for a score yet" in page.text
    for element in questionnaire.elements:
        assert page.row(element.id)[1] == "Insufficient data"
    assert all(r is None for r in page.trace("(preview)")["r"])
