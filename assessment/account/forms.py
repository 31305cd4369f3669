from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Length

from assessment.api.tokens import MAX_NAME_LENGTH


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=MAX_NAME_LENGTH)],
                       render_kw={"autocomplete": "off"})


class FindUserForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search

    email = EmailField(_l("Email of the account"), validators=[DataRequired(), Length(max=254)])
