"""Log-in, sign-up, password reset and profile forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, Length

from ..forms import FlaskForm
from ..i18n import LANGUAGE_NAMES
from ..models import User
from ..models.base import max_length
from ..services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

#: each language named in itself, so everyone finds their own
LANGUAGE_CHOICES = [SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]


def _email_field() -> EmailField:
    return EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=max_length(User.email))])


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
        description=_l("At least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
    )
    again = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )
    return password, again


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = _email_field()
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    remember = BooleanField(_l("Keep me logged in"))
    submit = SubmitField(_l("Log in"))


class SignupForm(FlaskForm):
    """The address to prove, and the language of the mail and the account."""

    email = _email_field()
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="en")
    submit = SubmitField(_l("Send me the link"))


class SignupConfirmForm(FlaskForm):
    """Name and password of the new account (its address is proved by the link)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=max_length(User.name))])
    password, password_again = _new_password_fields()
    submit = SubmitField(_l("Create my account"))


class ResetRequestForm(FlaskForm):
    """The address of the account whose password is forgotten."""

    email = _email_field()
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(FlaskForm):
    """The new password, reached through a reset link."""

    password, password_again = _new_password_fields()
    submit = SubmitField(_l("Set my new password"))


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    password, password_again = _new_password_fields()
    submit = SubmitField(_l("Change password"))


class LanguageForm(FlaskForm):
    """The language of the account's pages and mails; empty: the browser's."""

    language = SelectField(
        _l("Language of your pages and e-mails"),
        choices=[SelectChoice("", _l("As my browser asks")), *LANGUAGE_CHOICES],
        default="",
    )
    save_language = SubmitField(_l("Save language"))
