"""Scoring: unit cases for each rule, and properties that must hold for any set of answers.

Written against tests/questionnaire/small.yaml (its header lists the targets and weights);
each expected number is worked out in a comment with the formulas of docs/methodology.md:
points p (0-4) and weight w per question, mean level m = Σ w p / Σ w, score S = 25 m,
target T = 25 × target level, gap G = max(0, T - S), element weight W.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.questionnaire import (
    Answer,
    AnswerValue,
    AssessmentScore,
    ElementScore,
    Question,
    Questionnaire,
    QuestionType,
    score_assessment,
    score_question,
)
from assessment.questionnaire.scoring import level_reached, points, strengths, target_level
from tests.questionnaire.strategies import values_for

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


def answer_sets(questionnaire: Questionnaire) -> st.SearchStrategy[dict[str, Answer]]:
    """Any mix of answers to the questionnaire's questions, keyed by question id."""
    return st.tuples(*(answers_for(q) for q in questionnaire.questions)).map(
        lambda answers: {a.question_id: a for a in answers if a is not None}
    )


@pytest.fixture(scope="module")
def any_answers(small: Questionnaire) -> st.SearchStrategy[dict[str, Answer]]:
    # Built once: a strategy built afresh for every example makes each one far slower.
    return answer_sets(small)


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


def everything(questionnaire: Questionnaire, value_of: object) -> dict[str, Answer]:
    assert callable(value_of)
    return {q.id: Answer(q.id, value_of(q)) for q in questionnaire.scored_questions}


def element_scores(result: AssessmentScore) -> dict[str, ElementScore]:
    return {element.element_id: element for element in result.elements}


def test_the_sample_keeps_what_these_tests_rely_on(small: Questionnaire) -> None:
    # Targets, weights and thresholds as the small.yaml header says; every target above 0,
    # so every worst answer is below it; number bands worth more for larger numbers, which
    # the monotonicity properties below rely on.
    assert [(e.id, e.target, e.weight) for e in small.elements] == [
        ("data", 3, 1), ("services", 2, 2), ("partners", 3, 1),
    ]
    assert [len(e.scored_questions) for e in small.elements] == [5, 5, 4]
    assert small.completeness_threshold == 0.6 and small.geometric_offset == 1
    for question in small.scored_questions:
        if question.type is QuestionType.NUMBER:
            worth = [band.points for band in question.bands]
            assert worth == sorted(worth), question.id


# -- single questions ----------------------------------------------------------------------


def test_each_type_maps_onto_zero_to_four(small: Questionnaire) -> None:
    def score(question_id: str, value: AnswerValue) -> float | None:
        return score_question(small.question(question_id), Answer(question_id, value))

    assert score("data_portal", 3) == 3  # maturity: the level
    assert score("data_licence", "yes") == 4 and score("data_licence", "no") == 0
    assert score("services_paper", "yes") == 0 and score("services_paper", "no") == 4  # reversed
    assert score("data_requests", "form") == 2  # single choice: the option's points
    # data_feeds: five options of 1 point, cap 4; points = 4 × min(ticked, 4) ÷ 4.
    assert score("data_feeds", ("transit", "air")) == 2  # 4 × 2 ÷ 4
    assert score("data_feeds", ("transit", "air", "water")) == 3  # 4 × 3 ÷ 4
    assert score("data_feeds", ("transit", "air", "water", "traffic", "parking")) == 4  # 4 × min(5, 4) ÷ 4
    assert score("data_feeds", ("none",)) == 0
    # services_contracts: no cap, so the cap is all the points, 2 + 1 + 1 + 1 + 1 = 6.
    assert score("services_contracts", ("data_access", "exit_plan")) == 2  # 4 × (2 + 1) ÷ 6
    assert score("services_contracts", ("exit_plan", "open_standards", "source_code")) == 2  # 4 × 3 ÷ 6
    assert score("services_contracts", ("none",)) == 0
    # data_share bands: [min, max) 0-25 → 0, 25-50 → 1, 50-75 → 2, 75-90 → 3, 90 and above → 4.
    shares = (0, 24.9, 25, 49.9, 50, 74.9, 75, 89.9, 90, 100)
    assert [score("data_share", v) for v in shares] == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]


def test_no_score_without_a_real_answer(small: Questionnaire) -> None:
    licence = small.question("data_licence")
    assert score_question(licence, None) is None
    assert score_question(licence, Answer(licence.id)) is None
    assert score_question(licence, Answer(licence.id, "yes", dont_know=True)) is None
    assert score_question(licence, Answer(licence.id, "yes", not_applicable=True)) is None
    count = small.question("data_count")  # scored: false
    assert score_question(count, Answer(count.id, 120)) is None


def test_answers_must_be_consistent(small: Questionnaire) -> None:
    with pytest.raises(ValueError, match="both"):
        Answer("data_portal", dont_know=True, not_applicable=True)
    with pytest.raises(ValueError, match="not 'data_portal'"):
        score_question(small.question("data_portal"), Answer("data_requests", "form"))
    with pytest.raises(ValueError, match="Choose a level"):
        score_question(small.question("data_portal"), Answer("data_portal", 7))
    with pytest.raises(KeyError):
        score_assessment(small, {"retired_question": Answer("retired_question", 1)})
    with pytest.raises(ValueError, match="stored under"):
        score_assessment(small, {"data_portal": Answer("partners_lab", 1)})


# -- elements and overall ------------------------------------------------------------------


def test_an_element_score_is_the_weighted_mean_of_its_answers(small: Questionnaire) -> None:
    answers = {
        "data_portal": Answer("data_portal", 3),  # p 3, w 2
        "data_licence": Answer("data_licence", not_applicable=True),  # left out altogether
        "data_feeds": Answer("data_feeds", dont_know=True),  # applicable, not answered
        "data_requests": Answer("data_requests", "form"),  # p 2, w 1
        "data_share": Answer("data_share", 80),  # band 75-90: p 3, w 1
    }
    result = score_assessment(small, answers).element("data")
    # 5 scored, 1 not applicable: 4 applicable, 3 answered; completeness 3 ÷ 4 = 0.75.
    assert (result.applicable, result.answered, result.dont_know, result.not_applicable) == (4, 3, 1, 1)
    assert result.completeness == 0.75 and not result.insufficient
    # m = (2 × 3 + 1 × 2 + 1 × 3) ÷ (2 + 1 + 1) = 11 ÷ 4 = 2.75; S = 25 × 2.75 = 68.75.
    assert result.raw_mean == 2.75 and result.score == 68.75
    # T = 25 × 3 = 75; G = 75 - 68.75 = 6.25.
    assert result.target == 75 and result.gap == 6.25


def test_not_applicable_is_only_honoured_where_allowed(small: Questionnaire) -> None:
    # "Not applicable" on a question without allow_na counts as not answered: data has
    # 5 scored questions, so 5 stay applicable; on data_licence (allow_na) 4 remain.
    portal = Answer("data_portal", not_applicable=True)
    result = score_assessment(small, {portal.question_id: portal}).element("data")
    assert (result.applicable, result.not_applicable) == (5, 0)
    licence = Answer("data_licence", not_applicable=True)
    result = score_assessment(small, {licence.question_id: licence}).element("data")
    assert (result.applicable, result.not_applicable) == (4, 1)


def test_below_the_completeness_threshold_there_is_no_score(small: Questionnaire) -> None:
    # data has 5 scored questions; the threshold is 0.6.
    three = {
        "data_portal": Answer("data_portal", 4),
        "data_licence": Answer("data_licence", "yes"),
        "data_feeds": Answer("data_feeds", ("transit", "air", "water", "traffic")),
    }
    result = score_assessment(small, three).element("data")
    # 3 answered ÷ 5 applicable = 0.6, just enough; m = (2 × 4 + 4 + 4) ÷ 4 = 4, S = 100.
    assert (result.completeness, result.insufficient, result.score) == (0.6, False, 100)
    two = {**three, "data_feeds": Answer("data_feeds", dont_know=True)}
    result = score_assessment(small, two).element("data")
    # 2 ÷ 5 = 0.4 < 0.6: no score and no gap, though the mean level is still 4.
    assert result.insufficient and result.score is None and result.gap is None
    assert result.raw_mean == 4 and result.dont_know == 1 and result.unanswered == 2  # 5 - 2 - 1
    overall = score_assessment(small, two)
    assert overall.overall is None and overall.geometric is None
    assert overall.weakest_element_id is None


def test_overall_uses_only_elements_with_enough_data(small: Questionnaire) -> None:
    answers = {q.id: Answer(q.id, best_value(q)) for q in small.element("data").scored_questions}
    answers.update({q.id: Answer(q.id, worst_value(q)) for q in small.element("services").scored_questions})
    result = score_assessment(small, answers)
    # partners has no answers, so only data (m 4, S 100, W 1) and services (m 0, S 0, W 2) count.
    assert result.included_element_ids == ("data", "services")
    # (1 × 100 + 2 × 0) ÷ (1 + 2) = 33.3.
    assert result.overall == pytest.approx(100 / 3)
    # Levels shifted by 1: exp((1 × ln 5 + 2 × ln 1) ÷ 3) - 1 = 5^(1/3) - 1 = 0.710 levels = 17.7.
    assert result.geometric == pytest.approx((5 ** (1 / 3) - 1) * 25)
    assert result.weakest_element_id == "services"
    assert result.element("services").gap == 50  # T = 25 × 2, S = 0


def test_recommendations_are_ranked_by_weighted_gap(small: Questionnaire) -> None:
    # Priority: W × w × (target level - p) for an answer, W × w × target level for don't know.
    answers = {
        "data_portal": Answer("data_portal", 2),  # 1 × 2 × (3 - 2) = 2
        "data_licence": Answer("data_licence", dont_know=True),  # 1 × 1 × 3 = 3
        "data_requests": Answer("data_requests", "no_channel"),  # 1 × 1 × (3 - 0) = 3
        "data_share": Answer("data_share", 80),  # p 3 = target: none
        "services_plan": Answer("services_plan", 1),  # 2 × 2 × (2 - 1) = 4
        "services_assisted": Answer("services_assisted", dont_know=True),  # 2 × 1 × 2 = 4
        "services_channel": Answer("services_channel", "tracked_open"),  # p 4 > target 2: none
        "partners_lab": Answer("partners_lab", 2),  # 1 × 1 × (3 - 2) = 1
    }
    result = score_assessment(small, answers)
    ranked = [(r.question_id, r.kind, r.priority, r.gap) for r in result.recommendations
              if r.kind != "find_out"]  # the blank questions: see the next test
    # Highest priority first; ties keep questionnaire order.
    assert ranked == [
        ("services_plan", "improve", 4.0, 1.0),
        ("services_assisted", "find_owner", 4.0, None),
        ("data_licence", "find_owner", 3.0, None),
        ("data_requests", "improve", 3.0, 3.0),
        ("data_portal", "improve", 2.0, 1.0),
        ("partners_lab", "improve", 1.0, 1.0),
    ]
    shown = [r for r in result.recommendations if r.kind != "find_out"]
    assert shown[1].text == small.dont_know_recommendation
    assert shown[0].text == small.question("services_plan").recommendation
    assert (shown[0].level, shown[0].to_level) == (1, 2)  # services' target is level 2


def test_blank_questions_get_a_find_out_recommendation_ranked_like_dont_know(
    small: Questionnaire,
) -> None:
    answered = {q.id for q in small.element("data").scored_questions}
    answers = {qid: Answer(qid, dont_know=True) for qid in answered}
    result = score_assessment(small, answers)
    blank = {q.id for q in small.scored_questions} - answered
    found = {r.question_id: r for r in result.recommendations if r.kind == "find_out"}
    assert set(found) == blank
    for question_id, advice in found.items():
        question = small.question(question_id)
        element = small.element(question.element_id)
        # The whole target, weighted, as for a don't know; the question's own advice follows.
        assert advice.priority == element.weight * question.weight * element.target
        assert advice.gap is None and advice.level is None
        assert advice.to_level == math.ceil(element.target)
        assert advice.then == question.recommendation
    dont_know = [r for r in result.recommendations if r.kind == "find_owner"]
    assert {r.question_id for r in dont_know} == answered
    assert all(r.then == small.question(r.question_id).recommendation for r in dont_know)


@pytest.mark.parametrize(("percent", "level"), [
    (0, 0), (24.9, 0), (25, 1), (54.6875, 2), (74.99999999999, 3), (75, 3), (99.9, 3), (100, 4),
])
def test_level_reached_by_a_score(percent: float, level: int) -> None:
    assert level_reached(percent) == level


@pytest.mark.parametrize(("target", "level"), [(3, 3), (2.5, 3), (2.0000000001, 2), (0, 0)])
def test_target_level_is_the_whole_level_that_meets_the_target(target: float, level: int) -> None:
    assert target_level(target) == level


def test_strengths_are_the_highest_answered_practices(small: Questionnaire) -> None:
    answers = {
        "data_portal": Answer("data_portal", 3),
        "services_plan": Answer("services_plan", 4),
        "partners_lab": Answer("partners_lab", 4),
        "partners_events": Answer("partners_events", 2),  # below level 3: not a strength
        "partners_strategy": Answer("partners_strategy", dont_know=True),
    }
    found = [(s.question_id, s.level) for s in strengths(small, answers)]
    # Level 4 first; services_plan weighs more than partners_lab; then level 3.
    assert found == [("services_plan", 4), ("partners_lab", 4), ("data_portal", 3)]
    assert len(strengths(small, answers, limit=1)) == 1


def test_evidence_coverage_counts_claims_at_level_three_or_more(small: Questionnaire) -> None:
    answers = {
        "partners_strategy": Answer("partners_strategy", 4, evidence_url="https://strategy.example"),
        "partners_lab": Answer("partners_lab", 3, evidence_url="  "),  # blank: no evidence
        "partners_events": Answer("partners_events", 2, evidence_url="https://events.example"),
    }
    result = score_assessment(small, answers).element("partners")
    # Two answers at 3 or more (strategy, lab), one with a link: 1 ÷ 2.
    assert result.evidence_coverage == 0.5
    low = {"partners_events": answers["partners_events"]}
    assert score_assessment(small, low).element("partners").evidence_coverage is None


# -- properties ----------------------------------------------------------------------------


def test_all_best_answers_give_100_and_all_worst_give_0(small: Questionnaire) -> None:
    best = score_assessment(small, everything(small, best_value))
    worst = score_assessment(small, everything(small, worst_value))
    for element in best.elements:
        assert element.score == 100 and element.gap == 0 and element.completeness == 1
    for element in worst.elements:
        assert element.score == 0 and element.gap == element.target
    assert best.overall == 100 and best.geometric == pytest.approx(100)
    assert worst.overall == 0 and worst.geometric == pytest.approx(0)
    assert best.recommendations == ()
    # Every target is above 0, so each of the 14 scored questions is below it.
    assert len(worst.recommendations) == len(small.scored_questions) == 14


@PROPERTY
@given(data=st.data())
def test_scores_stay_within_bounds(
    small: Questionnaire, any_answers: st.SearchStrategy[dict[str, Answer]], data: st.DataObject
) -> None:
    answers = data.draw(any_answers)
    result = score_assessment(small, answers)
    for question in small.questions:
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
@given(data=st.data())
def test_raising_an_answer_never_lowers_any_score(
    small: Questionnaire, any_answers: st.SearchStrategy[dict[str, Answer]], data: st.DataObject
) -> None:
    answers = data.draw(any_answers)
    answered = [a for a in answers.values() if score_question(small.question(a.question_id), a) is not None]
    if not answered:
        return
    answer = data.draw(st.sampled_from(answered))
    question = small.question(answer.question_id)
    before_points = points(question, answer.value)
    assert before_points is not None
    raised_value = data.draw(
        values_for(question).filter(lambda v: (points(question, v) or 0) >= before_points)
    )
    raised = {**answers, question.id: replace(answer, value=raised_value)}
    before, after = score_assessment(small, answers), score_assessment(small, raised)
    for old, new in zip(before.elements, after.elements, strict=True):
        assert (old.score is None) == (new.score is None)
        if old.score is not None and new.score is not None:
            assert new.score >= old.score - 1e-9
    if before.overall is not None and after.overall is not None and before.geometric is not None:
        assert after.overall >= before.overall - 1e-9
        assert after.geometric is not None and after.geometric >= before.geometric - 1e-9


@PROPERTY
@given(data=st.data())
def test_a_better_answer_scores_at_least_as_well(small: Questionnaire, data: st.DataObject) -> None:
    # Natural orders: a higher level, more ticked options, a larger number.
    question = data.draw(st.sampled_from(small.scored_questions))
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
@given(data=st.data())
def test_not_applicable_never_changes_other_elements(
    small: Questionnaire, any_answers: st.SearchStrategy[dict[str, Answer]], data: st.DataObject
) -> None:
    answers = data.draw(any_answers)
    question = data.draw(st.sampled_from([q for q in small.scored_questions if q.allow_na]))
    marked = {**answers, question.id: Answer(question.id, not_applicable=True)}
    before = element_scores(score_assessment(small, answers))
    after = element_scores(score_assessment(small, marked))
    for element_id, result in before.items():
        if element_id != question.element_id:
            assert after[element_id] == result
