"""Every assessment is scored and shown with the questionnaire version it was answered under."""

from pathlib import Path

import pytest
import yaml

from assessment import create_app
from assessment.assessments.scores import score_answers
from assessment.assessments.versions import ensure_version, questionnaire_for
from assessment.questionnaire import QuestionnaireError, parse_questionnaire

ROOT = Path(__file__).parents[2]


def _edited(questionnaire):
    """The same questionnaire with a reworded first question and a heavier second question."""
    data = yaml.safe_load(questionnaire.source_text)
    data["version"] = "2099.1"
    first = data["elements"][0]["questions"][0]
    first["text"] = "A completely new wording of the first question"
    data["elements"][0]["questions"][1]["weight"] = 5
    new = parse_questionnaire(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    assert new.content_hash != questionnaire.content_hash
    return new


def test_old_submission_keeps_its_score_and_wording_after_the_questionnaire_changes(
    make, db_session, questionnaire
) -> None:
    old_round = make.round("2025")
    submitted = make.answer(make.assessment(round=old_round), 2.5, submit=True)
    old_overall = submitted.overall_index
    old_element_scores = {e.element_id: e.score for e in submitted.element_scores}

    new_questionnaire = _edited(questionnaire)
    new_version = ensure_version(db_session, new_questionnaire)
    assert new_version.id != old_round.questionnaire_version_id
    make.round("2026", questionnaire=new_questionnaire)

    # The old assessment still resolves to its own version, text and all.
    version_of_old = questionnaire_for(submitted.questionnaire_version)
    assert version_of_old.content_hash == questionnaire.content_hash
    first_id = questionnaire.elements[0].questions[0].id
    assert version_of_old.question(first_id).text == questionnaire.question(first_id).text
    assert new_questionnaire.question(first_id).text != questionnaire.question(first_id).text

    # Re-scoring it reproduces the stored numbers exactly.
    rescored = score_answers(version_of_old, submitted.answers)
    assert rescored.overall == pytest.approx(old_overall)
    for element in rescored.elements:
        assert element.score == pytest.approx(old_element_scores[element.element_id])


def test_the_same_content_is_stored_once(db_session, questionnaire) -> None:
    first = ensure_version(db_session, questionnaire)
    second = ensure_version(db_session, questionnaire)
    assert first.id == second.id
    assert first.source_text == questionnaire.source_text
    assert first.label == questionnaire.version


def test_app_refuses_to_start_on_an_invalid_questionnaire(tmp_path, database_url) -> None:
    broken = tmp_path / "questionnaire.yaml"
    text = (ROOT / "questionnaire.yaml").read_text()
    broken.write_text(text.replace("target: 3", "target: 9", 1))
    with pytest.raises(QuestionnaireError) as error:
        create_app({"QUESTIONNAIRE_PATH": broken, "DATABASE_URL": database_url})
    message = str(error.value)
    assert "questionnaire.yaml" in message and "line" in message and "target" in message
