"""The action form (new and changed actions) and the plan page's filter."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from assessment.actions.models import MAX_NOTE, MAX_OWNER, MAX_TEXT, ActionStatus
from assessment.actions.services import FILTERS, STATUS_LABELS, ActionFields, element_title
from assessment.forms import AppForm
from assessment.questionnaire import Questionnaire


class DayField(DateField):
    """A date typed as year-month-day; what was typed stays in the box when it is not a date."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = " ".join(valuelist).strip() if valuelist else ""
        if not text:
            self.data = None
            return
        try:
            self.data = datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter the date as year-month-day, for example 2026-09-30.")) from None


class ActionForm(AppForm):
    """One action. ``element_id`` is offered for an action added freely; an action made from a
    recommendation keeps the recommendation's element (the view removes the field)."""

    text = TextAreaField(_l("Action"), validators=[
        DataRequired(message=_l("Say what will be done.")), Length(max=MAX_TEXT)])
    element_id = SelectField(_l("Element"), choices=[], validate_choice=True)
    owner = StringField(_l("Owner"), validators=[
        DataRequired(message=_l("Name the person or the department who owns this action.")),
        Length(max=MAX_OWNER)])
    due_on = DayField(_l("Due date (optional)"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=[SelectChoice(value=s.value, label=label)
                                                  for s, label in STATUS_LABELS.items()],
                         default=ActionStatus.PLANNED.value)
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=MAX_NOTE)])
    # The recommendation's question, for a new action made from one.
    question_id = HiddenField()
    # When the action was last changed as the form was opened: a colleague's later change is
    # not overwritten without a word.
    seen = HiddenField()

    def fields(self) -> ActionFields:
        return ActionFields(
            text=(self.text.data or "").strip(),
            owner=(self.owner.data or "").strip(),
            due_on=self.due_on.data if isinstance(self.due_on.data, date) else None,
            status=ActionStatus(self.status.data),
            note=(self.note.data or "").strip(),
        )


class PlanFilterForm(AppForm):
    """Which actions the plan page lists (a GET form, so the address can be kept)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Show"), choices=[SelectChoice(value=key, label=label)
                                                for key, label in FILTERS.items()])


def element_choices(questionnaire: Questionnaire) -> list[SelectChoice]:
    """The elements of the action's questionnaire version, numbered as the report numbers them."""
    return [SelectChoice(value=e.id, label=element_title(questionnaire, e.id))
            for e in questionnaire.elements]
