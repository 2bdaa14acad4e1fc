"""The first sheet of an XLSX workbook as rows of text."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterable
from datetime import datetime
from typing import Any


class WorkbookError(ValueError):
    """The workbook cannot be read; ``message`` says why."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message


def read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    """The first sheet's rows as (row number, cell texts); WorkbookError if unreadable."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise WorkbookError("The file looks like a ZIP archive but is damaged.") from exc
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookError("The file is a ZIP archive, not an Excel workbook (XLSX).")
    try:
        records = list(xlsx_records_streamed(archive))
    except Exception:  # an unusual workbook: let openpyxl, the reference, read it
        records = xlsx_records_openpyxl(data)
    finally:
        archive.close()
    return records


def xlsx_records_openpyxl(data: bytes) -> list[tuple[int, list[str]]]:
    """The first sheet's rows as text, read by openpyxl (read-only mode)."""
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():  # "extension not supported", "no default style" ...
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                rows = sheet.iter_rows(min_row=1, values_only=True)
                return [
                    (number, [cell_text(v) for v in values])
                    for number, values in enumerate(rows, 1)
                ]
            finally:
                workbook.close()
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise WorkbookError(f"The workbook cannot be read: {exc}") from exc


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def xlsx_records_streamed(archive: zipfile.ZipFile) -> Iterable[tuple[int, list[str]]]:
    """The first sheet's rows as text, streamed with the C XML parser.

    openpyxl's read-only reader spends about 40 µs on each inline-string cell (which is what
    openpyxl and many survey tools write); this reads the same cells (shared and inline
    strings, numbers, booleans, dates by their number format) several times faster, using
    openpyxl's own date-format and serial-date helpers. Anything unusual raises, and the
    caller falls back to openpyxl."""
    from xml.etree.ElementTree import fromstring, iterparse

    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    workbook = fromstring(archive.read("xl/workbook.xml"))
    first = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
    if first is None:
        raise ValueError("no sheet")
    properties = workbook.find(f"{_MAIN}workbookPr")
    epoch = CALENDAR_WINDOWS_1900
    if properties is not None and properties.get("date1904") in ("1", "true"):
        epoch = CALENDAR_MAC_1904
    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") or "" for rel in rels}
    sheet_path = _part_path(targets[first.get(f"{_DOC_REL}id")])

    shared: list[str] = []
    if "xl/sharedStrings.xml" in archive.namelist():
        root = fromstring(archive.read("xl/sharedStrings.xml"))
        shared = [_rich_text(si) for si in root.iter(f"{_MAIN}si")]

    date_styles: set[int] = set()
    if "xl/styles.xml" in archive.namelist():
        styles = fromstring(archive.read("xl/styles.xml"))
        custom = {
            int(f.get("numFmtId", "0")): f.get("formatCode", "")
            for f in styles.iter(f"{_MAIN}numFmt")
        }
        xfs = styles.find(f"{_MAIN}cellXfs")
        for index, xf in enumerate(xfs if xfs is not None else []):
            number_format = int(xf.get("numFmtId", "0"))
            code = custom.get(number_format) or BUILTIN_FORMATS.get(number_format)
            if code and is_date_format(code):
                date_styles.add(index)

    row_tag, cell_tag, value_tag = f"{_MAIN}row", f"{_MAIN}c", f"{_MAIN}v"
    last = 0
    with archive.open(sheet_path) as stream:
        for _, element in iterparse(stream, events=("end",)):
            if element.tag != row_tag:
                continue
            last = int(element.get("r") or last + 1)
            cells: list[str] = []
            for cell in element.iter(cell_tag):
                ref = _CELL_REF.fullmatch(cell.get("r") or "")
                if ref:
                    column = 0
                    for letter in ref.group(1):
                        column = column * 26 + ord(letter) - 64
                    cells.extend([""] * (column - 1 - len(cells)))
                kind = cell.get("t", "n")
                raw = cell.findtext(value_tag)
                if kind == "inlineStr":
                    inline = cell.find(f"{_MAIN}is")
                    text = _rich_text(inline) if inline is not None else ""
                elif raw is None:
                    text = ""
                elif kind == "s":
                    text = shared[int(raw)]
                elif kind == "b":
                    text = "yes" if raw.strip() in ("1", "true") else "no"
                elif kind == "n":
                    number = float(raw)
                    if int(cell.get("s", "0")) in date_styles:
                        text = cell_text(from_excel(number, epoch))
                    else:
                        text = cell_text(number)
                else:  # str (a formula's text), d (ISO date), e (#N/A ...)
                    text = raw
                cells.append(text)
            element.clear()
            yield last, cells


def _part_path(target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    import posixpath

    return posixpath.normpath(posixpath.join("xl", target))


def _rich_text(element: Any) -> str:
    """The text of a shared or inline string: its <t>, or its runs' <t>, not phonetic hints."""
    parts = []
    for child in element:
        if child.tag == f"{_MAIN}t":
            parts.append(child.text or "")
        elif child.tag == f"{_MAIN}r":
            parts.append(child.findtext(f"{_MAIN}t") or "")
    return "".join(parts)


def cell_text(value: Any) -> str:
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
