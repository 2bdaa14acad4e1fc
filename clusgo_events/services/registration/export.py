"""An event's registrations as CSV or XLSX: one entry point for the page and the CLI.

Columns (headers in the reader's language): name, e-mail, organisation, country, position,
phone, status, waiting-list position, sessions, dietary and accessibility needs, consent time,
registered at. XLSX holds real date cells (in the event's zone); CSV writes them as text. Text
cells are neutralised against formula injection by the attendance exports' one rule
(:func:`..attendance.rows.safe_cell`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, BinaryIO

from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import func, select

from ...extensions import db
from ...models import Event, Registration, SessionSeat
from ...models.enums import RegistrationStatus, SeatStatus
from ..attendance.rows import naive_local, safe_cell
from ..csv_dialect import BOM, CsvDialect, dialect_for
from ..csv_dialect import writer as csv_writer
from ..scope import in_countries
from .lists import registration_ranks, status_order

FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DATE_FORMAT = "yyyy-mm-dd hh:mm"
#: a CSV's times, in the event's zone: the same in every language (a spreadsheet sorts them)
STAMP = "%Y-%m-%d %H:%M"
WIDTHS = (28, 32, 30, 8, 22, 16, 12, 10, 44, 30, 30, 17, 17)
DATE_COLUMNS = (11, 12)  # consent time, registered at (0-based)
#: the registration's own columns the export reads (scripts/bench_registration_export.py
#: writes them with a bare csv.writer, its reference)
COLUMNS_PLAIN = (
    "name",
    "email",
    "organisation_name",
    "country",
    "position",
    "phone",
    "status",
    "waitlist_position",
    "dietary_needs",
    "accessibility_needs",
    "privacy_consent_at",
    "created_at",
)


def header() -> list[str]:
    """The column titles, in the reader's language."""
    return [
        _("Name"),
        _("E-mail"),
        _("Organisation"),
        _("Country"),
        _("Position"),
        _("Phone"),
        _("Status"),
        _("Waiting-list position"),
        _("Sessions"),
        _("Dietary needs"),
        _("Accessibility needs"),
        _("Consent time"),
        _("Registered at"),
    ]


def _labels() -> dict[str, str]:
    return {
        RegistrationStatus.CONFIRMED: _("confirmed"),
        RegistrationStatus.WAITLISTED: _("waiting list"),
        RegistrationStatus.CANCELLED: _("cancelled"),
    }


def _local(moment: datetime | None, zone: str) -> datetime | None:
    """``moment`` in the event's zone, without a zone (spreadsheets keep none)."""
    return naive_local(moment, zone) if moment is not None else None


def count(event: Event, countries: frozenset[str] | None = None) -> int:
    """How many rows the export of ``event`` has (for a progress bar)."""
    total = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id, in_countries(countries, Registration.country)
        )
    )
    return int(total or 0)


#: the registration's columns the export reads, as plain rows (no ORM objects: 10,000 of them
#: and their seats took most of the export's time)
_PERSON = (
    Registration.id,
    Registration.event_id,
    Registration.status,
    Registration.name,
    Registration.email,
    Registration.organisation_name,
    Registration.country,
    Registration.position,
    Registration.phone,
    Registration.dietary_needs,
    Registration.accessibility_needs,
    Registration.privacy_consent_at,
    Registration.created_at,
)


def _sessions_by_registration(
    event: Event, countries: frozenset[str] | None, labels: dict[str, str]
) -> dict[int, str]:
    """Each registration's sessions cell ("Strategy (confirmed); Export (waiting list)"), in
    the sessions' order, from one query of the seats."""
    sessions = sorted(event.sessions, key=lambda s: (s.starts_at, s.id))
    order = {s.id: n for n, s in enumerate(sessions)}
    titles = {s.id: s.text("title") for s in sessions}
    seats = db.session.execute(
        select(SessionSeat.registration_id, SessionSeat.session_id, SessionSeat.status)
        .join(Registration, Registration.id == SessionSeat.registration_id)
        .where(
            Registration.event_id == event.id,
            in_countries(countries, Registration.country),
            SessionSeat.status != SeatStatus.CANCELLED,
        )
    )
    held: dict[int, list[tuple[int, str]]] = {}
    for registration_id, session_id, status in seats:
        text = f"{titles.get(session_id, '')} ({labels.get(status, status)})"
        held.setdefault(registration_id, []).append((order.get(session_id, 0), text))
    return {key: "; ".join(t for _n, t in sorted(items)) for key, items in held.items()}


def rows(event: Event, countries: frozenset[str] | None = None) -> Iterator[list[Any]]:
    """One list per registration (of ``countries`` only when given: the organiser's, see
    :func:`..scope.visible_countries`): confirmed, the waiting list in order, cancelled; text
    cells neutralised, the two times as datetimes in the event's zone (three queries)."""
    zone = event.timezone
    labels = _labels()
    seat_labels = {
        SeatStatus.CONFIRMED: labels[RegistrationStatus.CONFIRMED],
        SeatStatus.WAITLISTED: labels[RegistrationStatus.WAITLISTED],
    }
    people = db.session.execute(
        select(*_PERSON)
        .where(Registration.event_id == event.id, in_countries(countries, Registration.country))
        .order_by(
            status_order(Registration.status),
            Registration.waitlist_position.nulls_first(),
            Registration.created_at,
            Registration.id,
        )
    ).all()
    ranks = registration_ranks(people)
    sessions = _sessions_by_registration(event, countries, seat_labels)
    for r in people:
        texts = (
            r.name,
            r.email,
            r.organisation_name,
            r.country,
            r.position,
            r.phone,
            labels.get(r.status, r.status),
        )
        yield [
            *(safe_cell(t or "") for t in texts),
            ranks.get(r.id),
            safe_cell(sessions.get(r.id, "")),
            safe_cell(r.dietary_needs or ""),
            safe_cell(r.accessibility_needs or ""),
            _local(r.privacy_consent_at, zone),
            _local(r.created_at, zone),
        ]


def _as_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime(STAMP)
    return str(cell)


def write_csv(
    table: Iterable[list[Any]],
    out: BinaryIO,
    on_row: Callable[[], None] | None = None,
    dialect: CsvDialect | None = None,
) -> None:
    """UTF-8 CSV with a BOM, in ``dialect`` (the reader's locale's by default: see
    :mod:`..csv_dialect`)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, dialect or dialect_for(str(get_locale() or "en")))
    buffer.write(BOM)
    writer.writerow(header())
    for row in table:
        writer.writerow([_as_text(c) for c in row])
        if on_row is not None:
            on_row()
    out.write(buffer.getvalue().encode("utf-8"))


def write_xlsx(
    table: Iterable[list[Any]],
    out: Any,
    on_row: Callable[[], None] | None = None,
    dialect: CsvDialect | None = None,
) -> None:
    """An XLSX workbook (write-only), dates as date cells (``dialect`` is a CSV's only)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Registrations")[:31])
    for n, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + n)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(header())
    for row in table:
        cells: list[Any] = []
        for n, value in enumerate(row):
            if n in DATE_COLUMNS and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        if on_row is not None:
            on_row()
    workbook.save(out)


def export_to_file(
    event: Event,
    fmt: str,
    out: BinaryIO,
    on_row: Callable[[], None] | None = None,
    dialect: CsvDialect | None = None,
    countries: frozenset[str] | None = None,
) -> None:
    """Write ``event``'s registrations (of ``countries`` only when given) in ``fmt`` (csv or
    xlsx; a CSV in ``dialect``) to ``out``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    (write_csv if fmt == "csv" else write_xlsx)(rows(event, countries), out, on_row, dialect)


def filename_for(event: Event, fmt: str) -> str:
    """A download name such as ``registrations-brno-2017.xlsx``."""
    return f"registrations-{event.slug}.{fmt}"
