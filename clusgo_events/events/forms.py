"""Event and training-session forms (format checks only; rules live in services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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

from ..forms import FlaskForm
from ..i18n import LANGUAGE_NAMES
from ..models import Event, TrainingSession
from ..models.base import max_length
from ..services.timeutil import timezone_choices
from ..texts import country_name

DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
#: the V4 countries an event may invite, named in the reader's language when the form is built
V4 = ("CZ", "HU", "SK", "PL")


def _limit(column) -> Length:  # type: ignore[no-untyped-def]
    return Length(max=max_length(column))


class EventForm(FlaskForm):
    """An event; title, description and venue in the main language, optionally in others."""

    main_language = SelectField(
        _l("Main language"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        default="en",
        description=_l("The language of the texts below; the other languages are optional."),
    )

    title = StringField(_l("Title"), validators=[DataRequired(), _limit(Event.title)])
    slug = StringField(
        _l("Address (slug)"),
        validators=[DataRequired(), _limit(Event.slug)],
        description=_l("Lower-case letters, digits and dashes, e.g. brno-2017."),
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), _limit(Event.description)]
    )
    venue = StringField(_l("Venue"), validators=[Optional(), _limit(Event.venue)])
    address = StringField(_l("Address"), validators=[Optional(), _limit(Event.address)])
    timezone = SelectField(_l("Time zone"), default="Europe/Prague", validate_choice=True)
    starts_local = DateTimeLocalField(_l("Starts"), format=DT_FORMATS, validators=[InputRequired()])
    ends_local = DateTimeLocalField(_l("Ends"), format=DT_FORMATS, validators=[InputRequired()])
    capacity = IntegerField(_l("Capacity"), default=100, validators=[InputRequired()])
    registration_opens_local = DateTimeLocalField(
        _l("Registration opens"), format=DT_FORMATS, validators=[Optional()]
    )
    registration_closes_local = DateTimeLocalField(
        _l("Registration closes"), format=DT_FORMATS, validators=[Optional()]
    )
    host_organisation_id = SelectField(_l("Host organisation"), coerce=int, validate_choice=True)
    target_countries = SelectMultipleField(_l("Countries invited"), default=list(V4))
    allow_direct_signup = BooleanField(_l("Allow sign-up without an invitation"))
    submit = SubmitField(_l("Save"))

    def set_choices(self, organisations: list) -> None:
        """Fill the dynamic choice lists."""
        self.timezone.choices = [SelectChoice(z) for z in timezone_choices()]
        self.target_countries.choices = [SelectChoice(code, country_name(code)) for code in V4]
        self.host_organisation_id.choices = [SelectChoice(0, "—")] + [
            SelectChoice(o.id, f"{o.name} ({o.country})") for o in organisations
        ]


class SessionForm(FlaskForm):
    """A training session."""

    title = StringField(_l("Title"), validators=[DataRequired(), _limit(TrainingSession.title)])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), _limit(TrainingSession.description)]
    )
    room = StringField(_l("Room"), validators=[Optional(), _limit(TrainingSession.room)])
    starts_local = DateTimeLocalField(_l("Starts"), format=DT_FORMATS, validators=[InputRequired()])
    ends_local = DateTimeLocalField(_l("Ends"), format=DT_FORMATS, validators=[InputRequired()])
    capacity = IntegerField(_l("Capacity"), default=30, validators=[InputRequired()])
    trainer_ids = SelectMultipleField(_l("Trainers"), coerce=int)
    submit = SubmitField(_l("Save"))

    def set_choices(self, trainers: list) -> None:
        """Fill the trainer list."""
        self.trainer_ids.choices = [SelectChoice(t.id, f"{t.name} <{t.email}>") for t in trainers]


def _add_language_fields(form: type, model: type, names: dict[str, object]) -> None:
    """``<field>_<language>`` inputs on ``form`` for each translated field, in every language."""
    for language in LANGUAGE_NAMES:
        for name, label in names.items():
            kind = TextAreaField if name == "description" else StringField
            field = kind(label, validators=[Optional(), _limit(getattr(model, name))])
            setattr(form, f"{name}_{language}", field)


_add_language_fields(
    EventForm, Event, {"title": _l("Title"), "description": _l("Description"), "venue": _l("Venue")}
)
_add_language_fields(
    SessionForm, TrainingSession, {"title": _l("Title"), "description": _l("Description")}
)


def translations_of(form: FlaskForm, names: tuple[str, ...], main: str) -> dict:
    """``{field: {language: text}}`` the form gives for the languages other than ``main``."""
    return {
        name: {
            language: getattr(form, f"{name}_{language}").data or ""
            for language in LANGUAGE_NAMES
            if language != main
        }
        for name in names
    }


def language_data(obj: object, names: tuple[str, ...]) -> dict[str, str]:
    """The form's per-language inputs filled from ``obj``'s stored texts."""
    return {
        f"{name}_{language}": text
        for name in names
        for language, text in obj.texts_of(name).items()  # type: ignore[attr-defined]
    }


class DuplicateForm(FlaskForm):
    """A copy of an event as a new draft: its new start date and address."""

    starts_on = DateField(_l("New start date"), validators=[InputRequired()])
    slug = StringField(
        _l("Web address (slug)"),
        validators=[DataRequired(), Length(max=max_length(Event.slug))],
    )
    submit = SubmitField(_l("Make the draft copy"))
