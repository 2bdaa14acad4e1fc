"""Registration forms (format checks only; the rules live in services/registration/)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import FlaskForm
from ..models import Registration, SessionStatus
from ..models.base import max_length
from ..services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class SessionChoiceField(SelectMultipleField):
    """Training sessions as checkboxes; unknown ids are left to the service to refuse."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def session_choices(event, seats_taken: bool = True) -> list[SelectChoice]:  # type: ignore[no-untyped-def]
    """One checkbox per open session, labelled with its free places or waiting list."""
    from ..services.timeutil import format_moment

    choices = []
    for session in event.sessions:
        if session.status == SessionStatus.CANCELLED:
            continue
        free = max(session.capacity - session.confirmed_count, 0)
        availability = (
            _l("Free places: %(n)s", n=free) if free else _l("full: you join the waiting list")
        )
        label = (
            f"{session.title} · {format_moment(session.starts_at, event.timezone)} · {availability}"
        )
        choices.append(SelectChoice(session.id, label))
    return choices


def _limit(column) -> Length:  # type: ignore[no-untyped-def]
    return Length(max=max_length(column))


class RegistrationForm(FlaskForm):
    """The registration form; ``password`` fields only when the invitee's account is made.

    The e-mail address is shown, not asked: a registration is made under the invitation's or
    the account's address (the view fills it in; whatever is posted is not read).
    """

    name = StringField(_l("Name"), validators=[DataRequired(), _limit(Registration.name)])
    organisation_name = StringField(
        _l("Organisation"), validators=[Optional(), _limit(Registration.organisation_name)]
    )
    country = StringField(
        _l("Country"),
        validators=[Optional(), _limit(Registration.country)],
        description=_l("Two-letter code, e.g. CZ, HU, SK or PL."),
    )
    position = StringField(_l("Position"), validators=[Optional(), _limit(Registration.position)])
    email = EmailField(_l("E-mail"), render_kw={"readonly": True})
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), _limit(Registration.phone)])
    dietary_needs = TextAreaField(
        _l("Dietary needs"), validators=[Optional(), _limit(Registration.dietary_needs)]
    )
    accessibility_needs = TextAreaField(
        _l("Accessibility needs"),
        validators=[Optional(), _limit(Registration.accessibility_needs)],
    )
    sessions = SessionChoiceField(_l("Training sessions"), coerce=int, validate_choice=False)
    password = PasswordField(
        _l("Choose a password"),
        validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)],
    )
    password_again = PasswordField(
        _l("Password again"),
        validators=[EqualTo("password", message=_l("The two passwords differ."))],
    )
    privacy_consent = BooleanField(
        _l("I agree to the privacy notice: my data are used to organise this event.")
    )
    submit = SubmitField(_l("Register"))


class SessionsForm(FlaskForm):
    """Change one's session choices."""

    sessions = SessionChoiceField(_l("Training sessions"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Save my sessions"))


class CapacityForm(FlaskForm):
    """Change a capacity."""

    capacity = IntegerField(_l("Capacity"), validators=[InputRequired()])
    submit = SubmitField(_l("Change"))
