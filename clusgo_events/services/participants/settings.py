"""An event's mail settings: the organiser's own words, the contact person, the association,
how many days before the event the reminder goes.

Kept apart from the event's main form: they change what the mails say, not the event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Event, Organisation, OrganisationKind
from ...models.base import max_length
from ...models.event import DEFAULT_REMINDER_DAYS, MAX_REMINDER_DAYS, NOTE_LIMIT
from .. import ServiceError, ValidationErrors, audit
from .. import users as user_service

NOTES = ("invitation_note", "reminder_note")


@dataclass
class MailSettings:
    """What the organiser sets: ``notes[field][language]``, the contact, the association."""

    notes: dict[str, dict[str, str]] = field(default_factory=dict)
    contact_name: str = ""
    contact_email: str = ""
    inviting_organisation_id: int | None = None
    reminder_days: int = DEFAULT_REMINDER_DAYS


def settings_of(event: Event) -> MailSettings:
    """The event's current mail settings (every language's notes)."""
    return MailSettings(
        notes={name: event.texts_of(name) for name in NOTES},
        contact_name=event.contact_name or "",
        contact_email=event.contact_email or "",
        inviting_organisation_id=event.inviting_organisation_id,
        reminder_days=event.reminder_days,
    )


def _clean(event: Event, settings: MailSettings) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    languages = current_app.config["LANGUAGES"]
    notes: dict[str, dict[str, str]] = {}
    for name in NOTES:
        given = settings.notes.get(name) or {}
        notes[name] = {}
        for language, text in given.items():
            text = (text or "").strip()
            if language not in languages:
                continue
            if len(text) > NOTE_LIMIT:
                errors[f"{name}_{language}"] = _l("At most %(n)s characters.", n=NOTE_LIMIT)
            notes[name][language] = text
    name = (settings.contact_name or "").strip()
    if len(name) > max_length(Event.contact_name):
        errors["contact_name"] = _l("At most %(n)s characters.", n=max_length(Event.contact_name))
    address = (settings.contact_email or "").strip()
    if address:
        try:
            address = user_service.normalise_email(address)
        except ServiceError as exc:
            errors["contact_email"] = exc.message
        if len(address) > max_length(Event.contact_email):
            errors["contact_email"] = _l(
                "At most %(n)s characters.", n=max_length(Event.contact_email)
            )
    elif name:
        errors["contact_email"] = _l("Give the contact person's address: answers go there.")
    organisation = None
    if settings.inviting_organisation_id is not None:
        organisation = db.session.get(Organisation, settings.inviting_organisation_id)
        if organisation is None or organisation.kind != OrganisationKind.ASSOCIATION:
            errors["inviting_organisation_id"] = _l("Choose an association from the list.")
    days = settings.reminder_days
    if not isinstance(days, int) or not 0 <= days <= MAX_REMINDER_DAYS:
        errors["reminder_days"] = _l("Between 0 (no reminder) and %(n)s days.", n=MAX_REMINDER_DAYS)
    if errors:
        raise ValidationErrors(errors)
    return {
        "notes": notes,
        "name": name,
        "address": address,
        "organisation": organisation,
        "days": days,
    }


def update_settings(event: Event, settings: MailSettings) -> Event:
    """Store the event's mail settings; refuses bad values, changing nothing."""
    clean = _clean(event, settings)
    for name, texts in clean["notes"].items():
        event.set_texts(name, texts)
    event.contact_name = clean["name"]
    event.contact_email = clean["address"]
    event.inviting_organisation = clean["organisation"]
    event.reminder_days = clean["days"]
    db.session.flush()
    audit.record(
        "event.mail_settings",
        event,
        {
            "notes": {name: sorted(texts) for name, texts in clean["notes"].items() if texts},
            "contact": bool(clean["address"]),
            "association": event.inviting_organisation_id,
            "reminder_days": event.reminder_days,
        },
        event=event,
    )
    return event
