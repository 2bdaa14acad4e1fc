"""Account management forms (format checks only; the rules live in services.account_admin)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import FlaskForm
from ..i18n import LANGUAGE_NAMES
from ..models import User
from ..models.base import max_length
from ..services.account_admin import LANGUAGES, ROLES_LEAST_FIRST
from ..texts import ROLE_NAMES


def _role_field() -> SelectField:
    return SelectField(
        _l("Role"),
        choices=[SelectChoice(r.value, ROLE_NAMES[r]) for r in ROLES_LEAST_FIRST],
        default=ROLES_LEAST_FIRST[0].value,
    )


def _language_field() -> SelectField:
    return SelectField(
        _l("Language"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        default="en",
    )


class UserForm(FlaskForm):
    """A new account: the person gets a link by e-mail to choose their password."""

    email = EmailField(
        _l("E-mail"), validators=[DataRequired(), Length(max=max_length(User.email))]
    )
    name = StringField(_l("Name"), validators=[Optional(), Length(max=max_length(User.name))])
    role = _role_field()
    language = _language_field()
    submit = SubmitField(_l("Create the account and send the set-up link"))


class AccountForm(FlaskForm):
    """An existing account's name, role and language (and the version the page showed)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=max_length(User.name))])
    role = _role_field()
    language = _language_field()
    version = HiddenField()
    submit = SubmitField(_l("Save"))
