"""A submitted assessment, its officials and its regional office, and small real files."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pytest

from assessment.assessments.models import Assessment
from assessment.auth.models import Role, User
from assessment.questionnaire import Questionnaire
from tests.conftest import CityWorld

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@dataclass
class ReviewWorld:
    city: CityWorld
    assessment: Assessment
    official: User
    office: User
    question_id: str  # an answered scored question
    other_question_id: str


@pytest.fixture()
def review_world(make, world: CityWorld, questionnaire: Questionnaire) -> ReviewWorld:
    office = make.user(Role.REGIONAL, region=world.city.country.region, email="office@example.org")
    make.answer(world.assessment, 3.0, submit=True, user=world.official)
    scored = [q.id for q in questionnaire.scored_questions]
    return ReviewWorld(world, world.assessment, world.official, office, scored[0], scored[1])
