"""Forms of the admin pages. Choices that come from the database are filled in by the view."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SearchField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from assessment.auth.labels import ROLE_LABELS
from assessment.auth.models import Role
from assessment.auth.services import MIN_PASSWORD_LENGTH


def optional_int(value: Any) -> int | None:
    """Coerce a select's value: the empty choice is None."""
    if value is None or value == "":
        return None
    return int(value)


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


def choice(value: Any, label: Any, group: str | None = None) -> SelectChoice:
    # Labels may be lazy strings: they are translated when the page is rendered.
    return SelectChoice(value=str(value), label=label, optgroup=group)


def role_choices(blank: Any = None) -> list[SelectChoice]:
    choices = [choice("", blank)] if blank is not None else []
    return choices + [choice(role.value, ROLE_LABELS[role]) for role in Role]


def _id_select(label: Any, **kwargs: Any) -> SelectField:
    return SelectField(label, coerce=optional_int, choices=[], **kwargs)


class RegionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")), Length(max=120)])


class CountryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")), Length(max=120)])
    iso_code = StringField(_l("ISO code"), validators=[Optional(), Length(min=2, max=3)],
                           render_kw={"autocapitalize": "characters", "size": 4})
    region_id = _id_select(_l("Region"), validators=[DataRequired(_l("Choose a region."))],
                           invalid_choice_message=_l("Choose a region from the list."))


class CityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")), Length(max=120)])
    country_id = _id_select(_l("Country"), validators=[DataRequired(_l("Choose a country."))],
                            invalid_choice_message=_l("Choose a country from the list."))
    population = IntegerField(
        _l("Population"),
        validators=[Optional(), NumberRange(min=0, max=100_000_000,
                                            message=_l("Enter a population between 0 and 100,000,000."))],
    )


class _AccountPlaceForm(FlaskForm):
    """Role and place: officials need a city, regional offices a region."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)],
                       render_kw={"autocomplete": "off"})
    role = SelectField(_l("Role"), choices=role_choices(),
                       invalid_choice_message=_l("Choose a role from the list."))
    city_id = _id_select(_l("City (officials only)"),
                         invalid_choice_message=_l("Choose a city from the list."))
    region_id = _id_select(_l("Region (regional offices only)"),
                           invalid_choice_message=_l("Choose a region from the list."))

    def validate_city_id(self, field: SelectField) -> None:
        if self.role.data == Role.OFFICIAL.value and field.data is None:
            raise ValidationError(_l("An official needs a city: choose the city they work for."))

    def validate_region_id(self, field: SelectField) -> None:
        if self.role.data == Role.REGIONAL.value and field.data is None:
            raise ValidationError(_l("A regional office account needs a region."))


def _password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            _l("Password"),
            validators=[InputRequired(_l("Enter a password.")),
                        Length(min=MIN_PASSWORD_LENGTH, max=200,
                               message=_l("The password must have at least %(num)d characters.",
                                          num=MIN_PASSWORD_LENGTH))],
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            _l("Password again"),
            validators=[InputRequired(_l("Type the password a second time.")),
                        EqualTo("password", _l("The two passwords are not the same."))],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class UserCreateForm(_AccountPlaceForm):
    email = EmailField(_l("Email"), validators=[InputRequired(_l("Enter an email address.")),
                                                Email(_l("Enter a valid email address.")),
                                                Length(max=254)],
                       filters=[_strip], render_kw={"autocomplete": "off"})
    password, password_confirm = _password_fields()


class UserEditForm(_AccountPlaceForm):
    pass


class PasswordForm(FlaskForm):
    password, password_confirm = _password_fields()
    sign_out = BooleanField(_l("Also sign them out on every device"), default=True)


class RoundForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")), Length(max=80)])
    opens_on = DateField(_l("Opens on"), validators=[InputRequired(_l("Enter the opening date."))])
    closes_on = DateField(_l("Closes on"), validators=[Optional()])

    def validate_closes_on(self, field: DateField) -> None:
        if field.data is not None and self.opens_on.data is not None and field.data < self.opens_on.data:
            raise ValidationError(_l("The round cannot close before it opens."))


class _FilterForm(FlaskForm):
    """Filters read from the query string (GET, so no CSRF token)."""

    class Meta:
        csrf = False


class CountryFilterForm(_FilterForm):
    region = _id_select(_l("Region"))


class CityFilterForm(_FilterForm):
    region = _id_select(_l("Region"))
    country = _id_select(_l("Country"))
    q = SearchField(_l("Name contains"), validators=[Optional(), Length(max=120)])


class UserFilterForm(_FilterForm):
    role = SelectField(_l("Role"), choices=role_choices(blank=_l("Any role")), default="")
    region = _id_select(_l("Region"))
    status = SelectField(_l("Status"), choices=[
        choice("", _l("Active and deactivated")), choice("active", _l("Active")),
        choice("inactive", _l("Deactivated")),
    ], default="")
    q = SearchField(_l("Email or name contains"), validators=[Optional(), Length(max=254)])


class AuditFilterForm(_FilterForm):
    action = SelectField(_l("Action"), choices=[], default="")
    city = SearchField(_l("City name contains"), validators=[Optional(), Length(max=120)])
