"""Registration: places at events, seats in training sessions, waiting lists, cancellation.

Every function that changes places runs as one write transaction that first locks the
event's row (``SELECT ... FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite, see
``transactions.begin_write``): all changes to one event's places and waiting lists are thus
serialised, and the check "is there a free place" and the taking of it are never separated by
an unlocked gap. Places are taken with a conditional ``UPDATE ... SET confirmed_count =
confirmed_count + 1 WHERE confirmed_count < capacity`` whose row count says whether a place
was free. Waiting lists are ordered by a queue number (``waitlist_position``) drawn under the
same lock; what a person sees as their position is their rank among those still waiting.

The functions flush; the caller commits. Each state change sends its domain signal and queues
its e-mail in the same transaction.
"""

from __future__ import annotations

import base64
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import segno
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..i18n import language_for
from ..models import (
    Event,
    Invitation,
    Registration,
    SessionSeat,
    TrainingSession,
    User,
)
from ..models.base import utcnow
from ..security import MAX_DB_INT
from ..signals import (
    registration_cancelled,
    registration_confirmed,
    seat_cancelled,
    seat_confirmed,
)
from . import ServiceError, ValidationErrors
from . import users as user_service
from .calendar_feed import feed_urls
from .invitations import find_by_token
from .mailer import render_email
from .outbox import attachment, enqueue, keys
from .transactions import begin_write
from .urls import external_url

INVITATION_USABLE = ("queued", "sent", "accepted")


@dataclass
class Attendee:
    """What a person enters when registering."""

    name: str
    email: str
    organisation_name: str = ""
    country: str = ""
    position: str = ""
    phone: str = ""
    dietary_needs: str = ""
    accessibility_needs: str = ""
    privacy_consent: bool = False
    language: str | None = None


@dataclass
class Outcome:
    """What a change did, for the flash message."""

    registration: Registration | None = None
    promoted: int = 0
    capacity_raised_to: int | None = None


# --- look-ups -------------------------------------------------------------------------------


def find_invitation(raw_token: str, event: Event | None = None) -> Invitation | None:
    """The invitation with this raw token (for ``event`` when given), or None."""
    invitation = find_by_token(raw_token)
    if invitation is None or (event is not None and invitation.event_id != event.id):
        return None
    return invitation


def invitation_problem(invitation: Invitation) -> str | None:
    """Why ``invitation`` cannot be used to register, or None."""
    if invitation.status not in INVITATION_USABLE:
        return f"This invitation can no longer be used (it is {invitation.status})."
    if invitation.expires_at is not None and invitation.expires_at < utcnow():
        return "This invitation has expired."
    return None


def prefill_from_invitation(invitation: Invitation) -> dict[str, Any]:
    """Form values taken from the survey answer behind ``invitation``."""
    respondent = invitation.respondent
    return {
        "name": respondent.contact_name,
        "email": respondent.email,
        "organisation_name": respondent.organisation_name,
        "country": respondent.country or "",
        "language": invitation.language or respondent.language,
    }


def registration_for(event: Event, user: User) -> Registration | None:
    """``user``'s registration for ``event`` (any status), or None."""
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == user.id
        )
    )


def registration_window_problem(event: Event) -> str | None:
    """Why nobody can register for ``event`` now, or None."""
    if event.status == "cancelled":
        return "This event is cancelled."
    if event.status != "published":
        return "This event is not open for registration yet."
    now = utcnow()
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        return "Registration has not opened yet."
    if event.registration_closes_at is not None and now > event.registration_closes_at:
        return "Registration is closed."
    if now > event.ends_at:
        return "This event is over."
    return None


def my_registrations(user: User) -> list[Registration]:
    """``user``'s registrations with their events and seats, newest event first (3 queries)."""
    return list(
        db.session.scalars(
            select(Registration)
            .join(Registration.event)
            .where(Registration.user_id == user.id)
            .options(
                selectinload(Registration.event).selectinload(Event.sessions),
                selectinload(Registration.seats),
            )
            .order_by(Event.starts_at.desc())
        )
    )


def _ranks(model: Any, group: Any, rows: Iterable[Any]) -> dict[int, int]:
    """Waiting-list rank (1 = next in line) of each waitlisted row of ``rows``, in one query.

    ``ROW_NUMBER()`` over the waiting rows of the rows' events or sessions (``group``), so
    the list is read once whatever the page, and only the asked rows come back.
    """
    waiting = [row for row in rows if row.status == "waitlisted"]
    if not waiting:
        return {}
    groups = {getattr(row, group.key) for row in waiting}
    ranked = (
        select(
            model.id,
            func.row_number()
            .over(partition_by=group, order_by=(model.waitlist_position.nulls_last(), model.id))
            .label("rank"),
        )
        .where(group.in_(groups), model.status == "waitlisted")
        .subquery()
    )
    query = select(ranked.c.id, ranked.c.rank).where(ranked.c.id.in_([r.id for r in waiting]))
    return {row_id: rank for row_id, rank in db.session.execute(query)}


def registration_ranks(registrations: Iterable[Registration]) -> dict[int, int]:
    """Waiting-list rank (1 = next in line) of each waitlisted registration, in one query."""
    return _ranks(Registration, Registration.event_id, registrations)


def seat_ranks(seats: Iterable[SessionSeat]) -> dict[int, int]:
    """Waiting-list rank of each waitlisted seat in its session, in one query."""
    return _ranks(SessionSeat, SessionSeat.session_id, seats)


STATUSES = ("confirmed", "waitlisted", "cancelled")
PER_PAGE = 50
MAX_PAGE = 100_000  # far beyond any real list; keeps OFFSET inside a 64-bit integer


def _status_order(column: Any) -> Any:
    """Confirmed first, then the waiting list, then cancelled (an SQL ``CASE``)."""
    return case({status: rank for rank, status in enumerate(STATUSES)}, value=column, else_=3)


def clean_page(value: Any) -> int:
    """A page number from the query string: 1 for anything unusable, at most ``MAX_PAGE``."""
    try:
        page = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(page, 1), MAX_PAGE)


def clean_status(value: str | None) -> str | None:
    """A status filter from the query string; '' or None = all. Raises ServiceError if unknown."""
    if not value:
        return None
    if value not in STATUSES:
        raise ServiceError(
            f"Unknown status “{value[:40]}”: choose confirmed, waitlisted or cancelled.", "status"
        )
    return value


def event_registrations(
    event: Event, *, status: str | None = None, page: int = 1, per_page: int = PER_PAGE
) -> Any:
    """One page of ``event``'s registrations with their seats: confirmed, waiting, cancelled.

    A Flask-SQLAlchemy ``Pagination`` (a count query, the page, one query for its seats).
    """
    query = (
        select(Registration)
        .where(Registration.event_id == event.id)
        .options(selectinload(Registration.seats))
        .order_by(
            _status_order(Registration.status),
            Registration.waitlist_position.nulls_first(),
            Registration.created_at,
            Registration.id,
        )
    )
    if status:
        query = query.where(Registration.status == status)
    return db.paginate(query, page=clean_page(page), per_page=per_page, error_out=False)


def session_seats(
    session: TrainingSession, *, status: str | None = None, page: int = 1, per_page: int = PER_PAGE
) -> Any:
    """One page of ``session``'s seats with their registrations: confirmed, waiting, cancelled."""
    query = (
        select(SessionSeat)
        .where(SessionSeat.session_id == session.id)
        .options(selectinload(SessionSeat.registration))
        .order_by(
            _status_order(SessionSeat.status),
            SessionSeat.waitlist_position.nulls_first(),
            SessionSeat.created_at,
            SessionSeat.id,
        )
    )
    if status:
        query = query.where(SessionSeat.status == status)
    return db.paginate(query, page=clean_page(page), per_page=per_page, error_out=False)


def status_totals(counts: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Confirmed, waitlisted and cancelled totals summed from :func:`country_counts` rows."""
    rows = list(counts)
    return {status: sum(row.get(status, 0) for row in rows) for status in STATUSES}


def country_counts(event: Event, session: TrainingSession | None = None) -> list[dict[str, Any]]:
    """Per country: confirmed, waitlisted and cancelled counts (one grouped query)."""
    if session is None:
        query = (
            select(Registration.country, Registration.status, func.count(Registration.id))
            .where(Registration.event_id == event.id)
            .group_by(Registration.country, Registration.status)
        )
    else:
        query = (
            select(Registration.country, SessionSeat.status, func.count(SessionSeat.id))
            .join(SessionSeat.registration)
            .where(SessionSeat.session_id == session.id)
            .group_by(Registration.country, SessionSeat.status)
        )
    table: dict[str, dict[str, Any]] = {}
    for country, status, count in db.session.execute(query):
        row = table.setdefault(
            country or "—",
            {"country": country or "—", "confirmed": 0, "waitlisted": 0, "cancelled": 0},
        )
        row[status] = row.get(status, 0) + count
    return sorted(table.values(), key=lambda r: (-r["confirmed"], r["country"]))


def find_registration(registration_id: int) -> Registration | None:
    """The registration ``registration_id`` or None."""
    return db.session.get(Registration, registration_id)


# --- locking and places ---------------------------------------------------------------------


def _lock_event(event_id: int) -> Event:
    """Begin the write transaction and lock the event's row; returns it freshly loaded."""
    begin_write()
    db.session.flush()
    # everything read before the lock may be stale: read it again from here on
    db.session.expire_all()
    event = db.session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if event is None:
        raise ServiceError("This event no longer exists.")
    return event


def _reload(obj: Any) -> Any:
    """``obj`` read again after the lock was taken (another request may have changed it)."""
    db.session.refresh(obj)
    return obj


def _take_place(place: Event | TrainingSession) -> bool:
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


def _free_place(place: Event | TrainingSession) -> None:
    """Give back one place of an event or a session."""
    model = type(place)
    db.session.execute(
        update(model)
        .where(model.id == place.id, model.confirmed_count > 0)
        .values(confirmed_count=model.confirmed_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(place, ["confirmed_count"])


def _next_registration_position(event: Event) -> int:
    highest = db.session.scalar(
        select(func.max(Registration.waitlist_position)).where(Registration.event_id == event.id)
    )
    return (highest or 0) + 1


def _next_seat_position(session: TrainingSession) -> int:
    highest = db.session.scalar(
        select(func.max(SessionSeat.waitlist_position)).where(SessionSeat.session_id == session.id)
    )
    return (highest or 0) + 1


# --- validation -----------------------------------------------------------------------------


def _resolve_sessions(event: Event, session_ids: Iterable[Any]) -> list[TrainingSession]:
    """The sessions of ``event`` named by ``session_ids``; refuses others' and cancelled ones."""
    wanted: set[int] = set()
    for value in session_ids or []:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ServiceError("Choose training sessions from the list.", "sessions") from None
        if not 0 < number <= MAX_DB_INT:  # PostgreSQL refuses a larger INTEGER with an error
            raise ServiceError("Choose training sessions from the list.", "sessions")
        wanted.add(number)
    if not wanted:
        return []
    sessions = list(
        db.session.scalars(
            select(TrainingSession)
            .where(TrainingSession.id.in_(wanted))
            .order_by(TrainingSession.id)
            .execution_options(populate_existing=True)
        )
    )
    if len(sessions) != len(wanted) or any(s.event_id != event.id for s in sessions):
        raise ServiceError(
            "One of the chosen training sessions does not belong to this event.", "sessions"
        )
    cancelled = [s.title for s in sessions if s.status == "cancelled"]
    if cancelled:
        raise ServiceError(
            f"The training session {cancelled[0]!r} is cancelled; choose another.", "sessions"
        )
    return sessions


def _clean_attendee(attendee: Attendee) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    name = (attendee.name or "").strip()
    if not name:
        errors["name"] = "Your name is required."
    limits = {
        "name": 200,
        "organisation_name": 300,
        "position": 200,
        "phone": 50,
        "dietary_needs": 2000,
        "accessibility_needs": 2000,
    }
    for field_name, limit in limits.items():
        value = (getattr(attendee, field_name) or "").strip()
        if len(value) > limit:
            errors[field_name] = f"At most {limit} characters."
        values[field_name] = value
    try:
        values["email"] = user_service.normalise_email(attendee.email)
    except ServiceError as exc:
        errors["email"] = exc.message
    country = (attendee.country or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        errors["country"] = "Give the country as a two-letter code, e.g. CZ."
    values["country"] = country or None
    if not attendee.privacy_consent:
        errors["privacy_consent"] = "Please agree to the privacy notice to register."
    if errors:
        raise ValidationErrors(errors)
    return values


# --- state changes --------------------------------------------------------------------------


def register(
    event: Event,
    attendee: Attendee,
    session_ids: Iterable[Any] = (),
    *,
    user: User | None = None,
    password: str | None = None,
    invitation: Invitation | None = None,
) -> Registration:
    """Register ``user`` (or a new representative account with ``password``) for ``event``.

    Without an invitation the event must allow direct sign-up. The registration is confirmed
    while the event has a free place, else it joins the event's waiting list; each chosen
    session seat likewise on the session's own capacity.
    """
    # the code and its QR image are made before the lock is taken: the PNG takes ~10 ms
    checkin_code = secrets.token_hex(8)
    qr = qr_png(checkin_code)
    event = _lock_event(event.id)
    problem = registration_window_problem(event)
    if problem:
        raise ServiceError(problem)
    if invitation is not None:
        invitation = _reload(invitation)
        if invitation.event_id != event.id:
            raise ServiceError("This invitation is for another event.")
        problem = invitation_problem(invitation)
        if problem:
            raise ServiceError(problem)
    elif not event.allow_direct_signup:
        raise ServiceError("This event is by invitation only: use the link in your invitation.")
    values = _clean_attendee(attendee)
    sessions = _resolve_sessions(event, session_ids)
    respondent = invitation.respondent if invitation is not None else None
    language = language_for(
        attendee.language
        or (invitation.language if invitation is not None else None)
        or (respondent.language if respondent is not None else None)
        or (user.language if user is not None else None),
        values["country"],
    )
    if user is None:
        try:
            user = user_service.create_user(
                values["email"], "representative", password or "", values["name"], language
            )
        except ServiceError as exc:
            if exc.field == "email":
                raise ServiceError(
                    f"An account for {values['email']} already exists: log in first.", "email"
                ) from exc
            raise
    registration = registration_for(event, user)
    if registration is not None and registration.status != "cancelled":
        raise ServiceError("You are already registered for this event.")
    if registration is None:
        registration = Registration(event_id=event.id, user_id=user.id)
        db.session.add(registration)
    registration.checkin_code = checkin_code
    for key, value in values.items():
        setattr(registration, key, value)
    registration.language = language
    registration.privacy_consent_at = utcnow()
    registration.cancelled_at = None
    registration.invitation_id = invitation.id if invitation is not None else None
    registration.respondent_id = respondent.id if respondent is not None else None
    registration.status = "confirmed"
    registration.waitlist_position = None
    if not _take_place(event):
        registration.status = "waitlisted"
        registration.waitlist_position = _next_registration_position(event)
    db.session.flush()
    new_seats = [_add_seat(registration, session) for session in sessions]
    if invitation is not None and invitation.status != "accepted":
        invitation.status = "accepted"
        invitation.answered_at = utcnow()
    db.session.flush()
    if registration.status == "confirmed":
        registration_confirmed.send(registration)
        _notify(registration, "confirmed", qr=qr)
    else:
        _notify(registration, "waitlisted")
    for seat in new_seats:
        if seat.status == "confirmed":
            seat_confirmed.send(seat)
    return registration


def _add_seat(registration: Registration, session: TrainingSession) -> SessionSeat:
    """Give ``registration`` a seat in ``session``: confirmed if free (and the registration
    is), else on the session's waiting list. Reuses a cancelled seat row."""
    seat = next((s for s in registration.seats if s.session_id == session.id), None)
    if seat is None:
        seat = SessionSeat(registration=registration, session_id=session.id)
        db.session.add(seat)
    seat.session = session
    seat.status = "confirmed"
    seat.waitlist_position = None
    if registration.status != "confirmed" or not _take_place(session):
        seat.status = "waitlisted"
        seat.waitlist_position = _next_seat_position(session)
    db.session.flush()
    return seat


def _cancel_seat_row(seat: SessionSeat) -> bool:
    """Cancel ``seat``; True when it held a place (now freed)."""
    held = seat.status == "confirmed"
    if held:
        _free_place(seat.session)
    seat.status = "cancelled"
    seat.waitlist_position = None
    return held


def _confirm_registration(event: Event, registration: Registration) -> None:
    """Confirm a waitlisted registration whose event place is already taken, with its seats."""
    registration.status = "confirmed"
    registration.waitlist_position = None
    db.session.flush()
    registration_confirmed.send(registration)
    for seat in sorted(registration.seats, key=lambda s: s.session_id):
        if seat.status == "waitlisted" and _seat_is_next(seat) and _take_place(seat.session):
            seat.status = "confirmed"
            seat.waitlist_position = None
            db.session.flush()
            seat_confirmed.send(seat)


def _seat_is_next(seat: SessionSeat) -> bool:
    """No confirmed registration waits ahead of ``seat`` in its session."""
    ahead = db.session.scalar(
        select(func.count(SessionSeat.id))
        .join(SessionSeat.registration)
        .where(
            SessionSeat.session_id == seat.session_id,
            SessionSeat.status == "waitlisted",
            SessionSeat.waitlist_position < seat.waitlist_position,
            Registration.status == "confirmed",
        )
    )
    return not ahead


def _promote_event(event: Event) -> int:
    """Fill the event's free places from its waiting list, in order; how many moved up."""
    promoted = 0
    while True:
        first = db.session.scalar(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.status == "waitlisted")
            .order_by(Registration.waitlist_position, Registration.id)
            .limit(1)
        )
        if first is None or not _take_place(event):
            return promoted
        _confirm_registration(event, first)
        _notify(first, "promoted")
        promoted += 1


def _promote_session(session: TrainingSession) -> int:
    """Fill the session's free places from its waiting list (confirmed registrations only)."""
    promoted = 0
    while True:
        first = db.session.scalar(
            select(SessionSeat)
            .join(SessionSeat.registration)
            .where(
                SessionSeat.session_id == session.id,
                SessionSeat.status == "waitlisted",
                Registration.status == "confirmed",
            )
            .order_by(SessionSeat.waitlist_position, SessionSeat.id)
            .limit(1)
        )
        if first is None or not _take_place(session):
            return promoted
        first.status = "confirmed"
        first.waitlist_position = None
        db.session.flush()
        seat_confirmed.send(first)
        _notify(first.registration, "promoted", session=session)
        promoted += 1


def change_sessions(registration: Registration, session_ids: Iterable[Any]) -> Outcome:
    """Replace ``registration``'s session choices while registration is open."""
    event = _lock_event(registration.event_id)
    registration = _reload(registration)
    if registration.status == "cancelled":
        raise ServiceError("This registration is cancelled.")
    problem = registration_window_problem(event)
    if problem:
        raise ServiceError(problem)
    sessions = {s.id: s for s in _resolve_sessions(event, session_ids)}
    freed: list[TrainingSession] = []
    dropped: list[SessionSeat] = []
    for seat in list(registration.seats):
        if seat.status != "cancelled" and seat.session_id not in sessions:
            if _cancel_seat_row(seat):
                freed.append(seat.session)
            dropped.append(seat)
    held = {s.session_id for s in registration.seats if s.status != "cancelled"}
    added = [_add_seat(registration, s) for sid, s in sorted(sessions.items()) if sid not in held]
    db.session.flush()
    for seat in dropped:
        seat_cancelled.send(seat)
    for seat in added:
        if seat.status == "confirmed":
            seat_confirmed.send(seat)
    promoted = sum(_promote_session(s) for s in freed)
    if dropped or added:
        _notify(registration, "confirmed" if registration.status == "confirmed" else "waitlisted")
    return Outcome(registration, promoted)


def cancel_registration(registration: Registration) -> Outcome:
    """Cancel the whole registration (by the person or an organiser); frees its places and
    promotes the first on each waiting list."""
    event = _lock_event(registration.event_id)
    registration = _reload(registration)
    if registration.status == "cancelled":
        raise ServiceError("This registration is already cancelled.")
    held_event_place = registration.status == "confirmed"
    freed: list[TrainingSession] = []
    dropped: list[SessionSeat] = []
    for seat in registration.seats:
        if seat.status != "cancelled":
            if _cancel_seat_row(seat):
                freed.append(seat.session)
            dropped.append(seat)
    registration.status = "cancelled"
    registration.waitlist_position = None
    registration.cancelled_at = utcnow()
    if held_event_place:
        _free_place(event)
    db.session.flush()
    for seat in dropped:
        seat_cancelled.send(seat)
    registration_cancelled.send(registration)
    _notify(registration, "cancelled")
    promoted = sum(_promote_session(s) for s in sorted(freed, key=lambda s: s.id))
    if held_event_place:
        promoted += _promote_event(event)
    return Outcome(registration, promoted)


def cancel_seat(seat: SessionSeat) -> Outcome:
    """Drop one session from a registration; its place goes to the next in line."""
    registration = seat.registration
    _lock_event(registration.event_id)
    seat = _reload(seat)
    if seat.status == "cancelled":
        raise ServiceError("This session is already cancelled for you.")
    held = _cancel_seat_row(seat)
    db.session.flush()
    seat_cancelled.send(seat)
    _notify(seat.registration, "cancelled", session=seat.session)
    promoted = _promote_session(seat.session) if held else 0
    return Outcome(seat.registration, promoted)


def promote_registration(registration: Registration) -> Outcome:
    """An organiser moves a waitlisted person up by hand, ahead of the queue; when the event is
    full its capacity is raised by one so that confirmed never exceeds capacity."""
    event = _lock_event(registration.event_id)
    registration = _reload(registration)
    if registration.status != "waitlisted":
        raise ServiceError("Only someone on the waiting list can be moved up.")
    outcome = Outcome(registration)
    if not _take_place(event):
        event.capacity = event.confirmed_count + 1
        db.session.flush()
        outcome.capacity_raised_to = event.capacity
        if not _take_place(event):  # pragma: no cover - we hold the lock
            raise ServiceError("No place could be made free.")
    _confirm_registration(event, registration)
    _notify(registration, "promoted")
    outcome.promoted = 1
    return outcome


def promote_seat(seat: SessionSeat) -> Outcome:
    """An organiser gives a waitlisted seat a place by hand (raising a full session's
    capacity by one)."""
    _lock_event(seat.registration.event_id)
    seat = _reload(seat)
    if seat.status != "waitlisted":
        raise ServiceError("Only a seat on the waiting list can be moved up.")
    if seat.registration.status != "confirmed":
        raise ServiceError("This person is on the event's waiting list: move them up there first.")
    session = seat.session
    outcome = Outcome(seat.registration)
    if not _take_place(session):
        session.capacity = session.confirmed_count + 1
        db.session.flush()
        outcome.capacity_raised_to = session.capacity
        if not _take_place(session):  # pragma: no cover - we hold the lock
            raise ServiceError("No place could be made free.")
    seat.status = "confirmed"
    seat.waitlist_position = None
    db.session.flush()
    seat_confirmed.send(seat)
    _notify(seat.registration, "promoted", session=session)
    outcome.promoted = 1
    return outcome


def _check_capacity(value: Any, confirmed: int) -> int:
    try:
        capacity = int(value)
    except (TypeError, ValueError):
        raise ServiceError("Give the capacity as a whole number.", "capacity") from None
    if capacity < 0 or capacity > 100000:
        raise ServiceError("The capacity must be between 0 and 100000.", "capacity")
    if capacity < confirmed:
        raise ServiceError(
            f"{confirmed} people are confirmed: the capacity cannot be lower than that. "
            "Cancel registrations first.",
            "capacity",
        )
    return capacity


def set_event_capacity(event: Event, capacity: Any) -> Outcome:
    """Change the event's capacity; lowering below the confirmed count is refused, raising it
    promotes from the waiting list at once."""
    event = _lock_event(event.id)
    event.capacity = _check_capacity(capacity, event.confirmed_count)
    db.session.flush()
    return Outcome(promoted=_promote_event(event))


def set_session_capacity(session: TrainingSession, capacity: Any) -> Outcome:
    """Change a session's capacity (same rules as the event's)."""
    _lock_event(session.event_id)
    session = _reload(session)
    session.capacity = _check_capacity(capacity, session.confirmed_count)
    db.session.flush()
    return Outcome(promoted=_promote_session(session))


# --- e-mail ---------------------------------------------------------------------------------


def qr_png(code: str) -> bytes:
    """The check-in code as a QR code PNG."""
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def _notify(
    registration: Registration,
    kind: str,
    session: TrainingSession | None = None,
    qr: bytes | None = None,
) -> None:
    """Queue the e-mail for a state change (kind: confirmed, waitlisted, promoted, cancelled),
    in the person's language, keyed so that the same change is queued once."""
    event = registration.event
    seats = sorted(
        (s for s in registration.seats if s.status != "cancelled"),
        key=lambda s: (s.session.starts_at, s.session_id),
    )
    ranks = seat_ranks(seats)
    rank = registration_ranks([registration]).get(registration.id)
    attachments = []
    qr_b64 = None
    if registration.status == "confirmed" and kind in ("confirmed", "promoted"):
        png = qr or qr_png(registration.checkin_code)
        attachments.append(attachment("checkin-code.png", "image/png", png))
        qr_b64 = base64.b64encode(png).decode("ascii")
    subject, text, html = render_email(
        f"registration_{kind}",
        registration.language,
        registration=registration,
        event=event,
        session=session,
        seats=seats,
        seat_ranks=ranks,
        rank=rank,
        qr_b64=qr_b64,
        my_url=external_url("registration.mine"),
        event_url=external_url("events.show", slug=event.slug),
        ics_url=external_url("calendar.event_ics", slug=event.slug),
        feed_url=feed_urls(registration.user)["https"],
    )
    enqueue(
        key=keys.registration_notice(registration, kind, session),
        recipient=registration.email,
        recipient_name=registration.name,
        subject=subject,
        body_text=text,
        body_html=html,
        language=registration.language,
        attachments=attachments,
    )
