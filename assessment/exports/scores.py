"""The scores table: one row per submitted assessment and element."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Integer, Select, and_, case, func, literal, select, type_coerce
from sqlalchemy.orm import Session

from assessment.assessments.models import UNDER_REVISION, Assessment, ElementScore, ReviewedScore
from assessment.exports.catalog import Catalog
from assessment.exports.columns import ASSESSMENT_COLUMNS, N_ASSESSMENT, Column, Row
from assessment.exports.filters import Filters, filter_conditions
from assessment.exports.query import (
    assessment_select,
    iso_utc,
    joined,
    paged,
    peer_groups,
    stream,
    with_peer_groups,
)

SCORE_COLUMNS = [
    *ASSESSMENT_COLUMNS,
    Column("submitted_at", "datetime", "When the scores were stored, at submission (UTC)."),
    Column("element_id", "string", "Element identifier (see the codebook).", nullable=False),
    Column("element_position", "integer", "Position of the element in the questionnaire (1-6)."),
    Column("element_title", "string", "Element title."),
    Column("score", "number", "Element score, 0-100; empty when data are insufficient."),
    Column("target", "number", "Recommended target, 0-100.", nullable=False),
    Column("gap", "number", "Target minus score, in points (0-100 scale); empty when no score."),
    Column("completeness", "number", "Share of the element's applicable scored questions answered (0-1).",
           nullable=False),
    Column("insufficient", "boolean", "Too few answers for a score (below the completeness threshold).",
           nullable=False),
    Column("evidence_coverage", "number", "Share of answered questions with an evidence link (0-1)."),
    Column("weight", "number", "Weight of the element in the overall index.", nullable=False),
    Column("overall_index", "number", "Overall index of the assessment, 0-100."),
    Column("overall_geometric", "number", "Geometric overall score of the assessment, 0-100."),
    Column("conservative", "number",
           "Element score with every \"don't know\" counted as level 0, 0-100; never above score."),
    Column("evidenced", "number", "Element score with every claim at level 3 or above without an "
           "evidence link counted as level 2, 0-100; never above score."),
    Column("dont_know_share", "number", "Share of the element's applicable questions answered "
           "\"don't know\" (0-1).", nullable=False),
    Column("dont_know_flagged", "boolean", "The share of \"don't know\" is above the questionnaire's "
           "flag share: read the score with care.", nullable=False),
    Column("overall_conservative", "number", "Overall index with \"don't know\" as level 0, 0-100."),
    Column("overall_evidenced", "number", "Overall index of the evidenced element scores, 0-100."),
    Column("scoring_version", "integer", "Version of the scoring rules the stored scores were "
           "computed with (see the methodology)."),
    Column("reviewed_score", "number", "Element score with the reviewer's levels in place of the "
           "answers' own, 0-100; empty until a reviewer has decided on an answer."),
    Column("review_gap", "number", "Reviewed score minus score, in points; empty without both."),
    Column("under_revision", "boolean", "Reopened or returned to the city: these are its last "
           "submitted scores, which count until it submits again.", nullable=False),
]


def _scores_statement(
    catalog: Catalog, filters: Filters, scope: ColumnElement[bool],
) -> Select[Any]:
    order = {element_id: position for position, element_id in enumerate(catalog.element_order(), 1)}
    position = case(order, value=ElementScore.element_id, else_=literal(len(order) + 1)) if order \
        else literal(1)
    stmt = assessment_select(
        iso_utc(Assessment.submitted_at), Assessment.questionnaire_version_id,
        ElementScore.element_id, type_coerce(position, Integer), ElementScore.score,
        ElementScore.target, ElementScore.gap, ElementScore.completeness, ElementScore.insufficient,
        ElementScore.evidence_coverage, ElementScore.weight, Assessment.overall_index,
        Assessment.overall_geometric, ElementScore.conservative, ElementScore.evidenced,
        ElementScore.dont_know_share, ElementScore.dont_know_flagged, Assessment.overall_conservative,
        Assessment.overall_evidenced, Assessment.scoring_version,
        ReviewedScore.score, ReviewedScore.score - ElementScore.score,
        type_coerce(case((Assessment.status.in_(UNDER_REVISION), True), else_=False), Boolean),
    ).select_from(ElementScore).join(Assessment, ElementScore.assessment_id == Assessment.id) \
        .outerjoin(ReviewedScore, and_(ReviewedScore.assessment_id == ElementScore.assessment_id,
                                       ReviewedScore.element_id == ElementScore.element_id))
    return joined(stmt).where(*filter_conditions(filters, scope)).order_by(
        ElementScore.assessment_id, position, ElementScore.element_id)


def score_rows(
    session: Session, filters: Filters, scope: ColumnElement[bool], *,
    offset: int | None = None, limit: int | None = None,
) -> Iterator[Row]:
    """One row per assessment and element, for assessments with stored scores.

    Scores are stored when an assessment is submitted; a reopened assessment keeps the scores
    of its last submission (its status says it may change). Drafts that were never submitted
    have no scores and no rows.
    """
    catalog = Catalog.load(session, Filters(lang=filters.lang))
    titles = catalog.element_titles()
    stmt = paged(_scores_statement(catalog, filters, scope), offset, limit)
    for row in with_peer_groups(stream(session, stmt), peer_groups(session)):
        version_id, element_id = row[N_ASSESSMENT + 1], row[N_ASSESSMENT + 2]
        yield (*row[:N_ASSESSMENT + 1], element_id, row[N_ASSESSMENT + 3],
               titles.get((version_id, element_id)), *row[N_ASSESSMENT + 4:])


def count_scores(session: Session, filters: Filters, scope: ColumnElement[bool]) -> int:
    stmt = joined(select(func.count()).select_from(ElementScore)
                  .join(Assessment, ElementScore.assessment_id == Assessment.id))
    return session.scalar(stmt.where(*filter_conditions(filters, scope))) or 0
