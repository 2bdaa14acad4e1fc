"""Calendar invitations by e-mail (iMIP): invite, update and cancel, through the outbox.

Receivers of the domain signals (``RECEIVERS``, connected by ``signals.connect_receivers``):

* ``registration_confirmed`` -> METHOD:REQUEST for the event to that person;
* ``seat_confirmed`` -> METHOD:REQUEST for the session;
* ``registration_cancelled`` / ``seat_cancelled`` -> METHOD:CANCEL for that person;
* ``event_changed`` / ``session_changed`` -> METHOD:REQUEST (same UID, higher SEQUENCE, new
  DTSTAMP) to every confirmed participant; an event change also updates the sessions'
  entries of their seat holders, because a session's LOCATION is its event's venue;
* ``event_cancelled`` / ``session_cancelled`` -> METHOD:CANCEL to every confirmed
  participant (an event's cancellation cancels each of its sessions' entries too).

SEQUENCE per person. A client keeps one entry per UID and ignores a message whose SEQUENCE is
not higher than the one it holds. When one person cancels, the event's own SEQUENCE does not
change, so their CANCEL says ``object sequence + 1``; if they register again, the new REQUEST
must beat that CANCEL, and every later update must beat the new REQUEST. So every message to
a person carries ``object sequence + offset``, where the offset is the number of per-person
messages (invite or withdrawal) this person got for this UID before (for an object-wide
update or cancel: that number minus one, never below zero). Both terms only rise, so what one
person receives only rises, and the same change always yields the same number: the
idempotency key ``cal:<uid>:<sequence>:<METHOD>:<recipient>`` then makes a repeated signal
queue nothing. The history is read from the outbox itself (the ``kind`` of earlier calendar
messages to this address about this event or session).

The words a person reads: a per-person message (invite, withdrawal) is the one mail its change
sends. The registration's notice (confirmed, moved up, cancelled) does not go as a mail of its
own when this operation queued the calendar message for the same person and object: it
becomes that message's subject and text (:func:`carrier`), so registering for an event and two
sessions sends three mails, cancelling one session one.

Repeats are skipped: an invite when this person's last per-person message already was an
invite, a withdrawal when nothing was sent yet or the last message was already a CANCEL
(e.g. the event was cancelled first and then the registrations with it).
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from .. import signals
from ..extensions import db
from ..models import (
    Event,
    EventStatus,
    OutboxMessage,
    OutboxStatus,
    Registration,
    RegistrationStatus,
    SeatStatus,
    SessionSeat,
    TrainingSession,
)
from . import ical
from .mailer import render_email
from .outbox import enqueue, keys
from .sender import senders_of
from .timeutil import utc_to_local

# kinds of outbox message; the first two are per-person and move the person's offset
INVITE, WITHDRAW, UPDATE, CANCEL = keys.CALENDAR_KINDS
PERSONAL_KINDS = (INVITE, WITHDRAW)
CALENDAR_KINDS = keys.CALENDAR_KINDS
METHOD_OF = {INVITE: "REQUEST", UPDATE: "REQUEST", WITHDRAW: "CANCEL", CANCEL: "CANCEL"}
TEMPLATE_OF = {
    INVITE: "calendar_invite",
    UPDATE: "calendar_update",
    WITHDRAW: "calendar_cancel",
    CANCEL: "calendar_cancel",
}


@dataclass(frozen=True)
class Participant:
    """Who gets a calendar message, in which language."""

    email: str
    name: str
    language: str
    country: str | None = None

    @classmethod
    def of(cls, registration: Registration) -> Participant:
        return cls(
            email=(registration.email or "").strip().lower(),
            name=registration.name or "",
            language=registration.language or "en",
            country=registration.country,
        )


@dataclass
class _History:
    personal: int = 0  # per-person messages sent so far
    last_personal_kind: str | None = None
    last_kind: str | None = None


def _histories(obj: Event | TrainingSession) -> dict[str, _History]:
    """Per recipient (lower-case), what calendar mail about ``obj`` was queued so far."""
    if isinstance(obj, TrainingSession):
        about = keys.about(CALENDAR_KINDS, session_id=obj.id)
    else:
        about = keys.about(CALENDAR_KINDS, event_id=obj.id, session_id=None)
    rows = db.session.execute(
        select(OutboxMessage.recipient, OutboxMessage.kind).where(about).order_by(OutboxMessage.id)
    )
    histories: dict[str, _History] = {}
    for recipient, kind in rows:
        history = histories.setdefault(recipient.lower(), _History())
        history.last_kind = kind
        if kind in PERSONAL_KINDS:
            history.personal += 1
            history.last_personal_kind = kind
    return histories


def _offset(kind: str, history: _History) -> int:
    if kind in PERSONAL_KINDS:
        return history.personal
    return max(0, history.personal - 1)


def _should_send(kind: str, history: _History) -> bool:
    if kind == INVITE:
        return history.last_personal_kind != INVITE
    if kind in (WITHDRAW, CANCEL):
        return history.last_kind is not None and METHOD_OF[history.last_kind] != "CANCEL"
    if kind == UPDATE:
        return history.last_kind is None or METHOD_OF[history.last_kind] != "CANCEL"
    return True


def _sequence(obj: Event | TrainingSession) -> int:
    if isinstance(obj, Event):
        return ical.event_sequence(obj)
    return ical.session_sequence(obj)


def when_text(obj: Event | TrainingSession, language: str) -> str:
    """``30. března 2030 09:00 – 1. dubna 2030 17:00 CEST (Europe/Prague)`` in ``language``."""
    zone = obj.timezone if isinstance(obj, Event) else obj.event.timezone
    start = utc_to_local(obj.starts_at, zone)
    end = utc_to_local(obj.ends_at, zone)
    start_text = f"{format_date(start.date(), 'long', locale=language)} {start:%H:%M}"
    if end.date() == start.date():
        end_text = f"{end:%H:%M}"
    else:
        end_text = f"{format_date(end.date(), 'long', locale=language)} {end:%H:%M}"
    zones = start.tzname() if start.tzname() == end.tzname() else f"{start.tzname()}/{end.tzname()}"
    return f"{start_text} – {end_text} {zones} ({zone})"


def _send(
    obj: Event | TrainingSession,
    kind: str,
    participants: list[Participant],
) -> int:
    """Queue ``kind`` for ``obj`` to each participant (see the module notes); how many."""
    if not current_app.config["CALENDAR_MAIL"]:
        return 0
    histories = _histories(obj)
    method = METHOD_OF[kind]
    event = obj if isinstance(obj, Event) else obj.event
    queued = 0
    senders = senders_of(event)
    seen: set[str] = set()
    for person in participants:
        if not person.email or person.email in seen:
            continue
        seen.add(person.email)
        history = histories.get(person.email, _History())
        if not _should_send(kind, history):
            continue
        offset = _offset(kind, history)
        sequence = _sequence(obj) + offset
        with force_locale(person.language):
            ics = ical.invitation(
                obj,
                method=method,
                attendee_email=person.email,
                attendee_name=person.name,
                sequence_offset=offset,
            )
        sender = senders(person.country)
        subject, text, html = render_email(
            TEMPLATE_OF[kind],
            person.language,
            sender=sender,
            lang=person.language,
            name=person.name,
            is_session=isinstance(obj, TrainingSession),
            personal=kind in PERSONAL_KINDS,
            title=obj.title,
            event_title=event.title,
            when=when_text(obj, person.language),
            where=ical.session_location(obj)
            if isinstance(obj, TrainingSession)
            else ical.event_location(obj),
            url=ical.event_url(event),
        )
        message = enqueue(
            key=keys.calendar(kind, obj, sequence, method, person.email),
            recipient=person.email,
            recipient_name=person.name,
            reply_to=sender.contact_email,
            reply_to_name=sender.contact_name,
            subject=subject,
            body_text=text,
            body_html=html,
            language=person.language,
            calendar_method=method,
            calendar_ics=ics,
        )
        if kind in PERSONAL_KINDS:
            _queued_now()[_carrier_key(person.email, obj, kind)] = message
        queued += 1
    db.session.flush()
    return queued


# --- the calendar message that carries a registration's notice ------------------------------

_QUEUED_NOW = "calendar_mail.queued_now"


def _queued_now() -> dict[tuple[str, str, int, str], OutboxMessage]:
    """The per-person calendar messages this transaction queued (cleared at its end)."""
    return db.session.info.setdefault(_QUEUED_NOW, {})


def _carrier_key(email: str, obj: Event | TrainingSession, kind: str) -> tuple[str, str, int, str]:
    return (email.strip().lower(), type(obj).__name__, obj.id, str(kind))


def carrier(email: str, obj: Event | TrainingSession, confirmed: bool) -> OutboxMessage | None:
    """The invite (``confirmed``) or withdrawal this transaction queued to ``email`` about
    ``obj``, still unsent: the mail that carries the registration's notice; None if none."""
    kind = INVITE if confirmed else WITHDRAW
    message = _queued_now().get(_carrier_key(email, obj, kind))
    if message is None or message.status != OutboxStatus.QUEUED or message.locked_by:
        return None
    return message


@sa_event.listens_for(Session, "after_commit")
@sa_event.listens_for(Session, "after_rollback")
def _forget_queued(session: Session) -> None:
    session.info.pop(_QUEUED_NOW, None)


# --- who takes part -------------------------------------------------------------------------


def event_participants(event: Event) -> list[Participant]:
    """Everyone with a confirmed registration for ``event``."""
    registrations = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
        )
        .order_by(Registration.id)
    )
    return [Participant.of(r) for r in registrations]


def session_participants(session: TrainingSession) -> list[Participant]:
    """Everyone with a confirmed seat (of a confirmed registration) in ``session``."""
    registrations = db.session.scalars(
        select(Registration)
        .join(SessionSeat, SessionSeat.registration_id == Registration.id)
        .where(
            SessionSeat.session_id == session.id,
            SessionSeat.status == SeatStatus.CONFIRMED,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(Registration.id)
    )
    return [Participant.of(r) for r in registrations]


def _seat_holders_by_session(event: Event) -> dict[int, list[Participant]]:
    """Confirmed seat holders of each of ``event``'s sessions, in one query."""
    seats = db.session.scalars(
        select(SessionSeat)
        .join(Registration, Registration.id == SessionSeat.registration_id)
        .join(TrainingSession, TrainingSession.id == SessionSeat.session_id)
        .where(
            TrainingSession.event_id == event.id,
            SessionSeat.status == SeatStatus.CONFIRMED,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .options(joinedload(SessionSeat.registration))
        .order_by(SessionSeat.id)
    )
    holders: dict[int, list[Participant]] = {}
    for seat in seats:
        holders.setdefault(seat.session_id, []).append(Participant.of(seat.registration))
    return holders


def _load_event(event: Event) -> Event:
    """``event`` with its sessions and their trainers loaded (one query each)."""
    return db.session.scalars(
        select(Event)
        .where(Event.id == event.id)
        .options(selectinload(Event.sessions).selectinload(TrainingSession.trainers))
    ).one()


# --- the receivers --------------------------------------------------------------------------


def on_registration_confirmed(registration: Registration, **_: object) -> None:
    """REQUEST for the event to the newly confirmed person."""
    if (
        registration.status != RegistrationStatus.CONFIRMED
        or registration.event.status == EventStatus.CANCELLED
    ):
        return
    _send(registration.event, INVITE, [Participant.of(registration)])


def on_registration_cancelled(registration: Registration, **_: object) -> None:
    """CANCEL of the event for that person (only if they had been invited)."""
    _send(registration.event, WITHDRAW, [Participant.of(registration)])


def on_seat_confirmed(seat: SessionSeat, **_: object) -> None:
    """REQUEST for the session to the newly seated person."""
    if (
        seat.status != SeatStatus.CONFIRMED
        or seat.registration.status != RegistrationStatus.CONFIRMED
    ):
        return
    if ical.session_status(seat.session) == "CANCELLED":
        return
    _send(seat.session, INVITE, [Participant.of(seat.registration)])


def on_seat_cancelled(seat: SessionSeat, **_: object) -> None:
    """CANCEL of the session for that person (only if they had been invited)."""
    _send(seat.session, WITHDRAW, [Participant.of(seat.registration)])


def on_event_changed(event: Event, **_: object) -> None:
    """Updates to the event's participants, and to the seat holders of its sessions."""
    event = _load_event(event)
    kind = CANCEL if event.status == EventStatus.CANCELLED else UPDATE
    _send(event, kind, event_participants(event))
    holders = _seat_holders_by_session(event)
    for session in event.sessions:
        if session.id in holders:
            session_kind = CANCEL if ical.session_status(session) == "CANCELLED" else UPDATE
            _send(session, session_kind, holders[session.id])


def on_event_cancelled(event: Event, **_: object) -> None:
    """CANCEL of the event and of each of its sessions to their participants."""
    event = _load_event(event)
    _send(event, CANCEL, event_participants(event))
    holders = _seat_holders_by_session(event)
    for session in event.sessions:
        if session.id in holders:
            _send(session, CANCEL, holders[session.id])


def on_session_changed(session: TrainingSession, **_: object) -> None:
    """Update of the session to its seat holders."""
    kind = CANCEL if ical.session_status(session) == "CANCELLED" else UPDATE
    _send(session, kind, session_participants(session))


def on_session_cancelled(session: TrainingSession, **_: object) -> None:
    """CANCEL of the session to its seat holders."""
    _send(session, CANCEL, session_participants(session))


RECEIVERS = (
    (signals.registration_confirmed, on_registration_confirmed),
    (signals.registration_cancelled, on_registration_cancelled),
    (signals.seat_confirmed, on_seat_confirmed),
    (signals.seat_cancelled, on_seat_cancelled),
    (signals.event_changed, on_event_changed),
    (signals.event_cancelled, on_event_cancelled),
    (signals.session_changed, on_session_changed),
    (signals.session_cancelled, on_session_cancelled),
)
