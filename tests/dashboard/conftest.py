"""A small region with element scores chosen by hand, so every figure can be checked by hand.

Region "Testland": country Aland (A1 small, A2 large) and Beland (B1 medium, B2 very large,
B3 medium). Round "R1" (2025) then "R2" (2026). Scores are stored directly, as submission
stores them; the dashboard must only read them.

    R2      status     civic_tech  tech_firms   other elements  overall
    A1      submitted  40          60           50              50
    A2      submitted  80          20           50              60
    B1      submitted  60          insufficient 50              40
    B2      draft      0 (stale)   0 (stale)    0 (stale)       0 (stale)
    B3      -

    R1
    A1      submitted  30          50           50              45
    A2      submitted  70          30           50              50
    B2      submitted  20          10           50              20
    B1      draft

Region "Elsewhere": X1, submitted in R2 with every element at 100.

B2's stale rows in R2 are those of a draft, which count nowhere (a reopened or returned
assessment counts with its last submitted scores: tests/review/test_counting.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser

import pytest

from assessment.assessments.models import Assessment, AssessmentStatus, ElementScore, Round
from assessment.places.models import City, Region

OTHER = 50.0


@dataclass
class World:
    region: Region
    elsewhere: Region
    cities: dict[str, City]
    r1: Round
    r2: Round
    assessments: dict[tuple[str, str], Assessment]


class Builder:
    def __init__(self, make, questionnaire) -> None:
        self.make = make
        self.questionnaire = questionnaire

    def assessment(self, city: City, round_: Round, status: AssessmentStatus,
                   scores: dict[str, float | None] | None = None, overall: float | None = None,
                   completeness: float = 1.0, version_id: int | None = None) -> Assessment:
        assessment = self.make.assessment(city=city, round=round_, status=status,
                                          completeness=completeness, overall_index=overall)
        if version_id is not None:
            assessment.questionnaire_version_id = version_id
        if scores is not None:
            session = self.make.session
            for element in self.questionnaire.elements:
                score = scores.get(element.id, OTHER)
                target = element.target_percent
                session.add(ElementScore(
                    assessment_id=assessment.id, element_id=element.id, score=score, target=target,
                    gap=None if score is None else max(0.0, target - score), completeness=1.0,
                    insufficient=score is None, evidence_coverage=None, weight=1.0,
                ))
            session.flush()
        return assessment


@pytest.fixture()
def build(make, questionnaire) -> Builder:
    return Builder(make, questionnaire)


@pytest.fixture()
def world(make, build) -> World:
    region = make.region("Testland")
    elsewhere = make.region("Elsewhere")
    aland = make.country(region=region, name="Aland")
    beland = make.country(region=region, name="Beland")
    faraway = make.country(region=elsewhere, name="Faraway")
    cities = {
        "A1": make.city(country=aland, name="A1", population=200_000),
        "A2": make.city(country=aland, name="A2", population=2_000_000),
        "B1": make.city(country=beland, name="B1", population=500_000),
        "B2": make.city(country=beland, name="B2", population=8_000_000),
        "B3": make.city(country=beland, name="B3", population=600_000),
        "X1": make.city(country=faraway, name="X1", population=600_000),
    }
    r1 = make.round(name="R1", opens_on=date(2025, 3, 1))
    r2 = make.round(name="R2", opens_on=date(2026, 3, 1))
    S, D = AssessmentStatus.SUBMITTED, AssessmentStatus.DRAFT
    plan = [
        ("A1", r2, S, {"civic_tech": 40, "tech_firms": 60}, 50),
        ("A2", r2, S, {"civic_tech": 80, "tech_firms": 20}, 60),
        ("B1", r2, S, {"civic_tech": 60, "tech_firms": None}, 40),
        ("B2", r2, D, {e: 0 for e in ("civic_tech", "tech_firms", "bottom_up", "geographies",
                                      "inclusion_privacy", "digital_rights")}, 0),
        ("A1", r1, S, {"civic_tech": 30, "tech_firms": 50}, 45),
        ("A2", r1, S, {"civic_tech": 70, "tech_firms": 30}, 50),
        ("B2", r1, S, {"civic_tech": 20, "tech_firms": 10}, 20),
        ("B1", r1, D, None, None),
        ("X1", r2, S, {e: 100 for e in ("civic_tech", "tech_firms", "bottom_up", "geographies",
                                        "inclusion_privacy", "digital_rights")}, 100),
    ]
    assessments = {}
    for name, round_, status, scores, overall in plan:
        completeness = 0.5 if status == D and scores is None else 1.0
        assessments[(name, round_.name)] = build.assessment(
            cities[name], round_, status, scores, overall, completeness=completeness)
    return World(region, elsewhere, cities, r1, r2, assessments)


# --- reading pages ------------------------------------------------------------------------


class _Tables(HTMLParser):
    """Every table of a page: caption and rows of cell texts (header cells included)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._caption: list[str] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "table":
            self.tables.append(("", []))
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag) -> None:
        if tag == "caption" and self._caption is not None:
            caption = " ".join("".join(self._caption).split())
            self.tables[-1] = (caption, self.tables[-1][1])
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1][1].append(self._row)
            self._row = None

    def handle_data(self, data) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)


def table(html: str, caption_start: str) -> list[dict[str, str]]:
    """The rows of the table whose caption starts with ``caption_start``, keyed by heading."""
    parser = _Tables()
    parser.feed(html)
    for caption, rows in parser.tables:
        if caption.startswith(caption_start):
            header = [cell.replace("▲", "").replace("▼", "").split(" (sorted")[0].strip()
                      for cell in rows[0]]
            return [dict(zip(header, row, strict=True)) for row in rows[1:]]
    raise AssertionError(f"no table captioned {caption_start!r}: {[c for c, _ in parser.tables]}")


def captions(html: str) -> list[str]:
    parser = _Tables()
    parser.feed(html)
    return [caption for caption, _ in parser.tables]
