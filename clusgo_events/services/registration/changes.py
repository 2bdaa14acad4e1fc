"""Changing a registration: other sessions, cancelling a seat or the whole registration.

Each runs under the event's write lock, frees the places it gave up and promotes the next in
line (:mod:`..places`), sends its signals, queues its mail and writes its audit entry, whether
the person or an organiser asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Registration, SessionSeat, TrainingSession
from ...models.base import utcnow
from ...models.enums import RegistrationStatus, SeatStatus
from ...signals import registration_cancelled, seat_cancelled, seat_confirmed
from .. import ServiceError, audit, places
from ..places import Outcome
from ..transactions import lock_event, reload
from .mail import Mail, notify, notify_state
from .signup import resolve_sessions
from .window import registration_window_problem


def change_sessions(registration: Registration, session_ids: Iterable[Any]) -> Outcome:
    """Replace ``registration``'s session choices while registration is open."""
    event = lock_event(registration.event_id)
    registration = reload(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        raise ServiceError(_l("This registration is cancelled."))
    problem = registration_window_problem(event)
    if problem:
        raise ServiceError(problem)
    sessions = {s.id: s for s in resolve_sessions(event, session_ids)}
    freed: list[TrainingSession] = []
    dropped: list[SessionSeat] = []
    for seat in list(registration.seats):
        if seat.status != SeatStatus.CANCELLED and seat.session_id not in sessions:
            if places.release_seat(seat):
                freed.append(seat.session)
            dropped.append(seat)
    held = {s.session_id for s in registration.seats if s.status != SeatStatus.CANCELLED}
    added = [
        places.add_seat(registration, s) for sid, s in sorted(sessions.items()) if sid not in held
    ]
    db.session.flush()
    for seat in dropped:
        seat_cancelled.send(seat)
    for seat in added:
        if seat.status == SeatStatus.CONFIRMED:
            seat_confirmed.send(seat)
    promoted = sum(places.promote_session(s) for s in freed)
    if dropped or added:
        # the calendar mails of the sessions added and dropped say what changed; a seat on a
        # waiting list has no calendar entry, so the registration's state says it
        if any(seat.status == SeatStatus.WAITLISTED for seat in added):
            notify_state(registration)
        audit.record(
            "registration.sessions",
            registration,
            {"sessions": sorted(sessions), "promoted": promoted},
        )
    return Outcome(registration, promoted)


def cancel_registration(registration: Registration) -> Outcome:
    """Cancel the whole registration (by the person or an organiser); frees its places and
    promotes the first on each waiting list."""
    event = lock_event(registration.event_id)
    registration = reload(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        raise ServiceError(_l("This registration is already cancelled."))
    freed: list[TrainingSession] = []
    dropped: list[SessionSeat] = []
    for seat in registration.seats:
        if seat.status != SeatStatus.CANCELLED:
            if places.release_seat(seat):
                freed.append(seat.session)
            dropped.append(seat)
    held_event_place = places.leave_event(registration, event)
    registration.cancelled_at = utcnow()
    db.session.flush()
    for seat in dropped:
        seat_cancelled.send(seat)
    registration_cancelled.send(registration)
    notify(registration, Mail.CANCELLED)
    promoted = sum(places.promote_session(s) for s in sorted(freed, key=lambda s: s.id))
    if held_event_place:
        promoted += places.promote_event(event)
    audit.record("registration.cancel", registration, {"promoted": promoted})
    return Outcome(registration, promoted)


def cancel_seat(seat: SessionSeat) -> Outcome:
    """Drop one session from a registration; its place goes to the next in line."""
    lock_event(seat.registration.event_id)
    seat = reload(seat)
    if seat.status == SeatStatus.CANCELLED:
        raise ServiceError(_l("This session is already cancelled for you."))
    held = places.release_seat(seat)
    db.session.flush()
    seat_cancelled.send(seat)
    notify(seat.registration, Mail.CANCELLED, session=seat.session)
    promoted = places.promote_session(seat.session) if held else 0
    audit.record("seat.cancel", seat, {"promoted": promoted})
    return Outcome(seat.registration, promoted)
