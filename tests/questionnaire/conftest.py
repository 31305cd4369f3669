"""Fixtures for the questionnaire core: the small test questionnaire, so that every expected
number in these tests can be checked against a file short enough to read."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment.questionnaire import Questionnaire, load_questionnaire

SMALL_YAML = Path(__file__).with_name("small.yaml")


@pytest.fixture(scope="session")
def small() -> Questionnaire:
    """tests/questionnaire/small.yaml: three elements, every question type (see its header)."""
    return load_questionnaire(SMALL_YAML)
