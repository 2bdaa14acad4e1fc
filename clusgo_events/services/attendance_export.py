"""Attendance lists per session and per event: CSV, XLSX and a printable PDF sign-in sheet.

Every format streams: rows come from the database in batches (``yield_per``, a server-side
cursor on PostgreSQL) as plain tuples that the ORM session does not keep, CSV is yielded in
chunks, XLSX is written by openpyxl's write-only workbook (rows go to a temporary file, not
to memory) and the PDF is laid out page by page. Text cells that a spreadsheet would run as
a formula (starting with =, +, -, @, tab or CR) are neutralised with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fpdf import FPDF
from openpyxl import Workbook
from sqlalchemy import func, select

from ..extensions import db
from ..models import AttendanceRecord, Event, Registration, SessionSeat, TrainingSession
from .attendance import roster_query, walk_in_query
from .timeutil import format_local, utc_to_local

FORMATS = ("csv", "xlsx", "pdf")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
HEADER = [
    "Event",
    "Session",
    "Session start",
    "Participant",
    "Organisation",
    "Country",
    "Status",
    "Check-in time",
    "Method",
    "Walk-in",
]
FONT_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "fonts"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000


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

    def cells(self) -> list[str]:
        """The row as neutralised spreadsheet cells, in :data:`HEADER` order."""
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
                "yes" if self.walk_in else "",
            )
        ]


def safe_cell(value: str) -> str:
    """``value`` made inert for spreadsheets: a leading apostrophe before a formula trigger."""
    if value and value.startswith(_DANGEROUS):
        return "'" + value
    return value


# --- rows --------------------------------------------------------------------------------


def sessions_of(event: Event) -> list[TrainingSession]:
    """The event's sessions that took (or will take) place, in programme order."""
    return list(
        db.session.scalars(
            select(TrainingSession)
            .where(TrainingSession.event_id == event.id, TrainingSession.status != "cancelled")
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
            SessionSeat.status == "confirmed",
            Registration.status == "confirmed",
        )
    )
    walk_ins = db.session.scalar(
        select(func.count())
        .select_from(AttendanceRecord)
        .where(AttendanceRecord.session_id.in_(ids), AttendanceRecord.is_walk_in.is_(True))
    )
    return int(seats or 0) + int(walk_ins or 0)


def session_rows(session: TrainingSession, blank: bool = False) -> Iterator[ExportRow]:
    """The rows of one session, fetched in batches; ``blank`` leaves out every mark."""
    event = session.event
    zone = event.timezone
    start = format_local(session.starts_at, zone, "%Y-%m-%d %H:%M")
    queries = [roster_query(session.id)] + ([] if blank else [walk_in_query(session.id)])
    for is_walk_in, query in zip((False, True), queries, strict=False):
        result = db.session.execute(query.execution_options(yield_per=BATCH))
        for row in result:
            status, method, checked_in_at = row[6], row[7], row[8]
            yield ExportRow(
                event=event.title,
                session=session.title,
                session_start=start,
                participant=row[2] or "",
                organisation=row[3] or "",
                country=row[4] or "",
                status="" if blank else (status or "not marked"),
                checked_in=""
                if blank or checked_in_at is None
                else format_local(checked_in_at, zone, "%Y-%m-%d %H:%M"),
                method="" if blank else (method or ""),
                walk_in=is_walk_in,
            )


def rows_for(sessions: Iterable[TrainingSession], blank: bool = False) -> Iterator[ExportRow]:
    """The rows of several sessions, one after the other."""
    for session in sessions:
        yield from session_rows(session, blank=blank)


# --- CSV ---------------------------------------------------------------------------------


def iter_csv(rows: Iterable[ExportRow], chunk_rows: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV (with a BOM, so spreadsheets pick the encoding) in chunks of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADER)
    for n, row in enumerate(rows, 1):
        writer.writerow(row.cells())
        if n % chunk_rows == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_csv(rows: Iterable[ExportRow], out: BinaryIO) -> None:
    """Write the CSV to a binary file."""
    for chunk in iter_csv(rows):
        out.write(chunk)


# --- XLSX --------------------------------------------------------------------------------


def write_xlsx(rows: Iterable[ExportRow], out: BinaryIO | str | Path) -> None:
    """An XLSX workbook written row by row (openpyxl write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Attendance")
    for letter, width in zip("ABCDEFGHIJ", (30, 30, 18, 30, 34, 8, 12, 20, 9, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row.cells())
    workbook.save(out)


# --- PDF ---------------------------------------------------------------------------------


def add_fonts(pdf: FPDF) -> None:
    """Embed DejaVu Sans (shipped under static/fonts) so every diacritic prints."""
    pdf.add_font("DejaVu", "", str(FONT_REGULAR))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))


def _width(pdf: FPDF, text: str) -> float:
    """Width of ``text`` in mm in the current (TrueType) font: fpdf2's own sum, without the
    per-call overhead of ``get_string_width`` (this runs for every cell of every row)."""
    widths = pdf.current_font.cw
    return sum(widths[ord(c)] for c in text) * pdf.font_size_pt * 0.001 / pdf.k


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` mm in the current font."""
    if _width(pdf, text) <= width:
        return text
    while text and _width(pdf, text + "…") > width:
        text = text[: max(0, int(len(text) * 0.9))] if len(text) > 12 else text[:-1]
    return text.rstrip() + "…"


@dataclass(frozen=True)
class SheetContext:
    """What the header of every page of a session's sheet says."""

    event: str
    session: str
    date: str
    venue: str
    trainers: str


def sheet_context(session: TrainingSession) -> SheetContext:
    """The header texts of ``session``'s sign-in sheet, times in the event's zone."""
    event = session.event
    zone = event.timezone
    start = utc_to_local(session.starts_at, zone)
    end = utc_to_local(session.ends_at, zone)
    venue = ", ".join(p for p in (event.venue, session.room) if p)
    return SheetContext(
        event=event.title,
        session=session.title,
        date=f"{start:%d %b %Y} {start:%H:%M}–{end:%H:%M} {start.tzname()}",
        venue=venue,
        trainers=", ".join(t.name or t.email for t in session.trainers),
    )


# (title, width mm, alignment) — 190 mm on A4 portrait with 10 mm margins
COLUMNS = (
    ("#", 9, "R"),
    ("Participant", 44, "L"),
    ("Organisation", 43, "L"),
    ("Country", 13, "C"),
    ("Status", 18, "C"),
    ("Check-in", 17, "C"),
    ("Signature", 46, "L"),
)
ROW_HEIGHT = 8.5
TABLE_WIDTH = sum(width for _, width, _ in COLUMNS)


class SignInSheet(FPDF):
    """A4 sign-in sheet: the session's details and the column titles head every page."""

    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.context: SheetContext | None = None
        add_fonts(self)
        self.set_margins(10, 10, 10)
        self.set_auto_page_break(True, margin=15)
        self.set_title("Attendance sign-in sheet")
        self.set_creator("ClusGo Events")

    def header(self) -> None:
        ctx = self.context
        if ctx is None:
            return
        self.set_font("DejaVu", "B", 12)
        self.cell(0, 6, _fit(self, ctx.event, 190), new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "B", 10.5)
        self.cell(0, 5.5, _fit(self, ctx.session, 190), new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "", 9)
        self.cell(95, 5, _fit(self, f"Date: {ctx.date}", 94))
        self.cell(0, 5, _fit(self, f"Venue: {ctx.venue}", 94), new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 5, _fit(self, f"Trainer: {ctx.trainers}", 190), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)
        self.set_font("DejaVu", "B", 8.5)
        self.set_fill_color(225, 230, 240)
        for title, width, align in COLUMNS:
            self.cell(width, 7, title, border=1, align=align, fill=True)
        self.ln(7)
        self.set_font("DejaVu", "", 8.5)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

    def row(self, number: int | str, cells: list[str]) -> None:
        """One participant line; the page breaks (and the header repeats) when it is full.

        Drawn with lines and ``text()`` rather than ``cell()``: ten times faster, which is
        what keeps a 10,000-row sheet within seconds.
        """
        if self.will_page_break(ROW_HEIGHT):
            self.add_page()
        left, top = self.l_margin, self.y
        self.rect(left, top, TABLE_WIDTH, ROW_HEIGHT)
        baseline = top + ROW_HEIGHT / 2 + 1.1
        x = left
        for (_, width, align), value in zip(COLUMNS, [str(number), *cells], strict=True):
            if x > left:
                self.line(x, top, x, top + ROW_HEIGHT)
            if value:
                value = _fit(self, value, width - 2)
                if align == "L":
                    self.text(x + 1, baseline, value)
                else:
                    spare = width - _width(self, value)
                    self.text(x + (spare - 1 if align == "R" else spare / 2), baseline, value)
            x += width
        self.set_xy(left, top + ROW_HEIGHT)


def _short_time(value: str) -> str:
    return value[11:16] if len(value) >= 16 else value


def build_pdf(
    sessions: list[TrainingSession],
    blank: bool = False,
    extra_blank_rows: int = 8,
    on_row: Callable[[], None] | None = None,
) -> bytes:
    """Sign-in sheets for ``sessions``, each starting on a new page.

    ``blank`` prints the names without marks, with empty lines for walk-ins, to sign on paper.
    """
    pdf = SignInSheet()
    if not sessions:
        pdf.context = None
        pdf.add_page()
        pdf.set_font("DejaVu", "", 11)
        pdf.cell(0, 10, "No training sessions.")
    for session in sessions:
        pdf.context = sheet_context(session)
        pdf.add_page()
        number = 0
        for number, row in enumerate(session_rows(session, blank=blank), 1):
            status = row.status if row.status != "not marked" else ""
            if row.walk_in:
                status = f"{status} (walk-in)" if status else "walk-in"
            pdf.row(
                number,
                [
                    row.participant,
                    row.organisation,
                    row.country,
                    status,
                    _short_time(row.checked_in),
                    "",
                ],
            )
            if on_row is not None:
                on_row()
        if blank:
            for extra in range(number + 1, number + 1 + extra_blank_rows):
                pdf.row(extra, ["", "", "", "", "", ""])
    return bytes(pdf.output())


# --- one entry point for the web page and the CLI -----------------------------------------


def export_to_file(
    sessions: list[TrainingSession],
    fmt: str,
    out: BinaryIO,
    blank: bool = False,
    on_row: Callable[[], None] | None = None,
) -> None:
    """Write an attendance list of ``sessions`` in ``fmt`` to ``out``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if fmt == "pdf":
        out.write(build_pdf(sessions, blank=blank, on_row=on_row))
        return
    rows: Iterable[ExportRow] = rows_for(sessions, blank=blank)
    if on_row is not None:
        rows = _counting(rows, on_row)
    if fmt == "csv":
        write_csv(rows, out)
    else:
        write_xlsx(rows, out)


def _counting(rows: Iterable[ExportRow], on_row: Callable[[], None]) -> Iterator[ExportRow]:
    for row in rows:
        yield row
        on_row()


def filename_for(base: str, fmt: str, blank: bool = False) -> str:
    """A download name such as ``attendance-brno-2017-session-3.xlsx``."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in base.lower()).strip("-")
    return f"{'sign-in-sheet' if blank else 'attendance'}-{safe or 'list'}.{fmt}"
