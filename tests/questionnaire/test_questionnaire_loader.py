"""Checking questionnaire files: every problem reported at once, located and explained."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assessment.questionnaire import (
    MAX_BYTES,
    Problem,
    QuestionnaireError,
    load_questionnaire,
    parse_questionnaire,
)

VALID = """\
version: "t1"
title: Test questionnaire
languages: [en, fr]
default_language: en
scale: {0: Not started, 1: Ad hoc, 2: Defined, 3: Implemented, 4: Optimised}
scoring:
  completeness_threshold: 0.6
  dont_know_recommendation: Find out who owns this.
elements:
  - id: first
    title: First element
    rationale: Why it matters.
    target: 3
    weight: 1
    questions:
      - id: first_level
        type: maturity
        text: How far along?
        levels:
          0: Nothing.
          1: Some.
          2: Defined.
          3: Running.
          4: Improving.
        recommendation: Do more.
      - id: first_yes
        type: yes_no
        allow_na: true
        text: Is it there?
        recommendation: Make it.
      - id: first_single
        type: single_choice
        text: Which one?
        options:
          - {key: low, label: Low, points: 0}
          - {key: mid, label: Mid, points: 2}
          - {key: high, label: High, points: 4}
        recommendation: Aim high.
      - id: first_multi
        type: multiple_choice
        cap: 2
        text: Which ones?
        options:
          - {key: a, label: A, points: 1}
          - {key: b, label: B, points: 1}
          - {key: c, label: C, points: 1}
          - {key: none, label: None of these, points: 0, exclusive: true}
        recommendation: Add more.
      - id: first_number
        type: number
        min: 0
        max: 100
        text: What share?
        bands:
          - {max: 50, points: 0}
          - {min: 50, points: 4}
        recommendation: Raise it.
      - id: first_context
        type: number
        scored: false
        text: How many?
      - id: first_links
        type: evidence
        text: Links.
"""


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line containing ``needle``."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found[occurrence - 1]


def edit(old: str, new: str, text: str = VALID) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def problems(text: str) -> list[Problem]:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text)
    return caught.value.problems


def only_problem(text: str) -> Problem:
    found = problems(text)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_the_valid_sample_loads() -> None:
    questionnaire = parse_questionnaire(VALID)
    assert questionnaire.summary() == "1 element, 7 questions (5 scored), version t1"
    assert questionnaire.question("first_multi").effective_cap == 2
    assert questionnaire.question("first_level").levels[2].label == "Defined"


def test_a_missing_level_reads_like_the_documented_example() -> None:
    text = edit("          3: Running.\n", "")
    problem = only_problem(text)
    assert str(problem) == (
        f"questionnaire.yaml, line {line_of(text, 'levels:')}, elements[0].questions[0].levels: "
        "the maturity scale needs a description for every level from 0 to 4; level 3 is missing."
    )


def test_a_level_outside_the_scale() -> None:
    text = edit("          4: Improving.", "          4: Improving.\n          5: Beyond.")
    problem = only_problem(text)
    assert problem.line == line_of(text, "5: Beyond.")
    assert problem.path == "elements[0].questions[0].levels[5]"
    assert "outside the scale" in problem.message


def test_yaml_syntax_errors_give_the_line() -> None:
    text = edit("    rationale: Why it matters.", "    rationale: Why: it matters: [")
    problem = only_problem(text)
    assert problem.line is not None
    assert abs(problem.line - line_of(text, "rationale:")) <= 1
    assert "not valid YAML" in problem.message


def test_duplicate_question_ids_across_the_file() -> None:
    text = edit("      - id: first_yes", "      - id: first_level")
    problem = only_problem(text)
    assert problem.path == "elements[0].questions[1].id"
    assert problem.line == line_of(text, "id: first_level", 2)
    assert f"already used on line {line_of(text, 'id: first_level')}" in problem.message


def test_duplicate_keys_are_reported() -> None:
    text = edit("        text: Is it there?", "        text: Is it there?\n        text: Again?")
    problem = only_problem(text)
    assert problem.line == line_of(text, "text: Again?")
    assert problem.path == "elements[0].questions[1].text"
    assert "appears twice" in problem.message


def test_unknown_type_suggests_the_nearest() -> None:
    problem = only_problem(edit("type: maturity", "type: maturty"))
    assert problem.path == "elements[0].questions[0].type"
    assert "did you mean 'maturity'?" in problem.message


def test_unknown_key_suggests_the_nearest() -> None:
    text = edit("        recommendation: Make it.", "        recomendation: Make it.")
    found = problems(text)
    messages = {p.path: p for p in found}
    typo = messages["elements[0].questions[1].recomendation"]
    assert typo.line == line_of(text, "recomendation:")
    assert "did you mean 'recommendation'?" in typo.message
    missing = messages["elements[0].questions[1].recommendation"]
    assert "needs a 'recommendation'" in missing.message


def test_a_key_that_belongs_to_another_type() -> None:
    problem = only_problem(edit("        allow_na: true\n", "        allow_na: true\n        cap: 3\n"))
    assert problem.path == "elements[0].questions[1].cap"
    assert "only applies to multiple_choice questions" in problem.message


def test_missing_recommendation_on_a_scored_question() -> None:
    text = edit("        recommendation: Raise it.\n", "")
    problem = only_problem(text)
    assert problem.path == "elements[0].questions[4].recommendation"
    assert problem.line == line_of(text, "id: first_number")


def test_weight_must_be_positive() -> None:
    text = edit("    weight: 1", "    weight: 0")
    problem = only_problem(text)
    assert problem.path == "elements[0].weight"
    assert problem.line == line_of(text, "weight: 0")
    assert "greater than 0" in problem.message


def test_target_must_be_on_the_scale() -> None:
    problem = only_problem(edit("    target: 3", "    target: 5"))
    assert problem.path == "elements[0].target"
    assert problem.message == "the target level must be a number from 0 to 4; found 5."


def test_wrong_value_types_are_named_plainly() -> None:
    problem = only_problem(edit("allow_na: true", "allow_na: maybe"))
    assert problem.message == "allow_na must be true or false; found the text 'maybe'."
    problem = only_problem(edit('version: "t1"', "version: 2026.1"))
    assert "must be text in quotes" in problem.message


def test_too_few_and_too_many_questions() -> None:
    fewer = VALID[: VALID.index("      - id: first_number")]
    problem = only_problem(fewer)
    assert problem.path == "elements[0].questions"
    assert "between 5 and 10 questions; this one has 4" in problem.message
    extra = "".join(f"      - id: extra_{n}\n        type: evidence\n        text: More.\n" for n in range(4))
    problem = only_problem(VALID + extra)
    assert "this one has 11" in problem.message


def test_any_number_of_elements_but_at_least_one() -> None:
    second = VALID[VALID.index("  - id: first\n") :].replace("first", "second")
    assert len(parse_questionnaire(VALID + second).elements) == 2
    problem = only_problem(VALID[: VALID.index("  - id: first\n")].replace("elements:", "elements: []"))
    assert "at least one element" in problem.message


def test_all_problems_are_reported_at_once_in_file_order() -> None:
    text = edit("    target: 3", "    target: -1")
    text = edit("type: maturity", "type: scale", text)
    text = edit(
        "          - {key: b, label: B, points: 1}", "          - {key: a, label: B, points: 1}", text
    )
    text = edit("        recommendation: Raise it.\n", "", text)
    found = problems(text)
    assert len(found) == 4
    assert [p.line for p in found] == sorted(p.line or 0 for p in found)
    assert "the questionnaire has 4 problems" in str(QuestionnaireError(found))


def test_problems_in_one_question_are_all_reported() -> None:
    text = edit("      - id: first_level", "      - id: First")
    text = edit("          3: Running.\n", "", text)
    paths = [p.path for p in problems(text)]
    assert paths == ["elements[0].questions[0].id", "elements[0].questions[0].levels"]


def test_choice_and_band_rules() -> None:
    exclusive = only_problem(edit("label: None of these, points: 0", "label: None of these, points: 1"))
    assert "must be worth 0 points" in exclusive.message
    cap = only_problem(edit("cap: 2", "cap: 7"))
    assert cap.path == "elements[0].questions[3].cap"
    span = only_problem(edit("{key: high, label: High, points: 4}", "{key: high, label: High, points: 3}"))
    assert "span the whole scale" in span.message
    gap = only_problem(edit("{min: 50, points: 4}", "{min: 60, points: 4}"))
    assert gap.path == "elements[0].questions[4].bands[1]"
    assert "without gaps or overlaps" in gap.message
    yes = only_problem(edit("        allow_na: true\n", "        allow_na: true\n        yes_points: 3\n"))
    assert "spans the whole scale" in yes.message


def test_translations_need_known_languages_and_the_default() -> None:
    translated = edit("    title: First element", "    title: {en: First element, fr: Premier élément}")
    element = parse_questionnaire(translated).elements[0]
    assert element.title == "First element"
    assert element.title.get("fr") == "Premier élément"
    assert element.title.get("de") == "First element"
    problem = only_problem(edit("    title: First element", "    title: {fr: Premier élément}"))
    assert "default language 'en'" in problem.message
    problem = only_problem(edit("    title: First element", "    title: {en: First, de: Erstes}"))
    assert problem.path == "elements[0].title.de"
    assert "not one of the questionnaire's languages" in problem.message


def test_custom_tags_are_refused() -> None:
    text = edit("    rationale: Why it matters.", "    rationale: !!python/object/apply:os.system [echo]")
    problem = only_problem(text)
    assert problem.line == line_of(text, "rationale:")
    assert "tags" in problem.message


def test_alias_bombs_are_refused_before_expansion() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{','.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8)
    )
    started = time.perf_counter()
    found = problems(bomb)
    assert time.perf_counter() - started < 2
    assert all("anchors and aliases" in p.message for p in found)


def test_deep_nesting_is_refused() -> None:
    problem = only_problem("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested more than 20 levels" in problem.message


def test_oversize_text_and_files_are_refused(tmp_path: Path) -> None:
    big = VALID + "#" * MAX_BYTES
    assert "at most 1,000,000 bytes" in only_problem(big).message
    path = tmp_path / "questionnaire.yaml"
    path.write_text(big, encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="at most 1,000,000 bytes"):
        load_questionnaire(path)


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="could not be read"):
        load_questionnaire(tmp_path / "missing.yaml")
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: caf\xe9".encode("latin-1"))
    with pytest.raises(QuestionnaireError, match="UTF-8"):
        load_questionnaire(path)


def test_empty_and_non_mapping_files() -> None:
    assert "empty" in only_problem("").message
    assert "set of 'name: value' lines" in only_problem("- just\n- a list\n").message


def test_texts_like_no_stay_texts() -> None:
    questionnaire = parse_questionnaire(edit("          0: Nothing.", "          0: No"))
    assert questionnaire.question("first_level").levels[0].description == "No"


def test_the_source_name_appears_in_problems() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(edit("    target: 3", "    target: 9"), source="version 2025.2")
    assert str(caught.value.problems[0]).startswith("version 2025.2, line ")
