"""Invitation forms (format checks only; the rules live in services/invitations/)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import Invitation
from ..models.base import max_length

COUNTRY_NAMES = {"CZ": "Czechia", "HU": "Hungary", "SK": "Slovakia", "PL": "Poland"}


class CheckboxList(SelectMultipleField):
    """Several choices as checkboxes (phone-friendly)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NarrowForm(FlaskForm):
    """The organiser's narrowing and the send button (GET shows the count, POST sends)."""

    countries = CheckboxList("Countries", validators=[Optional()])
    interest = SelectField(
        "Interested in",
        choices=[
            SelectChoice("any", "the event or training"),
            SelectChoice("event", "the event"),
            SelectChoice("training", "training"),
        ],
        default="any",
    )
    submit = SubmitField("Send invitations")

    def set_countries(self, codes: list[str]) -> None:
        self.countries.choices = [SelectChoice(c, COUNTRY_NAMES.get(c, c)) for c in codes]


class ReminderForm(FlaskForm):
    """Remind the unanswered, at most once per interval."""

    interval_days = IntegerField(
        "At most one reminder every (days)",
        default=7,
        validators=[InputRequired(), NumberRange(min=1, max=365)],
    )
    submit = SubmitField("Send reminders")


class AnswerForm(FlaskForm):
    """Accept or decline (the invitee's page)."""

    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=max_length(Invitation.decline_reason))],
    )
