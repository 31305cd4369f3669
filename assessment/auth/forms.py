from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from assessment.auth.services import MIN_PASSWORD_LENGTH
from assessment.forms import AppForm


class SignInForm(AppForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class NewPasswordForm(AppForm):
    """A new password, typed twice: accepting an invitation, a reset link, changing one's own.

    Password fields never show what was typed (WTForms' PasswordField leaves them empty).
    """

    new_password = PasswordField(
        _l("New password"),
        validators=[InputRequired(_l("Enter a new password.")),
                    Length(min=MIN_PASSWORD_LENGTH, max=200,
                           message=_l("The password must have at least %(num)d characters.",
                                      num=MIN_PASSWORD_LENGTH))],
        render_kw={"autocomplete": "new-password"},
    )
    new_password_confirm = PasswordField(
        _l("New password again"),
        validators=[InputRequired(_l("Type the new password a second time.")),
                    EqualTo("new_password", _l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class ResetRequestForm(AppForm):
    email = EmailField(_l("Email"),
                       validators=[InputRequired(_l("Enter the e-mail address of your account.")),
                                   Length(max=254)],
                       render_kw={"autocomplete": "username"})
