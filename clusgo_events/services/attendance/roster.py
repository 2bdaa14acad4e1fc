"""A session's roster: its confirmed participants with their marks, then its walk-ins.

The two queries return plain rows in the same column order, so the roster page and the
exports (:mod:`.rows`) read them alike, in a constant number of queries whatever the size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, select

from ...collation import collated
from ...extensions import db
from ...models import (
    AttendanceRecord,
    AttendanceStatus,
    Registration,
    RegistrationStatus,
    SeatStatus,
    SessionSeat,
    TrainingSession,
)
from .. import collation

#: the marks that count as having attended
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


@dataclass(frozen=True)
class RosterEntry:
    """One line of a session's roster: a confirmed seat or a walk-in."""

    registration_id: int | None
    record_id: int | None
    name: str
    organisation: str
    country: str
    email: str
    status: str | None
    method: str | None
    checked_in_at: datetime | None
    is_walk_in: bool

    @property
    def key(self) -> str:
        """A stable identifier for the page (``r<registration>`` or ``w<record>``)."""
        return f"r{self.registration_id}" if self.registration_id else f"w{self.record_id}"


def seated(session_id: int):  # type: ignore[no-untyped-def]
    """The condition of a confirmed seat of a confirmed registration in the session."""
    return and_(
        SessionSeat.session_id == session_id,
        SessionSeat.status == SeatStatus.CONFIRMED,
        Registration.status == RegistrationStatus.CONFIRMED,
    )


def roster_query(session_id: int) -> Select:
    """Confirmed seats of a session with their mark (if any), by name; plain rows."""
    return (
        select(
            Registration.id,
            AttendanceRecord.id,
            Registration.name,
            Registration.organisation_name,
            Registration.country,
            Registration.email,
            AttendanceRecord.status,
            AttendanceRecord.method,
            AttendanceRecord.checked_in_at,
        )
        .join(SessionSeat, SessionSeat.registration_id == Registration.id)
        .outerjoin(
            AttendanceRecord,
            and_(
                AttendanceRecord.session_id == SessionSeat.session_id,
                AttendanceRecord.registration_id == Registration.id,
            ),
        )
        .where(seated(session_id))
        .order_by(collated(Registration.name), Registration.id)
    )


def walk_in_query(session_id: int) -> Select:
    """A session's walk-ins, in the same column order as :func:`roster_query`."""
    return (
        select(
            AttendanceRecord.registration_id,
            AttendanceRecord.id,
            AttendanceRecord.name,
            AttendanceRecord.organisation_name,
            AttendanceRecord.country,
            AttendanceRecord.email,
            AttendanceRecord.status,
            AttendanceRecord.method,
            AttendanceRecord.checked_in_at,
        )
        .where(
            AttendanceRecord.session_id == session_id,
            AttendanceRecord.is_walk_in.is_(True),
        )
        .order_by(collated(AttendanceRecord.name), AttendanceRecord.id)
    )


def _entry(row, is_walk_in: bool) -> RosterEntry:  # type: ignore[no-untyped-def]
    return RosterEntry(*row[:3], row[3] or "", row[4] or "", row[5] or "", *row[6:], is_walk_in)


def roster(session: TrainingSession, language: str | None = None) -> list[RosterEntry]:
    """Confirmed participants, then walk-ins, each by name in ``language``'s order; two
    queries whatever the size."""
    participants = [_entry(row, False) for row in db.session.execute(roster_query(session.id))]
    walk_ins = [_entry(row, True) for row in db.session.execute(walk_in_query(session.id))]
    entries = []
    for group in (participants, walk_ins):
        entries += sorted(group, key=lambda e: (collation.sort_key(e.name, language), e.key))
    return entries


def matching(entries: list[RosterEntry], search: str) -> list[RosterEntry]:
    """The entries whose name, organisation or country match ``search`` (all when empty)."""
    if not search.strip():
        return entries
    return [e for e in entries if collation.matches(search, e.name, e.organisation, e.country)]


def search_text(entry: RosterEntry) -> str:
    """What the roster's search box matches, folded (the page's script filters on it)."""
    return collation.fold(f"{entry.name} {entry.organisation} {entry.country}")


def roster_entry(record: AttendanceRecord) -> RosterEntry:
    """The roster line of one record (for a JSON answer)."""
    reg = record.registration
    return RosterEntry(
        registration_id=record.registration_id,
        record_id=record.id,
        name=reg.name if reg else record.name,
        organisation=(reg.organisation_name if reg else record.organisation_name) or "",
        country=(reg.country if reg else record.country) or "",
        email=(reg.email if reg else record.email) or "",
        status=record.status,
        method=record.method,
        checked_in_at=record.checked_in_at,
        is_walk_in=record.is_walk_in,
    )


def counts(entries: list[RosterEntry]) -> dict[str, int]:
    """How many entries have each mark, how many none, and how many in all."""
    totals = {status.value: 0 for status in AttendanceStatus}
    for entry in entries:
        if entry.status in totals:
            totals[entry.status] += 1
    totals["unmarked"] = sum(1 for e in entries if e.status is None)
    totals["total"] = len(entries)
    return totals
