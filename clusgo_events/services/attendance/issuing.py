"""Who earns a certificate of attendance, issuing and reissuing it, and checking its code.

The organiser chooses the rule per event (its report settings): present (or late) at every
one of their confirmed sessions, at :attr:`~ReportSettings.certificate_min_sessions` sessions
at least, or chosen by hand. Each certificate is a :class:`Certificate` row with an
unguessable verification code that ``/certificates/<code>`` confirms; it is e-mailed through
the outbox once (its idempotency key), and reissuing revokes it and issues a new one.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from ...collation import collated
from ...extensions import db
from ...i18n import language_for
from ...models import (
    AttendanceRecord,
    Certificate,
    CertificateRule,
    Event,
    Registration,
    RegistrationStatus,
    SeatStatus,
    SessionSeat,
    SessionStatus,
    TrainingSession,
    User,
)
from ...models.base import utcnow
from .. import ServiceError, audit
from ..mailer import render_email
from ..outbox import attachment, keys
from ..registration.mail import queue_to_participant
from ..sender import senders_of
from .roster import ATTENDED
from .settings import settings_of

#: a code reads in groups of four (no 0/O, 1/I/L to mistake): 60 bits, unguessable
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    """``K7QF-93XD-2MPA``: a fresh verification code."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def normalise_code(code: str) -> str:
    """A code as typed (lower case, spaces, no dashes) in its printed form."""
    raw = "".join(c for c in code.upper() if c.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@dataclass(frozen=True)
class Standing:
    """A confirmed participant's attendance: confirmed seats, and how many they attended."""

    registration: Registration
    seats: int
    attended: int


def standings(event: Event) -> list[Standing]:
    """Every confirmed participant of the event with their seats and attendance, by name."""
    came = func.count(AttendanceRecord.id)
    rows = db.session.execute(
        select(Registration, func.count(SessionSeat.id), came)
        .join(SessionSeat, SessionSeat.registration_id == Registration.id)
        .join(TrainingSession, TrainingSession.id == SessionSeat.session_id)
        .outerjoin(
            AttendanceRecord,
            and_(
                AttendanceRecord.session_id == SessionSeat.session_id,
                AttendanceRecord.registration_id == Registration.id,
                AttendanceRecord.status.in_(ATTENDED),
            ),
        )
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            SessionSeat.status == SeatStatus.CONFIRMED,
            TrainingSession.status != SessionStatus.CANCELLED,
        )
        .group_by(Registration.id)
        .order_by(collated(Registration.name), Registration.id)
    )
    return [Standing(registration, seats, attended) for registration, seats, attended in rows]


def earns(standing: Standing, rule: str, at_least: int) -> bool:
    """Whether ``standing`` earns a certificate under ``rule`` (never by hand)."""
    if rule == CertificateRule.ALL:
        return standing.attended > 0 and standing.attended == standing.seats
    if rule == CertificateRule.AT_LEAST:
        return standing.attended >= max(1, at_least)
    return False


def eligible_for_certificate(event: Event) -> list[Registration]:
    """The participants who earn a certificate under the event's rule."""
    settings = settings_of(event)
    rule, at_least = settings.certificate_rule, settings.certificate_min_sessions
    return [s.registration for s in standings(event) if earns(s, rule, at_least)]


def attended_sessions(registrations: Iterable[Registration]) -> dict[int, list[TrainingSession]]:
    """The sessions each registration attended (present or late), in programme order."""
    ids = [r.id for r in registrations]
    found: dict[int, list[TrainingSession]] = defaultdict(list)
    if not ids:
        return found
    rows = db.session.execute(
        select(AttendanceRecord.registration_id, TrainingSession)
        .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
        .where(
            AttendanceRecord.registration_id.in_(ids),
            AttendanceRecord.status.in_(ATTENDED),
            TrainingSession.status != SessionStatus.CANCELLED,
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )
    for registration_id, session in rows:
        found[registration_id].append(session)
    return found


def valid_certificates(event: Event) -> dict[int, Certificate]:
    """The event's certificates in force, by registration."""
    return {
        c.registration_id: c
        for c in db.session.scalars(
            select(Certificate).where(
                Certificate.event_id == event.id,
                Certificate.revoked_at.is_(None),
                Certificate.registration_id.is_not(None),
            )
        )
    }


def certificates_of(event: Event) -> list[Certificate]:
    """Every certificate of the event, the latest first (one query)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.event_id == event.id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def _issue(
    event: Event,
    registration: Registration,
    sessions: list[TrainingSession],
    by: User | None,
    reissue: bool = False,
) -> Certificate:
    from .certificates import certificate_pdf

    minutes = sum(int((s.ends_at - s.starts_at).total_seconds() // 60) for s in sessions)
    certificate = Certificate(
        event_id=event.id,
        registration_id=registration.id,
        code=new_code(),
        name=registration.name,
        organisation_name=registration.organisation_name or "",
        sessions=len(sessions),
        minutes=minutes,
        issued_at=utcnow(),
        issued_by_id=by.id if by is not None and getattr(by, "id", None) else None,
    )
    db.session.add(certificate)
    db.session.flush()
    language = language_for(registration.language, registration.country)
    data = certificate_pdf(registration, sessions, certificate)
    sender = senders_of(event)(registration.country)
    mail = render_email(
        "certificate",
        language,
        registration=registration,
        event=event,
        sessions=sessions,
        sender=sender,
    )
    queue_to_participant(
        registration,
        keys.certificate(event, registration, certificate.id if reissue else None),
        sender,
        mail,
        language=language,
        attachments=[attachment("certificate.pdf", "application/pdf", data)],
    )
    return certificate


def issue(event: Event, registrations: list[Registration], by: User | None) -> int:
    """Issue and e-mail a certificate to each of ``registrations`` without one in force."""
    held = valid_certificates(event)
    pending = [r for r in registrations if r.id not in held]
    sessions = attended_sessions(pending)
    for registration in pending:
        _issue(event, registration, sessions[registration.id], by)
    if pending:
        audit.record("attendance.certificates", event, {"queued": len(pending)}, actor=by)
    db.session.flush()
    return len(pending)


def send_certificates(event: Event, by: User | None) -> int:
    """Issue a certificate to everyone the event's rule names who has none yet."""
    if settings_of(event).certificate_rule == CertificateRule.BY_HAND:
        raise ServiceError(_l("This event's certificates are chosen by hand: choose who."))
    return issue(event, eligible_for_certificate(event), by)


def issue_chosen(event: Event, registration_ids: Iterable[int], by: User | None) -> int:
    """Issue certificates to the confirmed participants the organiser chose."""
    wanted = set(registration_ids)
    chosen = [s.registration for s in standings(event) if s.registration.id in wanted]
    if not chosen:
        raise ServiceError(_l("Choose at least one participant."), "chosen")
    return issue(event, chosen, by)


def certificate_of(event: Event, certificate_id: int) -> Certificate | None:
    """The event's certificate ``certificate_id``; None for another event's or none."""
    found = db.session.get(Certificate, certificate_id)
    return found if found is not None and found.event_id == event.id else None


def reissue(event: Event, certificate: Certificate, by: User | None) -> Certificate:
    """Revoke ``certificate`` and issue its holder a new one (new code, e-mailed again)."""
    registration = certificate.registration
    if certificate.revoked_at is not None:
        raise ServiceError(_l("This certificate was revoked already."))
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        raise ServiceError(_l("The participant is no longer registered."))
    certificate.revoked_at = utcnow()
    new = _issue(event, registration, attended_sessions([registration])[registration.id], by, True)
    audit.record(
        "attendance.certificate_reissue",
        new,
        {"revoked": certificate.code, "code": new.code},
        actor=by,
        event=event,
    )
    db.session.flush()
    return new


def verify(code: str) -> Certificate | None:
    """The certificate with this code (revoked ones too), or None."""
    cleaned = normalise_code(code or "")
    if len(cleaned) != 14:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == cleaned))
