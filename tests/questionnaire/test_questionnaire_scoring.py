"""Scoring: unit cases for each rule, and properties that must hold for any set of answers."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.questionnaire import (
    Answer,
    AnswerValue,
    AssessmentScore,
    ElementScore,
    Question,
    QuestionType,
    load_questionnaire,
    score_assessment,
    score_question,
)
from assessment.questionnaire.scoring import points
from tests.questionnaire.strategies import values_for

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRE = load_questionnaire(ROOT / "questionnaire.yaml")
Q = QUESTIONNAIRE.question
PROPERTY = settings(max_examples=150, deadline=None)


def answers_for(question: Question) -> st.SearchStrategy[Answer | None]:
    """No answer, don't know, not applicable (where allowed) or a value, maybe with evidence."""
    evidence = st.sampled_from([None, "", "https://example.org/policy.pdf"])
    choices: list[st.SearchStrategy[Answer | None]] = [
        st.none(),
        st.builds(Answer, st.just(question.id), dont_know=st.just(True)),
        st.builds(Answer, st.just(question.id), values_for(question), evidence_url=evidence),
    ]
    if question.allow_na:
        choices.append(st.builds(Answer, st.just(question.id), not_applicable=st.just(True)))
    return st.one_of(*choices)


answer_sets = st.tuples(*(answers_for(q) for q in QUESTIONNAIRE.questions)).map(
    lambda answers: {a.question_id: a for a in answers if a is not None}
)


def best_value(question: Question) -> AnswerValue:
    return _extreme_value(question, best=True)


def worst_value(question: Question) -> AnswerValue:
    return _extreme_value(question, best=False)


def _extreme_value(question: Question, *, best: bool) -> AnswerValue:
    wanted = 4.0 if best else 0.0
    qtype = question.type
    if qtype is QuestionType.MATURITY:
        return int(wanted)
    if qtype is QuestionType.YES_NO:
        return "yes" if question.yes_points == wanted else "no"
    if qtype is QuestionType.SINGLE_CHOICE:
        return next(o.key for o in question.options if o.points == wanted)
    if qtype is QuestionType.MULTIPLE_CHOICE:
        if best:
            return tuple(o.key for o in question.options if not o.exclusive)
        return next((o.key,) for o in question.options if o.points == 0)
    band = next(b for b in question.bands if b.points == wanted)
    low = band.min if band.min is not None else question.min_value
    assert low is not None
    return int(low) if question.integer else low


def everything(value_of: object) -> dict[str, Answer]:
    assert callable(value_of)
    return {q.id: Answer(q.id, value_of(q)) for q in QUESTIONNAIRE.scored_questions}


def element_scores(result: AssessmentScore) -> dict[str, ElementScore]:
    return {element.element_id: element for element in result.elements}


# -- single questions ----------------------------------------------------------------------


def test_each_type_maps_onto_zero_to_four() -> None:
    assert score_question(Q("civic_tech_env_data"), Answer("civic_tech_env_data", 3)) == 3
    assert score_question(Q("civic_tech_transit_data"), Answer("civic_tech_transit_data", "yes")) == 4
    assert score_question(Q("civic_tech_transit_data"), Answer("civic_tech_transit_data", "no")) == 0
    requests = Q("civic_tech_service_requests")
    assert score_question(requests, Answer(requests.id, "online_untracked")) == 2
    crisis = Q("civic_tech_crisis_data")  # cap 4 of 5 options
    assert score_question(crisis, Answer(crisis.id, ("service_maps", "open_feed"))) == 2
    assert score_question(crisis, Answer(crisis.id, tuple(o.key for o in crisis.options[:5]))) == 4
    assert score_question(crisis, Answer(crisis.id, ("none",))) == 0
    terms = Q("tech_firms_contract_terms")  # no cap: all six options
    assert score_question(terms, Answer(terms.id, ("data_access", "exit_plan", "open_standards"))) == 2
    share = Q("inclusion_assisted_share")
    assert [score_question(share, Answer(share.id, v)) for v in (0, 19.9, 20, 59, 60, 100)] == [
        0,
        0,
        1,
        2,
        3,
        4,
    ]


def test_no_score_without_a_real_answer() -> None:
    transit = Q("civic_tech_transit_data")
    assert score_question(transit, None) is None
    assert score_question(transit, Answer(transit.id)) is None
    assert score_question(transit, Answer(transit.id, "yes", dont_know=True)) is None
    assert score_question(transit, Answer(transit.id, "yes", not_applicable=True)) is None
    count = Q("bottom_up_dataset_count")
    assert score_question(count, Answer(count.id, 120)) is None


def test_answers_must_be_consistent() -> None:
    with pytest.raises(ValueError, match="both"):
        Answer("civic_tech_env_data", dont_know=True, not_applicable=True)
    with pytest.raises(ValueError, match="not 'civic_tech_env_data'"):
        score_question(Q("civic_tech_env_data"), Answer("civic_tech_community", 2))
    with pytest.raises(ValueError, match="Choose a level"):
        score_question(Q("civic_tech_env_data"), Answer("civic_tech_env_data", 7))
    with pytest.raises(KeyError):
        score_assessment(QUESTIONNAIRE, {"retired_question": Answer("retired_question", 1)})
    with pytest.raises(ValueError, match="stored under"):
        score_assessment(QUESTIONNAIRE, {"civic_tech_env_data": Answer("civic_tech_community", 1)})


# -- elements and overall ------------------------------------------------------------------


def test_not_applicable_is_only_honoured_where_allowed() -> None:
    # "Not applicable" on a question without allow_na counts as not answered.
    env = Answer("civic_tech_env_data", not_applicable=True)
    result = score_assessment(QUESTIONNAIRE, {env.question_id: env}).element("civic_tech")
    assert (result.applicable, result.not_applicable) == (6, 0)
    transit = Answer("civic_tech_transit_data", not_applicable=True)
    result = score_assessment(QUESTIONNAIRE, {transit.question_id: transit}).element("civic_tech")
    assert (result.applicable, result.not_applicable) == (5, 1)


def test_below_the_completeness_threshold_there_is_no_score() -> None:
    element = QUESTIONNAIRE.element("tech_firms")  # 5 scored questions, threshold 0.6
    scored = element.scored_questions
    three = {q.id: Answer(q.id, best_value(q)) for q in scored[:3]}
    result = score_assessment(QUESTIONNAIRE, three).element("tech_firms")
    assert (result.completeness, result.insufficient, result.score) == (0.6, False, 100)
    two = dict(list(three.items())[:2])
    two[scored[2].id] = Answer(scored[2].id, dont_know=True)
    result = score_assessment(QUESTIONNAIRE, two).element("tech_firms")
    assert result.insufficient and result.score is None and result.gap is None
    assert result.raw_mean == 4 and result.dont_know == 1 and result.unanswered == 2
    overall = score_assessment(QUESTIONNAIRE, two)
    assert overall.overall is None and overall.geometric is None
    assert overall.weakest_element_id is None


def test_overall_uses_only_elements_with_enough_data() -> None:
    answers = {q.id: Answer(q.id, best_value(q)) for q in QUESTIONNAIRE.element("civic_tech").questions}
    answers.update(
        {q.id: Answer(q.id, worst_value(q)) for q in QUESTIONNAIRE.element("bottom_up").scored_questions}
    )
    result = score_assessment(QUESTIONNAIRE, answers)
    assert result.included_element_ids == ("civic_tech", "bottom_up")
    assert result.overall == 50
    # Levels 4 and 0, shifted by 1: sqrt(5 x 1) - 1 = 1.236 levels = 30.9 %.
    assert result.geometric == pytest.approx((math.sqrt(5) - 1) * 25)
    assert result.weakest_element_id == "bottom_up"
    assert result.element("bottom_up").gap == 75


def test_recommendations_are_ranked_by_weighted_gap() -> None:
    answers = {
        "civic_tech_resident_tools": Answer("civic_tech_resident_tools", 2),  # weight 2, gap 1
        "civic_tech_env_data": Answer("civic_tech_env_data", 0),  # gap 3
        "civic_tech_community": Answer("civic_tech_community", dont_know=True),
        "civic_tech_service_requests": Answer("civic_tech_service_requests", "tracked_open"),
        "geographies_networks": Answer("geographies_networks", 1),  # target 2: gap 1
    }
    result = score_assessment(QUESTIONNAIRE, answers)
    ranked = [(r.question_id, r.kind, r.priority, r.gap) for r in result.recommendations]
    assert ranked == [
        ("civic_tech_env_data", "improve", 3.0, 3.0),
        ("civic_tech_community", "find_owner", 3.0, None),
        ("civic_tech_resident_tools", "improve", 2.0, 1.0),
        ("geographies_networks", "improve", 1.0, 1.0),
    ]
    assert result.recommendations[1].text == QUESTIONNAIRE.dont_know_recommendation
    assert result.recommendations[0].text == Q("civic_tech_env_data").recommendation


def test_evidence_coverage_counts_claims_at_level_three_or_more() -> None:
    answers = {
        "bottom_up_open_data": Answer("bottom_up_open_data", 4, evidence_url="https://data.example"),
        "bottom_up_participation": Answer("bottom_up_participation", 3, evidence_url="  "),
        "bottom_up_urban_lab": Answer("bottom_up_urban_lab", 2, evidence_url="https://lab.example"),
    }
    result = score_assessment(QUESTIONNAIRE, answers).element("bottom_up")
    assert result.evidence_coverage == 0.5
    low = {"bottom_up_urban_lab": answers["bottom_up_urban_lab"]}
    assert score_assessment(QUESTIONNAIRE, low).element("bottom_up").evidence_coverage is None


# -- properties ----------------------------------------------------------------------------


def test_all_best_answers_give_100_and_all_worst_give_0() -> None:
    best = score_assessment(QUESTIONNAIRE, everything(best_value))
    worst = score_assessment(QUESTIONNAIRE, everything(worst_value))
    for element in best.elements:
        assert element.score == 100 and element.gap == 0 and element.completeness == 1
    for element in worst.elements:
        assert element.score == 0 and element.gap == element.target
    assert best.overall == 100 and best.geometric == pytest.approx(100)
    assert worst.overall == 0 and worst.geometric == pytest.approx(0)
    assert best.recommendations == ()
    assert len(worst.recommendations) == len(QUESTIONNAIRE.scored_questions)


@PROPERTY
@given(answer_sets)
def test_scores_stay_within_bounds(answers: dict[str, Answer]) -> None:
    result = score_assessment(QUESTIONNAIRE, answers)
    for question in QUESTIONNAIRE.questions:
        score = score_question(question, answers.get(question.id))
        assert score is None or 0 <= score <= 4
    for element in result.elements:
        assert 0 <= element.completeness <= 1
        assert element.answered + element.dont_know <= element.applicable
        if element.score is not None:
            assert 0 <= element.score <= 100
            assert element.gap is not None and 0 <= element.gap <= element.target
        if element.raw_mean is not None:
            assert 0 <= element.raw_mean <= 4
        if element.evidence_coverage is not None:
            assert 0 <= element.evidence_coverage <= 1
    for total in (result.overall, result.geometric):
        assert total is None or 0 <= total <= 100
    if result.overall is not None:
        assert result.geometric is not None and result.geometric <= result.overall + 1e-9
    assert all(r.priority >= 0 for r in result.recommendations)
    priorities = [r.priority for r in result.recommendations]
    assert priorities == sorted(priorities, reverse=True)


@PROPERTY
@given(answer_sets, st.data())
def test_raising_an_answer_never_lowers_any_score(answers: dict[str, Answer], data: st.DataObject) -> None:
    answered = [a for a in answers.values() if score_question(Q(a.question_id), a) is not None]
    if not answered:
        return
    answer = data.draw(st.sampled_from(answered))
    question = Q(answer.question_id)
    before_points = points(question, answer.value)
    assert before_points is not None
    raised_value = data.draw(
        values_for(question).filter(lambda v: (points(question, v) or 0) >= before_points)
    )
    raised = {**answers, question.id: replace(answer, value=raised_value)}
    before, after = score_assessment(QUESTIONNAIRE, answers), score_assessment(QUESTIONNAIRE, raised)
    for old, new in zip(before.elements, after.elements, strict=True):
        assert (old.score is None) == (new.score is None)
        if old.score is not None and new.score is not None:
            assert new.score >= old.score - 1e-9
    if before.overall is not None and after.overall is not None and before.geometric is not None:
        assert after.overall >= before.overall - 1e-9
        assert after.geometric is not None and after.geometric >= before.geometric - 1e-9


@PROPERTY
@given(st.data())
def test_a_better_answer_scores_at_least_as_well(data: st.DataObject) -> None:
    # Natural orders: a higher level, more ticked options, a larger number.
    question = data.draw(st.sampled_from(QUESTIONNAIRE.scored_questions))
    value = data.draw(values_for(question))
    score = points(question, value)
    assert score is not None
    if question.type is QuestionType.MATURITY:
        assert isinstance(value, int)
        higher: AnswerValue = data.draw(st.integers(value, 4))
    elif question.type is QuestionType.MULTIPLE_CHOICE:
        assert isinstance(value, tuple)
        plain = [o.key for o in question.options if not o.exclusive]
        extra = data.draw(st.sets(st.sampled_from(plain)))
        higher = tuple(k for k in plain if k in extra or k in value) or value
    elif question.type is QuestionType.NUMBER:
        assert isinstance(value, int | float)
        top = question.max_value if question.max_value is not None else value + 1e6
        higher = data.draw(st.floats(value, top, allow_nan=False))
        higher = int(higher) if question.integer else higher
        higher = max(higher, value)
    elif question.type is QuestionType.YES_NO:
        higher = "yes" if question.yes_points >= question.no_points else "no"
    else:
        higher = max((o.key for o in question.options), key=lambda k: question.option(k).points)
    raised = points(question, higher)
    assert raised is not None and raised >= score


@PROPERTY
@given(answer_sets, st.data())
def test_not_applicable_never_changes_other_elements(answers: dict[str, Answer], data: st.DataObject) -> None:
    question = data.draw(st.sampled_from([q for q in QUESTIONNAIRE.scored_questions if q.allow_na]))
    marked = {**answers, question.id: Answer(question.id, not_applicable=True)}
    before = element_scores(score_assessment(QUESTIONNAIRE, answers))
    after = element_scores(score_assessment(QUESTIONNAIRE, marked))
    for element_id, result in before.items():
        if element_id != question.element_id:
            assert after[element_id] == result
