"""The event's Mail settings form (format checks only; the rules live in services/participants/)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from ..models import Event, ParticipantMessage
from ..models.base import max_length
from ..services.survey.normalise import LANGUAGES

NOTES = {
    "invitation_note": _l("Your own paragraph in the invitation"),
    "reminder_note": _l("Your own paragraph in the reminder before the event"),
}


def _optional_id(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return -1  # not in the list: the service refuses it


class MailForm(FlaskForm):
    """The organiser's words per language, the contact person, the inviting association."""

    contact_name = StringField(
        _l("Contact person"),
        validators=[Optional()],
        render_kw={"maxlength": max_length(Event.contact_name)},
    )
    contact_email = StringField(
        _l("Contact person's e-mail (Reply-To)"),
        validators=[Optional()],
        render_kw={"maxlength": max_length(Event.contact_email), "type": "email"},
    )
    inviting_organisation_id = SelectField(
        _l("Inviting association"), coerce=_optional_id, validate_choice=False
    )

    reminder_days = IntegerField(
        _l("Remind participants this many days before the event (0: no reminder)"),
        validators=[InputRequired()],
        render_kw={"min": 0},
    )

    def set_associations(self, associations: list[tuple[int, str]]) -> None:
        self.inviting_organisation_id.choices = [
            SelectChoice("", _l("the partner association of each recipient's country")),
            *(SelectChoice(str(i), name) for i, name in associations),
        ]

    def note_fields(self, name: str) -> list[tuple[str, object]]:
        """``(language, field)`` of one note, main language first."""
        return [(language, getattr(self, f"{name}_{language}")) for language in LANGUAGES]


for _note in NOTES:
    for _language in LANGUAGES:
        setattr(
            MailForm,
            f"{_note}_{_language}",
            TextAreaField(f"{_note} ({_language})", validators=[Optional()], render_kw={"rows": 3}),
        )


class MessageForm(FlaskForm):
    """A message to participants: to whom, and its subject and text per language."""

    session_id = SelectField(
        _l("To the participants of"), coerce=_optional_id, validate_choice=False
    )
    include_waitlisted = BooleanField(_l("Also to those on the waiting list"))

    def set_sessions(self, sessions: list[tuple[int, str]]) -> None:
        self.session_id.choices = [
            SelectChoice("", _l("the whole event")),
            *(SelectChoice(str(i), title) for i, title in sessions),
        ]

    def language_fields(self) -> list[tuple[str, object, object]]:
        """``(language, subject field, text field)`` for each language."""
        return [
            (lang, getattr(self, f"subject_{lang}"), getattr(self, f"body_{lang}"))
            for lang in LANGUAGES
        ]


for _language in LANGUAGES:
    setattr(
        MessageForm,
        f"subject_{_language}",
        StringField(
            f"subject ({_language})",
            validators=[Optional()],
            render_kw={"maxlength": max_length(ParticipantMessage.subject)},
        ),
    )
    setattr(
        MessageForm,
        f"body_{_language}",
        TextAreaField(f"text ({_language})", validators=[Optional()], render_kw={"rows": 6}),
    )
