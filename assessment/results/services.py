"""The city report: one assessment's scores set against targets, its region and its past.

Everything the report shows is computed here, once, and handed to the template and the
chart as the same rounded numbers, so the radar chart and the table beside it never differ.
A submitted assessment shows its stored scores; a draft is scored by the engine under the
version it was answered with; its recommendations and robustness checks always come from the
engine. Other assessments (the region, the previous round) are read from their stored
element scores, except when the previous round used another questionnaire version: then
both are scored again on the questions the versions share.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from assessment.assessments import review_states
from assessment.assessments.models import (
    SCORED,
    UNDER_REVISION,
    Assessment,
    AssessmentStatus,
    ElementScore,
    Round,
    ScoreHistory,
)
from assessment.assessments.scores import answer_inputs
from assessment.assessments.versions import questionnaire_for
from assessment.auth.access import city_scope
from assessment.auth.models import User
from assessment.i18n import localized
from assessment.places.models import City, Country
from assessment.questionnaire import (
    AssessmentScore,
    Questionnaire,
    level_reached,
    score_assessment,
    strengths,
)
from assessment.questionnaire.model import DONT_KNOW_FLAG_SHARE
from assessment.questionnaire.scoring import RULES_VERSION
from assessment.results.comparisons import (
    DECIMALS,
    OVERALL_KEY,
    RegionalMedians,
    VersionComparison,
    comparison_with,
    difference,
    earlier_submissions,
    medians_of,
    peer_scores,
    previous_assessment,
    rounded,
)
from assessment.results.distribution import PeerDistribution, peer_distribution
from assessment.results.peers import DEFAULT as DEFAULT_PEERS
from assessment.results.peers import Peers, chosen_peers, peer_choices
from assessment.results.robustness import Robustness, robustness
from assessment.results.summary import (
    TOP_ACTIONS,
    TOP_STRENGTHS,
    Summary,
    actions_sentence,
    profile_sentence,
    standing_sentence,
    strength_rows,
)

# --- loading -------------------------------------------------------------------------


def assessment_for_viewer(session: Session, assessment_id: int, user: User) -> Assessment | None:
    """The assessment if ``user`` may see its city, else ``None`` (the view answers 404)."""
    return session.scalar(
        select(Assessment)
        .join(City, City.id == Assessment.city_id)
        .where(Assessment.id == assessment_id, city_scope(user))
        .options(
            joinedload(Assessment.city).joinedload(City.country).joinedload(Country.region),
            joinedload(Assessment.round),
            joinedload(Assessment.questionnaire_version),
            selectinload(Assessment.answers),
        )
    )


# --- the report ----------------------------------------------------------------------


def element_url(assessment_id: int, element_id: str, question_id: str | None = None) -> str:
    """The survey page of one element, at one question's field (``q_<id>``) when given."""
    anchor = f"q_{question_id}" if question_id else None
    return url_for("survey.element", assessment_id=assessment_id, element_id=element_id,
                   _anchor=anchor)


@dataclass(frozen=True)
class ElementRow:
    number: int
    element_id: str
    title: str
    short_title: str
    score: float | None
    target: float
    gap: float | None
    completeness: float  # 0..1
    evidence_coverage: float | None  # 0..1
    insufficient: bool
    answered: int
    applicable: int
    dont_know: int
    regional_median: float | None
    previous: float | None
    change: float | None
    url: str
    conservative: float | None = None
    evidenced: float | None = None
    dont_know_flagged: bool = False
    # The level of the 0-4 scale the score has reached, and its name (None: no score).
    level: int | None = None
    level_name: str = ""

    @property
    def completeness_percent(self) -> int:
        return round(self.completeness * 100)

    @property
    def evidence_percent(self) -> int | None:
        return None if self.evidence_coverage is None else round(self.evidence_coverage * 100)

    @property
    def meets_target(self) -> bool:
        return self.gap is not None and self.gap == 0


@dataclass(frozen=True)
class RecommendationRow:
    rank: int
    kind: str  # "improve", "find_owner" (don't know) or "find_out" (left blank)
    text: str
    question_id: str
    question_text: str
    element_number: int
    element_title: str
    priority: float
    gap_levels: float | None
    note: str | None
    url: str
    element_id: str = ""
    # The level the answer evidences now (None: unknown) and the level that meets the target.
    level: int | None = None
    level_name: str = ""
    to_level: int = 0
    to_level_name: str = ""
    then_text: str | None = None  # the question's own advice, after finding out

    @property
    def finding_out(self) -> bool:
        return self.kind != "improve"

    @property
    def gap_count(self) -> int:
        """The whole number that picks the plural form of "levels" (a fraction counts up)."""
        return math.ceil(self.gap_levels) if self.gap_levels is not None else 0


@dataclass(frozen=True)
class Report:
    assessment: Assessment
    preview: bool
    questionnaire_version: str
    elements: list[ElementRow]
    overall: float | None
    geometric: float | None
    weakest: ElementRow | None
    completeness_percent: int
    completeness_threshold_percent: int
    recommendations: list[RecommendationRow]
    region_name: str  # the city's region
    regional: RegionalMedians
    regional_overall: float | None
    previous: Assessment | None
    previous_overall: float | None
    overall_change: float | None
    conservative: float | None = None
    evidenced: float | None = None
    # The rules the shown scores were computed with, and the engine's own.
    scoring_version: int = RULES_VERSION
    # Set when the previous round was answered under another questionnaire version.
    comparison: VersionComparison | None = None
    robustness: Robustness | None = None
    summary: Summary | None = None
    # The level of the 0-4 scale the overall index has reached, and its name.
    overall_level: int | None = None
    overall_level_name: str = ""
    history: tuple[ScoreHistory, ...] = ()
    dont_know_flag_share: float = DONT_KNOW_FLAG_SHARE
    # Who the city is compared with, and how sentences name them ("Africa", "the peer group X").
    peer_choices: tuple[Peers, ...] = ()
    peer_key: str = DEFAULT_PEERS
    peers_label: str = ""
    # Where the city sits in its peers' spread, element by element (see results/distribution.py).
    distribution: PeerDistribution | None = None
    # Reopened or returned: the scores shown are the last submitted ones, until the city
    # submits again. The reviewer's scores beside the self-assessed ones, once a reviewer decided.
    under_revision: bool = False
    validated: bool = False
    reviewed: tuple[ReviewedRow, ...] = ()
    reviewed_overall: float | None = None
    # The answers kept when the assessment was returned or reopened, and what changed since.
    earlier: review_states.EarlierVersion | None = None

    @property
    def current_rules_version(self) -> int:
        return RULES_VERSION

    @property
    def rules_changed(self) -> bool:
        """The stored scores were computed by earlier rules than the engine's."""
        return self.scoring_version != RULES_VERSION

    @property
    def dont_know_flag_percent(self) -> int:
        return round(self.dont_know_flag_share * 100)

    @property
    def by_region(self) -> bool:
        return self.peer_key == DEFAULT_PEERS

    @property
    def median_heading(self) -> str:
        return _("Regional median") if self.by_region else _("Peer median")

    @property
    def median_prefix(self) -> str:
        return _("Regional median:") if self.by_region else _("Peer median:")

    @property
    def median_note(self) -> str:
        """What the median is, or why it is not shown yet."""
        cities, label = self.regional.cities, self.peers_label
        if self.regional.shown and self.by_region:
            return ngettext("Regional median: the middle score of the %(num)s other city of %(region)s "
                            "that submitted in this round; this city is not part of it.",
                            "Regional median: the middle score of the %(num)s other cities of "
                            "%(region)s that submitted in this round; this city is not part of it.",
                            cities, region=label)
        if self.regional.shown:
            return ngettext("Peer median: the middle score of the %(num)s other city of %(region)s that "
                            "submitted in this round; this city is not part of it.",
                            "Peer median: the middle score of the %(num)s other cities of %(region)s "
                            "that submitted in this round; this city is not part of it.",
                            cities, region=label)
        if self.by_region:
            return ngettext("The regional median is shown once at least %(minimum)s other cities of "
                            "%(region)s have submitted in this round, so that no single city can be "
                            "read out of it; %(num)s has so far.",
                            "The regional median is shown once at least %(minimum)s other cities of "
                            "%(region)s have submitted in this round, so that no single city can be "
                            "read out of it; %(num)s have so far.",
                            cities, minimum=self.regional.minimum, region=label)
        return ngettext("The peer median is shown once at least %(minimum)s other cities of %(region)s "
                        "have submitted in this round, so that no single city can be read out of it; "
                        "%(num)s has so far.",
                        "The peer median is shown once at least %(minimum)s other cities of "
                        "%(region)s have submitted in this round, so that no single city can be read "
                        "out of it; %(num)s have so far.",
                        cities, minimum=self.regional.minimum, region=label)

    @property
    def city_label(self) -> str:
        return f"{self.assessment.city.name} {self.assessment.round.name}"

    @property
    def previous_label(self) -> str | None:
        if self.previous is None:
            return None
        return f"{self.assessment.city.name} {self.previous.round.name}"

    @property
    def insufficient_count(self) -> int:
        return sum(1 for e in self.elements if e.insufficient)


def short_title(number: int, title: str, width: int = 18) -> str:
    """Axis label for the radar: the element's number and its title wrapped on short lines."""
    return "\n".join(textwrap.wrap(f"{number}. {title}", width=width, break_on_hyphens=False))


def build_report(session: Session, assessment: Assessment, peers_key: str | None = None) -> Report:
    """Score ``assessment`` and gather everything its report shows.

    A submitted assessment shows the scores stored at its submission (those the dashboards
    read), so that a change of the scoring code never silently re-scores a report; the
    recommendations and the robustness checks are computed from its answers.
    """
    questionnaire = questionnaire_for(assessment.questionnaire_version)
    inputs = answer_inputs(questionnaire, assessment.answers)
    result = score_assessment(questionnaire, inputs)
    # A reopened or returned assessment shows its last submitted scores, marked under revision.
    submitted = assessment.status in SCORED
    stored = {row.element_id: row for row in assessment.element_scores} if submitted else {}
    choices = peer_choices(session, assessment.city)
    peers = chosen_peers(choices, peers_key)
    minimum = current_app.config["MIN_PEER_CITIES"]
    others = peer_scores(session, peers.clause, assessment.round_id,
                         excluding_city_id=assessment.city_id)
    regional = medians_of(others, minimum)
    previous = previous_assessment(session, assessment)
    comparison, changes = comparison_with(assessment, questionnaire, inputs, previous)
    previous_scores = (
        {row.element_id: rounded(row.score) for row in previous.element_scores} if previous else {}
    )
    if comparison is not None:
        previous_scores = {key: rounded(value) for key, value in changes.previous.items()}
    labels = [localized(label) for label in questionnaire.scale_labels]
    elements = _element_rows(assessment.id, result, regional, previous_scores, stored,
                             changes.change if comparison is not None else None, labels)
    by_id = {row.element_id: row for row in elements}
    if submitted:
        overall, geometric = rounded(assessment.overall_index), rounded(assessment.overall_geometric)
        conservative, evidenced = (rounded(assessment.overall_conservative),
                                   rounded(assessment.overall_evidenced))
        weakest_id = assessment.weakest_element_id
        included = {row.element_id for row in assessment.element_scores if row.score is not None}
        scoring_version = assessment.scoring_version or 1
    else:
        overall, geometric = rounded(result.overall), rounded(result.geometric)
        conservative, evidenced = rounded(result.overall_conservative), rounded(result.overall_evidenced)
        weakest_id = result.weakest_element_id
        included = set(result.included_element_ids)
        scoring_version = RULES_VERSION
    previous_overall = rounded(previous.overall_index) if previous else None
    # The overall index is a mean over the elements that have a score: comparing two means
    # over different elements would show a change that is only a change in coverage.
    comparable = previous is not None and included == {
        row.element_id for row in previous.element_scores if row.score is not None
    }
    overall_change = difference(overall, previous_overall) if comparable else None
    if comparison is not None:
        previous_overall = rounded(changes.previous_overall)
        overall_change = changes.overall_change
    recommendations = _recommendation_rows(assessment, questionnaire, result, by_id, labels)
    distribution = peer_distribution(
        others,
        [*((e.element_id, f"{e.number}. {e.title}", e.score) for e in elements),
         (OVERALL_KEY, _("Overall index"), overall)],
        minimum=minimum, city_name=assessment.city.name,
        anchors={e.element_id: f"element-{e.element_id}" for e in elements})
    weakest = by_id.get(weakest_id or "")
    overall_level = None if overall is None else level_reached(overall)
    overall_level_name = labels[overall_level] if overall_level is not None else ""
    summary = Summary(
        standing=standing_sentence(
            assessment.city.name, assessment.round.name, overall, overall_level,
            overall_level_name, overall_change,
            previous.round.name if previous is not None else None),
        profile=profile_sentence(elements, weakest),
        actions_intro=actions_sentence(min(len(recommendations), TOP_ACTIONS)),
        actions=tuple(recommendations[:TOP_ACTIONS]),
        strengths=strength_rows(
            questionnaire, strengths(questionnaire, inputs, TOP_STRENGTHS), by_id,
            {q.id: element_url(assessment.id, q.element_id, q.id)
             for q in questionnaire.scored_questions}),
    )
    return Report(
        assessment=assessment,
        preview=not submitted,
        questionnaire_version=questionnaire.version,
        elements=elements,
        overall=overall,
        geometric=geometric,
        weakest=weakest,
        completeness_percent=round(result.completeness * 100),
        completeness_threshold_percent=round(questionnaire.completeness_threshold * 100),
        recommendations=recommendations,
        region_name=assessment.city.country.region.name,
        regional=regional,
        regional_overall=rounded(regional.overall),
        previous=previous,
        previous_overall=previous_overall,
        overall_change=overall_change,
        conservative=conservative,
        evidenced=evidenced,
        scoring_version=scoring_version,
        comparison=comparison,
        robustness=robustness(questionnaire, inputs, by_id),
        summary=summary,
        overall_level=overall_level,
        overall_level_name=overall_level_name,
        history=earlier_submissions(session, assessment) if submitted else (),
        dont_know_flag_share=questionnaire.dont_know_flag_share,
        peer_choices=tuple(choices),
        peer_key=peers.key,
        peers_label=peers.label,
        distribution=distribution,
        under_revision=assessment.status in UNDER_REVISION,
        validated=assessment.status == AssessmentStatus.VALIDATED,
        reviewed=_reviewed_rows(session, assessment, elements) if submitted else (),
        reviewed_overall=rounded(assessment.reviewed_overall) if submitted else None,
        earlier=review_states.earlier_version(session, assessment, questionnaire) if submitted else None,
    )


@dataclass(frozen=True)
class ReviewedRow:
    """One element's self-assessed and reviewed score, and the gap between them (reviewed - self)."""

    title: str
    self_assessed: float | None
    reviewed: float | None
    gap: float | None


def _reviewed_rows(session: Session, assessment: Assessment,
                   elements: list[ElementRow]) -> tuple[ReviewedRow, ...]:
    pairs = {pair.element_id: pair for pair in review_states.score_pairs(session, assessment)}
    if not pairs:
        return ()
    return tuple(ReviewedRow(f"{e.number}. {e.title}", rounded(pairs[e.element_id].self_assessed),
                             rounded(pairs[e.element_id].reviewed), rounded(pairs[e.element_id].gap))
                 for e in elements if e.element_id in pairs)


def _element_rows(
    assessment_id: int,
    result: AssessmentScore,
    regional: RegionalMedians,
    previous_scores: dict[str, float | None],
    stored: dict[str, ElementScore],
    changes: dict[str, float | None] | None,
    level_names: Sequence[str],
) -> list[ElementRow]:
    rows = []
    for number, element in enumerate(result.elements, start=1):
        title = localized(element.title)
        kept = stored.get(element.element_id)
        # A submitted assessment shows what was stored at submission.
        source = kept if kept is not None else element
        score = rounded(source.score)
        previous = previous_scores.get(element.element_id)
        change = changes.get(element.element_id) if changes is not None else difference(score, previous)
        rows.append(
            ElementRow(
                number=number,
                element_id=element.element_id,
                title=title,
                short_title=short_title(number, title),
                score=score,
                target=round(source.target, DECIMALS),
                gap=rounded(source.gap),
                completeness=source.completeness,
                evidence_coverage=source.evidence_coverage,
                insufficient=source.insufficient,
                answered=element.answered,
                applicable=element.applicable,
                dont_know=element.dont_know,
                regional_median=rounded(regional.elements.get(element.element_id)),
                previous=previous,
                change=change,
                url=element_url(assessment_id, element.element_id),
                conservative=rounded(source.conservative),
                evidenced=rounded(source.evidenced),
                dont_know_flagged=source.dont_know_flagged,
                level=None if score is None else level_reached(score),
                level_name="" if score is None else level_names[level_reached(score)],
            )
        )
    return rows


def _recommendation_rows(
    assessment: Assessment,
    questionnaire: Questionnaire,
    result: AssessmentScore,
    elements: dict[str, ElementRow],
    level_names: Sequence[str],
) -> list[RecommendationRow]:
    notes = {a.question_id: a.note for a in assessment.answers if a.note and a.note.strip()}
    rows = []
    for rank, advice in enumerate(result.recommendations, start=1):
        element = elements[advice.element_id]
        rows.append(
            RecommendationRow(
                rank=rank,
                kind=advice.kind,
                text=localized(advice.text),
                question_id=advice.question_id,
                question_text=localized(questionnaire.question(advice.question_id).text),
                element_number=element.number,
                element_title=element.title,
                priority=round(advice.priority, 2),
                gap_levels=advice.gap,
                note=notes.get(advice.question_id),
                url=element_url(assessment.id, advice.element_id, advice.question_id),
                element_id=advice.element_id,
                level=None if advice.level is None else int(advice.level),
                level_name="" if advice.level is None else level_names[int(advice.level)],
                to_level=advice.to_level,
                to_level_name=level_names[advice.to_level],
                then_text=None if advice.then is None else localized(advice.then),
            )
        )
    return rows


# --- the list of reports -------------------------------------------------------------


@dataclass(frozen=True)
class ReportListing:
    rows: Sequence[Assessment]
    page: int
    pages: int
    total: int


def reports_for_viewer(session: Session, user: User, page: int, per_page: int = 50) -> ReportListing:
    """Every assessment the user may see, newest round first, one page at a time."""
    scoped = (
        select(Assessment.id)
        .join(City, City.id == Assessment.city_id)
        .where(city_scope(user))
    )
    total = session.scalar(select(func.count()).select_from(scoped.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = session.scalars(
        select(Assessment)
        .join(City, City.id == Assessment.city_id)
        .join(Round, Round.id == Assessment.round_id)
        .where(city_scope(user))
        .order_by(Round.opens_on.desc(), Round.id.desc(), City.name, Assessment.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .options(
            joinedload(Assessment.city).joinedload(City.country),
            joinedload(Assessment.round),
        )
    ).all()
    return ReportListing(rows=rows, page=page, pages=pages, total=total)

