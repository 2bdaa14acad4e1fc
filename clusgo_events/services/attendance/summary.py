"""An event's attendance summary: attendance per session, participants per country and
organisation.

The summary runs a fixed number of grouped queries, whatever the number of sessions or
participants.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    AttendanceRecord,
    AttendanceStatus,
    Event,
    Registration,
    RegistrationStatus,
    ReportSettings,
    SeatStatus,
    SessionSeat,
    SessionStatus,
    TrainingSession,
)
from .roster import ATTENDED


@dataclass
class SessionStats:
    """Attendance at one session: confirmed seats and how many of them came."""

    session: TrainingSession
    confirmed: int = 0
    present: int = 0
    late: int = 0
    excused: int = 0
    absent: int = 0
    walk_ins: int = 0

    @property
    def attended(self) -> int:
        return self.present + self.late

    @property
    def unmarked(self) -> int:
        return max(0, self.confirmed - self.present - self.late - self.excused - self.absent)

    @property
    def rate(self) -> float:
        """Share of confirmed participants who attended (0..1)."""
        return self.attended / self.confirmed if self.confirmed else 0.0


@dataclass
class GroupCount:
    """Participants of one country or organisation."""

    label: str
    country: str
    #: confirmed and waitlisted registrations (every one not cancelled)
    registered: int = 0
    confirmed: int = 0
    #: registrations present (or late) at one session at least
    attended: int = 0
    walk_ins: int = 0


@dataclass
class Summary:
    """The figures of the summary page."""

    sessions: list[SessionStats] = field(default_factory=list)
    countries: list[GroupCount] = field(default_factory=list)
    organisations: list[GroupCount] = field(default_factory=list)
    #: the country the event takes place in (its report settings', else its host's)
    event_country: str | None = None

    def _from_elsewhere(self) -> list[GroupCount]:
        return [c for c in self.countries if c.label not in ("—", self.event_country)]

    @property
    def mobility(self) -> GroupCount:
        """Participants from another country than the event's (mobility, as the Fund
        counts it): registered, confirmed, attended and walk-ins summed over those countries."""
        total = GroupCount("*", "*")
        if self.event_country is None:
            return total
        for country in self._from_elsewhere():
            total.registered += country.registered
            total.confirmed += country.confirmed
            total.attended += country.attended
            total.walk_ins += country.walk_ins
        return total

    @property
    def participants(self) -> int:
        """Everyone present at least once: registrations that attended, and walk-ins."""
        return sum(c.attended + c.walk_ins for c in self.countries)

    @property
    def max_country(self) -> int:
        """The largest country's count (the chart's scale)."""
        return max((c.registered + c.walk_ins for c in self.countries), default=0)


def _attended_any(event: Event):  # type: ignore[no-untyped-def]
    """Registration ids of the event with at least one present/late mark (a subquery)."""
    return (
        select(AttendanceRecord.registration_id)
        .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
        .where(
            TrainingSession.event_id == event.id,
            AttendanceRecord.registration_id.is_not(None),
            AttendanceRecord.status.in_(ATTENDED),
        )
        .distinct()
        .scalar_subquery()
    )


def event_country(event: Event) -> str | None:
    """Where the event takes place: its report settings' country, else its host's."""
    settings = db.session.scalar(select(ReportSettings).where(ReportSettings.event_id == event.id))
    if settings is not None and settings.country:
        return settings.country
    host = event.host_organisation
    return host.country if host is not None and host.country else None


def summary(event: Event) -> Summary:
    """The event's figures in a fixed number of queries."""
    result = Summary()
    sessions = db.session.scalars(
        select(TrainingSession)
        .options(selectinload(TrainingSession.trainers))
        .where(
            TrainingSession.event_id == event.id, TrainingSession.status != SessionStatus.CANCELLED
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    ).all()
    stats = {s.id: SessionStats(s) for s in sessions}
    result.sessions = list(stats.values())

    confirmed_seat = and_(
        SessionSeat.status == SeatStatus.CONFIRMED,
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    for session_id, confirmed in db.session.execute(
        select(SessionSeat.session_id, func.count())
        .join(Registration, Registration.id == SessionSeat.registration_id)
        .where(SessionSeat.session_id.in_(stats), confirmed_seat)
        .group_by(SessionSeat.session_id)
    ):
        stats[session_id].confirmed = confirmed
    for session_id, status, count in db.session.execute(
        select(SessionSeat.session_id, AttendanceRecord.status, func.count())
        .join(Registration, Registration.id == SessionSeat.registration_id)
        .join(
            AttendanceRecord,
            and_(
                AttendanceRecord.session_id == SessionSeat.session_id,
                AttendanceRecord.registration_id == SessionSeat.registration_id,
            ),
        )
        .where(SessionSeat.session_id.in_(stats), confirmed_seat)
        .group_by(SessionSeat.session_id, AttendanceRecord.status)
    ):
        if status in set(AttendanceStatus):
            setattr(stats[session_id], status, count)
    for session_id, count in db.session.execute(
        select(AttendanceRecord.session_id, func.count())
        .where(AttendanceRecord.session_id.in_(stats), AttendanceRecord.is_walk_in.is_(True))
        .group_by(AttendanceRecord.session_id)
    ):
        stats[session_id].walk_ins = count

    attended = case((Registration.id.in_(_attended_any(event)), 1), else_=0)
    countries: dict[str, GroupCount] = {}
    organisations: dict[tuple[str, str], GroupCount] = {}
    for organisation, country, status, registered, came in db.session.execute(
        select(
            Registration.organisation_name,
            Registration.country,
            Registration.status,
            func.count(),
            func.sum(attended),
        )
        .where(
            Registration.event_id == event.id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .group_by(Registration.organisation_name, Registration.country, Registration.status)
    ):
        org = organisation or "—"
        code = country or "—"
        confirmed = registered if status == RegistrationStatus.CONFIRMED else 0
        for group in (
            organisations.setdefault((org, code), GroupCount(org, code)),
            countries.setdefault(code, GroupCount(code, code)),
        ):
            group.registered += registered
            group.confirmed += confirmed
            group.attended += int(came or 0)
    for organisation, country, count in db.session.execute(
        select(AttendanceRecord.organisation_name, AttendanceRecord.country, func.count())
        .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
        .where(TrainingSession.event_id == event.id, AttendanceRecord.is_walk_in.is_(True))
        .group_by(AttendanceRecord.organisation_name, AttendanceRecord.country)
    ):
        org = organisation or "—"
        code = country or "—"
        organisations.setdefault((org, code), GroupCount(org, code)).walk_ins += count
        countries.setdefault(code, GroupCount(code, code)).walk_ins += count
    result.countries = sorted(countries.values(), key=lambda g: (-g.registered, g.label))
    result.event_country = event_country(event)
    result.organisations = sorted(
        organisations.values(), key=lambda g: (g.country, g.label.casefold())
    )
    return result
