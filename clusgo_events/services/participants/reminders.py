"""The reminder before the event: once per person, to confirmed participants only.

Each event says how many days before its start the reminder goes (``Event.reminder_days``,
0: none). The delivery worker runs :func:`queue_due_reminders` as the scheduled task
``event-reminders``; ``flask events remind SLUG`` queues it at once. Either way a person gets
it once: its outbox key is one per registration (``event-reminder:<registration>``), so a
second run, a second worker or a later run after the organiser's command queues nothing new.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Event, OutboxMessage, Registration, SessionSeat
from ...models.base import utcnow
from ...models.enums import EventStatus, OutboxKind, RegistrationStatus, SeatStatus, SessionStatus
from .. import ServiceError, audit, periodic
from ..invitations.dates import format_moment, format_when
from ..mailer import render_email
from ..outbox import attachment, keys
from ..registration.mail import qr_png, queue_to_participant
from ..sender import Sender, senders_of
from ..urls import external_url

#: how often the worker looks for reminders that fell due
CHECK_EVERY = timedelta(minutes=15)


@dataclass
class ReminderResult:
    """What a run queued (or would queue), per language."""

    queued: int = 0
    per_language: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False


def due_at(event: Event) -> datetime | None:
    """When ``event``'s reminder falls due (None: the event sends none)."""
    if not event.reminder_days or event.reminder_days <= 0:
        return None
    return event.starts_at - timedelta(days=event.reminder_days)


def _already_reminded() -> object:
    return exists().where(
        OutboxMessage.registration_id == Registration.id,
        OutboxMessage.kind == OutboxKind.EVENT_REMINDER,
    )


def _pending_where(event: Event) -> list[object]:
    return [
        Registration.event_id == event.id,
        Registration.status == RegistrationStatus.CONFIRMED,
        ~_already_reminded(),
    ]


def pending(event: Event) -> list[Registration]:
    """The confirmed participants of ``event`` who have not had the reminder yet."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(*_pending_where(event))
            .options(selectinload(Registration.seats).selectinload(SessionSeat.session))
            .order_by(Registration.id)
        )
    )


def pending_by_language(event: Event) -> dict[str, int]:
    """How many of them read each language (one query)."""
    rows = db.session.execute(
        select(Registration.language, func.count())
        .where(*_pending_where(event))
        .group_by(Registration.language)
    )
    return {language: count for language, count in rows}


def _check_can_remind(event: Event, now: datetime) -> None:
    if event.status == EventStatus.CANCELLED:
        raise ServiceError(_l("The event is cancelled: nobody is reminded."))
    if event.status != EventStatus.PUBLISHED:
        raise ServiceError(_l("Publish the event before reminding anyone."))
    if event.starts_at <= now:
        raise ServiceError(_l("The event has started: a reminder would come too late."))


def render_reminder(
    event: Event,
    language: str,
    *,
    name: str,
    sessions: list[object],
    checkin_code: str,
    qr: bytes,
    sender: Sender,
) -> tuple[str, str, str]:
    """Subject, text and HTML of the reminder as ``name`` reads it in ``language``: the one
    rendering the outbox and the organiser's preview share."""
    return render_email(
        "event_reminder",
        language,
        lang=language,
        event=event,
        name=name,
        when=format_when(event, language),
        day=format_moment(event.starts_at, event, language),
        sessions=[(s, format_moment(s.starts_at, event, language)) for s in sessions],
        checkin_code=checkin_code,
        qr_b64=base64.b64encode(qr).decode("ascii"),
        note=event.text("reminder_note", language),
        sender=sender,
        my_url=external_url("registration.mine"),
        ics_url=external_url("calendar.event_ics", slug=event.slug),
    )


def _sessions_of(registration: Registration) -> list[object]:
    seats = [
        s
        for s in registration.seats
        if s.status == SeatStatus.CONFIRMED and s.session.status != SessionStatus.CANCELLED
    ]
    return [s.session for s in sorted(seats, key=lambda s: (s.session.starts_at, s.session_id))]


def _queue(registration: Registration, senders: Callable[[str | None], Sender]) -> None:
    event = registration.event
    sender = senders(registration.country)
    qr = qr_png(registration.checkin_code)
    mail = render_reminder(
        event,
        registration.language,
        name=registration.name,
        sessions=_sessions_of(registration),
        checkin_code=registration.checkin_code,
        qr=qr,
        sender=sender,
    )
    queue_to_participant(
        registration,
        keys.event_reminder(registration),
        sender,
        mail,
        attachments=[attachment("checkin-code.png", "image/png", qr)],
    )


def remind(
    event: Event, dry_run: bool = False, progress: Callable[[int], None] | None = None
) -> ReminderResult:
    """Queue the reminder now to every confirmed participant of ``event`` who has not had it;
    safe to run again (nothing new is queued). The caller commits."""
    _check_can_remind(event, utcnow())
    people = pending(event)
    result = ReminderResult(dry_run=dry_run)
    for registration in people:
        result.per_language[registration.language] = (
            result.per_language.get(registration.language, 0) + 1
        )
    result.queued = len(people)
    if dry_run or not people:
        return result
    senders = senders_of(event)
    for registration in people:
        _queue(registration, senders)
        if progress is not None:
            progress(1)
    db.session.flush()
    audit.record("event.remind", event, {"queued": result.queued})
    return result


@periodic.task("event-reminders", every=CHECK_EVERY)
def queue_due_reminders(now: datetime) -> int:
    """The scheduled task: the reminders of every published, not yet started event whose
    reminder has fallen due; how many were queued."""
    events = db.session.scalars(
        select(Event).where(
            Event.status == EventStatus.PUBLISHED, Event.starts_at > now, Event.reminder_days > 0
        )
    )
    queued = 0
    for event in list(events):
        due = due_at(event)
        if due is not None and due <= now:
            queued += remind(event).queued
    return queued


def sample_reminder(event: Event, language: str, sender: Sender) -> tuple[str, str, str]:
    """The reminder for the organiser's preview: a stand-in name and code, the event's first
    two sessions as the example of "their sessions"."""
    from .preview import stand_in_name

    name = stand_in_name(language)
    sessions = [s for s in event.sessions if s.status != SessionStatus.CANCELLED][:2]
    return render_reminder(
        event,
        language,
        name=name,
        sessions=sessions,
        checkin_code="PREVIEW",
        qr=qr_png("PREVIEW"),
        sender=sender,
    )
