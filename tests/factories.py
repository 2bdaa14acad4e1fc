"""One factory per model: objects for tests, dated relative to the (controlled) clock.

Every date is relative to ``utcnow()``: under the ``clock`` fixture that is the controlled
instant, elsewhere (subprocess and live-server tests) the real one. So "an event in a month,
registration closing in three weeks" stays true whenever the suite runs. Objects are flushed,
not committed; call ``db.session.commit()`` when the test needs it.

People and organisations carry the V4 languages' letters (ř, ő, ľ, ł ...) by default, so
every test exercises them.
"""

from __future__ import annotations

import itertools
import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from clusgo_events.extensions import db
from clusgo_events.models import (
    AttendanceMethod,
    AttendanceRecord,
    AttendanceStatus,
    Event,
    EventStatus,
    Invitation,
    InvitationStatus,
    Organisation,
    OrganisationKind,
    OutboxMessage,
    OutboxStatus,
    Registration,
    RegistrationStatus,
    Respondent,
    Role,
    SeatStatus,
    SessionSeat,
    TrainingSession,
    User,
)
from clusgo_events.models.base import utcnow
from clusgo_events.services.outbox.claims import NO_BODIES
from clusgo_events.services.outbox.keys import OutboxKey
from clusgo_events.services.passwords import hash_password
from clusgo_events.services.timeutil import local_to_utc
from clusgo_events.services.tokens import new_token

PASSWORD = "correct-horse-42"
ZONE = "Europe/Prague"

#: people of the four countries, with the letters their languages add to ASCII
PEOPLE = [
    ("Řehoř Dvořák", "Jihomoravský klastr", "CZ", "cs"),
    ("Szőke-Fűzfa Győző", "Pannon Mechatronikai Klaszter", "HU", "hu"),
    ("Ľubomír Ďurčo-Kráľ", "Žilinský automobilový klaster", "SK", "sk"),
    ("Michał Żąbkowski-Różycki", "Łódzki Klaster Tekstylny", "PL", "pl"),
]

_numbers = itertools.count(1)


def _n() -> int:
    return next(_numbers)


def local_day(days_from_now: int, zone: str = ZONE) -> date:
    """The calendar date ``days_from_now`` days from now, in ``zone``."""
    return (utcnow() + timedelta(days=days_from_now)).astimezone(local_zone(zone)).date()


def local_zone(zone: str = ZONE) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(zone)


def at_local(day: date, hour: int, minute: int = 0, zone: str = ZONE) -> datetime:
    """``day`` at ``hour:minute`` wall-clock time in ``zone``, as aware UTC."""
    return local_to_utc(datetime.combine(day, time(hour, minute)), zone)


def day_with_offset(hours: int, zone: str = ZONE, after_days: int = 7) -> date:
    """The first day at least ``after_days`` from now on which ``zone`` is ``hours`` ahead of
    UTC all day long: in Prague 1 is a winter day (CET), 2 a summer day (CEST)."""
    tz = local_zone(zone)
    day = local_day(after_days, zone)
    for _ in range(400):
        offsets = {datetime.combine(day, time(h), tz).utcoffset() for h in (0, 12, 23)}
        if offsets == {timedelta(hours=hours)}:
            return day
        day += timedelta(days=1)
    raise AssertionError(f"{zone} is never {hours} hours ahead of UTC")


def local_input(moment: datetime, zone: str = ZONE) -> str:
    """``moment`` as a ``datetime-local`` form field carries it: wall-clock time in ``zone``."""
    return moment.astimezone(local_zone(zone)).strftime("%Y-%m-%dT%H:%M")


def user(role: str = Role.REPRESENTATIVE, email: str | None = None, **values: Any) -> User:
    """An account with the test password (``PASSWORD``)."""
    n = _n()
    account = User(
        email=email or f"{role}{n}@example.org",
        name=values.pop("name", f"{role.title()} {n}"),
        role=role,
        password_hash=values.pop("password_hash", None) or hash_password(PASSWORD),
        language=values.pop("language", "en"),
        **values,
    )
    db.session.add(account)
    db.session.flush()
    return account


def organisation(
    name: str | None = None,
    country: str = "CZ",
    kind: str = OrganisationKind.CLUSTER,
    **values: Any,
) -> Organisation:
    """A cluster organisation (or association, or host)."""
    org = Organisation(
        name=name or f"Moravský strojírenský klastr {_n()}", country=country, kind=kind, **values
    )
    db.session.add(org)
    db.session.flush()
    return org


def respondent(email: str | None = None, country: str = "CZ", **values: Any) -> Respondent:
    """A survey respondent who consented and is interested in the event."""
    n = _n()
    person = next((p for p in PEOPLE if p[2] == country), PEOPLE[0])
    answer = Respondent(
        email=(email or f"respondent{n}@example.org").lower(),
        contact_name=values.pop("contact_name", person[0]),
        organisation_name=values.pop("organisation_name", person[1]),
        country=country,
        language=values.pop("language", None),
        interested_in_event=values.pop("interested_in_event", True),
        interested_in_training=values.pop("interested_in_training", False),
        consent=values.pop("consent", True),
        raw_answers=values.pop("raw_answers", {}),
        **values,
    )
    db.session.add(answer)
    db.session.flush()
    return answer


def event(
    slug: str | None = None,
    *,
    starts_in_days: int = 30,
    days: int = 2,
    status: str = EventStatus.PUBLISHED,
    closes_in_days: int | None = 25,
    zone: str = ZONE,
    **values: Any,
) -> Event:
    """An event ``starts_in_days`` from now, 09:00-17:00 local over ``days`` days, with
    registration open now and closing ``closes_in_days`` from now (None: never)."""
    first = local_day(starts_in_days, zone)
    item = Event(
        slug=slug or f"event-{_n()}",
        title=values.pop("title", "V4ClusGo internacionalizační setkání"),
        description=values.pop("description", "Trainings on internationalisation strategy."),
        venue=values.pop("venue", "Brno Exhibition Centre"),
        address=values.pop("address", "Výstaviště 405/1, 603 00 Brno"),
        timezone=zone,
        starts_at=at_local(first, 9, zone=zone),
        ends_at=at_local(first + timedelta(days=days - 1), 17, zone=zone),
        registration_closes_at=(
            at_local(local_day(closes_in_days, zone), 23, 59, zone=zone)
            if closes_in_days is not None
            else None
        ),
        status=status,
        capacity=values.pop("capacity", 100),
        allow_direct_signup=values.pop("allow_direct_signup", True),
        **values,
    )
    db.session.add(item)
    db.session.flush()
    return item


def session(
    of: Event,
    *,
    day: int = 0,
    hour: int = 10,
    hours: float = 2,
    capacity: int = 30,
    trainers: list[User] | tuple[User, ...] = (),
    starts_at: datetime | None = None,
    **values: Any,
) -> TrainingSession:
    """A training session on the event's ``day`` (0 = its first), ``hour`` local time (or at
    ``starts_at``), ``hours`` long."""
    first = of.starts_at.astimezone(local_zone(of.timezone)).date()
    starts = starts_at or at_local(first + timedelta(days=day), hour, zone=of.timezone)
    item = TrainingSession(
        event=of,
        title=values.pop("title", f"Strategie internacionalizace {_n()}"),
        room=values.pop("room", "Hall A"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        capacity=capacity,
        **values,
    )
    item.trainers = list(trainers)
    db.session.add(item)
    db.session.flush()
    return item


def invitation(
    of: Event, to: Respondent | None = None, status: str = InvitationStatus.SENT, **values: Any
) -> tuple[Invitation, str]:
    """An invitation and its raw token (only the hash is stored)."""
    raw, token_hash = new_token()
    to = to or respondent()
    item = Invitation(
        event=of,
        respondent=to,
        token_hash=token_hash,
        language=values.pop("language", to.language or "en"),
        status=status,
        sent_at=values.pop("sent_at", utcnow() if status != InvitationStatus.QUEUED else None),
        expires_at=values.pop("expires_at", of.registration_closes_at or of.starts_at),
        **values,
    )
    db.session.add(item)
    db.session.flush()
    return item, raw


def registration(
    of: Event,
    person: int = 0,
    *,
    status: str = RegistrationStatus.CONFIRMED,
    sessions: list[TrainingSession] | tuple[TrainingSession, ...] = (),
    seat_status: str = SeatStatus.CONFIRMED,
    account: User | None = None,
    **values: Any,
) -> Registration:
    """A registration of ``PEOPLE[person]`` (a new account unless given), with seats.

    Built straight from the models, counting the places it takes: the event's and each
    session's ``confirmed_count`` rise with every confirmed registration and seat.
    """
    name, org, country, language = PEOPLE[person % len(PEOPLE)]
    account = account or user(name=name, language=language)
    item = Registration(
        event=of,
        user=account,
        status=status,
        name=values.pop("name", name),
        email=values.pop("email", account.email),
        organisation_name=values.pop("organisation_name", org),
        country=values.pop("country", country),
        language=values.pop("language", language),
        privacy_consent_at=values.pop("privacy_consent_at", utcnow()),
        checkin_code=values.pop("checkin_code", secrets.token_hex(8)),
        waitlist_position=values.pop(
            "waitlist_position", _n() if status == RegistrationStatus.WAITLISTED else None
        ),
        **values,
    )
    db.session.add(item)
    if status == RegistrationStatus.CONFIRMED:
        of.confirmed_count += 1
    for training in sessions:
        seat(item, training, seat_status)
    db.session.flush()
    return item


def seat(
    of: Registration,
    training: TrainingSession,
    status: str = SeatStatus.CONFIRMED,
    **values: Any,
) -> SessionSeat:
    """A seat of ``of`` in ``training``, counted in the session's places when confirmed."""
    item = SessionSeat(
        registration=of,
        session=training,
        status=status,
        waitlist_position=values.pop(
            "waitlist_position", _n() if status == SeatStatus.WAITLISTED else None
        ),
        **values,
    )
    db.session.add(item)
    if status == SeatStatus.CONFIRMED:
        training.confirmed_count += 1
    db.session.flush()
    return item


def attendance(
    training: TrainingSession,
    of: Registration | None = None,
    status: str = AttendanceStatus.PRESENT,
    *,
    by: User | None = None,
    **values: Any,
) -> AttendanceRecord:
    """An attendance mark; without a registration, a walk-in."""
    walk_in = of is None
    record = AttendanceRecord(
        session=training,
        registration=of,
        is_walk_in=walk_in,
        name=values.pop("name", of.name if of else "Jiří Příchozí"),
        organisation_name=values.pop("organisation_name", of.organisation_name if of else ""),
        country=values.pop("country", of.country if of else "CZ"),
        email=values.pop("email", "" if of else "walk.in@example.org"),
        status=status,
        method=values.pop(
            "method", AttendanceMethod.WALK_IN if walk_in else AttendanceMethod.MANUAL
        ),
        checked_in_at=values.pop(
            "checked_in_at",
            utcnow() if status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE) else None,
        ),
        marked_by_id=by.id if by is not None else None,
        **values,
    )
    db.session.add(record)
    db.session.flush()
    return record


def outbox_message(
    recipient: str | None = None,
    status: str = OutboxStatus.QUEUED,
    *,
    key: OutboxKey | None = None,
    **values: Any,
) -> OutboxMessage:
    """A message in the outbox, in ``status`` as the worker leaves it.

    ``key`` (a builder of ``services.outbox.keys``: ``keys.invitation(inv)`` ...) gives its
    idempotency key, kind and references as the app writes them. A sent message has its
    bodies dropped (``purged_at`` = ``sent_at``) as ``claims.mark_sent`` does, unless the
    test passes them; a failed one keeps them, with ``failed_at`` and the server's answer.
    """
    n = _n()
    columns = key.columns() if key is not None else {"idempotency_key": f"test:{n}"}
    now = utcnow()
    if status == OutboxStatus.SENT:
        values.setdefault("sent_at", now)
        values.setdefault("attempts", 1)
        if not any(name in values for name in NO_BODIES):
            values = {**NO_BODIES, "purged_at": values["sent_at"], **values}
    elif status == OutboxStatus.FAILED:
        values.setdefault("failed_at", now)
        values.setdefault("attempts", 1)
        values.setdefault("last_error", "550 5.1.1 <no-such-user>: Recipient address rejected")
    message = OutboxMessage(
        **columns,
        recipient=recipient or f"reader{n}@example.org",
        recipient_name=values.pop("recipient_name", "Řehoř Dvořák"),
        language=values.pop("language", "cs"),
        subject=values.pop("subject", f"Zpráva č. {n}"),
        body_text=values.pop("body_text", "Dobrý den,\nvítejte v Brně."),
        body_html=values.pop("body_html", ""),
        status=status,
        **values,
    )
    db.session.add(message)
    db.session.flush()
    return message
