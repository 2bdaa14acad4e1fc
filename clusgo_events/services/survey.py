"""Survey import: read a CSV or XLSX file of responses and upsert respondents by e-mail.

One service serves the ``survey import`` command and the organisers' upload page. Reading
(:func:`read_survey_file`) touches no database and raises :class:`ServiceError` for a file
that cannot be read at all, so such a file writes nothing. :func:`import_rows` then checks
every row, and (unless ``dry_run``) creates or updates respondents and their organisations
with a constant number of queries per few hundred rows. It flushes; the caller commits.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import time
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Row, insert, select, update

from ..extensions import db
from ..models import Organisation, Respondent
from ..models.base import utcnow
from . import ServiceError

CANONICAL = (
    "email",
    "contact_name",
    "organisation",
    "country",
    "city",
    "sector",
    "website",
    "language",
    "interested_in_event",
    "interested_in_training",
    "consent",
    "submitted_at",
)
YES_NO_FIELDS = ("interested_in_event", "interested_in_training", "consent")
TEXT_LIMITS = {"contact_name": 200, "organisation": 300, "city": 120, "sector": 200, "website": 300}
LANGUAGES = ("en", "cs", "hu", "sk", "pl")
PREVIEW_ROWS = 10
CHUNK = 500  # rows per progress step and per IN (...) look-up

# Header synonyms, written as the normalised key (see _key): lower-case ASCII letters and digits.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": (
        "email",
        "emailaddress",
        "mail",
        "contactemail",
        "emailcontact",
        "contactemailaddress",
        "emailadresa",
        "emailcim",
        "adresemail",
        "adresemailowy",
    ),
    "contact_name": (
        "contactname",
        "name",
        "fullname",
        "contact",
        "contactperson",
        "respondent",
        "respondentname",
        "jmeno",
        "nev",
        "meno",
        "imieinazwisko",
    ),
    "organisation": (
        "organisation",
        "organization",
        "organisationname",
        "organizationname",
        "org",
        "cluster",
        "clustername",
        "clusterorganisation",
        "clusterorganization",
        "company",
        "organizace",
        "szervezet",
        "organizacia",
        "organizacja",
    ),
    "country": ("country", "countrycode", "stat", "orszag", "krajina", "kraj", "zeme"),
    "city": ("city", "town", "mesto", "varos", "miasto"),
    "sector": ("sector", "industry", "field", "sektor", "obor", "agazat", "branza"),
    "website": ("website", "web", "webpage", "url", "homepage", "www", "site", "webovastranka"),
    "language": (
        "language",
        "preferredlanguage",
        "lang",
        "locale",
        "jazyk",
        "nyelv",
        "jezyk",
    ),
    "interested_in_event": (
        "interestedinevent",
        "eventinterest",
        "interestinevent",
        "interestedintheevent",
        "event",
    ),
    "interested_in_training": (
        "interestedintraining",
        "traininginterest",
        "interestintraining",
        "interestedintrainings",
        "training",
    ),
    "consent": (
        "consent",
        "consenttocontact",
        "consenttobecontacted",
        "contactconsent",
        "gdprconsent",
        "gdpr",
        "souhlas",
        "hozzajarulas",
        "suhlas",
        "zgoda",
    ),
    "submitted_at": (
        "submittedat",
        "submitted",
        "submissiondate",
        "submittedon",
        "timestamp",
        "date",
        "datum",
        "datetime",
        "completedat",
    ),
}
HEADER_SYNONYMS: dict[str, str] = {
    synonym: canonical for canonical, synonyms in _SYNONYMS.items() for synonym in synonyms
}

_YES = {"yes", "y", "true", "t", "1", "ano", "igen", "tak", "x"}
_NO = {"no", "n", "false", "f", "0", "ne", "nem", "nie"}

_LANGUAGE_NAMES = {
    "en": ("english", "eng", "angol", "anglictina", "anglicky", "angielski"),
    "cs": ("czech", "cz", "ces", "cze", "cestina", "cesky", "cseh", "czeski"),
    "hu": ("hungarian", "hun", "magyar", "madarstina", "madarsky", "madarcina", "wegierski"),
    "sk": ("slovak", "slk", "slo", "slovencina", "slovensky", "slovenstina", "szlovak", "slowacki"),
    "pl": ("polish", "pol", "polski", "polstina", "polsky", "lengyel"),
}

# CLDR territories that are not ISO 3166-1 alpha-2 countries.
_NOT_COUNTRIES = {
    "AC",
    "CP",
    "CQ",
    "DG",
    "EA",
    "EU",
    "EZ",
    "IC",
    "QO",
    "TA",
    "UN",
    "XA",
    "XB",
    "ZZ",
}
_COUNTRY_ALIASES = {
    "CZ": ("Czech Republic", "Czechia", "Česká republika", "CZE", "Tschechien", "Czechy"),
    "HU": ("Hungary", "Magyarország", "Magyar Köztársaság", "HUN", "Maďarsko"),
    "SK": ("Slovak Republic", "Slovakia", "Slovenská republika", "SVK", "Slovensko"),
    "PL": ("Poland", "Polska", "Rzeczpospolita Polska", "Republic of Poland", "POL", "Polsko"),
    "GB": ("UK", "United Kingdom", "Great Britain"),
    "US": ("USA", "United States of America"),
}


class SurveyFileError(ServiceError):
    """The file cannot be read at all; nothing was written."""

    def __init__(self, message: str) -> None:
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

    @property
    def column_map(self) -> dict[str, str]:
        """Each header and what it becomes (a canonical name or "raw answer")."""
        return {header: self.columns.get(i, "raw answer") for i, header in enumerate(self.headers)}

    @property
    def present(self) -> set[str]:
        """The canonical names the file has a column for."""
        return set(self.columns.values())


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # identical repeats of an earlier row, imported once
    rejected: list[tuple[int, str]] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    organisations_created: int = 0
    dry_run: bool = False
    kind: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.duplicates + len(self.rejected)

    def summary(self) -> dict[str, Any]:
        """Counts for an audit entry or a log line."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "organisations_created": self.organisations_created,
        }


# --------------------------------------------------------------------------- normalising


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    """Lower-case ASCII letters and digits only: "E-mail Address" -> "emailaddress"."""
    text = _strip_accents(text).lower().replace("ł", "l")
    return "".join(c for c in text if c.isascii() and c.isalnum())


def _clean(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    """Every way of writing a country the import understands -> its ISO alpha-2 code."""
    from babel import Locale

    index: dict[str, str] = {}
    codes = [c for c in Locale("en").territories if len(c) == 2 and c.isalpha()]
    codes = [c for c in codes if c not in _NOT_COUNTRIES]
    for language in ("de", "pl", "sk", "hu", "cs", "en"):  # later ones win a clash
        names = Locale(language).territories
        for code in codes:
            if code in names:
                index[_key(names[code])] = code
    for code, aliases in _COUNTRY_ALIASES.items():
        for alias in aliases:
            index[_key(alias)] = code
    for code in codes:
        index[code.lower()] = code
    return index


def normalise_country(value: str) -> str | None:
    """ "cz", "Czech Republic", "Česko" -> "CZ"; "" -> None; unknown -> ValueError."""
    if not value.strip():
        return None
    code = _country_index().get(_key(value))
    if code is None:
        raise ValueError(f"unknown country {value.strip()!r}")
    return code


def normalise_yes_no(value: str) -> bool | None:
    """yes/no in five languages (and y/n, true/false, 1/0); "" -> None; else ValueError."""
    key = _key(value)
    if not key:
        return None
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueError(f"not a yes/no answer: {value.strip()!r}")


@lru_cache(maxsize=1)
def _language_index() -> dict[str, str]:
    index = {code: code for code in LANGUAGES}
    for code, names in _LANGUAGE_NAMES.items():
        for name in names:
            index[name] = code
    return index


def normalise_language(value: str) -> str | None:
    """ "cs", "CZ", "cs-CZ", "Czech", "čeština" -> "cs"; "" -> None; else ValueError."""
    text = value.strip()
    if not text:
        return None
    match = re.fullmatch(r"([A-Za-z]{2})[-_][A-Za-z]{2,}", text)
    if match:
        text = match.group(1)
    code = _language_index().get(_key(text))
    if code is None:
        raise ValueError(f"unknown language {value.strip()!r}")
    return code


_DMY = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})(?:[\sT]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_YMD_DOTS = re.compile(
    r"(\d{4})\.\s*(\d{1,2})\.\s*(\d{1,2})\.?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


def normalise_datetime(value: str) -> datetime | None:
    """ISO 8601, d.m.yyyy [H:MM[:SS]] or yyyy.mm.dd. -> aware UTC (naive is read as UTC)."""
    text = value.strip()
    if not text:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for pattern, order in ((_DMY, (2, 1, 0)), (_YMD_DOTS, (0, 1, 2))):
            match = pattern.fullmatch(text)
            if match:
                parts = match.groups()
                year, month, day = (int(parts[i]) for i in order)
                hour, minute, second = (int(p or 0) for p in parts[3:])
                try:
                    parsed = datetime(year, month, day, hour, minute, second)
                except ValueError:
                    parsed = None
                break
    if parsed is None:
        raise ValueError(f"not a date: {text!r}")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def normalise_website(value: str) -> str:
    """Adds https:// when no scheme is given and lower-cases the host."""
    text = value.strip()
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return value.strip()
    if not parts.netloc or any(c.isspace() for c in text):
        return value.strip()
    path = parts.path if parts.path not in ("", "/") or parts.query else ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


# A plain ASCII local part (dot-atom) that email-validator accepts as it is.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


@lru_cache(maxsize=4096)
def _checked_domain(domain: str) -> str:
    """email-validator's verdict on a domain, once per domain (a file repeats them)."""
    try:
        return validate_email(f"postmaster@{domain}", check_deliverability=False).domain
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc


def normalise_email(value: str) -> str:
    """A syntactically valid address (no DNS look-up), lower-cased; else ValueError.

    email-validator decides; a plain ASCII local part only has its domain checked (cached),
    which keeps 10,000 rows fast."""
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    local, at, domain = text.rpartition("@")
    if at and len(local) <= 64 and len(text) <= 254 and _PLAIN_LOCAL.fullmatch(local):
        try:
            return f"{local}@{_checked_domain(domain)}".lower()
        except ValueError as exc:
            raise ValueError(f"bad e-mail {text!r}: {exc}") from exc
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"bad e-mail {text!r}: {exc}") from exc
    return checked.normalized.lower()


# --------------------------------------------------------------------------- reading


def match_columns(headers: list[str], mapping: Mapping[str, str] | None = None) -> dict[int, str]:
    """Header index -> canonical name; ``mapping`` ({canonical: header}) wins over synonyms."""
    columns: dict[int, str] = {}
    taken: set[str] = set()
    by_key: dict[str, int] = {}
    for i, header in enumerate(headers):
        by_key.setdefault(_key(header), i)
    for canonical, header in (mapping or {}).items():
        if not header or not header.strip():
            continue
        if canonical not in CANONICAL:
            raise ServiceError(f"Unknown field {canonical!r}.", f"map_{canonical}")
        index = headers.index(header) if header in headers else by_key.get(_key(header))
        if index is None:
            raise ServiceError(f"The file has no column {header.strip()!r}.", f"map_{canonical}")
        if index in columns:
            raise ServiceError(
                f"Column {header.strip()!r} is already used for {columns[index]}.",
                f"map_{canonical}",
            )
        columns[index] = canonical
        taken.add(canonical)
    for i, header in enumerate(headers):
        canonical = HEADER_SYNONYMS.get(_key(header))
        if i not in columns and canonical and canonical not in taken:
            columns[i] = canonical
            taken.add(canonical)
    return columns


def read_survey_file(
    data: bytes, mapping: Mapping[str, str] | None = None, filename: str = ""
) -> SurveyTable:
    """Read a CSV or XLSX file by its content (not its name); SurveyFileError if unreadable."""
    if not data or not data.strip():
        raise SurveyFileError("The file is empty.")
    if data[:4] == b"PK\x03\x04":
        kind, headers, rows, encoding, delimiter = "xlsx", *_read_xlsx(data), None, None
    else:
        text, encoding = _decode(data)
        headers, rows, delimiter = _read_csv(text)
        kind = "csv"
    if not headers:
        raise SurveyFileError("The file has no header row.")
    columns = match_columns(headers, mapping)
    if "email" not in columns.values():
        raise SurveyFileError(
            "The file has no e-mail column (looked for a header such as “email” or “E-mail"
            " address”); map it by hand or fix the header row."
        )
    return SurveyTable(kind, headers, rows, columns, encoding, delimiter)


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
        "The file is neither a spreadsheet (XLSX) nor readable text (CSV in UTF-8 or Windows-1250)."
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
        raise SurveyFileError(f"The CSV file cannot be read: {exc}.") from exc
    return (*_split_header(enumerate(records, start=1)), delimiter)


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


def _read_xlsx(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise SurveyFileError("The file looks like a ZIP archive but is damaged.") from exc
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise SurveyFileError("The file is a ZIP archive, not an Excel workbook (XLSX).")
    try:
        records = list(xlsx_records_streamed(archive))
    except Exception:  # an unusual workbook: let openpyxl, the reference, read it
        records = xlsx_records_openpyxl(data)
    finally:
        archive.close()
    return _split_header(records)


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
                    (number, [_cell_text(v) for v in values])
                    for number, values in enumerate(rows, 1)
                ]
            finally:
                workbook.close()
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise SurveyFileError(f"The workbook cannot be read: {exc}") from exc


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
                        text = _cell_text(from_excel(number, epoch))
                    else:
                        text = _cell_text(number)
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


def _cell_text(value: Any) -> str:
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


def _split_header(
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


# --------------------------------------------------------------------------- checking rows


def _check_row(table: SurveyTable, cells: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The row's canonical values (only the columns the file has) and raw answers."""
    values: dict[str, Any] = {}
    raw: dict[str, str] = {}
    for i, header in enumerate(table.headers):
        cell = cells[i] if i < len(cells) else ""
        canonical = table.columns.get(i)
        if canonical is None:
            raw[header] = cell.strip()
            continue
        if canonical == "email":
            if not cell.strip():
                raise ValueError("missing e-mail")
            values["email"] = normalise_email(cell)
        elif canonical == "country":
            values["country"] = normalise_country(cell)
        elif canonical in YES_NO_FIELDS:
            try:
                values[canonical] = bool(normalise_yes_no(cell))
            except ValueError as exc:
                raise ValueError(f"{canonical.replace('_', ' ')}: {exc}") from exc
        elif canonical == "language":
            values["language"] = normalise_language(cell)
        elif canonical == "submitted_at":
            values["submitted_at"] = normalise_datetime(cell)
        elif canonical == "website":
            values["website"] = normalise_website(cell)
        else:
            values[canonical] = _clean(cell)
        limit = TEXT_LIMITS.get(canonical)
        if limit and len(values[canonical]) > limit:
            raise ValueError(f"{canonical.replace('_', ' ')} is longer than {limit} characters")
    for i in range(len(table.headers), len(cells)):
        if cells[i].strip():
            raw[f"column {i + 1}"] = cells[i].strip()
    return values, raw


_FIELD_OF = {"organisation": "organisation_name"}  # file column -> Respondent attribute


def _attribute(canonical: str) -> str:
    return _FIELD_OF.get(canonical, canonical)


# --------------------------------------------------------------------------- importing


def import_survey(
    data: bytes,
    *,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    progress: Callable[[int], Any] | None = None,
) -> ImportResult:
    """Read ``data`` and import it; see :func:`read_survey_file` and :func:`import_rows`."""
    return import_rows(read_survey_file(data, mapping), dry_run=dry_run, progress=progress)


def import_rows(
    table: SurveyTable, *, dry_run: bool = False, progress: Callable[[int], Any] | None = None
) -> ImportResult:
    """Check every row and upsert the valid ones by e-mail; ``dry_run`` writes nothing.

    ``progress(n)`` is called as rows are done. Rejected rows are listed with their row number
    and reason; a later row repeating an e-mail with other answers is rejected, an identical
    repeat is counted once.
    """
    started = time.perf_counter()
    result = ImportResult(
        dry_run=dry_run,
        kind=table.kind,
        encoding=table.encoding,
        delimiter=table.delimiter,
        column_map=table.column_map,
    )
    present = table.present
    accepted: dict[str, tuple[int, dict[str, Any], dict[str, str]]] = {}
    for done, (number, cells) in enumerate(table.rows, 1):
        try:
            values, raw = _check_row(table, cells)
        except ValueError as exc:
            result.rejected.append((number, str(exc)))
        else:
            earlier = accepted.get(values["email"])
            if earlier is None:
                accepted[values["email"]] = (number, values, raw)
            elif (earlier[1], earlier[2]) == (values, raw):
                result.duplicates += 1
            else:
                result.rejected.append(
                    (
                        number,
                        f"duplicate of row {earlier[0]} ({values['email']}) with other answers",
                    )
                )
        if progress and done % CHUNK == 0:
            progress(CHUNK)
    if progress and len(table.rows) % CHUNK:
        progress(len(table.rows) % CHUNK)

    existing = _existing_respondents(list(accepted))
    organisations = _organisations_for(accepted.values(), existing, present)
    new_orgs = _create_organisations(accepted.values(), existing, present, organisations, dry_run)
    result.organisations_created = new_orgs

    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for number, values, raw in accepted.values():
        respondent = existing.get(values["email"])
        target = _target_values(values, raw, respondent, present, organisations)
        if respondent is None:
            result.created += 1
            row = _new_respondent(values["email"], target, now)
            inserts.append(row)
            status = "new"
        else:
            changes = {k: v for k, v in target.items() if getattr(respondent, k) != v}
            if changes:
                result.updated += 1
                status = "update"
                updates.append({"id": respondent.id, **changes, "updated_at": now})
            else:
                result.unchanged += 1
                status = "unchanged"
        if len(result.preview) < PREVIEW_ROWS:
            result.preview.append({"row": number, "status": status, "email": values["email"]})
            result.preview[-1].update({k: v for k, v in target.items() if k != "organisation_id"})
    result.rejected.sort()
    if not dry_run:
        if inserts:
            db.session.execute(insert(Respondent), inserts)
        if updates:  # ORM bulk UPDATE by primary key, grouped by the columns that changed
            db.session.execute(update(Respondent), updates)
        db.session.flush()
    result.seconds = time.perf_counter() - started
    return result


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_respondents(emails: list[str]) -> dict[str, Row[Any]]:
    """The respondents the file names, as plain rows (no ORM objects: 10,000 load fast)."""
    found: dict[str, Row[Any]] = {}
    table = Respondent.__table__
    if len(emails) > 4 * CHUNK:
        # A big file: one scan of the table beats many IN (...) look-ups (PostgreSQL plans
        # those badly right after a large import, before it has analysed the table).
        wanted = set(emails)
        for row in db.session.execute(select(table)):
            if row.email.lower() in wanted:
                found[row.email.lower()] = row
        return found
    for chunk in _chunks(emails):
        for row in db.session.execute(select(table).where(table.c.email.in_(chunk))):
            found[row.email.lower()] = row
    return found


def _org_key(name: str, country: str | None) -> tuple[str, str] | None:
    if not name or not country:
        return None
    return (name.casefold(), country)


def _effective(
    name: str, values: dict[str, Any], respondent: Row[Any] | None, present: set[str]
) -> Any:
    """The value a respondent will have: the file's, else what it has now."""
    if name in present:
        return values.get(name)
    if respondent is None:
        return None
    return getattr(respondent, _attribute(name))


def _organisations_for(
    rows: Iterable[tuple[int, dict[str, Any], dict[str, str]]],
    existing: dict[str, Row[Any]],
    present: set[str],
) -> dict[tuple[str, str], Organisation | None]:
    """The organisations of the rows' countries, loaded in bulk and keyed by
    (case-folded name, country), so "AeroCluster" and "Aerocluster" are one organisation."""
    organisations: dict[tuple[str, str], Organisation | None] = {}
    if not {"organisation", "country"} & present:
        return organisations
    countries: set[str] = set()
    for _, values, _ in rows:
        country = _effective("country", values, existing.get(values["email"]), present)
        if country:
            countries.add(country)
    if countries:
        query = select(Organisation).where(Organisation.country.in_(sorted(countries)))
        for org in db.session.scalars(query.order_by(Organisation.id)):
            organisations.setdefault((org.name.casefold(), org.country), org)
    return organisations


def _create_organisations(
    rows: Iterable[tuple[int, dict[str, Any], dict[str, str]]],
    existing: dict[str, Row[Any]],
    present: set[str],
    organisations: dict[tuple[str, str], Organisation | None],
    dry_run: bool,
) -> int:
    """Create the organisations the file names and the database lacks (a dry run only
    counts them, keyed to None); returns how many."""
    if not {"organisation", "country"} & present:
        return 0
    created: list[Organisation] = []
    count = 0
    for _, values, _ in rows:
        respondent = existing.get(values["email"])
        name = _effective("organisation", values, respondent, present)
        country = _effective("country", values, respondent, present)
        key = _org_key(name or "", country)
        if key is None or key in organisations:
            continue
        count += 1
        org = None
        if not dry_run:
            org = Organisation(
                name=name,
                country=country,
                city=values.get("city") or "",
                sector=values.get("sector") or "",
                website=values.get("website") or "",
                kind="cluster",
            )
            created.append(org)
        organisations[key] = org
    if created:
        db.session.add_all(created)
        db.session.flush()
    return count


_NEW_ORG = -1  # the id of an organisation a dry run would create


def _target_values(
    values: dict[str, Any],
    raw: dict[str, str],
    respondent: Row[Any] | None,
    present: set[str],
    organisations: dict[tuple[str, str], Organisation | None],
) -> dict[str, Any]:
    """The attributes to give the respondent: the file's columns, the organisation link and
    the raw answers (merged into those it has)."""
    target: dict[str, Any] = {}
    for name in present - {"email"}:
        target[_attribute(name)] = values.get(name)
    for name in ("contact_name", "organisation_name", "city", "sector", "website"):
        if name in target and target[name] is None:
            target[name] = ""
    if {"organisation", "country"} & present:
        name = _effective("organisation", values, respondent, present)
        country = _effective("country", values, respondent, present)
        key = _org_key(name or "", country)
        if key is None:
            target["organisation_id"] = None
        else:
            org = organisations.get(key)
            target["organisation_id"] = org.id if org is not None else _NEW_ORG
    if raw or respondent is None:
        merged = dict(respondent.raw_answers or {}) if respondent is not None else {}
        merged.update(raw)
        target["raw_answers"] = merged
    return target


def _new_respondent(email: str, target: dict[str, Any], now: datetime) -> dict[str, Any]:
    row: dict[str, Any] = {
        "email": email,
        "contact_name": "",
        "organisation_id": None,
        "organisation_name": "",
        "country": None,
        "city": "",
        "sector": "",
        "website": "",
        "language": None,
        "interested_in_event": False,
        "interested_in_training": False,
        "consent": False,
        "submitted_at": None,
        "raw_answers": {},
        "created_at": now,
        "updated_at": now,
    }
    row.update(target)
    if row["organisation_id"] == _NEW_ORG:
        row["organisation_id"] = None
    return row


# --------------------------------------------------------------------------- uploads kept


_UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{20,64}")
UPLOAD_MAX_AGE = 24 * 3600


def store_upload(folder: Path, data: bytes, mapping: Mapping[str, str], filename: str = "") -> str:
    """Keep an uploaded file (and its column mapping) between preview and confirm."""
    folder.mkdir(parents=True, exist_ok=True)
    _remove_old_uploads(folder)
    upload_id = secrets.token_urlsafe(24)
    meta = {"mapping": dict(mapping), "filename": filename}
    (folder / f"{upload_id}.json").write_text(json.dumps(meta), encoding="utf-8")
    (folder / f"{upload_id}.data").write_bytes(data)
    return upload_id


def load_upload(folder: Path, upload_id: str) -> tuple[bytes, dict[str, str], str]:
    """The file, mapping and file name kept by :func:`store_upload`; ServiceError when the
    id is unknown or expired."""
    stale = ServiceError(
        "This upload is unknown or has expired (or was already imported). Upload the file again."
    )
    if not _UPLOAD_ID.fullmatch(upload_id or ""):
        raise stale
    data_path = folder / f"{upload_id}.data"
    try:
        if time.time() - data_path.stat().st_mtime > UPLOAD_MAX_AGE:
            raise stale
        data = data_path.read_bytes()
        meta = json.loads((folder / f"{upload_id}.json").read_text(encoding="utf-8"))
        mapping = {str(k): str(v) for k, v in meta["mapping"].items()}
        filename = str(meta.get("filename") or "")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise stale from exc
    return data, mapping, filename


def discard_upload(folder: Path, upload_id: str) -> None:
    """Forget a kept upload (after its import)."""
    if _UPLOAD_ID.fullmatch(upload_id or ""):
        for suffix in (".data", ".json"):
            (folder / f"{upload_id}{suffix}").unlink(missing_ok=True)


def _remove_old_uploads(folder: Path) -> None:
    limit = time.time() - UPLOAD_MAX_AGE
    for path in folder.glob("*.data"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                path.with_suffix(".json").unlink(missing_ok=True)
        except OSError:
            continue
