"""A survey file's bytes -> a :class:`SurveyTable`: XLSX or CSV decided by the content (not
the name), CSV decoded (UTF-8 with or without BOM, UTF-16, Windows-1250) and its delimiter
sniffed. Reading touches no database."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from .. import ServiceError
from .columns import match_columns
from .xlsx import WorkbookError, read_xlsx


class SurveyFileError(ServiceError):
    """The file cannot be read at all; nothing was written."""

    def __init__(self, message: Any) -> None:
        super().__init__(message, "file")


@dataclass
class SurveyTable:
    """A file read into memory: its header, its data rows and how it was read."""

    kind: str  # "csv" or "xlsx"
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)
    columns: dict[int, str]  # header index -> canonical name (absent: a raw answer)
    encoding: str | None = None
    delimiter: str | None = None
    filename: str = ""  # as the organiser named it; for the audit entry and the pages

    @property
    def column_map(self) -> dict[str, str]:
        """Each header and what it becomes (a canonical name or "raw answer")."""
        return {header: self.columns.get(i, "raw answer") for i, header in enumerate(self.headers)}

    @property
    def present(self) -> set[str]:
        """The canonical names the file has a column for."""
        return set(self.columns.values())


def read_survey_file(
    data: bytes, mapping: Mapping[str, str] | None = None, filename: str = ""
) -> SurveyTable:
    """Read a CSV or XLSX file by its content (not its name); SurveyFileError if unreadable."""
    if not data or not data.strip():
        raise SurveyFileError(_l("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        try:
            records = read_xlsx(data)
        except WorkbookError as exc:
            raise SurveyFileError(exc.message) from exc
        kind, (headers, rows), encoding, delimiter = "xlsx", split_header(records), None, None
    else:
        text, encoding = _decode(data)
        headers, rows, delimiter = _read_csv(text)
        kind = "csv"
    if not headers:
        raise SurveyFileError(_l("The file has no header row."))
    columns = match_columns(headers, mapping)
    if "email" not in columns.values():
        raise SurveyFileError(
            _l(
                "The file has no e-mail column (looked for a header such as “email” or"
                " “E-mail address”); map it by hand or fix the header row."
            )
        )
    return SurveyTable(kind, headers, rows, columns, encoding, delimiter, filename)


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) strictly, UTF-16 with a BOM, else Windows-1250."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return _text_or_error(data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            encoding = "utf-8-sig" if data[:3] == b"\xef\xbb\xbf" else "utf-8"
            return _text_or_error(data.decode("utf-8-sig")), encoding
        except UnicodeDecodeError:
            pass
        try:
            return _text_or_error(data.decode("cp1250")), "cp1250"
        except UnicodeDecodeError:
            pass
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None:
            try:
                return _text_or_error(data.decode(best.encoding)), best.encoding
            except (UnicodeDecodeError, LookupError):
                pass
    raise SurveyFileError(
        _l(
            "The file is neither a spreadsheet (XLSX) nor readable text (CSV in UTF-8 or"
            " Windows-1250)."
        )
    )


def _text_or_error(text: str) -> str:
    """Text with control characters is binary data that happened to decode."""
    bad = sum(1 for c in text[:100_000] if c < " " and c not in "\t\r\n\f")
    if bad:
        raise UnicodeDecodeError("text", b"", 0, 1, "control characters")
    return text


def _read_csv(text: str) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise SurveyFileError(
            _l("The CSV file cannot be read: %(reason)s.", reason=str(exc))
        ) from exc
    return (*split_header(enumerate(records, start=1)), delimiter)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, and steadiest, columns."""
    sample = "\n".join(line for line in text.splitlines()[:20] if line.strip())
    best, best_score = ",", (-1, -1)
    for candidate in (",", ";", "\t"):
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=candidate) if r]
        except csv.Error:
            continue
        if not widths:
            continue
        steady = sum(1 for w in widths if w == widths[0])
        score = (widths[0] if widths[0] > 1 else 0, steady)
        if score > best_score:
            best, best_score = candidate, score
    return best


def split_header(
    records: Iterable[tuple[int, list[str]]],
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The first non-blank record is the header; blank records are skipped."""
    headers: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    for number, cells in records:
        if not any(c.strip() for c in cells):
            continue
        if not headers:
            while cells and not cells[-1].strip():
                cells = cells[:-1]
            headers = [c.strip() or f"column {i + 1}" for i, c in enumerate(cells)]
        else:
            rows.append((number, cells))
    return headers, rows
