"""Forms of the people pages. Choices and city options come from the view, within the reader's
region."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SearchField, SelectField
from wtforms.validators import Email, InputRequired, Length, Optional

from assessment.admin.forms import AccountPlaceForm, choice, language_choices, optional_int
from assessment.auth.labels import ROLE_LABELS
from assessment.forms import AppForm
from assessment.people.services import PEOPLE_ROLES


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class PeopleFilterForm(AppForm):
    class Meta:
        csrf = False  # a GET search

    q = SearchField(_l("Name, email or city contains"), validators=[Optional(), Length(max=254)])
    role = SelectField(_l("Role"), default="", choices=[
        choice("", _l("Officials and regional offices")),
        *(choice(role.value, ROLE_LABELS[role]) for role in PEOPLE_ROLES)])
    status = SelectField(_l("Status"), default="", choices=[
        choice("", _l("Everyone")), choice("pending", _l("Invitation not accepted yet")),
        choice("active", _l("Active")), choice("inactive", _l("Deactivated"))])
    region = SelectField(_l("Region"), coerce=optional_int, choices=[])  # administrators only


class InviteForm(AccountPlaceForm):
    email = EmailField(_l("Email"), validators=[InputRequired(_l("Enter an email address.")),
                                                Email(_l("Enter a valid email address.")),
                                                Length(max=254)],
                       filters=[_strip], render_kw={"autocomplete": "off"})
    language = SelectField(_l("Language of their messages"), choices=language_choices(), default="",
                           invalid_choice_message=_l("Choose a language from the list."))
