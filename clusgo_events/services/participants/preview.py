"""The organiser's preview of a mail before sending it, and a test copy to their own address.

A preview is rendered by the very function that renders the real mail (only the personal link
and the name are stand-ins), so what the organiser sees is what each language's recipients get.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...extensions import db
from ...i18n import COUNTRY_LANGUAGE, language_for
from ...models import Event, OutboxMessage, User
from .. import ServiceError, audit
from .. import invitations as invitation_service
from ..outbox import enqueue, keys
from ..sender import sender_for
from ..urls import external_url
from . import reminders


def country_of(language: str) -> str | None:
    """The country whose people read ``language`` (None for English): the preview names
    that country's partner association."""
    return next((c for c, lang in COUNTRY_LANGUAGE.items() if lang == language), None)


def _invitation_recipients(event: Event) -> dict[str, int]:
    sub = invitation_service.eligible_query(event).subquery()
    rows = db.session.execute(
        select(sub.c.language, sub.c.country, func.count()).group_by(sub.c.language, sub.c.country)
    )
    counts: dict[str, int] = {}
    for language, country, count in rows:
        key = language_for(language, country)
        counts[key] = counts.get(key, 0) + count
    return counts


def _reminder_recipients(event: Event) -> dict[str, int]:
    sub = invitation_service.reminder_candidates(event).subquery()
    rows = db.session.execute(select(sub.c.language, func.count()).group_by(sub.c.language))
    return {language: count for language, count in rows}


def stand_in_name(language: str) -> str:
    """What a preview shows in place of the recipient's name, in ``language``."""
    with force_locale(language):
        return _("[the recipient's name]")


def _render_invitation(template: str) -> Callable[[Event, str], tuple[str, str, str]]:
    def render(event: Event, language: str) -> tuple[str, str, str]:
        return invitation_service.render_mail(
            event,
            language,
            template,
            name=stand_in_name(language),
            # a preview carries no personal link: its link opens the event's public page
            url=external_url("events.show", slug=event.slug),
            reminder_number=1,
            sender=sender_for(event, country_of(language)),
        )

    return render


def _render_reminder_before(event: Event, language: str) -> tuple[str, str, str]:
    return reminders.sample_reminder(event, language, sender_for(event, country_of(language)))


@dataclass(frozen=True)
class MailKind:
    """A mail the organiser previews: its label, who gets it, how it is rendered."""

    label: object
    recipients: Callable[[Event], dict[str, int]]
    render: Callable[[Event, str], tuple[str, str, str]]


MAILS: dict[str, MailKind] = {
    "invitation": MailKind(
        _l("Invitation"), _invitation_recipients, _render_invitation("invitation")
    ),
    "reminder": MailKind(
        _l("Reminder to answer the invitation"),
        _reminder_recipients,
        _render_invitation("reminder"),
    ),
    "event-reminder": MailKind(
        _l("Reminder before the event"), reminders.pending_by_language, _render_reminder_before
    ),
}


@dataclass(frozen=True)
class Preview:
    """One mail in one language: subject, text and HTML as its recipients get them."""

    mail: str
    language: str
    subject: str
    text: str
    html: str


def recipients_by_language(event: Event, mail: str) -> dict[str, int]:
    """How many would get ``mail`` now, per language (every language listed, zeros too)."""
    counts = _kind(mail).recipients(event)
    return {language: counts.get(language, 0) for language in current_app.config["LANGUAGES"]}


def _kind(mail: str) -> MailKind:
    if mail not in MAILS:
        raise ServiceError(_l("Choose a mail from the list."), "mail")
    return MAILS[mail]


def _language(language: str) -> str:
    if language not in current_app.config["LANGUAGES"]:
        raise ServiceError(_l("Choose a language from the list."), "language")
    return language


def preview(event: Event, mail: str, language: str) -> Preview:
    """``mail`` of ``event`` in ``language`` as its recipients get it."""
    subject, text, html = _kind(mail).render(event, _language(language))
    return Preview(mail, language, subject, text, html)


def send_test(event: Event, mail: str, language: str, user: User) -> OutboxMessage:
    """Queue a copy of the preview to ``user``'s own address, marked as a test."""
    shown = preview(event, mail, language)
    with force_locale(language):
        subject = _("[Test] %(subject)s", subject=shown.subject)
    key = keys.mail_test(event, f"{user.id}:{mail}:{language}:{secrets.token_hex(6)}")
    message = enqueue(
        key=key,
        recipient=user.email,
        recipient_name=user.name or "",
        subject=subject,
        body_text=shown.text,
        body_html=shown.html,
        language=language,
    )
    audit.record("mail.test", event, {"mail": mail, "language": language, "to": user.email})
    return message
