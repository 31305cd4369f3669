"""Report fixtures: a page reader for the report's table and chart data, and score rows."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from assessment.assessments.models import Assessment, AssessmentStatus, ElementScore, Round
from assessment.places.models import City

FIGURE_BLOCK = re.compile(
    r'<script type="application/json" id="radar-figure">(?P<json>.*?)</script>', re.S
)


def text_of(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@dataclass
class ReportPage:
    status: int
    html: str

    @property
    def text(self) -> str:
        return text_of(self.html)

    def row(self, element_id: str) -> list[str]:
        """The cells of the table row of one element: name, score, target, gap, median[, prev, change]."""
        match = re.search(rf'<tr id="row-{re.escape(element_id)}">(.*?)</tr>', self.html, re.S)
        assert match, f"no table row for {element_id}"
        return [text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)]

    def card(self, element_id: str) -> str:
        match = re.search(
            rf'<article class="card element-card[^"]*" id="element-{re.escape(element_id)}".*?</article>',
            self.html, re.S,
        )
        assert match, f"no card for {element_id}"
        return text_of(match.group(0))

    def figure_block(self) -> str:
        match = FIGURE_BLOCK.search(self.html)
        assert match, "no figure data block"
        return match.group("json")

    @property
    def figure(self) -> dict[str, Any]:
        return json.loads(self.figure_block())

    def trace(self, name_part: str) -> dict[str, Any]:
        for trace in self.figure["data"]:
            if name_part in trace["name"]:
                return trace
        raise AssertionError(f"no trace named like {name_part!r}")


@pytest.fixture()
def report_page(client: FlaskClient) -> Callable[[int], ReportPage]:
    def fetch(assessment_id: int) -> ReportPage:
        response = client.get(f"/assessments/{assessment_id}/report")
        return ReportPage(response.status_code, response.get_data(as_text=True))

    return fetch


@pytest.fixture()
def scored(db_session: Session) -> Callable[..., Assessment]:
    """A submitted assessment whose stored element scores are exactly those given."""

    def build(city: City, round_: Round, scores: dict[str, float | None],
              overall: float | None = None, status: AssessmentStatus = AssessmentStatus.SUBMITTED,
              target: float = 75.0) -> Assessment:
        assessment = Assessment(city_id=city.id, round_id=round_.id,
                                questionnaire_version_id=round_.questionnaire_version_id,
                                status=status, overall_index=overall)
        db_session.add(assessment)
        db_session.flush()
        for element_id, score in scores.items():
            db_session.add(ElementScore(
                assessment_id=assessment.id, element_id=element_id, score=score, target=target,
                gap=None if score is None else max(0.0, target - score), completeness=1.0,
                insufficient=score is None, evidence_coverage=None, weight=1.0,
            ))
        db_session.flush()
        return assessment

    return build


def shown(value: float | None) -> str:
    """How the report prints a score: one decimal, a dash when there is none."""
    return "—" if value is None else f"{round(value, 1):.1f}"
