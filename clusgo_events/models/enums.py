"""Every status and closed set of values, as ``StrEnum``s backed by CHECK constraints.

A member *is* its string (``EventStatus.DRAFT == "draft"``), so rows, JSON and templates keep
the plain values; code names the member. ``check_in(column, enum)`` makes the CHECK constraint
a model declares in ``__table_args__`` (the migration that adds it names it the same way), and
``tests/test_schema.py`` compares the constraints in the database with the models.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint


class EventStatus(StrEnum):
    """An event's life: a draft only staff see, published, or cancelled."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class SessionStatus(StrEnum):
    """A training session is scheduled or cancelled."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class InvitationStatus(StrEnum):
    """An invitation's stored state; ``EXPIRED`` is also what an unanswered, lapsed one shows."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class RegistrationStatus(StrEnum):
    """A registration (and, with the same values, a session seat)."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


#: a seat in a training session has the same three states as a registration
SeatStatus = RegistrationStatus


class AttendanceStatus(StrEnum):
    """How a person attended one training session."""

    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"


class AttendanceMethod(StrEnum):
    """How an attendance mark was made."""

    MANUAL = "manual"
    QR = "qr"
    WALK_IN = "walk-in"


class OutboxStatus(StrEnum):
    """An outbox message on its way to the SMTP server."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxKind(StrEnum):
    """What an outbox message is. With its reference columns (event, invitation, registration,
    session, respondent) it says what the message is about; ``services.outbox.keys`` builds
    the idempotency key of each kind."""

    INVITATION = "invitation"
    INVITATION_REMINDER = "invitation-reminder"
    REGISTRATION_CONFIRMED = "registration_confirmed"
    REGISTRATION_WAITLISTED = "registration_waitlisted"
    REGISTRATION_PROMOTED = "registration_promoted"
    REGISTRATION_CANCELLED = "registration_cancelled"
    CALENDAR_INVITE = "calendar-invite"
    CALENDAR_WITHDRAW = "calendar-withdraw"
    CALENDAR_UPDATE = "calendar-update"
    CALENDAR_CANCEL = "calendar-cancel"
    CERTIFICATE = "certificate"
    SIGNUP = "signup"
    SIGNUP_EXISTING = "signup_existing"
    PASSWORD_RESET = "password_reset"
    MAIL_TEST = "mail-test"  # an organiser's test copy of a previewed mail
    EVENT_REMINDER = "event-reminder"  # to a confirmed participant, days before the event
    PARTICIPANT_MESSAGE = "participant-message"  # an organiser's message to participants
    OTHER = "other"


class Role(StrEnum):
    """What an account may do (an admin may do everything)."""

    ADMIN = "admin"
    ORGANISER = "organiser"
    TRAINER = "trainer"
    REPRESENTATIVE = "representative"


class Interest(StrEnum):
    """Which survey interest makes a respondent eligible for an event's invitation."""

    ANY = "any"
    EVENT = "event"
    TRAINING = "training"


class OrganisationKind(StrEnum):
    """What an organisation is to the network."""

    CLUSTER = "cluster"
    ASSOCIATION = "association"
    HOST = "host"


class AuditSource(StrEnum):
    """Where a recorded change came from."""

    WEB = "web"
    CLI = "cli"
    WORKER = "worker"


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    """The enum's values in declaration order (for choices and CHECK constraints)."""
    return tuple(member.value for member in enum)


def check_in(column: str, enum: type[StrEnum]) -> CheckConstraint:
    """``CHECK (column IN (...))`` named ``<column>_values`` (the naming convention adds the
    table: ``ck_<table>_<column>_values``)."""
    allowed = ", ".join(f"'{value}'" for value in values(enum))
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_values")
