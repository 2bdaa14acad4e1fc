"""An organiser's changes to registrations: register a person on their behalf (from the
respondents or new), correct a registration's details, move a person between sessions.

Places and waiting lists follow the usual rules (:mod:`..places`): a move frees the old seat
and promotes the next in line there; the new seat is confirmed while the session has room,
else waitlisted. Each operation takes the event's lock and writes its audit entry.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...i18n import language_for
from ...models import Event, Invitation, Registration, Respondent, SessionSeat, User
from ...models.enums import EventStatus, RegistrationStatus, Role, SeatStatus
from ...signals import seat_cancelled, seat_confirmed
from .. import ServiceError, audit, places, scope
from .. import users as user_service
from ..corrections.fields import clean_email
from ..invitations.state import registration_through
from ..places import Outcome
from ..transactions import lock_event, reload
from ..versions import check_form_fresh
from .lists import registration_for
from .mail import notify_state, qr_png
from .signup import Attendee, Made, clean_attendee, complete, resolve_sessions


def _account_for(address: str, name: str, language: str) -> User:
    """The person's account: theirs, or a new representative's without a password (they set
    one with "Forgot your password?": the link proves the mailbox)."""
    account = user_service.find_by_email(address)
    if account is not None:
        return account
    account = User(email=address, role=Role.REPRESENTATIVE, name=name, language=language)
    account.password_hash = ""
    db.session.add(account)
    db.session.flush()
    audit.record("user.create", account, {"role": account.role, "by_organiser": True})
    return account


def _usable_invitation(event: Event, respondent: Respondent | None) -> Invitation | None:
    """The respondent's invitation to ``event``, unless a registration already used it."""
    if respondent is None:
        return None
    invitation = db.session.scalar(
        select(Invitation).where(
            Invitation.event_id == event.id, Invitation.respondent_id == respondent.id
        )
    )
    if invitation is None or registration_through(invitation) is not None:
        return None
    return invitation


def register_on_behalf(
    event: Event,
    attendee: Attendee,
    session_ids: Iterable[Any] = (),
    countries: frozenset[str] | None = None,
) -> Registration:
    """Register the person at ``attendee.email`` for ``event`` (an organiser's act): their
    survey answer and invitation, if any, are linked; confirmed while there is room, else on
    the waiting list. Refused for a cancelled event, a person already registered, or one not
    of ``countries`` (the organiser's, :func:`..scope.visible_countries`; None: any)."""
    address = clean_email(attendee.email)
    checkin_code = secrets.token_hex(8)
    qr = qr_png(checkin_code)
    event = lock_event(event.id)
    if event.status == EventStatus.CANCELLED:
        raise ServiceError(_l("This event is cancelled."))
    values = clean_attendee(attendee)
    scope.require_country(countries, values["country"])
    sessions = resolve_sessions(event, session_ids)
    respondent = db.session.scalar(select(Respondent).where(Respondent.email == address))
    if respondent is not None:
        scope.require_country(countries, respondent.country)
    language = language_for(
        attendee.language or (respondent.language if respondent else None), values["country"]
    )
    user = _account_for(address, values["name"], language)
    existing = registration_for(event, user)
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        raise ServiceError(_l("%(email)s is already registered for this event.", email=address))
    invitation = _usable_invitation(event, respondent)
    made = Made(address, language, invitation, respondent, checkin_code, qr, by_organiser=True)
    return complete(event, user, existing, values, sessions, made)


DETAIL_FIELDS = (
    "name",
    "organisation_name",
    "country",
    "position",
    "phone",
    "dietary_needs",
    "accessibility_needs",
)


def update_details(
    registration: Registration,
    attendee: Attendee,
    seen: str,
    countries: frozenset[str] | None = None,
) -> list[str]:
    """Correct ``registration``'s details (read at version ``seen``); the changed fields. The
    country stays among ``countries`` (the organiser's; None: any)."""
    check_form_fresh(registration, seen)
    values = clean_attendee(Attendee(**{**asdict(attendee), "privacy_consent": True}))
    scope.require_country(countries, values["country"])
    changed = [n for n in DETAIL_FIELDS if getattr(registration, n) != values[n]]
    for name in changed:
        setattr(registration, name, values[name])
    if changed:
        audit.record("registration.edit", registration, {"fields": changed})
        db.session.flush()
    return changed


def move_seat(seat: SessionSeat, to_session_id: Any, seen: str) -> Outcome:
    """Move ``seat``'s person to another session of the event: the old place goes to the next
    in line, the new seat is confirmed while there is room, else waitlisted."""
    check_form_fresh(seat, seen)
    lock_event(seat.registration.event_id)
    seat = reload(seat)
    registration = seat.registration
    if seat.status == SeatStatus.CANCELLED or registration.status == RegistrationStatus.CANCELLED:
        raise ServiceError(_l("This seat is cancelled: nothing to move."))
    (target,) = resolve_sessions(registration.event, [to_session_id]) or [None]
    if target is None or target.id == seat.session_id:
        raise ServiceError(_l("Choose another session."), "session")
    held = {s.session_id for s in registration.seats if s.status != SeatStatus.CANCELLED}
    if target.id in held:
        raise ServiceError(_l("They already have a place in that session."), "session")
    old_session = seat.session
    freed = places.release_seat(seat)
    new_seat = places.add_seat(registration, target)
    db.session.flush()
    seat_cancelled.send(seat)
    if new_seat.status == SeatStatus.CONFIRMED:
        seat_confirmed.send(new_seat)
    promoted = places.promote_session(old_session) if freed else 0
    notify_state(registration)
    audit.record(
        "seat.move",
        new_seat,
        {"from": old_session.id, "to": target.id, "status": new_seat.status, "promoted": promoted},
    )
    return Outcome(registration, promoted)
