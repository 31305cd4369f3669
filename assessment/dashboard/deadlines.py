"""The deadline of the chosen round on the dashboard: when it closes, which cities of the region
have a later deadline, and where their regional office changes one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from assessment.assessments import deadlines
from assessment.assessments.deadline_text import DeadlineNotice, deadline_notice
from assessment.assessments.models import Round
from assessment.auth.access import city_scope
from assessment.auth.models import Role, User
from assessment.places import picker
from assessment.places.models import City, Country

# Up to this many cities, the city box offers their names as one types.
DATALIST_LIMIT = 500


@dataclass(frozen=True)
class ExtendedCity:
    city: str
    country: str
    closes: str
    iso: str
    reason: str
    url: str | None  # where to change it, for those who may


@dataclass(frozen=True)
class DeadlinePanel:
    notice: DeadlineNotice
    extended: list[ExtendedCity]
    # For those who may extend: the region's cities to choose from, and where the choice goes.
    cities: list[tuple[int, str]]
    pick_url: str | None


def deadline_panel(session: Session, user: User, round_id: int, region_id: int,
                   now: datetime) -> DeadlinePanel | None:
    """The panel for the round in the region; only the cities ``user`` may see are listed."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        return None
    in_region = and_(city_scope(user),
                     City.country_id.in_(select(Country.id).where(Country.region_id == region_id)))
    may_change = user.role in (Role.REGIONAL, Role.ADMIN)
    extended = [
        ExtendedCity(row.city, row.country, deadlines.describe_instant(row.closes_at, round_.zone),
                     row.closes_at.isoformat(), row.reason,
                     url_for("survey.deadline", round_id=round_.id, city_id=row.city_id)
                     if may_change else None)
        for row in deadlines.round_extensions(session, round_, in_region)
    ]
    cities: list[tuple[int, str]] = []
    can_pick = may_change and round_.closes_on is not None
    if can_pick:
        count = session.scalar(select(func.count()).select_from(City)
                               .join(Country, City.country_id == Country.id).where(in_region)) or 0
        can_pick = count > 0
        # A longer list would weigh more than the rest of the page: the name is typed and the
        # server finds the city (with close matches when it does not).
        if 0 < count <= DATALIST_LIMIT:
            cities = [(option.id, option.label) for option in picker.city_options(session, in_region)]
    return DeadlinePanel(deadline_notice(deadlines.deadline_for(round_), now), extended, cities,
                         url_for("survey.deadline_pick", round_id=round_.id) if can_pick else None)
