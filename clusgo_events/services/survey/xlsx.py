"""The first sheet of an XLSX workbook as rows of text, streamed and bounded.

Hand-written rather than openpyxl's read-only mode, for two reasons. Speed: importing a
10,000-row workbook (110,000 inline-string cells, as openpyxl and many survey tools write it)
takes 1.4-2.7 s of CPU with this reader and 3.7-5.4 s with openpyxl's (about 40 µs a cell),
which is 5.9-10.6 s wall-clock on a busy machine against the 5 s an import may take
(scripts/bench_survey.py, "xlsx" against "xlsx-openpyxl", SQLite and PostgreSQL). Bounds:
openpyxl holds every text whole and pads a row up to its last cell, so one value in ZZZZZZ1
of a 2 KB file is a row of 321 million entries.

Every part is streamed through expat, at most one cell's text is held at a time, and a
workbook past a limit is refused before it costs more: ``MAX_UNPACKED`` bytes unpacked (as the
ZIP directory declares them; zipfile stops there, and a part that inflates further fails its
CRC check), ``MAX_ROWS``, ``MAX_COLUMNS``, ``MAX_CELLS``, ``MAX_CELL_CHARS`` characters in one
text (a spreadsheet cell's own limit), ``MAX_TEXT_CHARS`` in all, ``MAX_SHARED_STRINGS``.
Blank (styled) cells cost nothing. openpyxl's helpers decide which number formats are dates
and convert serial dates; its reader is the reference the tests compare this one with.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from datetime import datetime
from typing import Any
from xml.parsers import expat

from flask_babel import lazy_gettext as _l
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAX_UNPACKED = 128 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
MAX_CELLS = 2_000_000
MAX_CELL_CHARS = 32_767
MAX_TEXT_CHARS = 25_000_000
MAX_SHARED_STRINGS = 500_000

Records = list[tuple[int, list[str]]]

# expat reports a name as "namespace}local" (namespace_separator="}"); the transitional and
# the strict (ISO 29500) namespaces are both read.
_MAIN = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_SHEET_TAGS = {f"{ns}}}{tag}": tag for ns in _MAIN for tag in ("row", "c", "v", "is", "t", "rPh")}
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_CHUNK = 64 * 1024


class WorkbookError(ValueError):
    """The workbook cannot be read, or is over a limit; ``message`` says why."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message


def read_xlsx(data: bytes) -> Records:
    """The first sheet's rows that hold something, as (row number, cell texts); blank cells
    at a row's end are left out. WorkbookError if the workbook is unreadable or too big."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise _damaged() from exc
    with archive:
        try:
            return _Workbook(archive).first_sheet()
        except WorkbookError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _damaged() from exc
        except expat.ExpatError as exc:
            raise _unreadable(expat.ErrorString(exc.code)) from exc
        except (LookupError, ValueError, NotImplementedError, RuntimeError, OverflowError) as exc:
            raise _unreadable(str(exc)) from exc  # a missing part, an encrypted one ...


def _damaged() -> WorkbookError:
    return WorkbookError(_l("The file looks like a ZIP archive but is damaged."))


def _unreadable(reason: str) -> WorkbookError:
    return WorkbookError(_l("The workbook cannot be read (%(reason)s).", reason=reason))


class _Workbook:
    """One workbook's parts, found through its relationships, each read once."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = {info.filename.lower(): info for info in archive.infolist()}
        if "[content_types].xml" not in self.names or "xl/workbook.xml" not in self.names:
            raise WorkbookError(_l("The file is a ZIP archive, not an Excel workbook (XLSX)."))
        self.unpacked = 0

    def first_sheet(self) -> Records:
        sheet_id, epoch = self._workbook()
        parts = self._relationships()
        if sheet_id not in parts["by_id"]:
            raise _unreadable(f"no part for sheet {sheet_id}")
        date_styles = self._date_styles(parts.get("styles"))
        shared = self._shared_strings(parts.get("sharedStrings"))
        return _read_sheet(self, parts["by_id"][sheet_id], shared, date_styles, epoch)

    def parse(
        self, name: str, start: Callable[..., None], end: Any = None, text: Any = None
    ) -> None:
        """Stream part ``name`` through expat with these handlers, within MAX_UNPACKED."""
        info = self.names.get(name.lower())
        if info is None:
            raise _unreadable(f"no part {name}")
        self.unpacked += info.file_size
        if self.unpacked > MAX_UNPACKED:
            raise WorkbookError(
                _l(
                    "The workbook unpacks to more than %(limit)s MB; split it into smaller files.",
                    limit=MAX_UNPACKED // (1024 * 1024),
                )
            )
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.buffer_size = _CHUNK
        parser.StartDoctypeDeclHandler = _refuse_doctype  # no workbook has one
        parser.StartElementHandler, parser.EndElementHandler = start, end
        parser.CharacterDataHandler = text
        with self.archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)

    def _workbook(self) -> tuple[str, datetime]:
        """The relationship id of the first sheet, and the workbook's date epoch."""
        found: dict[str, Any] = {}

        def start(name: str, attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "sheet" and "sheet" not in found:
                found["sheet"] = next((v for k, v in attrs.items() if k.endswith("}id")), "")
            elif local == "workbookPr":
                found["date1904"] = attrs.get("date1904") in ("1", "true")

        self.parse("xl/workbook.xml", start)
        if not found.get("sheet"):
            raise WorkbookError(_l("The workbook has no sheet."))
        return found["sheet"], CALENDAR_MAC_1904 if found.get("date1904") else CALENDAR_WINDOWS_1900

    def _relationships(self) -> dict[str, Any]:
        """The workbook's parts: ``by_id`` (sheets), ``sharedStrings`` and ``styles``."""
        parts: dict[str, Any] = {"by_id": {}}

        def start(name: str, attrs: dict[str, str]) -> None:
            if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                path = (
                    target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
                )
                path = posixpath.normpath(path)
                parts["by_id"][attrs.get("Id", "")] = path
                parts.setdefault(attrs.get("Type", "").rsplit("/", 1)[-1], path)

        self.parse("xl/_rels/workbook.xml.rels", start)
        return parts

    def _date_styles(self, name: str | None) -> set[int]:
        """The indexes of the cell formats whose number format shows a date."""
        formats: dict[int, str] = {}
        xfs: list[int] = []
        inside = [False]

        def start(name: str, attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "numFmt":
                formats[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                inside[0] = True
            elif local == "xf" and inside[0]:
                xfs.append(int(attrs.get("numFmtId", "0")))
                if len(xfs) > MAX_CELLS:
                    raise _unreadable("too many cell formats")

        def end(name: str) -> None:
            if _local(name) == "cellXfs":
                inside[0] = False

        if name is not None and name.lower() in self.names:
            self.parse(name, start, end)
        codes = [formats.get(number) or BUILTIN_FORMATS.get(number) for number in xfs]
        return {index for index, code in enumerate(codes) if code and is_date_format(code)}

    def _shared_strings(self, name: str | None) -> list[str]:
        """The shared strings (their text runs, not phonetic hints), each within bounds."""
        strings: list[str] = []
        parts: list[str] = []
        state = {"collect": False, "phonetic": False, "length": 0}

        def start(name: str, attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "si":
                parts.clear()
                state["length"] = 0
            elif local == "t" and not state["phonetic"]:
                state["collect"] = True
            elif local == "rPh":
                state["phonetic"] = True

        def end(name: str) -> None:
            local = _local(name)
            if local == "si":
                strings.append("".join(parts))
                if len(strings) > MAX_SHARED_STRINGS:
                    raise WorkbookError(
                        _l(
                            "The workbook holds more than %(limit)s different texts; split it"
                            " into smaller files.",
                            limit=MAX_SHARED_STRINGS,
                        )
                    )
            elif local == "t":
                state["collect"] = False
            elif local == "rPh":
                state["phonetic"] = False

        def text(data: str) -> None:
            if state["collect"]:
                parts.append(data)
                state["length"] += len(data)
                if state["length"] > MAX_CELL_CHARS:
                    raise _text_too_long()

        if name is not None and name.lower() in self.names:
            self.parse(name, start, end, text)
        return strings


def _read_sheet(
    workbook: _Workbook, name: str, shared: list[str], date_styles: set[int], epoch: datetime
) -> Records:
    """The rows of sheet part ``name`` (the hot loop: one call per XML event)."""
    rows: Records = []
    tags = _SHEET_TAGS
    buffer: list[str] = []
    cells: list[str] = []
    row_number = column = length = cell_count = text_count = 0
    kind = style = ref = ""
    collect = inline = phonetic = False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row_number, column, length, kind, style, ref, collect, inline, phonetic, cells
        tag = tags.get(name)
        if tag == "c":
            kind, style, ref = attrs.get("t", "n"), attrs.get("s", ""), attrs.get("r", "")
            buffer.clear()
            length = 0
        elif tag == "v":
            collect = not inline
        elif tag == "t":
            collect = inline and not phonetic
        elif tag == "is":
            inline = True
        elif tag == "rPh":
            phonetic = True
        elif tag == "row":
            row_number = int(attrs.get("r") or row_number + 1)
            column = 0
            cells = []

    def end(name: str) -> None:
        nonlocal column, cell_count, text_count, collect, inline, phonetic
        tag = tags.get(name)
        if tag == "c":
            match = _CELL_REF.fullmatch(ref) if ref else None
            if match:
                column = 0
                for letter in match.group(1):
                    column = column * 26 + ord(letter) - 64
            else:
                column += 1
            text = _cell_value(kind, "".join(buffer), style, shared, date_styles, epoch)
            if not text:
                return
            if column > MAX_COLUMNS:
                raise _beyond_last_column(ref or f"{get_column_letter(column)}{row_number}")
            text_count += len(text)
            if text_count > MAX_TEXT_CHARS:
                raise WorkbookError(
                    _l(
                        "The workbook holds more than %(limit)s characters of text; split it"
                        " into smaller files.",
                        limit=MAX_TEXT_CHARS,
                    )
                )
            if column > len(cells):
                cell_count += column - len(cells)
                if cell_count > MAX_CELLS:
                    raise WorkbookError(
                        _l(
                            "The workbook has more than %(limit)s cells; delete the columns"
                            " you do not need or split the file.",
                            limit=MAX_CELLS,
                        )
                    )
                cells.extend([""] * (column - 1 - len(cells)))
                cells.append(text)
            else:
                cells[column - 1] = text
        elif tag == "v" or tag == "t":
            collect = False
        elif tag == "is":
            inline = False
        elif tag == "rPh":
            phonetic = False
        elif tag == "row" and cells:
            rows.append((row_number, cells))
            if len(rows) > MAX_ROWS:
                raise WorkbookError(
                    _l(
                        "The workbook has more than %(limit)s rows; split it into smaller files.",
                        limit=MAX_ROWS,
                    )
                )

    def text(data: str) -> None:
        nonlocal length
        if collect:
            buffer.append(data)
            length += len(data)
            if length > MAX_CELL_CHARS:
                raise _text_too_long()

    workbook.parse(name, start, end, text)
    return rows


def _cell_value(
    kind: str, raw: str, style: str, shared: list[str], date_styles: set[int], epoch: datetime
) -> str:
    """A cell's text by its type: shared or inline string, number (a date by its style),
    boolean, or the text of a formula's result, an ISO date or an error."""
    if not raw or kind == "inlineStr" or kind == "str":
        return raw
    if kind == "s":
        return shared[int(raw)]
    if kind == "b":
        return "yes" if raw.strip() in ("1", "true") else "no"
    if kind == "n":
        number = float(raw)
        if style and int(style) in date_styles:
            try:
                return cell_text(from_excel(number, epoch))
            except (ValueError, OverflowError):  # not a date any calendar has
                pass
        return cell_text(number)
    return raw  # d (ISO date), e (#N/A ...)


def cell_text(value: Any) -> str:
    """A typed cell value as the text the import reads (booleans as yes/no, whole numbers
    without ".0", dates in ISO 8601)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _local(name: str) -> str:
    return name[name.rfind("}") + 1 :]


def _refuse_doctype(*_args: Any) -> None:
    raise _unreadable("a document type declaration")


def _text_too_long() -> WorkbookError:
    return WorkbookError(
        _l(
            "The workbook holds a text longer than %(limit)s characters, more than a spreadsheet"
            " cell can hold.",
            limit=MAX_CELL_CHARS,
        )
    )


def _beyond_last_column(cell: str) -> WorkbookError:
    return WorkbookError(
        _l(
            "The workbook has a value in cell %(cell)s, beyond column %(column)s, the last one a"
            " survey file may use.",
            cell=cell,
            column=get_column_letter(MAX_COLUMNS),
        )
    )
