"""The report's sensitivity panel: the city's overall index and largest gaps under the
method and under each alternative rule, and whether each conclusion holds under all of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from assessment.questionnaire import Answer, Questionnaire
from assessment.questionnaire.sensitivity import OVERALL_TOLERANCE, TOP_GAPS, Variant, sensitivity

if TYPE_CHECKING:
    from assessment.results.services import ElementRow

RULE_NAMES = {
    "method": _l("The method (as above)"),
    "equal_question_weights": _l("Every question weighs the same"),
    "equal_element_weights": _l("Every element weighs the same"),
    "geometric": _l("Geometric instead of arithmetic mean"),
    "dont_know_zero": _l("\"Don't know\" counted as level 0"),
}


@dataclass(frozen=True)
class RuleRow:
    name: str
    overall: float | None
    weakest: ElementRow | None
    top_gaps: tuple[ElementRow, ...]
    agrees: bool  # same weakest element and same top gaps as the method


@dataclass(frozen=True)
class Robustness:
    rows: tuple[RuleRow, ...]
    left_out_count: int
    left_out_low: float | None
    left_out_high: float | None
    # Questions whose removal alone changes the weakest element.
    deciding_questions: tuple[str, ...]
    overall_low: float | None
    overall_high: float | None
    overall_robust: bool
    weakest_robust: bool
    top_gaps_robust: bool
    weakest_label: str = ""
    tolerance: float = OVERALL_TOLERANCE
    top_count: int = TOP_GAPS


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def robustness(questionnaire: Questionnaire, answers: Mapping[str, Answer],
               elements: Mapping[str, ElementRow]) -> Robustness | None:
    """The panel for one assessment; ``None`` when it has no overall index to test."""
    panel = sensitivity(questionnaire, answers)
    if panel.method.overall is None:
        return None

    def row(variant: Variant) -> RuleRow:
        return RuleRow(
            name=str(RULE_NAMES[variant.key]),
            overall=_rounded(variant.overall),
            weakest=elements.get(variant.weakest or ""),
            top_gaps=tuple(elements[e] for e in variant.gap_order[:TOP_GAPS] if e in elements),
            agrees=variant.gap_order[:TOP_GAPS] == panel.method.gap_order[:TOP_GAPS],
        )

    left = [v.overall for v in panel.left_out if v.overall is not None]
    weakest = elements.get(panel.method.weakest or "")
    deciding = panel.left_out_changing_weakest()
    return Robustness(
        rows=tuple(row(v) for v in (panel.method, *panel.alternatives)),
        left_out_count=len(panel.left_out),
        left_out_low=_rounded(min(left)) if left else None,
        left_out_high=_rounded(max(left)) if left else None,
        deciding_questions=deciding,
        overall_low=_rounded(panel.overall_low),
        overall_high=_rounded(panel.overall_high),
        overall_robust=panel.overall_robust,
        weakest_robust=panel.weakest_robust,
        top_gaps_robust=panel.top_gaps_robust,
        weakest_label=f"{weakest.number}. {weakest.title}" if weakest is not None else "",
    )
