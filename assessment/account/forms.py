from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from assessment.api.tokens import MAX_NAME_LENGTH
from assessment.auth.forms import NewPasswordForm
from assessment.auth.models import User
from assessment.forms import AppForm
from assessment.mail import Kind


class TokenForm(AppForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=MAX_NAME_LENGTH)],
                       render_kw={"autocomplete": "off"})


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
