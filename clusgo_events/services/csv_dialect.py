"""The CSV dialect a reader's spreadsheet opens: one rule for every CSV download.

Excel reads a CSV with its locale's list separator: a semicolon where the decimal mark is a
comma (Czech, Hungarian, Slovak, Polish Excel) and a comma in English; a comma-separated file
opens in one column in cs, hu or pl Excel. Every CSV carries a UTF-8 byte order mark so Excel
picks UTF-8 (without it, ř and ő turn into mojibake).

Callers (the attendance lists, the registrations export): :func:`choose` with what the page's
select or ``--delimiter`` gave and the reader's language, then :func:`writer` and :data:`BOM`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TextIO

from flask_babel import lazy_gettext as _l

BOM = "\ufeff"


@dataclass(frozen=True)
class CsvDialect:
    """A named separator (``comma`` or ``semicolon``) and what to call it on a page."""

    name: str
    delimiter: str
    label: str


DIALECTS: dict[str, CsvDialect] = {
    "semicolon": CsvDialect(
        "semicolon", ";", _l("Semicolon (Excel in Czech, Hungarian, Slovak, Polish)")
    ),
    "comma": CsvDialect("comma", ",", _l("Comma (Excel in English)")),
}
#: languages whose Excel separates a list with a semicolon (their decimal mark is a comma)
SEMICOLON_LANGUAGES = frozenset({"cs", "hu", "sk", "pl"})


def dialect_for(language: str | None) -> CsvDialect:
    """The dialect of the reader's locale: a semicolon for cs, hu, sk, pl, else a comma."""
    base = (language or "en").split("_")[0].split("-")[0].lower()
    return DIALECTS["semicolon" if base in SEMICOLON_LANGUAGES else "comma"]


def choose(name: str | None, language: str | None) -> CsvDialect:
    """The dialect named ``name`` (``comma`` / ``semicolon``), else the locale's."""
    return DIALECTS.get((name or "").strip().lower()) or dialect_for(language)


def offered(language: str | None) -> dict[str, object]:
    """What a page's separator select (templates/_csv_form.html) shows: every dialect, the
    reader's locale's chosen."""
    return {"csv_dialects": list(DIALECTS.values()), "csv_default": dialect_for(language)}


def writer(out: TextIO, dialect: CsvDialect):  # type: ignore[no-untyped-def]
    """A ``csv.writer`` on ``out`` in ``dialect`` (CRLF line ends, as Excel writes)."""
    return csv.writer(out, delimiter=dialect.delimiter, lineterminator="\r\n")
