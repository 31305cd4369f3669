"""The numbers on the admin overview page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from assessment.assessments.models import QuestionnaireVersion, Round
from assessment.auth.models import User
from assessment.places.models import City, Country, Region
from assessment.places.peers import PeerGroup


def overview_counts(session: Session) -> dict[str, int]:
    def count(column: Any, *where: ColumnElement[bool]) -> int:
        return session.scalar(select(func.count(column)).where(*where)) or 0

    return {
        "regions": count(Region.id),
        "countries": count(Country.id),
        "cities": count(City.id),
        "peer_groups": count(PeerGroup.id),
        "users": count(User.id, User.active.is_(True)),
        "inactive_users": count(User.id, User.active.is_(False)),
        "rounds": count(Round.id),
        "versions": count(QuestionnaireVersion.id),
    }
