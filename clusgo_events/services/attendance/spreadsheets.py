"""Attendance lists as CSV and XLSX, written as the rows come.

CSV is yielded in chunks of rows (a streamed download never holds the whole file); XLSX is
written by openpyxl's write-only workbook, which keeps rows in a temporary file, not in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext as _
from openpyxl import Workbook

from .rows import ExportRow, header

COLUMN_WIDTHS = (30, 30, 18, 30, 34, 8, 12, 20, 9, 8)


def iter_csv(rows: Iterable[ExportRow], chunk_rows: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV (with a BOM, so spreadsheets pick the encoding) in chunks of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header())
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


def write_xlsx(rows: Iterable[ExportRow], out: BinaryIO | str | Path) -> None:
    """An XLSX workbook written row by row (openpyxl write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Attendance")[:31])
    for letter, width in zip("ABCDEFGHIJ", COLUMN_WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.append(header())
    for row in rows:
        sheet.append(row.cells())
    workbook.save(out)
