"""The report's summary for a mayor: where the city stands, its strongest and weakest
elements and the actions that matter most, in three plain sentences, with its strengths.

Built from the report's own rows, so the sentences never say anything the tables do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import ngettext

from assessment.formatting import number
from assessment.i18n import localized
from assessment.questionnaire import Questionnaire, Strength

if TYPE_CHECKING:
    from assessment.results.services import ElementRow, RecommendationRow

# How many actions and strengths the summary names.
TOP_ACTIONS = 3
TOP_STRENGTHS = 3


@dataclass(frozen=True)
class StrengthRow:
    question_text: str
    element_number: int
    element_title: str
    level: int
    level_name: str
    url: str


@dataclass(frozen=True)
class Summary:
    standing: str  # where the city stands, and the change since the previous round
    profile: str | None  # its strongest and weakest elements (None: no element scored)
    actions_intro: str  # introduces the list of actions
    actions: tuple[RecommendationRow, ...]
    strengths: tuple[StrengthRow, ...]

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(s for s in (self.standing, self.profile, self.actions_intro) if s)


def _points(value: float) -> str:
    return number(value, 1)


def standing_sentence(city: str, round_name: str, overall: float | None, level: int | None,
                      level_name: str, change: float | None, previous_round: str | None) -> str:
    if overall is None or level is None:
        return _("%(city)s has no overall index for %(round)s yet: no element has enough answers "
                 "for a score.", city=city, round=round_name)
    score = _points(overall)
    if change is None or previous_round is None:
        return _("In %(round)s, %(city)s scores %(score)s out of 100, which is level %(level)s "
                 "(%(name)s) on the scale from 0 to 4.",
                 round=round_name, city=city, score=score, level=level, name=level_name)
    if change > 0:
        return _("In %(round)s, %(city)s scores %(score)s out of 100, which is level %(level)s "
                 "(%(name)s) on the scale from 0 to 4: %(points)s points more than in %(previous)s.",
                 round=round_name, city=city, score=score, level=level, name=level_name,
                 points=_points(change), previous=previous_round)
    if change < 0:
        return _("In %(round)s, %(city)s scores %(score)s out of 100, which is level %(level)s "
                 "(%(name)s) on the scale from 0 to 4: %(points)s points less than in %(previous)s.",
                 round=round_name, city=city, score=score, level=level, name=level_name,
                 points=_points(-change), previous=previous_round)
    return _("In %(round)s, %(city)s scores %(score)s out of 100, which is level %(level)s "
             "(%(name)s) on the scale from 0 to 4, the same as in %(previous)s.",
             round=round_name, city=city, score=score, level=level, name=level_name,
             previous=previous_round)


def profile_sentence(elements: Sequence[ElementRow], weakest: ElementRow | None) -> str | None:
    scored = [e for e in elements if e.score is not None and not e.insufficient]
    if not scored:
        return None
    # The highest score; a tie goes to the element listed first.
    strongest = max(scored, key=lambda e: (e.score, -e.number))
    if len(scored) == 1:
        return _("Only %(element)s has enough answers for a score (%(score)s).",
                 element=strongest.title, score=_points(strongest.score or 0))
    if all(not e.gap for e in scored):
        return _("Its strongest element is %(strong)s (%(score)s), and every scored element meets "
                 "its target.", strong=strongest.title, score=_points(strongest.score or 0))
    if weakest is None or not weakest.gap:  # scores stored without their weakest element
        weakest = max(scored, key=lambda e: (e.gap or 0, -(e.score or 0), -e.number))
    if all(e.score == strongest.score for e in scored):
        return _("Every scored element has the same score (%(score)s); the furthest below its target "
                 "is %(weak)s (%(gap)s points short).", score=_points(strongest.score or 0),
                 weak=weakest.title, gap=_points(weakest.gap or 0))
    return _("Its strongest element is %(strong)s (%(strong_score)s); the furthest below its target "
             "is %(weak)s (%(weak_score)s, %(gap)s points short).",
             strong=strongest.title, strong_score=_points(strongest.score or 0),
             weak=weakest.title, weak_score=_points(weakest.score or 0), gap=_points(weakest.gap or 0))


def actions_sentence(count: int) -> str:
    if not count:
        return _("No action is needed to reach the targets: every practice answered is at or above "
                 "its target, and no question is left blank or unknown.")
    return ngettext("The action that matters most:", "The %(num)s actions that matter most:", count)


def strength_rows(questionnaire: Questionnaire, found: Sequence[Strength],
                  elements: dict[str, ElementRow], url_of: dict[str, str]) -> tuple[StrengthRow, ...]:
    labels = [localized(label) for label in questionnaire.scale_labels]
    rows = []
    for strength in found:
        element = elements[strength.element_id]
        level = int(strength.level)
        rows.append(StrengthRow(
            question_text=localized(questionnaire.question(strength.question_id).text),
            element_number=element.number,
            element_title=element.title,
            level=level,
            level_name=labels[level],
            url=url_of[strength.question_id],
        ))
    return tuple(rows)
