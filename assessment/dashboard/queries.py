"""The SQL behind a dashboard: its cities, their stored element scores, version labels and contacts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, false, func, select
from sqlalchemy.orm import Session, aliased

from assessment.assessments.models import SCORED, Assessment, QuestionnaireVersion
from assessment.auth.access import city_scope
from assessment.auth.models import Role, User
from assessment.dashboard import aggregates
from assessment.dashboard.choices import Selection
from assessment.dashboard.table import CityRow
from assessment.places.models import City, Country
from assessment.places.peers import PeerGroupCity

if TYPE_CHECKING:
    import pandas as pd


def city_clauses(user: User, selection: Selection) -> list[ColumnElement[bool]]:
    """WHERE clauses on City/Country: the region, the filters and, always, the user's scope."""
    clauses = [Country.region_id == selection.region.id, city_scope(user)]
    if selection.country_id is not None:
        clauses.append(City.country_id == selection.country_id)
    if selection.size is not None:
        clauses.append(City.size_class == selection.size)
    if selection.group_id is not None:
        clauses.append(City.id.in_(select(PeerGroupCity.city_id)
                                   .where(PeerGroupCity.group_id == selection.group_id)))
    return clauses


def city_rows(session: Session, city_filter: list[ColumnElement[bool]],
              selection: Selection) -> list[CityRow]:
    """Every city matching the filters with its assessment this round and the previous one."""
    current = aliased(Assessment)
    previous = aliased(Assessment)
    previous_join = (
        and_(previous.city_id == City.id, previous.round_id == selection.previous.id,
             previous.status.in_(SCORED))
        if selection.previous else false()
    )
    # The reviewed view reads the reviewed overall index wherever a reviewer decided.
    current_overall = (func.coalesce(current.reviewed_overall, current.overall_index)
                       if selection.reviewed else current.overall_index)
    previous_overall_index = (func.coalesce(previous.reviewed_overall, previous.overall_index)
                              if selection.reviewed else previous.overall_index)
    stmt = (
        select(City.id, City.name, Country.name, City.size_class,
               current.id, current.status, current.completeness, current_overall,
               current.questionnaire_version_id, previous_overall_index,
               previous.questionnaire_version_id, current.overall_evidenced, current.reviewed_overall)
        .join(Country, City.country_id == Country.id)
        .outerjoin(current, and_(current.city_id == City.id, current.round_id == selection.round.id))
        .outerjoin(previous, previous_join)
        .where(*city_filter)
    )
    rows = []
    for (city_id, name, country, size, assessment_id, status, completeness, overall, version_id,
         previous_overall, previous_version_id, evidenced, reviewed) in session.execute(stmt):
        submitted = status in SCORED
        rows.append(CityRow(
            city_id=city_id, name=name, country=country, size=size, status=status,
            assessment_id=assessment_id, completeness=completeness,
            # Submitted scores count; a reopened or returned one counts with its last submitted
            # scores, marked as under revision, until the city submits again.
            overall=overall if submitted else None, scores={},
            previous_overall=previous_overall, version_id=version_id,
            previous_version_id=previous_version_id,
            evidenced=evidenced if submitted else None,
            reviewed=reviewed if submitted else None,
        ))
    return rows


def element_score_frame(session: Session, city_filter: list[ColumnElement[bool]],
                        selection: Selection) -> pd.DataFrame:
    """Stored element scores of the submitted assessments in this round and the previous one."""
    import pandas as pd

    round_ids = [selection.round.id] + ([selection.previous.id] if selection.previous else [])
    scores = aggregates.score_rows(selection.reviewed)
    stmt = (
        select(Assessment.round_id, Assessment.city_id, Assessment.questionnaire_version_id,
               scores.element_id, scores.score, scores.target)
        .join(Assessment, scores.assessment_id == Assessment.id)
        .join(City, Assessment.city_id == City.id)
        .join(Country, City.country_id == Country.id)
        .where(Assessment.round_id.in_(round_ids),
               Assessment.status.in_(SCORED),
               *city_filter)
    )
    # Plain tuples: pandas probes each Row object's attributes, which is slow for thousands.
    frame = pd.DataFrame([tuple(row) for row in session.execute(stmt)],
                         columns=["round_id", "city_id", "version_id", "element_id", "score", "target"])
    frame["score"] = frame["score"].astype("float64")
    frame["target"] = frame["target"].astype("float64")
    return frame


def version_labels(session: Session, ids: set[int]) -> dict[int, str]:
    """Version labels, with a fingerprint added where two different texts share a label."""
    import pandas as pd

    if not ids:
        return {}
    found = session.execute(
        select(QuestionnaireVersion.id, QuestionnaireVersion.label, QuestionnaireVersion.content_hash)
        .where(QuestionnaireVersion.id.in_(ids))
    ).all()
    counts = pd.Series([label for _, label, _ in found]).value_counts()
    return {
        version_id: label if counts[label] == 1 else f"{label} ({content_hash[:8]})"
        for version_id, label, content_hash in found
    }


def add_contacts(session: Session, rows: Sequence[CityRow]) -> None:
    """The active officials' addresses of the cities in ``rows`` that have not started, in one query."""
    waiting = {row.city_id: row for row in rows if row.assessment_id is None}
    if not waiting:
        return
    found: dict[int, list[str]] = {}
    for city_id, email in session.execute(
            select(User.city_id, User.email)
            .where(User.city_id.in_(waiting), User.role == Role.OFFICIAL, User.active.is_(True))
            .order_by(User.email)):
        if city_id is not None:
            found.setdefault(city_id, []).append(email)
    for city_id, row in waiting.items():
        row.contacts = tuple(found.get(city_id, ()))
