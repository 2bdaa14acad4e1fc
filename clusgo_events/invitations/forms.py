"""Invitation forms (format checks only; the rules live in services/invitations/)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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

from ..forms import FlaskForm
from ..models import Invitation
from ..models.base import max_length
from ..texts import country_name


class CheckboxList(SelectMultipleField):
    """Several choices as checkboxes (phone-friendly)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NarrowForm(FlaskForm):
    """The organiser's narrowing and the send button (GET shows the count, POST sends)."""

    countries = CheckboxList(_l("Countries"), validators=[Optional()])
    interest = SelectField(
        _l("Interested in"),
        choices=[
            SelectChoice("any", _l("the event or training")),
            SelectChoice("event", _l("the event")),
            SelectChoice(_l("training"), _l("training")),
        ],
        default="any",
    )
    submit = SubmitField(_l("Send invitations"))

    def set_countries(self, codes: list[str]) -> None:
        self.countries.choices = [SelectChoice(c, country_name(c)) for c in codes]


class ReminderForm(FlaskForm):
    """Remind the unanswered, at most once per interval."""

    interval_days = IntegerField(
        _l("At most one reminder every (days)"),
        default=7,
        validators=[InputRequired(), NumberRange(min=1, max=365)],
    )
    submit = SubmitField(_l("Send reminders"))


class AnswerForm(FlaskForm):
    """Accept or decline (the invitee's page)."""

    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=max_length(Invitation.decline_reason))],
    )
