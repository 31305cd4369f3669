"""The review's forms: a decision on one answer, returning to the city, a reply, a document."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from assessment.assessments.forms import _NewDeadline
from assessment.forms import AppForm
from assessment.review.models import DecisionKind

DECISION_CHOICES = [
    SelectChoice(DecisionKind.ACCEPT.value, _l("Accept the answer")),
    SelectChoice(DecisionKind.QUERY.value, _l("Query it: ask the city a question")),
    SelectChoice(DecisionKind.ADJUST.value, _l("Adjust the level, with the reason")),
]
LEVEL_CHOICES = [SelectChoice("", _l("Level the evidence supports"))] + [
    SelectChoice(str(n), str(n)) for n in range(5)]


class DecisionForm(AppForm):
    kind = RadioField(_l("Decision"), choices=DECISION_CHOICES,
                      validators=[InputRequired(_l("Choose a decision."))])
    level = SelectField(_l("Reviewed level"), choices=LEVEL_CHOICES, validators=[Optional()])
    comment = TextAreaField(_l("Comment (the city sees it)"), validators=[Length(max=4000)])


class ReturnForm(_NewDeadline, AppForm):
    message = TextAreaField(_l("Message to the city (optional)"), validators=[Length(max=4000)])
    closes_on = DateField(_l("New deadline for the city"), validators=[Optional()])
    closes_time = TimeField(_l("Closing time"), validators=[Optional()])


class ReplyForm(AppForm):
    text = TextAreaField(_l("Your reply"), validators=[InputRequired(_l("Write a reply to the query.")),
                                                       Length(max=4000)])
    document = FileField(_l("Add a document (optional)"))


class DocumentForm(AppForm):
    question_id = SelectField(_l("The answer it is evidence for"), choices=[],
                              validators=[InputRequired(_l("Choose the answer."))])
    document = FileField(_l("Document"))


class AssignForm(AppForm):
    email = StringField(_l("Reviewer's e-mail address (empty: nobody)"), validators=[Length(max=254)])


class EmptyForm(AppForm):
    """A button: validating, sending back."""
