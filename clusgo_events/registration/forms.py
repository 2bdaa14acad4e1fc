"""Registration forms (format checks only; the rules live in services/registration.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class SessionChoiceField(SelectMultipleField):
    """Training sessions as checkboxes; unknown ids are left to the service to refuse."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def session_choices(event, seats_taken: bool = True) -> list[SelectChoice]:  # type: ignore[no-untyped-def]
    """One checkbox per open session, labelled with its free places or waiting list."""
    from ..services.timeutil import format_local

    choices = []
    for session in event.sessions:
        if session.status == "cancelled":
            continue
        free = max(session.capacity - session.confirmed_count, 0)
        availability = (
            _l("Free places: %(n)s", n=free) if free else _l("full: you join the waiting list")
        )
        label = (
            f"{session.title} · {format_local(session.starts_at, event.timezone)} · {availability}"
        )
        choices.append(SelectChoice(session.id, label))
    return choices


class RegistrationForm(FlaskForm):
    """The registration form; ``password`` fields only when a new account is made."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    organisation_name = StringField(_l("Organisation"), validators=[Optional(), Length(max=300)])
    country = StringField(
        _l("Country"),
        validators=[Optional(), Length(max=2)],
        description=_l("Two-letter code, e.g. CZ, HU, SK or PL."),
    )
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=50)])
    dietary_needs = TextAreaField(_l("Dietary needs"), validators=[Optional(), Length(max=2000)])
    accessibility_needs = TextAreaField(
        _l("Accessibility needs"), validators=[Optional(), Length(max=2000)]
    )
    sessions = SessionChoiceField(_l("Training sessions"), coerce=int, validate_choice=False)
    password = PasswordField(
        _l("Choose a password"), validators=[Optional(), Length(min=8, max=200)]
    )
    password_again = PasswordField(_l("Password again"), validators=[Optional(), Length(max=200)])
    privacy_consent = BooleanField(
        _l("I agree to the privacy notice: my data are used to organise this event.")
    )
    submit = SubmitField(_l("Register"))


class SessionsForm(FlaskForm):
    """Change one's session choices."""

    sessions = SessionChoiceField(_l("Training sessions"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Save my sessions"))


class ConfirmForm(FlaskForm):
    """A bare POST with its CSRF token (cancel, promote)."""


class CapacityForm(FlaskForm):
    """Change a capacity."""

    capacity = IntegerField("Capacity", validators=[InputRequired()])
    submit = SubmitField("Change")
