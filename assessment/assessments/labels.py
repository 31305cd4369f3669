"""The words for an assessment's status, written once for every page and download."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from assessment.assessments.models import AssessmentStatus

NOT_STARTED = "not_started"

STATUS_LABELS = {
    NOT_STARTED: _l("Not started"),
    AssessmentStatus.DRAFT.value: _l("Draft"),
    AssessmentStatus.SUBMITTED.value: _l("Submitted"),
    AssessmentStatus.REOPENED.value: _l("Reopened"),
    AssessmentStatus.IN_REVIEW.value: _l("In review"),
    AssessmentStatus.RETURNED.value: _l("Returned with queries"),
    AssessmentStatus.RESUBMITTED.value: _l("Resubmitted"),
    AssessmentStatus.VALIDATED.value: _l("Validated"),
}
# Said next to the scores of an assessment whose city is changing its answers.
UNDER_REVISION_LABEL = _l("under revision: last submitted scores")


def status_label(status: AssessmentStatus | str | None) -> str:
    """The reader's word for a status; ``None`` is an assessment not started."""
    if status is None:
        return str(STATUS_LABELS[NOT_STARTED])
    return str(STATUS_LABELS[AssessmentStatus(status).value if status != NOT_STARTED else NOT_STARTED])
