"""Event and training-session forms (format checks only; rules live in services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..models import Event, TrainingSession
from ..models.base import max_length
from ..services.timeutil import timezone_choices

DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
COUNTRY_CHOICES = [
    SelectChoice("CZ", "Czechia"),
    SelectChoice("HU", "Hungary"),
    SelectChoice("SK", "Slovakia"),
    SelectChoice("PL", "Poland"),
]


def _limit(column) -> Length:  # type: ignore[no-untyped-def]
    return Length(max=max_length(column))


class EventForm(FlaskForm):
    """An event."""

    title = StringField("Title", validators=[DataRequired(), _limit(Event.title)])
    slug = StringField(
        "Address (slug)",
        validators=[DataRequired(), _limit(Event.slug)],
        description="Lower-case letters, digits and dashes, e.g. brno-2017.",
    )
    description = TextAreaField("Description", validators=[Optional(), _limit(Event.description)])
    venue = StringField("Venue", validators=[Optional(), _limit(Event.venue)])
    address = StringField("Address", validators=[Optional(), _limit(Event.address)])
    timezone = SelectField("Time zone", default="Europe/Prague", validate_choice=True)
    starts_local = DateTimeLocalField("Starts", format=DT_FORMATS, validators=[InputRequired()])
    ends_local = DateTimeLocalField("Ends", format=DT_FORMATS, validators=[InputRequired()])
    capacity = IntegerField("Capacity", default=100, validators=[InputRequired()])
    registration_opens_local = DateTimeLocalField(
        "Registration opens", format=DT_FORMATS, validators=[Optional()]
    )
    registration_closes_local = DateTimeLocalField(
        "Registration closes", format=DT_FORMATS, validators=[Optional()]
    )
    host_organisation_id = SelectField("Host organisation", coerce=int, validate_choice=True)
    target_countries = SelectMultipleField(
        "Countries invited", choices=COUNTRY_CHOICES, default=["CZ", "HU", "SK", "PL"]
    )
    allow_direct_signup = BooleanField("Allow sign-up without an invitation")
    submit = SubmitField("Save")

    def set_choices(self, organisations: list) -> None:
        """Fill the dynamic choice lists."""
        self.timezone.choices = [SelectChoice(z) for z in timezone_choices()]
        self.host_organisation_id.choices = [SelectChoice(0, "—")] + [
            SelectChoice(o.id, f"{o.name} ({o.country})") for o in organisations
        ]


class SessionForm(FlaskForm):
    """A training session."""

    title = StringField("Title", validators=[DataRequired(), _limit(TrainingSession.title)])
    description = TextAreaField(
        "Description", validators=[Optional(), _limit(TrainingSession.description)]
    )
    room = StringField("Room", validators=[Optional(), _limit(TrainingSession.room)])
    starts_local = DateTimeLocalField("Starts", format=DT_FORMATS, validators=[InputRequired()])
    ends_local = DateTimeLocalField("Ends", format=DT_FORMATS, validators=[InputRequired()])
    capacity = IntegerField("Capacity", default=30, validators=[InputRequired()])
    trainer_ids = SelectMultipleField("Trainers", coerce=int)
    submit = SubmitField("Save")

    def set_choices(self, trainers: list) -> None:
        """Fill the trainer list."""
        self.trainer_ids.choices = [SelectChoice(t.id, f"{t.name} <{t.email}>") for t in trainers]


class DuplicateForm(FlaskForm):
    """A copy of an event as a new draft: its new start date and address."""

    starts_on = DateField(_l("New start date"), validators=[InputRequired()])
    slug = StringField(
        _l("Web address (slug)"),
        validators=[DataRequired(), Length(max=max_length(Event.slug))],
    )
    submit = SubmitField(_l("Make the draft copy"))
