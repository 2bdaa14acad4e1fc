"""Attendance lists as CSV and XLSX, written as the rows come.

CSV is yielded in chunks of rows (a streamed download never holds the whole file); XLSX is
written by openpyxl's write-only workbook, which keeps rows in a temporary file, not in memory.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ..csv_dialect import BOM, CsvDialect, dialect_for
from ..csv_dialect import writer as csv_writer
from .rows import ExportRow, header

COLUMN_WIDTHS = (30, 30, 18, 30, 34, 8, 12, 20, 9, 8)
#: Excel's built-in date-and-time format (22): shown in the reader's own style
DATETIME = "m/d/yy h:mm"


def iter_csv(
    rows: Iterable[ExportRow], dialect: CsvDialect | None = None, chunk_rows: int = 500
) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM in ``dialect`` (default: the reader's locale's, see
    :mod:`clusgo_events.services.csv_dialect`), in chunks of rows."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, dialect or dialect_for(str(get_locale() or "en")))
    buffer.write(BOM)
    writer.writerow(header())
    for n, row in enumerate(rows, 1):
        writer.writerow(row.cells())
        if n % chunk_rows == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_csv(rows: Iterable[ExportRow], out: BinaryIO, dialect: CsvDialect | None = None) -> None:
    """Write the CSV to a binary file."""
    for chunk in iter_csv(rows, dialect):
        out.write(chunk)


def write_xlsx(rows: Iterable[ExportRow], out: BinaryIO | str | Path) -> None:
    """An XLSX workbook written row by row (openpyxl write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Attendance")[:31])
    for letter, width in zip("ABCDEFGHIJ", COLUMN_WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.append(header())
    count = 0
    for count, row in enumerate(rows, 1):  # noqa: B007 (the count is read after the loop)
        cells = [WriteOnlyCell(sheet, value) for value in row.xlsx_cells()]
        for index in (2, 7):
            cells[index].number_format = DATETIME
        sheet.append(cells)
    # the sheet's tail (where the filter goes) is written when the workbook is saved
    sheet.auto_filter.ref = f"A1:J{count + 1}"
    workbook.save(out)
