"""The rules of the method beyond the main score: the level a yes or a choice evidences, the
conservative and evidenced variants, the weakest element, the sensitivity panel and the
comparison of two versions on the questions they share (docs/methodology.md)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.questionnaire import (
    Answer,
    Questionnaire,
    QuestionnaireError,
    method_gaps,
    parse_questionnaire,
    score_assessment,
)
from assessment.questionnaire.scoring import Rules
from assessment.questionnaire.sensitivity import (
    OVERALL_TOLERANCE,
    restricted,
    sensitivity,
    shared_questions,
)
from tests.questionnaire.conftest import SMALL_YAML
from tests.questionnaire.test_questionnaire_scoring import answer_sets

PROPERTY = settings(max_examples=100, deadline=None)
SMALL_TEXT = SMALL_YAML.read_text(encoding="utf-8")


def edited(*pairs: tuple[str, str]) -> str:
    text = SMALL_TEXT
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


@pytest.fixture(scope="module")
def any_answers(small: Questionnaire) -> st.SearchStrategy[dict[str, Answer]]:
    return answer_sets(small)


# --- the level an answer evidences -----------------------------------------------------


def test_a_yes_is_worth_the_level_it_evidences() -> None:
    text = edited(("        text: Does the city publish a register of its partnerships?\n",
                   "        yes_level: 2\n"
                   "        text: Does the city publish a register of its partnerships?\n"))
    questionnaire = parse_questionnaire(text)
    question = questionnaire.question("partners_register")
    assert (question.yes_points, question.no_points, question.yes_level) == (2.0, 0.0, 2)
    result = score_assessment(questionnaire, {
        "partners_strategy": Answer("partners_strategy", 2),
        "partners_lab": Answer("partners_lab", 2),
        "partners_events": Answer("partners_events", 2),
        "partners_register": Answer("partners_register", "yes"),
    })
    # (2 × 2 + 2 + 2 + 2) / 5 = 2: a yes at level 2 leaves the element at level 2 (50), where
    # the old rule (yes = 4) gave (4 + 2 + 2 + 4) / 5 = 2.4 (60).
    assert result.element("partners").score == pytest.approx(50.0)


def test_yes_level_is_checked() -> None:
    for value, message in (("5", "yes_level must be a whole level from 1 to 4; found the number 5."),
                           ("0", "yes_level must be a whole level from 1 to 4; found the number 0."),
                           ("2.5", "yes_level must be a whole level from 1 to 4; found the number 2.5.")):
        text = edited(("        text: Does the city publish a register of its partnerships?\n",
                       f"        yes_level: {value}\n"
                       "        text: Does the city publish a register of its partnerships?\n"))
        with pytest.raises(QuestionnaireError) as caught:
            parse_questionnaire(text)
        assert [p.message for p in caught.value.problems] == [message]
    both = edited(("        yes_points: 0\n", "        yes_points: 0\n        yes_level: 3\n"))
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(both)
    assert "'yes_points' cannot be combined with 'yes_level'" in str(caught.value)


def test_choice_options_declare_their_level_in_order() -> None:
    levels = edited(
        ("{key: no_channel, label: They cannot, points: 0}\n          - {key: email",
         "{key: no_channel, label: They cannot, level: 0}\n          - {key: email"),
        ("{key: email, label: By email, points: 1}", "{key: email, label: By email, level: 1}"),
        ("{key: form, label: Through a web form, points: 2}",
         "{key: form, label: Through a web form, level: 1}"),
        ("{key: tracked, label: Through a public queue with status updates, points: 4}",
         "{key: tracked, label: Through a public queue with status updates, level: 3}"),
    )
    question = parse_questionnaire(levels).question("data_requests")
    assert [o.level for o in question.options] == [0, 1, 1, 3]
    assert question.declares_levels
    # The best option need not be level 4; but the levels run upwards and start at 0.
    backwards = levels.replace("{key: email, label: By email, level: 1}",
                               "{key: email, label: By email, level: 2}")
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(backwards)
    assert "list the options from the lowest level to the highest" in str(caught.value)
    mixed = edited(("{key: email, label: By email, points: 1}", "{key: email, label: By email, level: 1}"))
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(mixed)
    assert "either every option declares its 'level' or none does" in str(caught.value)


def test_a_full_multiple_choice_answer_earns_its_full_level() -> None:
    text = edited(("        cap: 4\n", "        cap: 4\n        full_level: 3\n"))
    questionnaire = parse_questionnaire(text)
    question = questionnaire.question("data_feeds")
    from assessment.questionnaire.scoring import points

    # Two of the cap of 4 feeds: 3 × 2 / 4 = 1.5; four or more: 3, never 4.
    assert points(question, ("transit", "air")) == pytest.approx(1.5)
    assert points(question, ("transit", "air", "water", "traffic", "parking")) == pytest.approx(3.0)


def test_check_names_every_scored_question_without_source_or_levels(small: Questionnaire) -> None:
    gaps = method_gaps(small)
    sourceless = {p.path for p in gaps if "needs a 'source'" in p.message}
    assert sourceless == {q.id for q in small.scored_questions}
    undeclared = {p.path for p in gaps if "the level of the scale its answers evidence" in p.message}
    assert undeclared == {q.id for q in small.scored_questions
                          if q.type.value in ("yes_no", "single_choice", "multiple_choice")}
    assert all(p.line == small.question(p.path).line for p in gaps)


# --- variants of the score -------------------------------------------------------------


@PROPERTY
@given(data=st.data())
def test_conservative_and_evidenced_never_exceed_the_score(
    small: Questionnaire, any_answers: st.SearchStrategy[dict[str, Answer]], data: st.DataObject
) -> None:
    result = score_assessment(small, data.draw(any_answers))
    for element in result.elements:
        if element.score is None:
            assert element.conservative is None and element.evidenced is None
            continue
        assert element.conservative is not None and element.evidenced is not None
        assert element.conservative <= element.score + 1e-9
        assert element.evidenced <= element.score + 1e-9
        if element.dont_know == 0:
            assert element.conservative == pytest.approx(element.score)
    if result.overall is not None:
        assert result.overall_conservative is not None and result.overall_evidenced is not None
        assert result.overall_conservative <= result.overall + 1e-9
        assert result.overall_evidenced <= result.overall + 1e-9


@PROPERTY
@given(data=st.data())
def test_the_weakest_element_is_furthest_below_its_target(
    small: Questionnaire, any_answers: st.SearchStrategy[dict[str, Answer]], data: st.DataObject
) -> None:
    result = score_assessment(small, data.draw(any_answers))
    scored = [e for e in result.elements if e.score is not None]
    if not scored:
        assert result.weakest_element_id is None
        return
    weakest = result.element(result.weakest_element_id or "")
    assert all(weakest.target - (weakest.score or 0) >= e.target - (e.score or 0) - 1e-9 for e in scored)
    assert result.gap_order()[0] == result.weakest_element_id


def test_conservative_counts_a_dont_know_as_level_zero_and_flags_the_element(small: Questionnaire) -> None:
    answers = {
        "partners_strategy": Answer("partners_strategy", 3),
        "partners_lab": Answer("partners_lab", 3),
        "partners_events": Answer("partners_events", dont_know=True),
        "partners_register": Answer("partners_register", dont_know=True),
    }
    # 2 of 4 answered = 0.5 < 0.6: no score at all.
    assert score_assessment(small, answers).element("partners").score is None
    answers["partners_register"] = Answer("partners_register", "no")
    element = score_assessment(small, answers).element("partners")
    # Main: (2 × 3 + 3 + 0) / 4 = 2.25 → 56.25. Conservative: (6 + 3 + 0 + 0) / 5 = 1.8 → 45.
    assert element.score == pytest.approx(56.25)
    assert element.conservative == pytest.approx(45.0)
    # 1 don't know of 4 applicable = 0.25: not above the flag share of 0.25.
    assert (element.dont_know_share, element.dont_know_flagged) == (0.25, False)
    answers["partners_lab"] = Answer("partners_lab", dont_know=True)
    flagged = score_assessment(small, answers).element("partners")
    # 2 of 4 = 0.5: flagged, and too few real answers for a score.
    assert (flagged.dont_know_share, flagged.dont_know_flagged, flagged.score) == (0.5, True, None)
    answers["partners_lab"] = Answer("partners_lab", 3)
    rules = Rules(dont_know="zero")
    zero = score_assessment(small, answers, rules).element("partners")
    assert zero.score == pytest.approx(zero.conservative or -1)


def test_evidenced_score_counts_unbacked_claims_as_level_two(small: Questionnaire) -> None:
    answers = {
        "partners_strategy": Answer("partners_strategy", 4, evidence_url="https://example.org/strategy.pdf"),
        "partners_lab": Answer("partners_lab", 3),
        "partners_events": Answer("partners_events", 1),
        "partners_register": Answer("partners_register", "yes"),
    }
    element = score_assessment(small, answers).element("partners")
    # Claimed: (2 × 4 + 3 + 1 + 4) / 5 = 3.2 → 80. Evidenced: (8 + 2 + 1 + 2) / 5 = 2.6 → 65.
    assert element.score == pytest.approx(80.0)
    assert element.evidenced == pytest.approx(65.0)


# --- the sensitivity panel -------------------------------------------------------------


def independent_overall(questionnaire: Questionnaire, answers: dict[str, Answer], *,
                        equal_questions: bool = False, dont_know_zero: bool = False,
                        left_out: str | None = None, geometric: bool = False) -> float:
    """The overall index recomputed here from the formulas of the methodology, without the
    engine's rules: the figures of the sensitivity panel must match it."""
    from assessment.questionnaire.scoring import points

    means: list[tuple[float, float]] = []
    for element in questionnaire.elements:
        pairs, applicable, answered = [], 0, 0
        for question in element.scored_questions:
            if question.id == left_out:
                continue
            answer = answers.get(question.id)
            if answer is not None and answer.not_applicable and question.allow_na:
                continue
            applicable += 1
            weight = 1.0 if equal_questions else question.weight
            if answer is None or (answer.not_applicable and not question.allow_na):
                continue
            if answer.dont_know:
                if dont_know_zero:
                    pairs.append((weight, 0.0))
                continue
            answered += 1
            pairs.append((weight, points(question, answer.value) or 0.0))
        if not applicable or answered / applicable < questionnaire.completeness_threshold:
            continue
        mean = sum(w * p for w, p in pairs) / sum(w for w, _ in pairs)
        means.append((element.weight, mean))
    total = sum(w for w, _ in means)
    if geometric:
        offset = questionnaire.geometric_offset
        return 25 * (math.exp(sum(w * math.log(m + offset) for w, m in means) / total) - offset)
    return 25 * sum(w * m for w, m in means) / total


def fixture_answers(small: Questionnaire) -> dict[str, Answer]:
    values = {"data_portal": 3, "data_licence": "yes", "data_feeds": ("transit", "air"),
              "data_requests": "form", "data_share": 60, "services_plan": 1,
              "services_contracts": ("data_access",), "services_assisted": 2,
              "services_paper": "yes", "partners_strategy": 2, "partners_lab": 4,
              "partners_events": 1}
    answers = {qid: Answer(qid, value) for qid, value in values.items()}
    answers["services_channel"] = Answer("services_channel", dont_know=True)
    answers["partners_register"] = Answer("partners_register", dont_know=True)
    return answers


def test_sensitivity_figures_match_an_independent_recomputation(small: Questionnaire) -> None:
    answers = fixture_answers(small)
    panel = sensitivity(small, answers)
    by_key = {v.key: v for v in panel.alternatives}
    assert panel.method.overall == pytest.approx(independent_overall(small, answers))
    assert by_key["equal_question_weights"].overall == pytest.approx(
        independent_overall(small, answers, equal_questions=True))
    assert by_key["dont_know_zero"].overall == pytest.approx(
        independent_overall(small, answers, dont_know_zero=True))
    assert by_key["geometric"].overall == pytest.approx(independent_overall(small, answers, geometric=True))
    # Equal element weights differ from the method here: "services" weighs 2 in small.yaml.
    equal = by_key["equal_element_weights"].overall
    assert equal is not None and equal != pytest.approx(panel.method.overall)
    assert [v.question_id for v in panel.left_out] == [q.id for q in small.scored_questions]
    for variant in panel.left_out:
        assert variant.overall == pytest.approx(
            independent_overall(small, answers, left_out=variant.question_id))
    overalls = [v.overall for v in panel.every_variant if v.overall is not None]
    assert (panel.overall_low, panel.overall_high) == (min(overalls), max(overalls))
    assert panel.overall_robust == all(abs(o - panel.method.overall) <= OVERALL_TOLERANCE for o in overalls)
    assert panel.weakest_robust == all(v.weakest == panel.method.weakest for v in panel.every_variant)


def test_a_conclusion_that_one_question_decides_is_fragile(small: Questionnaire) -> None:
    # "partners" and "data" sit at the same shortfall but for one answer: leaving that
    # answer out changes which element is furthest below its target.
    answers = {qid: Answer(qid, value) for qid, value in {
        "data_portal": 2, "data_licence": "no", "data_requests": "form", "data_share": 60,
        "services_plan": 3, "services_contracts": ("data_access", "exit_plan", "open_standards"),
        "services_assisted": 3, "services_paper": "no", "services_channel": "online_tracked",
        "partners_strategy": 2, "partners_lab": 2, "partners_events": 2, "partners_register": "no",
    }.items()}
    panel = sensitivity(small, answers)
    assert panel.method.weakest == "data"
    assert not panel.weakest_robust
    assert "data_licence" in panel.left_out_changing_weakest()


# --- two versions -----------------------------------------------------------------------


def test_restricting_to_every_question_changes_nothing(small: Questionnaire) -> None:
    answers = fixture_answers(small)
    assert score_assessment(restricted(small, {q.id for q in small.questions}), answers) == \
        score_assessment(small, answers)


def test_versions_are_compared_on_the_questions_they_share(small: Questionnaire) -> None:
    newer_text = edited(("      - id: partners_register\n", "      - id: partners_register_public\n"),
                        ('version: "test.1"', 'version: "test.2"'))
    newer = parse_questionnaire(newer_text)
    shared = shared_questions(small, newer)
    assert "partners_register" not in shared and "partners_register_public" not in shared
    assert len(shared) == len(small.scored_questions) - 1
    answers = fixture_answers(small)
    answers["partners_register"] = Answer("partners_register", "yes")
    on_shared = score_assessment(restricted(small, shared), {k: v for k, v in answers.items() if k in shared})
    # Without the register question, "partners" is (2 × 2 + 4 + 1) / 4 = 2.25 → 56.25.
    assert on_shared.element("partners").score == pytest.approx(56.25)
