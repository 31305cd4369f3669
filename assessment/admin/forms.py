"""Forms of the admin pages. Choices that come from the database are filled in by the view."""

from __future__ import annotations

from datetime import time
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
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
    StopValidation,
    ValidationError,
)

from assessment.assessments.deadlines import parse_reminder_days, valid_time_zone
from assessment.auth.labels import ROLE_LABELS
from assessment.auth.models import Role
from assessment.auth.services import MIN_PASSWORD_LENGTH
from assessment.forms import AppForm
from assessment.i18n import LANGUAGES
from assessment.places.picker import CityField


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


class RegionForm(AppForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")), Length(max=120)])


class CountryForm(AppForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")), Length(max=120)])
    iso_code = StringField(_l("ISO code"), validators=[Optional(), Length(min=2, max=3)],
                           render_kw={"autocapitalize": "characters", "size": 4})
    region_id = _id_select(_l("Region"), validators=[DataRequired(_l("Choose a region."))],
                           invalid_choice_message=_l("Choose a region from the list."))


class CityForm(AppForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")), Length(max=120)])
    country_id = _id_select(_l("Country"), validators=[DataRequired(_l("Choose a country."))],
                            invalid_choice_message=_l("Choose a country from the list."))
    population = IntegerField(
        _l("Population"),
        validators=[Optional(), NumberRange(min=0, max=100_000_000,
                                            message=_l("Enter a population between 0 and 100,000,000."))],
    )


class PeerGroupForm(AppForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=500)],
                                render_kw={"rows": 2})
    cities = TextAreaField(_l("Cities"), validators=[Optional(), Length(max=100_000)],
                           render_kw={"rows": 12, "spellcheck": "false"})


def language_choices() -> list[SelectChoice]:
    return [choice("", _l("Not chosen: the default language until they choose one"))] + [
        choice(language.code, language.name) for language in LANGUAGES.values()]


class AccountPlaceForm(AppForm):
    """Role and place: officials need a city, regional offices a region. The view gives the city
    box its options (``assessment.places.picker``)."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)],
                       render_kw={"autocomplete": "off"})
    role = SelectField(_l("Role"), choices=role_choices(),
                       invalid_choice_message=_l("Choose a role from the list."))
    city = CityField(_l("City (officials only)"), validators=[Length(max=300)], filters=[_strip])
    region_id = _id_select(_l("Region (regional offices only)"),
                           invalid_choice_message=_l("Choose a region from the list."))

    def validate_city(self, field: CityField) -> None:
        if self.role.data == Role.OFFICIAL.value and not field.data:
            raise ValidationError(_l("An official needs a city: type the city they work for."))

    def validate_region_id(self, field: SelectField) -> None:
        if self.role.data == Role.REGIONAL.value and field.data is None:
            raise ValidationError(_l("A regional office account needs a region."))


def _password_fields(*conditions: Any) -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            _l("Password"),
            validators=[*conditions, InputRequired(_l("Enter a password.")),
                        Length(min=MIN_PASSWORD_LENGTH, max=200,
                               message=_l("The password must have at least %(num)d characters.",
                                          num=MIN_PASSWORD_LENGTH))],
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            _l("Password again"),
            validators=[*conditions, InputRequired(_l("Type the password a second time.")),
                        EqualTo("password", _l("The two passwords are not the same."))],
            render_kw={"autocomplete": "new-password"},
        ),
    )


INVITE = "invite"
SET_PASSWORD = "password"  # nosec B105 # the value of a radio button, not a password


def _only_when_setting_a_password(form: Any, field: Any) -> None:
    """The password boxes count only when "set a password" is chosen."""
    if form.first_sign_in.data != SET_PASSWORD:
        field.errors[:] = []
        raise StopValidation()


class UserCreateForm(AccountPlaceForm):
    email = EmailField(_l("Email"), validators=[InputRequired(_l("Enter an email address.")),
                                                Email(_l("Enter a valid email address.")),
                                                Length(max=254)],
                       filters=[_strip], render_kw={"autocomplete": "off"})
    language = SelectField(_l("Language of their messages"), choices=language_choices(), default="",
                           invalid_choice_message=_l("Choose a language from the list."))
    first_sign_in = RadioField(_l("How they get in"), default=INVITE, choices=[
        choice(INVITE, _l("Invite by e-mail: they get a link to choose their own password")),
        choice(SET_PASSWORD, _l("Set a first password now, and give it to them yourself")),
    ], invalid_choice_message=_l("Choose how they get in."))
    password, password_confirm = _password_fields(_only_when_setting_a_password)


class UserEditForm(AccountPlaceForm):
    pass


class PasswordForm(AppForm):
    # The administrator's own password, so that a session left open cannot take over accounts.
    current_password = PasswordField(
        _l("Your own password"), validators=[InputRequired(_l("Enter your own password."))],
        render_kw={"autocomplete": "current-password"},
    )
    password, password_confirm = _password_fields()
    sign_out = BooleanField(_l("Also sign them out on every device"), default=True)


class AnonymiseForm(AppForm):
    confirm = BooleanField(
        _l("I understand that this is final: the name and email cannot be brought back"),
        validators=[DataRequired(_l("Tick the box to confirm that the account is to be anonymised."))],
    )


class RoundForm(AppForm):
    """A round's name, opening and closing (dates and times on the clock of its time zone) and
    reminder days. A field missing from the posted form keeps its value (or its default)."""

    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")), Length(max=80)])
    opens_on = DateField(_l("Opens on"), validators=[InputRequired(_l("Enter the opening date."))])
    opens_time = TimeField(_l("Opening time"), default=time(0, 0), validators=[Optional()])
    closes_on = DateField(_l("Closes on"), validators=[Optional()])
    closes_time = TimeField(_l("Closing time"), default=time(23, 59), validators=[Optional()])
    time_zone = StringField(_l("Time zone"), default="UTC", filters=[_strip],
                            validators=[DataRequired(_l("Enter a time zone, for example UTC.")),
                                        Length(max=64)],
                            render_kw={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"})
    reminder_days = StringField(_l("Reminder days"), default="14,7,1", filters=[_strip],
                                validators=[Optional(), Length(max=40)])

    def validate_closes_on(self, field: DateField) -> None:
        if field.data is not None and self.opens_on.data is not None and field.data < self.opens_on.data:
            raise ValidationError(_l("The round cannot close before it opens."))

    def validate_time_zone(self, field: StringField) -> None:
        if not valid_time_zone(field.data or ""):
            raise ValidationError(_l("This is not a time zone name. Choose one from the list, such as "
                                     "UTC, Africa/Nairobi or America/Bogota."))

    def validate_reminder_days(self, field: StringField) -> None:
        try:
            field.data = parse_reminder_days(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None


class _FilterForm(AppForm):
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
        choice("inactive", _l("Deactivated")), choice("pending", _l("Invitation not accepted yet")),
    ], default="")
    q = SearchField(_l("Name, email or city contains"), validators=[Optional(), Length(max=254)])


class AuditFilterForm(_FilterForm):
    action = SelectField(_l("Action"), choices=[], default="")
    actor = SearchField(_l("Who (email or name contains)"), validators=[Optional(), Length(max=254)])
    city = SearchField(_l("City name contains"), validators=[Optional(), Length(max=120)])
    since = DateField(_l("From (UTC)"), validators=[Optional()])
    until = DateField(_l("To (UTC)"), validators=[Optional()])

    def validate_until(self, field: DateField) -> None:
        if field.data is not None and self.since.data is not None and field.data < self.since.data:
            raise ValidationError(_l("The end date cannot be before the start date."))


class ImportUploadForm(AppForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to check."))],
                     render_kw={"accept": ".csv,text/csv"})


class ImportConfirmForm(AppForm):
    # The file as checked, signed: the import writes exactly what the report showed.
    checked = HiddenField(validators=[InputRequired()])
    invite = BooleanField(_l("Invite them now: send each new account an invitation e-mail"))
    rows = SelectField(choices=[choice("all", _l("Every row")), choice("valid", _l("The valid rows"))],
                       default="all")
