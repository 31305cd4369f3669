"""The form that reopens a submitted assessment: shown on the report and on the reopen page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from assessment.assessments.models import Assessment, AssessmentStatus
from assessment.auth.access import can_reopen_city
from assessment.auth.models import User


class ReopenForm(FlaskForm):
    """Reopen a submitted assessment, saying why (the reason goes into the audit log)."""

    class Meta:
        csrf = False

    reason = TextAreaField(
        _l("Why does this assessment need to be reopened?"),
        validators=[DataRequired(message=_l("Give a reason: the city sees it and it is kept in "
                                            "the history.")),
                    Length(max=2000)],
    )


def reopen_form_for(user: User, assessment: Assessment) -> ReopenForm | None:
    """A reopen form when ``user`` may reopen ``assessment`` now."""
    if user.is_authenticated and assessment.status == AssessmentStatus.SUBMITTED and can_reopen_city(
        user, assessment.city
    ):
        return ReopenForm(formdata=None)
    return None
