"""The printable PDF sign-in sheet of one or more sessions (A4, the header on every page).

Each session starts on a new page headed by the event's and partners' logos, the funder's
line (when the event's report settings ask for it), the event, session, date, venue and
trainers, and the column titles; the footer says "Page N of M" of that session's sheet. Long
names and organisations wrap (the row grows) instead of being cut; the check-in column has
the date and time; the signature column is 5 cm wide.

Memory stays flat with the number of rows: fpdf2 keeps every page of a document until it is
written, so the sheet is written as documents of at most :data:`CHUNK_PAGES` pages, each
written out when full, and merged by pypdf (which keeps the pages' compressed streams only).
To print "of M" before the last page exists, a first pass measures the rows' heights (no
drawing) and paginates; the second draws with the same heights. Rows are drawn with lines and
``text()`` rather than ``cell()``: ten times faster.
"""

from __future__ import annotations

import gc
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, BinaryIO

from flask_babel import format_date, format_time
from flask_babel import gettext as _
from pypdf import PdfWriter

from ...models import TrainingSession
from ..timeutil import format_span
from .logos import logos_of
from .pdf_text import MAIN, UnicodePDF
from .rows import ExportRow, SessionHead, head_rows
from .settings import settings_of

FONT_SIZE = 8.5
LINE = 3.6  # mm between the lines of a wrapped cell at 8.5 pt
PAD = 1.4
ROW_MIN = 9.0  # a row tall enough to sign in
#: (width mm, alignment) of the columns: 190 mm on A4 portrait with 10 mm margins
LAYOUT = ((8, "R"), (40, "L"), (41, "L"), (12, "C"), (17, "C"), (18, "C"), (54, "L"))
TABLE_WIDTH = sum(width for width, _ in LAYOUT)
LOGO_HEIGHT = 13.0
TITLE_ROW = 8.0
PAGE_BOTTOM = 282.0  # 297 mm less the bottom margin: where a row may end
CHUNK_PAGES = 40


def column_titles() -> list[str]:
    """The sheet's column titles, in the reader's language."""
    return [
        "#",
        _("Participant"),
        _("Organisation"),
        _("Country"),
        _("Status"),
        _("Check-in"),
        _("Signature"),
    ]


@dataclass(frozen=True)
class SheetContext:
    """What the header of every page of a session's sheet says."""

    event: str
    session: str
    date: str
    venue: str
    trainers: str


@dataclass(frozen=True)
class Decoration:
    """The event's logos (PNG bytes with their pixel size) and the funder's line."""

    logos: tuple[tuple[bytes, int, int], ...] = ()
    funder: str = ""


def sheet_context(session: TrainingSession) -> SheetContext:
    """The header texts of ``session``'s sign-in sheet, times in the event's zone."""
    event = session.event
    when = format_span(session.starts_at, session.ends_at, event.timezone)
    return SheetContext(
        event=event.text("title"),
        session=session.text("title"),
        date=when,
        venue=", ".join(p for p in (event.text("venue"), session.room) if p),
        trainers=", ".join(t.name or t.email for t in session.trainers),
    )


def decoration_of(sessions: list[TrainingSession]) -> Decoration:
    """The logos and funder's line of the sessions' event (read now, drawn later)."""
    if not sessions:
        return Decoration()
    event = sessions[0].event
    logos = tuple((logo.data, logo.width, logo.height) for logo in logos_of(event))
    funder = (
        _("Co-financed by the International Visegrad Fund")
        if settings_of(event).funder_line
        else ""
    )
    return Decoration(logos=logos, funder=funder)


class SignInSheet(UnicodePDF):
    """A4 sign-in sheet: logos, the funder's line, the session's details and the column
    titles head every page; rows are placed by :func:`write_pdf`."""

    def __init__(self, decoration: Decoration) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.decoration = decoration
        self.context: SheetContext | None = None
        self.sheet_page = 0
        self.sheet_pages = 0
        #: the next session's header and page count, taken up by its first page's header (the
        #: previous page's footer, drawn as the page is added, still counts the previous one)
        self.next_sheet: tuple[SheetContext, int] | None = None
        self.titles = column_titles()
        self.set_margins(10, 10, 10)
        self.set_auto_page_break(False)
        self.set_title(_("Attendance sign-in sheet"))
        self.set_creator("ClusGo Events")
        self.set_font(MAIN, "", FONT_SIZE)

    @property
    def table_top(self) -> float:
        """Where the first row of a page starts (the header's height is fixed)."""
        top = 10.0
        if self.decoration.logos:
            top += LOGO_HEIGHT + 2
        if self.decoration.funder:
            top += 5
        return top + 6 + 5.5 + 5 + 5 + 2 + TITLE_ROW

    def _logos(self) -> None:
        x = self.l_margin
        for data, width, height in self.decoration.logos:
            shown = LOGO_HEIGHT * width / height if height else LOGO_HEIGHT
            if x + shown > self.l_margin + TABLE_WIDTH:
                break
            self.image(io.BytesIO(data), x=x, y=self.t_margin, h=LOGO_HEIGHT)
            x += shown + 4
        self.set_y(self.t_margin + LOGO_HEIGHT + 2)

    def header(self) -> None:
        if self.next_sheet is not None:
            (self.context, self.sheet_pages), self.next_sheet = self.next_sheet, None
            self.sheet_page = 0
        self.sheet_page += 1
        ctx = self.context
        if ctx is None:
            return
        if self.decoration.logos:
            self._logos()
        if self.decoration.funder:
            self.set_font(MAIN, "", 8)
            self.cell(0, 5, self.fit(self.decoration.funder, 190), new_x="LMARGIN", new_y="NEXT")
        self.set_font(MAIN, "B", 12)
        self.cell(0, 6, self.fit(ctx.event, 190), new_x="LMARGIN", new_y="NEXT")
        self.set_font(MAIN, "B", 10.5)
        self.cell(0, 5.5, self.fit(ctx.session, 190), new_x="LMARGIN", new_y="NEXT")
        self.set_font(MAIN, "", 9)
        self.cell(95, 5, self.fit(_("Date: %(date)s", date=ctx.date), 94))
        venue = _("Venue: %(venue)s", venue=ctx.venue)
        self.cell(0, 5, self.fit(venue, 94), new_x="LMARGIN", new_y="NEXT")
        trainers = _("Trainer: %(names)s", names=ctx.trainers)
        self.cell(0, 5, self.fit(trainers, 190), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)
        self._titles()

    def _titles(self) -> None:
        """The column titles, on two lines where one is too narrow (never cut)."""
        self.set_font(MAIN, "B", 7.5)
        self.set_fill_color(225, 230, 240)
        left, top = self.l_margin, self.y
        self.rect(left, top, TABLE_WIDTH, TITLE_ROW, style="DF")
        x = left
        for title, (width, _align) in zip(self.titles, LAYOUT, strict=True):
            if x > left:
                self.line(x, top, x, top + TITLE_ROW)
            lines = self.wrap(title, width - 1.5)
            first = top + (TITLE_ROW - len(lines) * 3.2) / 2 + 2.5
            for n, text in enumerate(lines):
                self.draw(x + (width - self.width(text)) / 2, first + n * 3.2, text)
            x += width
        self.set_xy(left, top + TITLE_ROW)
        self.set_font(MAIN, "", FONT_SIZE)

    def footer(self) -> None:
        if self.context is None:
            return
        self.set_y(-12)
        self.set_font(MAIN, "", 8)
        page = _("Page %(n)s of %(total)s", n=self.sheet_page, total=self.sheet_pages)
        self.cell(0, 5, page, align="C")
        self.set_font(MAIN, "", FONT_SIZE)

    def lines(self, cells: list[str]) -> list[list[str]]:
        """Each cell's wrapped lines."""
        return [self.wrap(v, width - 2) for (width, _), v in zip(LAYOUT, cells, strict=True)]

    @staticmethod
    def height(lines: list[list[str]]) -> float:
        """A row's height: its tallest cell, at least :data:`ROW_MIN`."""
        return max(ROW_MIN, max(map(len, lines), default=1) * LINE + 2 * PAD)

    def row(self, lines: list[list[str]], height: float) -> None:
        """One participant line at the current position (the caller breaks pages)."""
        left, top = self.l_margin, self.y
        self.rect(left, top, TABLE_WIDTH, height)
        x = left
        for (width, align), cell in zip(LAYOUT, lines, strict=True):
            if x > left:
                self.line(x, top, x, top + height)
            first = top + (height - len(cell) * LINE) / 2 + LINE * 0.75
            for n, text in enumerate(map(self.printable, cell)):  # loads a fallback font
                baseline = first + n * LINE
                if align == "L":
                    self.draw(x + 1, baseline, text)
                else:
                    spare = width - self.width(text)
                    self.draw(x + (spare - 1 if align == "R" else spare / 2), baseline, text)
            x += width
        self.set_xy(left, top + height)


@dataclass
class _Clock:
    """Check-in dates and times in the reader's format, formatted once each."""

    dates: dict[date, str] = field(default_factory=dict)
    times: dict[tuple[int, int], str] = field(default_factory=dict)

    def __call__(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        day = moment.date()
        if day not in self.dates:
            self.dates[day] = format_date(day, "short")
        key = (moment.hour, moment.minute)
        if key not in self.times:
            self.times[key] = format_time(moment.time().replace(second=0), "short")
        return f"{self.dates[day]} {self.times[key]}"


def _cells(number: int, row: ExportRow, walk_in: str, clock: _Clock) -> list[str]:
    status = row.status if row.marked else ""
    if row.walk_in:
        status = f"{status} ({walk_in})" if status else walk_in
    checked = clock(row.checked_in_at)
    return [str(number), row.participant, row.organisation, row.country, status, checked, ""]


def _pages(heights: list[float], top: float) -> int:
    """How many pages rows of ``heights`` take, each page's rows starting at ``top``."""
    pages, y = 1, top
    for height in heights:
        if y + height > PAGE_BOTTOM and y > top:
            pages += 1
            y = top
        y += height
    return pages


class _Writer:
    """Documents of at most :data:`CHUNK_PAGES` pages, spooled to temporary files."""

    def __init__(self, decoration: Decoration) -> None:
        self.decoration = decoration
        self.done: list[IO[bytes]] = []
        self.pdf = SignInSheet(decoration)

    def page_break(self) -> None:
        """A new page, in a new document when the current one is full."""
        if self.pdf.page >= CHUNK_PAGES:
            old = self.pdf
            state = (old.context, old.next_sheet, old.sheet_page, old.sheet_pages)
            self._finish()
            del self.pdf, old
            gc.collect()  # fpdf2's documents hold reference cycles: free the full one now
            self.pdf = SignInSheet(self.decoration)
            pdf = self.pdf
            pdf.context, pdf.next_sheet, pdf.sheet_page, pdf.sheet_pages = state
        self.pdf.add_page()

    def _finish(self) -> None:
        spool = tempfile.TemporaryFile()
        spool.write(self.pdf.output())
        spool.seek(0)
        self.done.append(spool)

    def close(self, out: BinaryIO) -> None:
        """Write the whole sheet to ``out``: the one document, or every one merged."""
        if not self.done:
            out.write(self.pdf.output())
            return
        self._finish()
        merged = PdfWriter()
        for part in self.done:
            merged.append(part)
        merged.add_metadata({"/Title": _("Attendance sign-in sheet"), "/Creator": "ClusGo Events"})
        merged.write(out)
        for part in self.done:
            part.close()


def write_pdf(
    sessions: list[TrainingSession],
    out: BinaryIO,
    blank: bool = False,
    extra_blank_rows: int = 8,
    on_row: Callable[[], None] | None = None,
) -> None:
    """Sign-in sheets for ``sessions``, each starting on a new page, written to ``out``.

    ``blank`` prints the names without marks, with empty lines for walk-ins, to sign on paper.
    """
    writer = _Writer(decoration_of(sessions))
    pages = [(sheet_context(s), SessionHead.of(s)) for s in sessions]
    walk_in, clock = _("walk-in"), _Clock()
    if not pages:
        writer.pdf.add_page()
        writer.pdf.set_font(MAIN, "", 11)
        writer.pdf.cell(0, 10, _("No training sessions."))
    top = writer.pdf.table_top
    blank_lines = [[] for _ in LAYOUT]

    def lines_of(head: SessionHead) -> Iterator[list[list[str]]]:
        number = 0
        for number, row in enumerate(head_rows(head, blank=blank), 1):
            yield writer.pdf.lines(_cells(number, row, walk_in, clock))
        if blank:
            for extra in range(number + 1, number + 1 + extra_blank_rows):
                yield [[str(extra)], *blank_lines[1:]]

    for context, head in pages:
        heights = [SignInSheet.height(lines) for lines in lines_of(head)]  # the first pass
        writer.pdf.next_sheet = (context, _pages(heights, top))
        writer.page_break()
        for lines, height in zip(lines_of(head), heights, strict=True):
            if writer.pdf.y + height > PAGE_BOTTOM and writer.pdf.y > top:
                writer.page_break()
            writer.pdf.row(lines, height)
            if on_row is not None and lines[1]:
                on_row()
    writer.close(out)


def build_pdf(
    sessions: list[TrainingSession],
    blank: bool = False,
    extra_blank_rows: int = 8,
    on_row: Callable[[], None] | None = None,
) -> bytes:
    """:func:`write_pdf` into bytes (for a small sheet, tests and previews)."""
    out = io.BytesIO()
    write_pdf(sessions, out, blank=blank, extra_blank_rows=extra_blank_rows, on_row=on_row)
    return out.getvalue()
