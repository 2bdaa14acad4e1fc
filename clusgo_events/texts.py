"""Words for stored values (roles, statuses), in the reader's language.

Templates print ``role_name(user.role)`` and ``enum_label(status)`` instead of the stored
value, so a page never shows ``waitlisted`` or ``organiser`` to a Czech reader.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from .models.enums import (
    EventStatus,
    InvitationStatus,
    OutboxKind,
    OutboxStatus,
    RegistrationStatus,
    Role,
    SessionStatus,
)

ROLE_NAMES: dict[str, LazyString] = {
    Role.ADMIN: _l("administrator"),
    Role.ORGANISER: _l("organiser"),
    Role.TRAINER: _l("trainer"),
    Role.REPRESENTATIVE: _l("representative"),
}

#: one word per stored status value (several enums share "cancelled", "sent", ...)
STATUS_LABELS: dict[str, LazyString] = {
    EventStatus.DRAFT: _l("draft"),
    EventStatus.PUBLISHED: _l("published"),
    EventStatus.CANCELLED: _l("cancelled"),
    SessionStatus.SCHEDULED: _l("scheduled"),
    InvitationStatus.QUEUED: _l("queued"),
    InvitationStatus.SENT: _l("sent"),
    InvitationStatus.FAILED: _l("failed"),
    InvitationStatus.ACCEPTED: _l("accepted"),
    InvitationStatus.DECLINED: _l("declined"),
    InvitationStatus.EXPIRED: _l("expired"),
    RegistrationStatus.CONFIRMED: _l("confirmed"),
    RegistrationStatus.WAITLISTED: _l("waiting list"),
    OutboxStatus.SENDING: _l("sending"),
}


#: what each kind of outbox message is, as the Outbox page names it
KIND_LABELS: dict[str, LazyString] = {
    OutboxKind.INVITATION: _l("invitation"),
    OutboxKind.INVITATION_REMINDER: _l("invitation reminder"),
    OutboxKind.REGISTRATION_CONFIRMED: _l("registration confirmed"),
    OutboxKind.REGISTRATION_WAITLISTED: _l("registration on the waiting list"),
    OutboxKind.REGISTRATION_PROMOTED: _l("place became free"),
    OutboxKind.REGISTRATION_CANCELLED: _l("registration cancelled"),
    OutboxKind.CALENDAR_INVITE: _l("calendar invitation"),
    OutboxKind.CALENDAR_WITHDRAW: _l("calendar withdrawal"),
    OutboxKind.CALENDAR_UPDATE: _l("calendar update"),
    OutboxKind.CALENDAR_CANCEL: _l("calendar cancellation"),
    OutboxKind.CERTIFICATE: _l("certificate"),
    OutboxKind.SIGNUP: _l("sign-up confirmation"),
    OutboxKind.SIGNUP_EXISTING: _l("sign-up of an existing account"),
    OutboxKind.PASSWORD_RESET: _l("password reset"),
    OutboxKind.MAIL_TEST: _l("test copy"),
    OutboxKind.EVENT_REMINDER: _l("reminder before the event"),
    OutboxKind.PARTICIPANT_MESSAGE: _l("message to participants"),
    OutboxKind.ACCOUNT_SETUP: _l("account set-up link"),
    OutboxKind.OTHER: _l("other"),
}


def kind_label(kind: str | None) -> str:
    """An outbox message's kind as the reader's language names it."""
    return str(KIND_LABELS.get(kind or "", kind or ""))


def role_name(role: str | None) -> str:
    """The role as the reader's language names it."""
    return str(ROLE_NAMES.get(role or "", role or ""))


def enum_label(value: str | None) -> str:
    """A stored status as the reader's language names it (the value itself when unknown)."""
    return str(STATUS_LABELS.get(value or "", value or ""))


def country_name(code: str | None) -> str:
    """The country of an ISO code in the reader's language (Babel's CLDR names)."""
    from flask_babel import get_locale

    if not code:
        return ""
    locale = get_locale()
    return (locale.territories.get(code.upper()) if locale else None) or code


def language_name(code: str | None) -> str:
    """A language named in itself (``čeština``); empty for none."""
    from .i18n import LANGUAGE_NAMES

    return LANGUAGE_NAMES.get(code or "", code or "")
