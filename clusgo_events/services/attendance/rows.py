"""The rows of an attendance list: one participant at one session, ready for any format.

Rows come from the database in batches (``yield_per``, a server-side cursor on PostgreSQL) as
plain tuples that the ORM session does not keep. A streamed download reads them after the
view has returned, when the request's database session (and every object it loaded) is gone:
so :func:`rows_for` copies what it needs of the sessions and their event into plain
:class:`SessionHead` values *before* it returns its iterator, and the iterator touches no
object loaded earlier (doing so made the event-wide CSV answer 500 under gunicorn).

Text cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR)
are neutralised with a leading apostrophe.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as _ILLEGAL
from sqlalchemy import func, select

from ...extensions import db
from ...models import (
    AttendanceMethod,
    AttendanceRecord,
    AttendanceStatus,
    Event,
    Registration,
    RegistrationStatus,
    SeatStatus,
    SessionSeat,
    SessionStatus,
    TrainingSession,
)
from ..timeutil import format_moment, utc_to_local
from .roster import roster_query, walk_in_query

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000


def header() -> list[str]:
    """The column titles, in the reader's language."""
    return [
        _("Event"),
        _("Session"),
        _("Session start"),
        _("Participant"),
        _("Organisation"),
        _("Country"),
        _("Status"),
        _("Check-in time"),
        _("Method"),
        _("Walk-in"),
    ]


@dataclass(frozen=True)
class Labels:
    """The words the lists print for marks and methods, in the reader's language (looked up
    once per list: a gettext call per cell of 10,000 rows would double a CSV's time)."""

    statuses: dict[str, str]
    methods: dict[str, str]
    unmarked: str
    yes: str

    @classmethod
    def current(cls) -> Labels:
        return cls(
            statuses={
                AttendanceStatus.PRESENT: _("present"),
                AttendanceStatus.LATE: _("late"),
                AttendanceStatus.EXCUSED: _("excused"),
                AttendanceStatus.ABSENT: _("absent"),
            },
            methods={
                AttendanceMethod.MANUAL: _("manual"),
                AttendanceMethod.QR: _("QR code"),
                AttendanceMethod.WALK_IN: _("walk-in"),
            },
            unmarked=_("not marked"),
            yes=_("yes"),
        )

    def status(self, status: str | None) -> str:
        """A mark as the lists print it; ``not marked`` for none."""
        return self.statuses.get(status, status) if status else self.unmarked

    def method(self, method: str | None) -> str:
        """How a mark was made."""
        return self.methods.get(method, method) if method else ""


def safe_cell(value: str) -> str:
    """``value`` made inert for spreadsheets: a leading apostrophe before a formula trigger,
    and without the control characters an XLSX cannot hold (a pasted vertical tab, say:
    openpyxl would refuse the whole file)."""
    if value and _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    if value and value.startswith(_DANGEROUS):
        return "'" + value
    return value


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One participant at one session, with times already in the event's zone."""

    event: str
    session: str
    session_start: str
    participant: str
    organisation: str
    country: str
    status: str
    checked_in: str
    method: str
    walk_in: bool
    marked: bool = False
    walk_in_text: str = ""
    #: the session's start and the check-in as naive local times, for spreadsheet cells
    session_start_at: datetime | None = None
    checked_in_at: datetime | None = None

    def cells(self) -> list[str]:
        """The row as neutralised spreadsheet cells, in :func:`header` order."""
        return [
            safe_cell(v)
            for v in (
                self.event,
                self.session,
                self.session_start,
                self.participant,
                self.organisation,
                self.country,
                self.status,
                self.checked_in,
                self.method,
                self.walk_in_text,
            )
        ]

    def xlsx_cells(self) -> list[str | datetime | None]:
        """The row for a workbook: :meth:`cells` with real date-and-time cells."""
        cells: list[str | datetime | None] = list(self.cells())
        cells[2] = self.session_start_at
        cells[7] = self.checked_in_at
        return cells


@dataclass(frozen=True, slots=True)
class SessionHead:
    """What every row of one session repeats, copied out of the ORM objects."""

    id: int
    event: str
    title: str
    start: str
    zone: str
    start_at: datetime

    @classmethod
    def of(cls, session: TrainingSession) -> SessionHead:
        event = session.event
        return cls(
            id=session.id,
            event=event.text("title"),
            title=session.text("title"),
            start=format_moment(session.starts_at, event.timezone, "stamp"),
            zone=event.timezone,
            start_at=naive_local(session.starts_at, event.timezone),
        )


def naive_local(value: datetime, zone: str) -> datetime:
    """``value`` in the event's zone without its zone: what a spreadsheet cell holds."""
    return utc_to_local(value, zone).replace(tzinfo=None)


def sessions_of(event: Event) -> list[TrainingSession]:
    """The event's sessions that took (or will take) place, in programme order."""
    return list(
        db.session.scalars(
            select(TrainingSession)
            .where(
                TrainingSession.event_id == event.id,
                TrainingSession.status != SessionStatus.CANCELLED,
            )
            .order_by(TrainingSession.starts_at, TrainingSession.id)
        )
    )


def count_rows(sessions: list[TrainingSession]) -> int:
    """How many rows an export of ``sessions`` has (for a progress bar)."""
    ids = [s.id for s in sessions]
    if not ids:
        return 0
    seats = db.session.scalar(
        select(func.count())
        .select_from(SessionSeat)
        .join(Registration, Registration.id == SessionSeat.registration_id)
        .where(
            SessionSeat.session_id.in_(ids),
            SessionSeat.status == SeatStatus.CONFIRMED,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    walk_ins = db.session.scalar(
        select(func.count())
        .select_from(AttendanceRecord)
        .where(AttendanceRecord.session_id.in_(ids), AttendanceRecord.is_walk_in.is_(True))
    )
    return int(seats or 0) + int(walk_ins or 0)


def head_rows(
    head: SessionHead, blank: bool = False, labels: Labels | None = None
) -> Iterator[ExportRow]:
    """The rows of one session, fetched in batches; ``blank`` leaves out marks and walk-ins."""
    labels = labels or Labels.current()
    queries = [roster_query(head.id)] + ([] if blank else [walk_in_query(head.id)])
    for is_walk_in, query in zip((False, True), queries, strict=False):
        result = db.session.execute(query.execution_options(yield_per=BATCH))
        for row in result:
            status, method, checked_in_at = row[6], row[7], row[8]
            yield ExportRow(
                event=head.event,
                session=head.title,
                session_start=head.start,
                participant=row[2] or "",
                organisation=row[3] or "",
                country=row[4] or "",
                status="" if blank else labels.status(status),
                checked_in=""
                if blank or checked_in_at is None
                else format_moment(checked_in_at, head.zone, "stamp"),
                method="" if blank else labels.method(method),
                walk_in=is_walk_in,
                walk_in_text=labels.yes if is_walk_in else "",
                marked=not blank and status is not None,
                session_start_at=head.start_at,
                checked_in_at=None
                if blank or checked_in_at is None
                else naive_local(checked_in_at, head.zone),
            )


def rows_for(sessions: Iterable[TrainingSession], blank: bool = False) -> Iterator[ExportRow]:
    """The rows of several sessions, one after the other (see the module notes: the sessions'
    texts are read now, the rows when the iterator is)."""
    heads = [SessionHead.of(session) for session in sessions]
    labels = Labels.current()

    def rows() -> Iterator[ExportRow]:
        for head in heads:
            yield from head_rows(head, blank=blank, labels=labels)

    return rows()
