"""The event's participants, one line a person: registrations (not cancelled) and walk-ins.

Two grouped queries whatever the size; "sessions attended" counts present and late marks,
the same rule as the summary's "attended" (:data:`.roster.ATTENDED`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from ...extensions import db
from ...models import (
    AttendanceRecord,
    Event,
    Organisation,
    Registration,
    RegistrationStatus,
    Respondent,
    TrainingSession,
)
from .roster import ATTENDED


@dataclass(frozen=True, slots=True)
class Participant:
    """One person of the event's report."""

    name: str
    organisation: str
    country: str
    city: str
    email: str
    sessions_attended: int
    status: str
    walk_in: bool


def _attended_counts(event: Event):  # type: ignore[no-untyped-def]
    """Present/late marks per registration of the event (a subquery)."""
    return (
        select(AttendanceRecord.registration_id.label("registration_id"), func.count().label("n"))
        .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
        .where(
            TrainingSession.event_id == event.id,
            AttendanceRecord.registration_id.is_not(None),
            AttendanceRecord.status.in_(ATTENDED),
        )
        .group_by(AttendanceRecord.registration_id)
        .subquery()
    )


def participants(event: Event) -> list[Participant]:
    """Registered people by name, then walk-ins (one line per name and e-mail)."""
    counts = _attended_counts(event)
    city = func.coalesce(func.nullif(Respondent.city, ""), Organisation.city, "")
    found = [
        Participant(
            name=name,
            organisation=organisation or "",
            country=country or "",
            city=town or "",
            email=email or "",
            sessions_attended=int(n or 0),
            status=status,
            walk_in=False,
        )
        for name, organisation, country, town, email, status, n in db.session.execute(
            select(
                Registration.name,
                Registration.organisation_name,
                Registration.country,
                city,
                Registration.email,
                Registration.status,
                counts.c.n,
            )
            .outerjoin(Respondent, Respondent.id == Registration.respondent_id)
            .outerjoin(Organisation, Organisation.id == Respondent.organisation_id)
            .outerjoin(counts, counts.c.registration_id == Registration.id)
            .where(
                Registration.event_id == event.id,
                Registration.status != RegistrationStatus.CANCELLED,
            )
            .order_by(Registration.name, Registration.id)
        )
    ]
    came = func.sum(case((AttendanceRecord.status.in_(ATTENDED), 1), else_=0))
    found += [
        Participant(
            name=name or "",
            organisation=organisation or "",
            country=country or "",
            city="",
            email=email or "",
            sessions_attended=int(n or 0),
            status="",
            walk_in=True,
        )
        for name, organisation, country, email, n in db.session.execute(
            select(
                AttendanceRecord.name,
                AttendanceRecord.organisation_name,
                AttendanceRecord.country,
                AttendanceRecord.email,
                came,
            )
            .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
            .where(TrainingSession.event_id == event.id, AttendanceRecord.is_walk_in.is_(True))
            .group_by(
                AttendanceRecord.name,
                AttendanceRecord.organisation_name,
                AttendanceRecord.country,
                AttendanceRecord.email,
            )
            .order_by(AttendanceRecord.name)
        )
    ]
    return found
