"""Personal calendar feeds: a secret URL per user, and what the feed lists.

The token is not stored: it is an HMAC (SHA-256, keyed by ``SECRET_KEY``) of the user's id
and ``User.feed_salt``. Resetting the feed draws a new salt, so the old URL stops matching.
Changing ``SECRET_KEY`` changes every feed URL.

What a feed lists (the union, without duplicates, for every user whatever the role):

* the events of the user's confirmed registrations and the sessions of their confirmed
  seats (a cancelled registration or seat drops out of the feed; a cancelled event or
  session stays, marked STATUS:CANCELLED, so that subscribed clients show the cancellation);
* the sessions the user teaches;
* organisers: the events they created, each with all its sessions; admins: every event
  with all its sessions. Drafts appear there as STATUS:TENTATIVE; nobody else sees drafts.

Each list is one query with its related rows joined, so a feed costs the same number of
queries whether it holds five sessions or five hundred.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from ..extensions import db
from ..models import (
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
    Role,
    SeatStatus,
    SessionSeat,
    TrainingSession,
    User,
    session_trainers,
)
from ..models.user import new_feed_salt
from . import audit, ical

FEED_KEY_RE = re.compile(r"^([1-9][0-9]{0,9})-([A-Za-z0-9_-]{43})$")
MAX_ID = 2**31 - 1


def feed_token(user: User) -> str:
    """The secret part of ``user``'s feed URL (43 URL-safe characters)."""
    key = current_app.config["SECRET_KEY"]
    if isinstance(key, str):
        key = key.encode("utf-8")
    message = f"calendar-feed:{user.id}:{user.feed_salt}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def feed_key(user: User) -> str:
    """``<user id>-<token>``: the last part of the feed URL."""
    return f"{user.id}-{feed_token(user)}"


def feed_urls(user: User) -> dict[str, str]:
    """The https (BASE_URL) link and the webcal:// link of ``user``'s feed."""
    from .urls import external_url

    url = external_url("calendar.feed", key=feed_key(user))
    webcal = "webcal://" + url.split("://", 1)[1]
    return {"https": url, "webcal": webcal}


def user_for_feed_key(key: str) -> User | None:
    """The active user whose current feed key is ``key``; None for anything else."""
    match = FEED_KEY_RE.match(key or "")
    if not match:
        return None
    user_id = int(match.group(1))
    if user_id > MAX_ID:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active_account:
        return None
    if not hmac.compare_digest(feed_token(user), match.group(2)):
        return None
    return user


def reset_feed(user: User) -> None:
    """Draw a new salt: the old feed URL stops working at once (and say so in the audit)."""
    user.feed_salt = new_feed_salt()
    audit.record("calendar.feed_reset", user)
    db.session.flush()


def feed_entries(user: User) -> tuple[list[Event], list[TrainingSession]]:
    """The events and sessions of ``user``'s feed (see the module notes), soonest first."""
    events: dict[int, Event] = {}
    sessions: dict[int, TrainingSession] = {}

    registered = db.session.scalars(
        select(Event)
        .join(Registration, Registration.event_id == Event.id)
        .where(
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Event.status != EventStatus.DRAFT,
        )
    )
    for event in registered:
        events[event.id] = event

    seated = db.session.scalars(
        select(TrainingSession)
        .join(SessionSeat, SessionSeat.session_id == TrainingSession.id)
        .join(Registration, Registration.id == SessionSeat.registration_id)
        .join(TrainingSession.event)
        .where(
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            SessionSeat.status == SeatStatus.CONFIRMED,
            Event.status != EventStatus.DRAFT,
        )
        .options(contains_eager(TrainingSession.event), joinedload(TrainingSession.trainers))
    ).unique()
    for session in seated:
        sessions[session.id] = session

    taught = db.session.scalars(
        select(TrainingSession)
        .join(session_trainers, session_trainers.c.session_id == TrainingSession.id)
        .join(TrainingSession.event)
        .where(session_trainers.c.user_id == user.id, Event.status != EventStatus.DRAFT)
        .options(contains_eager(TrainingSession.event), joinedload(TrainingSession.trainers))
    ).unique()
    for session in taught:
        sessions[session.id] = session

    if user.has_role(Role.ORGANISER):
        query = select(Event).options(
            joinedload(Event.sessions).joinedload(TrainingSession.trainers)
        )
        if user.role != Role.ADMIN:
            query = query.where(Event.created_by_id == user.id)
        for event in db.session.scalars(query).unique():
            events[event.id] = event
            for session in event.sessions:
                sessions[session.id] = session

    return (
        sorted(events.values(), key=lambda e: (e.starts_at, e.id)),
        sorted(sessions.values(), key=lambda s: (s.starts_at, s.id)),
    )


def feed_name(user: User) -> str:
    """The calendar name shown by the client (X-WR-CALNAME), in the user's language."""
    with force_locale(user.language or "en"):
        return _("ClusGo Events – %(name)s", name=user.name or user.email)


def feed_calendar(user: User) -> str:
    """The iCalendar text of ``user``'s feed, labels in the user's language."""
    events, sessions = feed_entries(user)
    with force_locale(user.language or "en"):
        return ical.feed_calendar(feed_name(user), events, sessions)
