"""The forms of the assessment's life that several pages share: reopening a submitted assessment
(on the report and on the reopen page) and giving one city a new deadline in a round."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import object_session
from wtforms import DateField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from assessment.assessments import deadlines
from assessment.assessments.deadline_text import deadline_notice
from assessment.assessments.deadlines import Deadline
from assessment.assessments.models import Assessment, AssessmentStatus, Round
from assessment.auth.access import can_reopen_city
from assessment.auth.models import User
from assessment.database import utcnow
from assessment.forms import AppForm


class _NewDeadline:
    """A date and a time on the round's clock; the time defaults to the round's closing time.

    ``deadline_text`` (the city's deadline now) and ``time_zone`` are set by the view, for the page.
    """

    closes_on: DateField
    closes_time: TimeField
    deadline_text: str = ""
    time_zone: str = "UTC"

    def new_deadline(self, round_: Round) -> datetime | None:
        if self.closes_on.data is None:
            return None
        return deadlines.on_round_clock(round_, self.closes_on.data,
                                        self.closes_time.data or round_.closes_time)

    def show_deadline(self, assessment_round: Round, deadline: Deadline, now: datetime,
                      city: str) -> None:
        self.deadline_text = deadline_notice(deadline, now, city=city).text
        self.time_zone = deadline.time_zone
        if self.closes_time.data is None and not getattr(self.closes_time, "raw_data", None):
            self.closes_time.data = assessment_round.closes_time


class ReopenForm(_NewDeadline, AppForm):
    """Reopen a submitted assessment, saying why (the reason goes into the audit log), and give
    the city a new deadline: required once its deadline has passed, or it could not save."""

    class Meta:
        csrf = False

    reason = TextAreaField(
        _l("Why does this assessment need to be reopened?"),
        validators=[DataRequired(message=_l("Give a reason: the city sees it and it is kept in "
                                            "the history.")),
                    Length(max=2000)],
    )
    closes_on = DateField(_l("New deadline for the city"), validators=[Optional()])
    closes_time = TimeField(_l("Closing time"), validators=[Optional()])
    # Whether the city's deadline has passed, so that a new one is required (checked by
    # ``services.reopen_assessment``, which says so next to the date).
    deadline_required = False



def prepare_reopen_form(form: ReopenForm, assessment: Assessment, deadline: Deadline,
                        now: datetime) -> ReopenForm:
    """Tell the form the city's deadline, and whether a new one is required."""
    form.deadline_required = deadline.has_passed(now) and assessment.status == AssessmentStatus.SUBMITTED
    form.show_deadline(assessment.round, deadline, now, assessment.city.name)
    return form


def reopen_form_for(user: User, assessment: Assessment) -> ReopenForm | None:
    """A reopen form when ``user`` may reopen ``assessment`` now."""
    if user.is_authenticated and assessment.status == AssessmentStatus.SUBMITTED and can_reopen_city(
        user, assessment.city
    ):
        session = object_session(assessment)
        assert session is not None  # the assessment was loaded by the view
        return prepare_reopen_form(ReopenForm(formdata=None), assessment,
                                   deadlines.assessment_deadline(session, assessment), utcnow())
    return None


class DeadlineForm(_NewDeadline, AppForm):
    """A later closing for one city in one round, on the round's clock, with a reason."""

    closes_on = DateField(_l("New deadline"), validators=[InputRequired(_l("Enter the new closing date."))])
    closes_time = TimeField(_l("Closing time"), validators=[Optional()])
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Give a reason: it is kept in the audit trail.")),
                    Length(max=deadlines.MAX_REASON)],
    )
