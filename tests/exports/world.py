"""A small world of cities, rounds and assessments in every state, shared by the export and API tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.assessments.models import Answer, Assessment, AssessmentStatus, Round
from assessment.auth.models import Role, User
from assessment.places.models import City, Region


@dataclass
class World:
    africa: Region
    asia: Region
    kigali: City
    nairobi: City
    bandung: City
    round_2025: Round
    round_2026: Round
    kigali_2025: Assessment  # submitted, level 2
    kigali_2026: Assessment  # draft, half answered
    nairobi_2025: Assessment  # submitted, level 3
    bandung_2025: Assessment  # submitted, level 4: above target
    official: User  # Kigali
    regional: User  # Africa
    regional_asia: User
    analyst: User
    admin: User

    def answers(self, session: Session, assessment: Assessment) -> list[Answer]:
        return list(session.scalars(select(Answer).where(Answer.assessment_id == assessment.id)))


def build_world(make) -> World:  # type: ignore[no-untyped-def]
    africa = make.region("Africa")
    asia = make.region("Asia-Pacific")
    rwanda = make.country(region=africa, name="Rwanda")
    rwanda.iso_code = "RWA"
    kenya = make.country(region=africa, name="Kenya")
    indonesia = make.country(region=asia, name="Indonesia")
    kigali = make.city(country=rwanda, name="Kigali", population=1_745_000)
    nairobi = make.city(country=kenya, name="Nairobi", population=4_397_000)
    bandung = make.city(country=indonesia, name="Bandung", population=2_444_000)
    official = make.user(Role.OFFICIAL, city=kigali, email="official@kigali.example.org")
    round_2025 = make.round(name="2025")
    round_2026 = make.round(name="2026")
    kigali_2025 = make.answer(make.assessment(city=kigali, round=round_2025), 2.0, submit=True,
                              user=official, seed=3)
    kigali_2026 = make.answer(make.assessment(city=kigali, round=round_2026), 2.0, fill=0.5,
                              user=official, seed=4)
    nairobi_2025 = make.answer(make.assessment(city=nairobi, round=round_2025), 3.0, submit=True,
                               seed=5)
    bandung_2025 = make.answer(make.assessment(city=bandung, round=round_2025), 4.0, submit=True,
                               seed=6)
    assert kigali_2026.status == AssessmentStatus.DRAFT
    return World(
        africa=africa, asia=asia, kigali=kigali, nairobi=nairobi, bandung=bandung,
        round_2025=round_2025, round_2026=round_2026, kigali_2025=kigali_2025,
        kigali_2026=kigali_2026, nairobi_2025=nairobi_2025, bandung_2025=bandung_2025,
        official=official, regional=make.user(Role.REGIONAL, region=africa),
        regional_asia=make.user(Role.REGIONAL, region=asia), analyst=make.user(Role.ANALYST),
        admin=make.user(Role.ADMIN),
    )
