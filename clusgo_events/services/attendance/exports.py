"""Attendance lists of an event or a session: one entry point for the web page and the CLI.

CSV and XLSX come from :mod:`.spreadsheets`, the PDF sign-in sheet from :mod:`.sign_in_sheet`;
all read the rows of :mod:`.rows`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from ...models import TrainingSession
from ..csv_dialect import CsvDialect
from .rows import ExportRow, rows_for, sessions_of
from .sign_in_sheet import write_pdf
from .spreadsheets import write_csv, write_xlsx

__all__ = ["FORMATS", "MIMETYPES", "export_to_file", "filename_for", "sessions_of"]

FORMATS = ("csv", "xlsx", "pdf")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def export_to_file(
    sessions: list[TrainingSession],
    fmt: str,
    out: BinaryIO,
    blank: bool = False,
    on_row: Callable[[], None] | None = None,
    dialect: CsvDialect | None = None,
) -> None:
    """Write an attendance list of ``sessions`` in ``fmt`` to ``out`` (a CSV in ``dialect``,
    default the current locale's)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if fmt == "pdf":
        write_pdf(sessions, out, blank=blank, on_row=on_row)
        return
    rows: Iterable[ExportRow] = rows_for(sessions, blank=blank)
    if on_row is not None:
        rows = _counting(rows, on_row)
    if fmt == "csv":
        write_csv(rows, out, dialect)
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
