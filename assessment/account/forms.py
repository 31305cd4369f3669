from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from assessment.api.tokens import MAX_NAME_LENGTH
from assessment.auth.forms import NewPasswordForm
from assessment.auth.models import User
from assessment.forms import AppForm
from assessment.mail import Kind


class MultiCheckboxField(SelectMultipleField):
    """Several choices as one box each."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(AppForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=MAX_NAME_LENGTH)],
                       render_kw={"autocomplete": "off"})
    days = IntegerField(_l("Valid for (days)"), validators=[Optional()],
                        render_kw={"inputmode": "numeric"})
    tables = MultiCheckboxField(_l("Tables it may read"), choices=[], validate_choice=True)
    regions = MultiCheckboxField(_l("Regions it may read"), choices=[], coerce=int,
                                 validate_choice=True)

    def set_choices(self, tables: Sequence[tuple[str, str]], regions: Sequence[tuple[int, str]],
                    max_days: int) -> None:
        self.tables.choices = list(tables)
        self.regions.choices = list(regions)
        self.days.validators = [*self.days.validators, NumberRange(
            min=1, max=max_days,
            message=_l("A token works for 1 to %(max)s days.", max=max_days))]


class FindUserForm(AppForm):
    class Meta:
        csrf = False  # a GET search

    email = StringField(_l("Email or name of the account"), validators=[DataRequired(), Length(max=254)])


class ChangePasswordForm(NewPasswordForm):
    """The current password, then the new one twice (with the checks of every new password)."""

    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    sign_out_others = BooleanField(_l("Sign out my other sessions"), default=True)


def mail_field_name(kind: str) -> str:
    return f"mail_{kind}"


def mail_preferences_form(kinds: Sequence[Kind], user: User, *, posted: bool) -> AppForm:
    """One box per kind of optional mail, ticked when ``user`` receives it; the kinds are
    whatever the features declared (``assessment.mail.optional_kinds``)."""

    class MailPreferencesForm(AppForm):
        pass

    for item in kinds:
        setattr(MailPreferencesForm, mail_field_name(item.name),
                BooleanField(item.label, default=user.wants_mail(item.name)))
    return MailPreferencesForm() if posted else MailPreferencesForm(formdata=None)
