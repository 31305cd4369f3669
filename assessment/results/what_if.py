"""What-if: one city's scores, its region's median and the order of its recommendations under
element weights and a don't-know rule the reader chooses. Nothing is stored or changed."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.assessments.models import SCORED, Assessment, ElementScore
from assessment.assessments.scores import answer_inputs
from assessment.assessments.versions import questionnaire_for
from assessment.i18n import localized
from assessment.places.models import City, Country
from assessment.questionnaire import score_assessment
from assessment.questionnaire.scoring import Rules

# The weights a reader can give an element: 0 leaves it out, 3 makes it count three times.
WEIGHT_CHOICES = (0.0, 0.5, 1.0, 2.0, 3.0)
SHOWN_RECOMMENDATIONS = 10


@dataclass(frozen=True)
class ElementLine:
    element_id: str
    number: int
    title: str
    weight: float
    declared_weight: float
    score: float | None
    method_score: float | None


@dataclass(frozen=True)
class AdviceLine:
    rank: int
    method_rank: int
    question_id: str
    element_number: int
    text: str

    @property
    def moved(self) -> int:
        """Places gained (positive) or lost against the method's order."""
        return self.method_rank - self.rank


@dataclass(frozen=True)
class WhatIf:
    rules: Rules
    elements: tuple[ElementLine, ...]
    overall: float | None
    method_overall: float | None
    regional: float | None
    method_regional: float | None
    regional_cities: int
    regional_minimum: int
    recommendations: tuple[AdviceLine, ...]
    changed: bool  # the reader's rules differ from the method's

    @property
    def regional_shown(self) -> bool:
        return self.regional_cities >= self.regional_minimum


def read_rules(args: Mapping[str, str], element_weights: Mapping[str, float]) -> Rules:
    """The reader's choices from the query string; anything unknown keeps the method's."""
    weights: dict[str, float] = {}
    for element_id, declared in element_weights.items():
        try:
            value = float(args.get(f"w_{element_id}", declared))
        except ValueError:
            value = declared
        weights[element_id] = value if value in WEIGHT_CHOICES else declared
    rule = args.get("dont_know", "excluded")
    if all(w == 0 for w in weights.values()):
        weights = dict(element_weights)  # no weight at all would leave nothing to score
    return Rules(dont_know="zero" if rule == "zero" else "excluded", element_weights=weights)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _regional(rows: list[tuple[int, str, float | None, float | None]], weights: Mapping[str, float],
              conservative: bool) -> float | None:
    """The median over the other cities of their overall index re-weighted from their stored
    element scores (the conservative ones under "don't know as 0")."""
    per_city: dict[int, list[tuple[float, float]]] = {}
    for assessment_id, element_id, score, careful in rows:
        value = careful if conservative else score
        if value is not None and weights.get(element_id, 0) > 0:
            per_city.setdefault(assessment_id, []).append((weights[element_id], value))
    overalls = [math.fsum(w * v for w, v in pairs) / math.fsum(w for w, _ in pairs)
                for pairs in per_city.values() if pairs]
    return statistics.median(overalls) if overalls else None


def what_if(session: Session, assessment: Assessment, args: Mapping[str, str], *,
            minimum: int) -> WhatIf:
    questionnaire = questionnaire_for(assessment.questionnaire_version)
    declared = {element.id: element.weight for element in questionnaire.elements}
    rules = read_rules(args, declared)
    inputs = answer_inputs(questionnaire, assessment.answers)
    method = score_assessment(questionnaire, inputs)
    chosen = score_assessment(questionnaire, inputs, rules)
    region_id = assessment.city.country.region_id
    found = session.execute(
        select(ElementScore.assessment_id, ElementScore.element_id, ElementScore.score,
               ElementScore.conservative)
        .join(Assessment, Assessment.id == ElementScore.assessment_id)
        .join(City, City.id == Assessment.city_id)
        .join(Country, Country.id == City.country_id)
        .where(Country.region_id == region_id, Assessment.round_id == assessment.round_id,
               Assessment.status.in_(SCORED),
               Assessment.city_id != assessment.city_id)
    ).all()
    rows = [(row[0], row[1], row[2], row[3]) for row in found]
    cities = len({row[0] for row in rows})
    shown = cities >= minimum
    weights = rules.element_weights or declared
    method_rank = {(r.question_id, r.kind): rank for rank, r in enumerate(method.recommendations, 1)}
    numbers = {element.id: n for n, element in enumerate(questionnaire.elements, 1)}
    elements = tuple(
        ElementLine(e.element_id, numbers[e.element_id], localized(e.title), weights[e.element_id],
                    declared[e.element_id], _round(e.score), _round(m.score))
        for e, m in zip(chosen.elements, method.elements, strict=True)
    )
    advice = tuple(
        AdviceLine(rank, method_rank.get((r.question_id, r.kind), rank), r.question_id,
                   numbers[r.element_id], localized(r.text))
        for rank, r in enumerate(chosen.recommendations[:SHOWN_RECOMMENDATIONS], 1)
    )
    return WhatIf(
        rules=rules,
        elements=elements,
        overall=_round(chosen.overall),
        method_overall=_round(method.overall),
        regional=_round(_regional(list(rows), weights, rules.dont_know == "zero")) if shown else None,
        method_regional=_round(_regional(list(rows), declared, False)) if shown else None,
        regional_cities=cities,
        regional_minimum=minimum,
        recommendations=advice,
        changed=rules.dont_know != "excluded" or weights != declared,
    )
