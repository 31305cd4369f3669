"""The report's summary for a mayor, through the HTTP client: where the city stands, its
strongest and weakest elements, the actions that matter most and its strengths, and a
recommendation for every question left blank or answered "don't know"."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select, update

from assessment.assessments.models import Answer
from assessment.assessments.scores import answer_inputs
from assessment.auth.models import Role
from assessment.questionnaire import score_assessment, score_question
from tests.results.conftest import shown, text_of

ELEMENTS = ("civic_tech", "tech_firms", "bottom_up", "geographies", "inclusion_privacy",
            "digital_rights")


def scores(*values: float) -> dict[str, float]:
    return dict(zip(ELEMENTS, values, strict=True))

PROFILE = {"civic_tech": 3.5, "tech_firms": 1.0, "bottom_up": 2.0, "geographies": 2.5,
           "inclusion_privacy": 1.5, "digital_rights": 0.5}


def en(text) -> str:
    return text if isinstance(text, str) else text["en"]


def summary_text(html: str) -> str:
    match = re.search(r'<div class="mayor-summary">(.*?)<dl class="summary-grid">', html, re.S)
    assert match, "no summary"
    return text_of(match.group(1))


def engine_result(db_session, questionnaire, assessment):
    answers = db_session.scalars(select(Answer).where(Answer.assessment_id == assessment.id))
    return score_assessment(questionnaire, answer_inputs(questionnaire, answers))


def test_the_summary_says_where_the_city_stands_in_three_sentences(
        make, login, report_page, db_session, questionnaire):
    city = make.city(name="Kisumu")
    round_ = make.round(name="2026")
    assessment = make.answer(make.assessment(city=city, round=round_), PROFILE, seed=3, submit=True)
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)
    summary = summary_text(page.html)

    result = engine_result(db_session, questionnaire, assessment)
    overall = round(assessment.overall_index, 1)
    level = int(overall // 25)
    assert (f"In 2026, Kisumu scores {shown(overall)} out of 100, which is level {level} "
            f"({en(questionnaire.scale_labels[level])}) on the scale from 0 to 4.") in summary
    by_score = sorted(result.elements, key=lambda e: -(e.score or 0))
    strongest, weakest = by_score[0], questionnaire.element(assessment.weakest_element_id)
    assert (f"Its strongest element is {en(questionnaire.element(strongest.element_id).title)} "
            f"({shown(strongest.score)}); the furthest below its target is {en(weakest.title)}"
            ) in summary
    assert "The 3 actions that matter most:" in summary
    # The three actions are the first three ranked recommendations, linked to them.
    actions = re.findall(r'<ol class="summary-actions">(.*?)</ol>', page.html, re.S)[0]
    assert re.findall(r'href="#recommendation-(\d+)"', actions) == ["1", "2", "3"]
    for advice in result.recommendations[:3]:
        assert en(advice.text).split(".")[0] in text_of(actions)
    # Strengths: the answered practices at level 3 or more, highest first.
    strengths = re.findall(r'<ul class="summary-strengths">(.*?)</ul>', page.html, re.S)
    answers = {a.question_id: a for a in answer_inputs(questionnaire, assessment.answers).values()}
    best = max(score_question(q, answers.get(q.id)) or 0 for q in questionnaire.scored_questions)
    assert best >= 3 and strengths, "civic tech at 3.5 leaves practices at level 3 or more"
    assert f"Level {int(best)} ({en(questionnaire.scale_labels[int(best)])})" in text_of(strengths[0])


def test_the_summary_gives_the_change_since_the_previous_round(make, login, report_page, scored):
    city = make.city(name="Mombasa")
    earlier = make.round(name="2025", opens_on=date(2025, 3, 1))
    now = make.round(name="2026", opens_on=date(2026, 3, 1))
    scored(city, earlier, scores(*[40] * 6), overall=40)
    current = scored(city, now, scores(*[50] * 6), overall=52.5)
    login(make.user(Role.OFFICIAL, city=city))

    summary = summary_text(report_page(current.id).html)

    assert ("In 2026, Mombasa scores 52.5 out of 100, which is level 2 (Defined) on the scale from "
            "0 to 4: 12.5 points more than in 2025.") in summary
    # Every element at 50 against a target of 75: a tie, so the first listed is the weakest.
    assert ("Every scored element has the same score (50.0); the furthest below its target is "
            "Promote civic technology (25.0 points short).") in summary


def test_a_summary_without_scores_says_so(make, login, report_page):
    city = make.city(name="Eldoret")
    assessment = make.assessment(city=city, round=make.round(name="2026"))
    login(make.user(Role.OFFICIAL, city=city))

    summary = summary_text(report_page(assessment.id).html)

    assert "Eldoret has no overall index for 2026 yet" in summary
    assert "No practice is at level 3 (implemented) or above yet." in summary


def test_blank_and_unknown_questions_get_a_recommendation_with_the_level_to_reach(
        make, login, report_page, db_session, questionnaire):
    city = make.city()
    assessment = make.answer(make.assessment(city=city), 2.0, seed=8)
    element = questionnaire.element("digital_rights")
    blank, unknown = element.scored_questions[0], element.scored_questions[1]
    db_session.execute(update(Answer).where(Answer.assessment_id == assessment.id,
                                            Answer.question_id == blank.id)
                       .values(value=None, dont_know=False, not_applicable=False))
    db_session.execute(update(Answer).where(Answer.assessment_id == assessment.id,
                                            Answer.question_id == unknown.id)
                       .values(value=None, dont_know=True, not_applicable=False))
    db_session.expire(assessment, ["answers"])
    login(make.user(Role.OFFICIAL, city=city))

    page = report_page(assessment.id)

    items = {}
    for match in re.finditer(r'<li class="recommendation recommendation-(\w+)" id="recommendation-\d+">'
                             r'(.*?)</li>', page.html, re.S):
        if f"#q_{blank.id}" in match.group(2) or f"#q_{unknown.id}" in match.group(2):
            items[match.group(1)] = text_of(match.group(2))
    assert set(items) == {"find_out", "find_owner"}
    target = int(-(-element.target // 1))
    name = en(questionnaire.scale_labels[target])
    assert items["find_out"].startswith("Not answered")
    advice = en(blank.recommendation).split(".")[0]
    assert f"Then, to reach level {target} ({name}): {advice}" in items["find_out"]
    assert items["find_owner"].startswith("Don't know")
    assert f"Then, to reach level {target} ({name}):" in items["find_owner"]
    # An answered gap says which level it moves the practice from and to.
    assert re.search(rf"From level \d \([^)]+\) to level {target} \({re.escape(name)}\), "
                     r"the element's target\.", page.text)
