"""Signing up for an event: who may register, under which address, and the registration.

The way in is decided once, by :func:`entry` for the page and again under the event's lock by
:func:`register` (the same function, :func:`_door`), so the page and the write never disagree:

- with an invitation: exactly one registration, its invitee's, under the invited address. The
  link may create the invitee's account (it reached that mailbox, so it proves the address);
  once used, it only leads to logging in and seeing that registration;
- without one (events that allow direct sign-up): a logged-in person registers under their
  account's address; nobody else gets an account from a typed address.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...i18n import language_for
from ...models import Event, Invitation, Registration, TrainingSession, User
from ...models.base import max_length, utcnow
from ...models.enums import (
    ConsentMethod,
    InvitationStatus,
    RegistrationStatus,
    Role,
    SessionStatus,
)
from ...security import MAX_DB_INT
from ...signals import registration_confirmed, seat_confirmed
from .. import ServiceError, ValidationErrors, audit, places
from .. import invitations as invitation_service
from .. import users as user_service
from ..passwords import hash_password
from ..privacy.consent import record_consent
from ..transactions import lock_event, reload
from .lists import registration_for
from .mail import notify_state, qr_png
from .window import registration_window_problem

#: what a person types on the form, each limited by its column
TEXT_FIELDS = (
    "name",
    "organisation_name",
    "position",
    "phone",
    "dietary_needs",
    "accessibility_needs",
)


@dataclass
class Attendee:
    """What a person enters when registering.

    ``email`` is not read: a registration is made under the invitation's or the account's
    address, whatever was posted.
    """

    name: str
    email: str = ""
    organisation_name: str = ""
    country: str = ""
    position: str = ""
    phone: str = ""
    dietary_needs: str = ""
    accessibility_needs: str = ""
    privacy_consent: bool = False
    language: str | None = None


class Way(StrEnum):
    """What the registration page does for this visitor."""

    FORM = "form"  # show the form; a POST registers
    SEE_MINE = "see-mine"  # already registered: their own list
    LOG_IN_TO_REGISTER = "log-in-to-register"
    LOG_IN_TO_SEE = "log-in-to-see"  # the invitation has been used: log in, see it
    UNKNOWN_LINK = "unknown-link"
    GONE = "gone"  # the invitation expired or was declined, or the event is cancelled
    NOT_YOURS = "not-yours"  # logged in as someone other than the invitee
    INVITATION_ONLY = "invitation-only"
    CLOSED = "closed"  # outside the registration window


@dataclass
class Entry:
    """The way in for one visitor: ``way``, the ``message`` to show, and for the form the
    invitation, the fixed ``email``, whether the invitee's account is made on the way, and the
    person's cancelled registration that registering again reuses."""

    way: Way
    message: Any = None
    invitation: Invitation | None = None
    email: str = ""
    new_account: bool = False
    registration: Registration | None = None

    @property
    def language(self) -> str | None:
        """The language of the invitation (its pages and form speak it), if any."""
        return self.invitation.language if self.invitation is not None else None

    def prefill(self, user: User | None) -> dict[str, Any]:
        """Form values: the survey answer behind the invitation, else the account's."""
        if self.invitation is not None:
            respondent = self.invitation.respondent
            return {
                "name": respondent.contact_name,
                "email": self.email,
                "organisation_name": respondent.organisation_name,
                "country": respondent.country or "",
            }
        return {"name": user.name if user else "", "email": self.email}


_GONE = {
    invitation_service.Standing.EXPIRED: _l("This invitation has expired."),
    invitation_service.Standing.DECLINED: _l("This invitation has been declined."),
    invitation_service.Standing.CANCELLED: _l("This event is cancelled."),
}


def entry(event: Event, raw_token: str, user: User | None) -> Entry:
    """How the visitor (``user``, None when anonymous) may register for ``event``, with the
    invitation link's token ``raw_token`` ("" for none). Reads only."""
    invitation = None
    if raw_token:
        invitation = invitation_service.find_by_token(raw_token)
        if invitation is None or invitation.event_id != event.id:
            return Entry(Way.UNKNOWN_LINK, _l("This invitation link is not valid for this event."))
    return _door(event, invitation, user)


def _invitee_address(invitation: Invitation) -> str:
    return invitation.respondent.email.strip().lower()


def _door(event: Event, invitation: Invitation | None, user: User | None) -> Entry:
    """The one decision of :func:`entry` and :func:`register`."""
    address = ""
    if invitation is not None:
        standing = invitation_service.standing(invitation)
        if standing == invitation_service.Standing.REGISTERED:
            made = invitation_service.registration_through(invitation)
            if user is not None and made is not None and made.user_id == user.id:
                return Entry(
                    Way.SEE_MINE, _l("You are already registered for this event."), invitation
                )
            return Entry(
                Way.LOG_IN_TO_SEE,
                _l("This invitation has been used to register: log in to see the registration."),
                invitation,
            )
        if standing not in invitation_service.USABLE:
            return Entry(Way.GONE, _GONE[standing], invitation)
        address = _invitee_address(invitation)
        if user is not None and user.email.strip().lower() != address:
            return Entry(
                Way.NOT_YOURS,
                _l(
                    "This invitation is for someone else: log in as the invited person, or "
                    "log out and open the link again."
                ),
                invitation,
            )
    elif not event.allow_direct_signup:
        return Entry(
            Way.INVITATION_ONLY,
            _l("This event is by invitation only: use the link in your invitation."),
        )
    existing = registration_for(event, user) if user is not None else None
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        return Entry(Way.SEE_MINE, _l("You are already registered for this event."), invitation)
    problem = registration_window_problem(event)
    if problem:
        return Entry(Way.CLOSED, problem, invitation)
    if user is not None:
        return Entry(Way.FORM, invitation=invitation, email=user.email, registration=existing)
    if invitation is None:
        return Entry(Way.LOG_IN_TO_REGISTER, _l("Log in to register, or create an account."))
    if user_service.find_by_email(address) is not None:
        return Entry(
            Way.LOG_IN_TO_REGISTER,
            _l("You already have an account: log in to register."),
            invitation,
        )
    return Entry(Way.FORM, invitation=invitation, email=address, new_account=True)


def resolve_sessions(event: Event, session_ids: Iterable[Any]) -> list[TrainingSession]:
    """The sessions of ``event`` named by ``session_ids``; refuses others' and cancelled ones."""
    wanted: set[int] = set()
    for value in session_ids or []:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ServiceError(_l("Choose training sessions from the list."), "sessions") from None
        if not 0 < number <= MAX_DB_INT:  # PostgreSQL refuses a larger INTEGER with an error
            raise ServiceError(_l("Choose training sessions from the list."), "sessions")
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
            _l("One of the chosen training sessions does not belong to this event."), "sessions"
        )
    cancelled = [s.text("title") for s in sessions if s.status == SessionStatus.CANCELLED]
    if cancelled:
        raise ServiceError(
            _l(
                "The training session “%(title)s” is cancelled; choose another.", title=cancelled[0]
            ),
            "sessions",
        )
    return sessions


def clean_attendee(attendee: Attendee) -> dict[str, Any]:
    """The attendee's values, trimmed, each within its column's length; else the errors."""
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for field_name in TEXT_FIELDS:
        value = (getattr(attendee, field_name) or "").strip()
        limit = max_length(getattr(Registration, field_name))
        if len(value) > limit:
            errors[field_name] = _l("At most %(n)s characters.", n=limit)
        values[field_name] = value
    if not values["name"]:
        errors["name"] = _l("Your name is required.")
    country = (attendee.country or "").strip().upper()
    if country and (len(country) != max_length(Registration.country) or not country.isalpha()):
        errors["country"] = _l("Give the country as a two-letter code, e.g. CZ.")
    values["country"] = country or None
    if not attendee.privacy_consent:
        errors["privacy_consent"] = _l("Please agree to the privacy notice to register.")
    if errors:
        raise ValidationErrors(errors)
    return values


def _new_password_hash(password: str | None) -> str:
    """The hash of the invitee's chosen password, made before any lock is taken: Argon2id
    costs ~0.1 s of CPU, and on SQLite the event's lock is the whole database's."""
    if not password:
        raise ServiceError(_l("Choose a password for your account."), "password")
    user_service.check_password_rules(password)
    return hash_password(password)


def _invitee_account(address: str, name: str, language: str, password_hash: str) -> User:
    """The invitee's account, made by the invitation's link (it reached that mailbox)."""
    account = User(
        email=address,
        role=Role.REPRESENTATIVE,
        name=name,
        password_hash=password_hash,
        language=language,
    )
    try:
        with db.session.begin_nested():
            db.session.add(account)
    except IntegrityError:  # made in the meantime, by a sign-up of that address
        raise ServiceError(_l("You already have an account: log in to register.")) from None
    audit.record("user.create", account, {"role": account.role})
    audit.record("user.signup", account, {"proved_by": "invitation link"}, actor=account)
    return account


def register(
    event: Event,
    attendee: Attendee,
    session_ids: Iterable[Any] = (),
    *,
    user: User | None = None,
    password: str | None = None,
    invitation: Invitation | None = None,
) -> Registration:
    """Register ``user`` (or, with ``invitation`` and ``password``, the invitee with a new
    account) for ``event``.

    The registration is confirmed while the event has a free place, else it joins the
    event's waiting list; each chosen session seat likewise on the session's own capacity.
    """
    # made before the lock is taken: the password's hash (~0.1 s), the code and its QR (~10 ms)
    password_hash = _new_password_hash(password) if user is None and invitation else None
    checkin_code = secrets.token_hex(8)
    qr = qr_png(checkin_code)
    event = lock_event(event.id)
    if invitation is not None:
        invitation = reload(invitation)
        if invitation.event_id != event.id:
            raise ServiceError(_l("This invitation is for another event."))
    door = _door(event, invitation, user)
    if door.way != Way.FORM:
        raise ServiceError(door.message)
    values = clean_attendee(attendee)
    sessions = resolve_sessions(event, session_ids)
    respondent = invitation.respondent if invitation is not None else None
    language = language_for(
        attendee.language
        or (invitation.language if invitation is not None else None)
        or (respondent.language if respondent is not None else None)
        or (user.language if user is not None else None),
        values["country"],
    )
    if user is None:
        user = _invitee_account(door.email, values["name"], language, password_hash or "")
    made = Made(door.email, language, invitation, respondent, checkin_code, qr)
    return complete(event, user, door.registration, values, sessions, made)


@dataclass
class Made:
    """How a registration is made: its address and language, the invitation and survey answer
    behind it, its check-in code and QR (made before the lock), who made it."""

    email: str
    language: str
    invitation: Invitation | None
    respondent: Any
    checkin_code: str
    qr: bytes
    by_organiser: bool = False


def complete(
    event: Event,
    user: User,
    registration: Registration | None,
    values: dict[str, Any],
    sessions: list[TrainingSession],
    made: Made,
) -> Registration:
    """Write the registration of ``user`` (reusing their cancelled one) under the event's lock:
    places, seats, the invitation accepted, audit, signals and mail (the person's sign-up and
    the organiser's registration on their behalf share it)."""
    invitation = made.invitation
    if registration is None:
        registration = Registration(event=event, user=user)
        db.session.add(registration)
    for key, value in values.items():
        setattr(registration, key, value)
    registration.email = made.email
    registration.checkin_code = made.checkin_code
    registration.language = made.language
    registration.privacy_consent_at = utcnow()
    registration.cancelled_at = None
    registration.invitation_id = invitation.id if invitation is not None else None
    registration.respondent_id = made.respondent.id if made.respondent is not None else None
    places.join_event(registration, event)
    db.session.flush()
    respondent = made.respondent
    if (
        not made.by_organiser
        and respondent is not None
        and respondent.consent
        and respondent.consent_withdrawn_at is None
    ):
        # the person confirms their consent on the form, under the notice's current version
        # (one who had none, or withdrew it, is not put back on the invitation lists; an
        # organiser registering them on their behalf confirms nothing for them)
        record_consent(respondent, True, ConsentMethod.REGISTRATION)
    new_seats = [places.add_seat(registration, session) for session in sessions]
    if invitation is not None and invitation.status != InvitationStatus.ACCEPTED:
        invitation.status = InvitationStatus.ACCEPTED
        invitation.answered_at = utcnow()
    db.session.flush()
    details = {"status": registration.status, "invitation": invitation is not None}
    if made.by_organiser:
        details["by_organiser"] = True
    audit.record("registration.create", registration, details)
    if registration.status == RegistrationStatus.CONFIRMED:
        registration_confirmed.send(registration)
    notify_state(registration, qr=made.qr)
    for seat in new_seats:
        if seat.status == RegistrationStatus.CONFIRMED:
            seat_confirmed.send(seat)
    return registration
