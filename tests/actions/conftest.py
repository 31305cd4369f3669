"""A city over two rounds, both submitted, with the people who may and may not see its plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.actions import services
from assessment.actions.models import Action, ActionStatus
from assessment.assessments.models import Assessment, Round
from assessment.assessments.scores import score_answers
from assessment.assessments.versions import questionnaire_for
from assessment.audit.models import AuditEvent
from assessment.auth.models import Role, User
from assessment.places.models import City, Region


@dataclass
class PlanWorld:
    africa: Region
    kigali: City
    nairobi: City
    round_2025: Round
    round_2026: Round
    kigali_2025: Assessment  # submitted, level 1: many recommendations
    kigali_2026: Assessment  # submitted, level 3: the scores moved up
    nairobi_2025: Assessment
    official: User  # Kigali
    colleague: User  # Kigali
    nairobi_official: User
    regional: User  # Africa
    regional_asia: User
    analyst: User
    admin: User


@pytest.fixture()
def plan_world(make) -> PlanWorld:  # type: ignore[no-untyped-def]
    africa = make.region("Africa")
    asia = make.region("Asia-Pacific")
    kigali = make.city(country=make.country(region=africa, name="Rwanda"), name="Kigali")
    nairobi = make.city(country=make.country(region=africa, name="Kenya"), name="Nairobi")
    official = make.user(Role.OFFICIAL, city=kigali, email="aline@kigali.example.org")
    round_2025 = make.round(name="2025", opens_on=date(2025, 3, 1))
    round_2026 = make.round(name="2026", opens_on=date(2026, 3, 1))
    return PlanWorld(
        africa=africa, kigali=kigali, nairobi=nairobi, round_2025=round_2025, round_2026=round_2026,
        kigali_2025=make.answer(make.assessment(city=kigali, round=round_2025), 1.0, submit=True,
                                user=official, seed=3),
        kigali_2026=make.answer(make.assessment(city=kigali, round=round_2026), 3.0, submit=True,
                                user=official, seed=4),
        nairobi_2025=make.answer(make.assessment(city=nairobi, round=round_2025), 2.0, submit=True,
                                 seed=5),
        official=official,
        colleague=make.user(Role.OFFICIAL, city=kigali, email="jean@kigali.example.org"),
        nairobi_official=make.user(Role.OFFICIAL, city=nairobi),
        regional=make.user(Role.REGIONAL, region=africa),
        regional_asia=make.user(Role.REGIONAL, region=asia),
        analyst=make.user(Role.ANALYST),
        admin=make.user(Role.ADMIN),
    )


def first_recommendation(assessment: Assessment):  # type: ignore[no-untyped-def]
    """The top recommendation of an assessment's report, as the engine ranks it."""
    questionnaire = questionnaire_for(assessment.questionnaire_version)
    return score_answers(questionnaire, assessment.answers).recommendations[0]


def fields(**overrides: object) -> services.ActionFields:
    values: dict[str, object] = {"text": "Publish the open data portal", "owner": "ICT department",
                                 "due_on": date(2026, 9, 30), "status": ActionStatus.PLANNED,
                                 "note": ""}
    values.update(overrides)
    return services.ActionFields(**values)  # type: ignore[arg-type]


def add(session: Session, assessment: Assessment, user: User, *, element_id: str = "civic_tech",
        question_id: str | None = None, **overrides: object) -> Action:
    """An action in the plan, added through the service the pages use."""
    return services.add_action(session, assessment, user, fields(**overrides), element_id=element_id,
                               question_id=question_id)


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)))


def form(**overrides: str) -> dict[str, str]:
    """What the action form posts, typed as an official would."""
    values = {"text": "Publish the open data portal", "owner": "ICT department",
              "due_on": "2026-09-30", "status": "planned", "note": ""}
    values.update(overrides)
    return values
