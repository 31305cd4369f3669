"""Translations in the questionnaire: every text in every declared language, checked with its line."""

from __future__ import annotations

from assessment.questionnaire import parse_questionnaire, translation_gaps
from tests.questionnaire.test_questionnaire_loader import VALID, line_of, problems

# The sample file declares French and translates only its title.
TWO_LANGUAGES = VALID.replace("title: Test questionnaire",
                              "title: {en: Test questionnaire, fr: Questionnaire de test}", 1)
ONE_LANGUAGE = VALID.replace("languages: [en, fr]", "languages: [en]", 1)


def test_a_text_without_a_wording_in_a_declared_language_is_reported_with_its_line() -> None:
    assert "languages: [en, fr]" in TWO_LANGUAGES and "fr: Questionnaire de test" in TWO_LANGUAGES
    questionnaire = parse_questionnaire(TWO_LANGUAGES)  # still valid: English is shown instead
    gaps = translation_gaps(questionnaire)
    assert list(gaps) == ["fr"]
    first = gaps["fr"][0]
    assert first.line is not None and first.line > line_of(TWO_LANGUAGES, "title:")
    assert "has no wording in 'fr'" in first.message
    # Every translatable text is counted: titles, questions, levels, options, recommendations...
    paths = {gap.path for gap in gaps["fr"]}
    assert "title" not in paths
    assert any(path.endswith(".text") for path in paths)
    assert any(".levels" in path for path in paths)


def test_a_translation_in_an_undeclared_language_is_an_error() -> None:
    text = VALID.replace("title: Test questionnaire",
                         "title: {en: Test questionnaire, de: Testfragebogen}", 1)
    [problem] = problems(text)
    assert problem.path == "title.de" and "add it to 'languages' first" in problem.message


def test_a_file_in_one_language_has_no_gaps() -> None:
    assert translation_gaps(parse_questionnaire(ONE_LANGUAGE)) == {}

