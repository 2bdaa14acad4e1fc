"""Account management forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from ..models import ROLES


class UserForm(FlaskForm):
    """A new account."""

    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=[SelectChoice(r, r.title()) for r in ROLES])
    language = SelectField(
        "Language",
        choices=[SelectChoice(code) for code in ("en", "cs", "hu", "sk", "pl")],
        default="en",
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(min=8, max=200)])
    submit = SubmitField("Create account")
