"""The worked example in docs/methodology.md, recomputed with the real questionnaire."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment.questionnaire import (
    Answer,
    AnswerValue,
    decode_value,
    load_questionnaire,
    score_assessment,
    score_question,
)

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRE = load_questionnaire(ROOT / "questionnaire.yaml")
METHODOLOGY = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")


def table(marker: str) -> list[dict[str, str]]:
    """The rows of the Markdown table just below ``<!-- worked-example:<marker> -->``."""
    lines = METHODOLOGY.split(f"<!-- worked-example:{marker} -->", 1)[1].strip().splitlines()
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    header, separator, *body = rows
    assert set("".join(separator)) <= {"-", ":"}
    return [dict(zip(header, row, strict=True)) for row in body]


def unquote(cell: str) -> str:
    return cell.strip("`")


def number(cell: str) -> float | None:
    return None if cell in {"–", "-", ""} else float(cell)


def example_answers() -> tuple[str, dict[str, Answer], list[dict[str, str]]]:
    rows = table("answers")
    answers: dict[str, Answer] = {}
    element_ids = set()
    for row in rows:
        question = QUESTIONNAIRE.question(unquote(row["Question"]))
        element_ids.add(question.element_id)
        link = "https://example.org/evidence" if row["Evidence link"] == "yes" else None
        cell = row["Answer"]
        if cell == "don't know":
            answer = Answer(question.id, dont_know=True, evidence_url=link)
        elif cell == "not applicable":
            answer = Answer(question.id, not_applicable=True, evidence_url=link)
        else:
            value: AnswerValue = decode_value(question, unquote(cell))
            answer = Answer(question.id, value, evidence_url=link)
        answers[question.id] = answer
    assert len(element_ids) == 1, "the example covers one element"
    return element_ids.pop(), answers, rows


def test_the_example_covers_every_question_of_its_element() -> None:
    element_id, answers, _ = example_answers()
    assert set(answers) == {q.id for q in QUESTIONNAIRE.element(element_id).questions}


def test_points_and_weights_per_question() -> None:
    _, answers, rows = example_answers()
    for row in rows:
        question = QUESTIONNAIRE.question(unquote(row["Question"]))
        assert score_question(question, answers[question.id]) == number(row["Points (0-4)"])
        if number(row["Weight"]) is not None:
            assert question.weight == number(row["Weight"])
        assert row["Type"].replace("/", "_").replace(" ", "_") == question.type.value


def test_element_result() -> None:
    element_id, answers, _ = example_answers()
    result = score_assessment(QUESTIONNAIRE, answers).element(element_id)
    shown = {row["Quantity"]: row["Value"] for row in table("results")}
    expected = {quantity: float(value) for quantity, value in shown.items()}
    computed = {
        "Applicable scored questions": result.applicable,
        "Answered": result.answered,
        "Don't know": result.dont_know,
        "Not applicable": result.not_applicable,
        "Completeness": result.completeness,
        "Mean level": result.raw_mean,
        "Element score": result.score,
        "Conservative score": result.conservative,
        "Evidenced score": result.evidenced,
        "Don't know share": result.dont_know_share,
        "Target": result.target,
        "Gap": result.gap,
        "Evidence coverage": result.evidence_coverage,
    }
    assert set(expected) == set(computed)
    for quantity, value in expected.items():
        # Each figure as the page prints it: to its last decimal, rounded.
        decimals = len(shown[quantity].partition(".")[2])
        assert computed[quantity] == pytest.approx(value, abs=0.5 * 10 ** -decimals), quantity


def test_recommendation_ranking() -> None:
    element_id, answers, _ = example_answers()
    result = score_assessment(QUESTIONNAIRE, answers)
    expected = [
        (unquote(row["Question"]), row["Kind"].replace(" ", "_"), float(row["Priority"]))
        for row in sorted(table("recommendations"), key=lambda row: int(row["Rank"]))
    ]
    # The example answers one element; the questions of the others are blank.
    computed = [(r.question_id, r.kind, r.priority) for r in result.recommendations
                if r.element_id == element_id]
    assert computed == expected


def test_the_sources_table_lists_every_scored_question_with_its_source() -> None:
    lines = METHODOLOGY.split("<!-- question-sources -->", 1)[1].strip().splitlines()
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines
            if line.startswith("|")][2:]
    listed = {unquote(row[1]): row for row in rows}
    assert list(listed) == [q.id for q in QUESTIONNAIRE.scored_questions]
    for question in QUESTIONNAIRE.scored_questions:
        row = listed[question.id]
        assert unquote(row[0]) == question.element_id
        assert float(row[3]) == question.weight
        assert question.source is not None and row[5] == str(question.source).replace("|", "/")


def test_every_scored_question_has_a_source_and_declares_its_levels() -> None:
    from assessment.questionnaire import method_gaps

    assert method_gaps(QUESTIONNAIRE) == []
