"""The consent form: one round of the city's, published or not."""

from __future__ import annotations

from wtforms import HiddenField, IntegerField
from wtforms.validators import AnyOf, DataRequired, InputRequired

from assessment.forms import AppForm

GIVE, WITHDRAW = "give", "withdraw"


class ConsentForm(AppForm):
    round_id = IntegerField(validators=[InputRequired()])
    choice = HiddenField(validators=[DataRequired(), AnyOf((GIVE, WITHDRAW))])

    @property
    def consented(self) -> bool:
        return self.choice.data == GIVE
