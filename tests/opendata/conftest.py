"""An open data world: five cities of a region that published their scores, and the cities that
must appear nowhere: one that never agreed, one that withdrew, one that agreed with a draft."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from assessment.assessments.models import Assessment, AssessmentStatus, ElementScore, Round
from assessment.auth.models import Role, User
from assessment.opendata.services import set_consent
from assessment.places.models import City, Region

ELEMENTS = ["civic_tech", "tech_firms", "bottom_up", "geographies", "inclusion_privacy",
            "digital_rights"]
# Scores no published city has, so that finding one anywhere reveals a hidden city.
HIDDEN_SCORES = {"Secretville": 97.3, "Withdrawnton": 96.1, "Draftburg": 95.7}


@dataclass
class OpenWorld:
    region: Region
    round: Round
    published: list[City]
    hidden: dict[str, City]
    officials: dict[str, User]
    assessments: dict[str, Assessment]


def store(session: Session, city: City, round_: Round, score: float,
          status: AssessmentStatus = AssessmentStatus.SUBMITTED) -> Assessment:
    """An assessment whose stored scores are ``score`` for every element and overall."""
    assessment = Assessment(city_id=city.id, round_id=round_.id,
                            questionnaire_version_id=round_.questionnaire_version_id,
                            status=status, overall_index=score, overall_geometric=score)
    session.add(assessment)
    session.flush()
    for element_id in ELEMENTS:
        session.add(ElementScore(
            assessment_id=assessment.id, element_id=element_id, score=score, target=75.0,
            gap=max(0.0, 75.0 - score), completeness=1.0, insufficient=False,
            evidence_coverage=None, weight=1.0))
    session.flush()
    return assessment


@pytest.fixture()
def open_world(make, db_session: Session) -> OpenWorld:
    region = make.region(name="Northland")
    country = make.country(region=region, name="Nordia")
    round_ = make.round(name="2026")
    published, officials, assessments = [], {}, {}
    for n, score in enumerate((10.0, 20.0, 30.0, 40.0, 50.0)):
        city = make.city(country=country, name=f"Open {n}")
        assessments[city.name] = store(db_session, city, round_, score)
        officials[city.name] = make.user(Role.OFFICIAL, city=city)
        set_consent(db_session, officials[city.name], city, round_.id, True)
        published.append(city)
    hidden = {}
    for name, score in HIDDEN_SCORES.items():
        city = make.city(country=country, name=name)
        status = AssessmentStatus.DRAFT if name == "Draftburg" else AssessmentStatus.SUBMITTED
        assessments[name] = store(db_session, city, round_, score, status)
        officials[name] = make.user(Role.OFFICIAL, city=city)
        hidden[name] = city
    set_consent(db_session, officials["Withdrawnton"], hidden["Withdrawnton"], round_.id, True)
    set_consent(db_session, officials["Withdrawnton"], hidden["Withdrawnton"], round_.id, False)
    set_consent(db_session, officials["Draftburg"], hidden["Draftburg"], round_.id, True)
    db_session.flush()
    return OpenWorld(region, round_, published, hidden, officials, assessments)
