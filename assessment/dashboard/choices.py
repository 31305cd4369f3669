"""What a dashboard can show (regions, countries, rounds) and the checked Selection of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from assessment.assessments.models import SCORED, Assessment, QuestionnaireVersion, Round
from assessment.assessments.versions import questionnaire_for
from assessment.auth.models import Role, User
from assessment.dashboard.table import DEFAULT_SORT
from assessment.places.models import City, Country, Region, SizeClass
from assessment.questionnaire import Questionnaire


@dataclass(frozen=True)
class RoundOption:
    """A round with how far the region got in it."""

    id: int
    name: str
    opens_on: date
    version_id: int
    assessments: int  # any status, in the region
    submitted: int


def visible_regions(session: Session, user: User) -> list[Region]:
    """The regions ``user`` may look at: their own for regional users, every one otherwise."""
    stmt = select(Region).order_by(Region.name)
    if user.role == Role.REGIONAL:
        stmt = stmt.where(Region.id == user.region_id)
    elif user.role not in (Role.ADMIN, Role.ANALYST):
        return []
    return list(session.scalars(stmt))


def region_countries(session: Session, region_id: int) -> list[Country]:
    return list(session.scalars(
        select(Country).where(Country.region_id == region_id).order_by(Country.name)
    ))


def region_rounds(session: Session, region_id: int) -> list[RoundOption]:
    """Every round, newest first, with the region's assessment counts in it."""
    # Counted per round first, then joined to every round: one pass over the region's assessments.
    counts = (
        select(Assessment.round_id, func.count().label("assessments"),
               func.count(case((Assessment.status.in_(SCORED), 1))).label("submitted"))
        .join(City, Assessment.city_id == City.id)
        .join(Country, City.country_id == Country.id)
        .where(Country.region_id == region_id)
        .group_by(Assessment.round_id)
    ).subquery()
    stmt = (
        select(Round.id, Round.name, Round.opens_on, Round.questionnaire_version_id,
               func.coalesce(counts.c.assessments, 0), func.coalesce(counts.c.submitted, 0))
        .outerjoin(counts, counts.c.round_id == Round.id)
        .order_by(Round.opens_on.desc(), Round.id.desc())
    )
    return [RoundOption(*row) for row in session.execute(stmt)]


def default_round(rounds: Sequence[RoundOption]) -> RoundOption | None:
    """The latest round with any assessment in the region, else the latest round."""
    for option in rounds:
        if option.assessments:
            return option
    return rounds[0] if rounds else None


def previous_round(rounds: Sequence[RoundOption], current: RoundOption) -> RoundOption | None:
    """The latest earlier round in which the region has submitted assessments to compare with."""
    earlier = [r for r in rounds if (r.opens_on, r.id) < (current.opens_on, current.id)]
    return next((r for r in earlier if r.submitted), None)


def round_questionnaire(session: Session, option: RoundOption) -> Questionnaire:
    """The questionnaire version the round was opened with: its elements, titles and targets."""
    version = session.get(QuestionnaireVersion, option.version_id)
    assert version is not None  # a foreign key guarantees it
    return questionnaire_for(version)


@dataclass(frozen=True)
class Selection:
    """What to show, every value already checked against the allowed choices."""

    region: Region
    round: RoundOption
    previous: RoundOption | None
    country_id: int | None = None
    size: SizeClass | None = None
    # A peer group an administrator made (its cities in the region).
    group_id: int | None = None
    sort: str = DEFAULT_SORT
    descending: bool = True
    page: int = 1
    # The reviewed scores (the reviewer's levels) wherever a reviewer decided, instead of the
    # self-assessed ones everywhere.
    reviewed: bool = False

    @property
    def filtered(self) -> bool:
        """Whether the set of cities is narrowed beyond the whole region."""
        return self.country_id is not None or self.size is not None or self.group_id is not None
