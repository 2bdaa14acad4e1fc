"""Places and waiting lists of events and training sessions: take, free, promote, capacity.

The one home of these rules, used by registration, the event and session edit forms and the
organiser's pages. Every function here runs under the event's write lock
(:func:`transactions.lock_event`): the public operations take it, the helpers expect it held.
Places are taken with a conditional ``UPDATE ... SET confirmed_count = confirmed_count + 1
WHERE confirmed_count < capacity`` whose row count says whether a place was free. Waiting lists
are ordered by a queue number (``waitlist_position``) drawn under the same lock; what a person
sees as their position is their rank among those still waiting. Nobody moves up once the event
or the session is cancelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Event, Registration, SessionSeat, TrainingSession
from ..models.enums import EventStatus, RegistrationStatus, SeatStatus, SessionStatus
from ..signals import registration_confirmed, seat_confirmed
from . import ServiceError, audit
from .transactions import lock_event, reload

#: the most places an event or a session may have (far beyond any venue; keeps INTEGER safe)
MAX_CAPACITY = 100_000

Place = Event | TrainingSession


@dataclass
class Outcome:
    """What a change did, for the flash message."""

    registration: Registration | None = None
    promoted: int = 0
    capacity_raised_to: int | None = None


# --- one place ------------------------------------------------------------------------------


def take(place: Place) -> bool:
    """Take one place of an event or a session: a conditional UPDATE on its counter, so the
    count and the increment are one statement; False when it is full."""
    model = type(place)
    result = db.session.execute(
        update(model)
        .where(model.id == place.id, model.confirmed_count < model.capacity)
        .values(confirmed_count=model.confirmed_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(place, ["confirmed_count"])
    return result.rowcount == 1


def free(place: Place) -> None:
    """Give back one place of an event or a session."""
    model = type(place)
    db.session.execute(
        update(model)
        .where(model.id == place.id, model.confirmed_count > 0)
        .values(confirmed_count=model.confirmed_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(place, ["confirmed_count"])


def _next_position(model: Any, group: Any, group_id: int) -> int:
    """The next queue number of a waiting list (``group``: the event or the session column)."""
    highest = db.session.scalar(select(func.max(model.waitlist_position)).where(group == group_id))
    return (highest or 0) + 1


def _is_open(place: Place) -> bool:
    """The event, or the session and its event, still takes place: only then does anyone
    move up."""
    if isinstance(place, Event):
        return place.status != EventStatus.CANCELLED
    return place.status != SessionStatus.CANCELLED and place.event.status != EventStatus.CANCELLED


def _notify_promoted(registration: Registration, session: TrainingSession | None = None) -> None:
    """The "you have moved up" mail (imported here, not above: the registration package,
    which this module's callers import first, imports this one)."""
    from .registration.mail import Mail, notify

    notify(registration, Mail.PROMOTED, session=session)


# --- joining and leaving --------------------------------------------------------------------


def join_event(registration: Registration, event: Event) -> None:
    """Confirm ``registration`` while the event has a free place, else put it in the queue."""
    registration.status = RegistrationStatus.CONFIRMED
    registration.waitlist_position = None
    if not take(event):
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlist_position = _next_position(
            Registration, Registration.event_id, event.id
        )


def leave_event(registration: Registration, event: Event) -> bool:
    """Take ``registration`` out of the event's places or queue; True when it held a place."""
    held = registration.status == RegistrationStatus.CONFIRMED
    if held:
        free(event)
    registration.status = RegistrationStatus.CANCELLED
    registration.waitlist_position = None
    return held


def add_seat(registration: Registration, session: TrainingSession) -> SessionSeat:
    """Give ``registration`` a seat in ``session``: confirmed if free (and the registration
    is), else on the session's waiting list. Reuses a cancelled seat row."""
    seat = next((s for s in registration.seats if s.session_id == session.id), None)
    if seat is None:
        seat = SessionSeat(registration=registration, session_id=session.id)
        db.session.add(seat)
    seat.session = session
    seat.status = SeatStatus.CONFIRMED
    seat.waitlist_position = None
    if registration.status != RegistrationStatus.CONFIRMED or not take(session):
        seat.status = SeatStatus.WAITLISTED
        seat.waitlist_position = _next_position(SessionSeat, SessionSeat.session_id, session.id)
    db.session.flush()
    return seat


def release_seat(seat: SessionSeat) -> bool:
    """Cancel ``seat``; True when it held a place (now freed)."""
    held = seat.status == SeatStatus.CONFIRMED
    if held:
        free(seat.session)
    seat.status = SeatStatus.CANCELLED
    seat.waitlist_position = None
    return held


# --- moving up ------------------------------------------------------------------------------


def _confirm_seat(seat: SessionSeat) -> None:
    seat.status = SeatStatus.CONFIRMED
    seat.waitlist_position = None
    db.session.flush()
    seat_confirmed.send(seat)


def _confirm_registration(registration: Registration) -> None:
    """Confirm a waitlisted registration whose event place is already taken, with its seats."""
    registration.status = RegistrationStatus.CONFIRMED
    registration.waitlist_position = None
    db.session.flush()
    registration_confirmed.send(registration)
    for seat in sorted(registration.seats, key=lambda s: s.session_id):
        if (
            seat.status == SeatStatus.WAITLISTED
            and _is_open(seat.session)
            and _seat_is_next(seat)
            and take(seat.session)
        ):
            _confirm_seat(seat)


def _seat_is_next(seat: SessionSeat) -> bool:
    """No confirmed registration waits ahead of ``seat`` in its session."""
    ahead = db.session.scalar(
        select(func.count(SessionSeat.id))
        .join(SessionSeat.registration)
        .where(
            SessionSeat.session_id == seat.session_id,
            SessionSeat.status == SeatStatus.WAITLISTED,
            SessionSeat.waitlist_position < seat.waitlist_position,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    return not ahead


def _fill(place: Place, next_in_line: Callable[[], Any], move_up: Callable[[Any], None]) -> int:
    """Give the free places of ``place`` to its waiting list in order (``next_in_line`` reads
    the first, ``move_up`` confirms and tells them); how many moved up. Nobody moves up once
    the event or the session is cancelled."""
    promoted = 0
    while _is_open(place):
        first = next_in_line()
        if first is None or not take(place):
            break
        move_up(first)
        promoted += 1
    return promoted


def promote_event(event: Event) -> int:
    """Fill the event's free places from its waiting list, in order; how many moved up."""

    def next_in_line() -> Registration | None:
        return db.session.scalar(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.waitlist_position, Registration.id)
            .limit(1)
        )

    def move_up(registration: Registration) -> None:
        _confirm_registration(registration)
        _notify_promoted(registration)

    return _fill(event, next_in_line, move_up)


def promote_session(session: TrainingSession) -> int:
    """Fill the session's free places from its waiting list (confirmed registrations only)."""

    def next_in_line() -> SessionSeat | None:
        return db.session.scalar(
            select(SessionSeat)
            .join(SessionSeat.registration)
            .where(
                SessionSeat.session_id == session.id,
                SessionSeat.status == SeatStatus.WAITLISTED,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .order_by(SessionSeat.waitlist_position, SessionSeat.id)
            .limit(1)
        )

    def move_up(seat: SessionSeat) -> None:
        _confirm_seat(seat)
        _notify_promoted(seat.registration, session)

    return _fill(session, next_in_line, move_up)


def _make_room(place: Place, outcome: Outcome) -> None:
    """Take a place by hand: when ``place`` is full its capacity rises by one, so that
    confirmed never exceeds capacity."""
    if not _is_open(place):
        raise ServiceError(
            _l("This event is cancelled.")
            if isinstance(place, Event)
            else _l("This training session is cancelled.")
        )
    if take(place):
        return
    place.capacity = place.confirmed_count + 1
    db.session.flush()
    outcome.capacity_raised_to = place.capacity
    if not take(place):  # pragma: no cover - we hold the lock
        raise ServiceError(_l("No place could be made free."))


def promote_registration(registration: Registration) -> Outcome:
    """An organiser moves a waitlisted person up by hand, ahead of the queue (raising a full
    event's capacity by one)."""
    event = lock_event(registration.event_id)
    registration = reload(registration)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise ServiceError(_l("Only someone on the waiting list can be moved up."))
    outcome = Outcome(registration, promoted=1)
    _make_room(event, outcome)
    _confirm_registration(registration)
    _notify_promoted(registration)
    audit.record("registration.promote", registration, _raised(outcome))
    return outcome


def promote_seat(seat: SessionSeat) -> Outcome:
    """An organiser gives a waitlisted seat a place by hand (raising a full session's
    capacity by one)."""
    lock_event(seat.registration.event_id)
    seat = reload(seat)
    if seat.status != SeatStatus.WAITLISTED:
        raise ServiceError(_l("Only a seat on the waiting list can be moved up."))
    if seat.registration.status != RegistrationStatus.CONFIRMED:
        raise ServiceError(
            _l("This person is on the event's waiting list: move them up there first.")
        )
    session = seat.session
    outcome = Outcome(seat.registration, promoted=1)
    _make_room(session, outcome)
    _confirm_seat(seat)
    _notify_promoted(seat.registration, session)
    audit.record("seat.promote", seat, _raised(outcome))
    return outcome


def _raised(outcome: Outcome) -> dict[str, Any]:
    raised = outcome.capacity_raised_to
    return {"capacity_raised_to": raised} if raised is not None else {}


# --- capacity -------------------------------------------------------------------------------


def check_capacity(value: Any, confirmed: int = 0) -> int:
    """A capacity from a form: a whole number from 0 to ``MAX_CAPACITY``, not below the
    ``confirmed`` places already held."""
    try:
        capacity = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_l("Give the capacity as a whole number."), "capacity") from None
    if capacity < 0:
        raise ServiceError(_l("The capacity cannot be negative."), "capacity")
    if capacity > MAX_CAPACITY:
        raise ServiceError(_l("The capacity can be at most %(n)s.", n=MAX_CAPACITY), "capacity")
    if capacity < confirmed:
        raise ServiceError(
            _l(
                "%(n)s people are confirmed: the capacity cannot be lower than that. "
                "Cancel registrations first.",
                n=confirmed,
            ),
            "capacity",
        )
    return capacity


def change_capacity(place: Place, value: Any) -> int:
    """Set the capacity of ``place`` (the lock held); raising it promotes from the waiting list
    at once. How many moved up; the audit entry is written when the capacity changed."""
    capacity = check_capacity(value, place.confirmed_count)
    changed = capacity != place.capacity
    place.capacity = capacity
    db.session.flush()
    is_event = isinstance(place, Event)
    promoted = promote_event(place) if is_event else promote_session(place)
    if changed:
        action = "event.capacity" if is_event else "session.capacity"
        audit.record(action, place, {"capacity": capacity, "promoted": promoted})
    return promoted


def set_event_capacity(event: Event, capacity: Any) -> Outcome:
    """Change the event's capacity; lowering below the confirmed count is refused, raising it
    promotes from the waiting list at once."""
    event = lock_event(event.id)
    return Outcome(promoted=change_capacity(event, capacity))


def set_session_capacity(session: TrainingSession, capacity: Any) -> Outcome:
    """Change a session's capacity (same rules as the event's)."""
    lock_event(session.event_id)
    return Outcome(promoted=change_capacity(reload(session), capacity))
