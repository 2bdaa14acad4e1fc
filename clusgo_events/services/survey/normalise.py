"""Turning a cell's text into a value: countries, yes/no, languages, dates, websites, e-mails.

Each normaliser returns the value (None for a blank cell) or raises :class:`RowError` (a
``ValueError``) with the reason the row is rejected, a lazy translation: the organiser reads
it in their language on the import page, the command line in English.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from ...models.respondent import fold

LANGUAGES = ("en", "cs", "hu", "sk", "pl")


class RowError(ValueError):
    """Why a row is rejected; ``reason`` is a lazy translation."""

    def __init__(self, reason: Any) -> None:
        super().__init__(reason)
        self.reason = reason


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


@lru_cache(maxsize=8192)
def match_key(text: str) -> str:
    """Folded (see models.respondent.fold), ASCII letters and digits only: "E-mail Address"
    -> "emailaddress", "Magyarország" -> "magyarorszag"."""
    return "".join(c for c in fold(text) if c.isascii() and c.isalnum())


def clean_text(text: str) -> str:
    """Runs of whitespace (line breaks too) become one space; the ends are stripped."""
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
                index[match_key(names[code])] = code
    for code, aliases in _COUNTRY_ALIASES.items():
        for alias in aliases:
            index[match_key(alias)] = code
    for code in codes:
        index[code.lower()] = code
    return index


def normalise_country(value: str) -> str | None:
    """ "cz", "Czech Republic", "Česko" -> "CZ"; "" -> None; unknown -> ValueError."""
    if not value.strip():
        return None
    code = _country_index().get(match_key(value))
    if code is None:
        raise RowError(_l("unknown country %(value)s", value=repr(value.strip())))
    return code


def normalise_yes_no(value: str) -> bool | None:
    """yes/no in five languages (and y/n, true/false, 1/0); "" -> None; else ValueError."""
    key = match_key(value)
    if not key:
        return None
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise RowError(_l("not a yes/no answer: %(value)s", value=repr(value.strip())))


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
    code = _language_index().get(match_key(text))
    if code is None:
        raise RowError(_l("unknown language %(value)s", value=repr(value.strip())))
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
        raise RowError(_l("not a date: %(value)s", value=repr(text)))
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


def normalise_email(value: str, *, smtputf8: bool = False) -> str:
    """A syntactically valid address (no DNS look-up), lower-cased; else RowError.

    email-validator decides; a plain ASCII local part only has its domain checked (cached),
    which keeps 10,000 rows fast. A domain in any script is kept as it is written (delivery
    sends it as IDNA); letters outside ASCII before the @ need a relay that offers SMTPUTF8
    (RFC 6531), so they are refused unless ``smtputf8`` (the MAIL_SMTPUTF8 setting)."""
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    local, at, domain = text.rpartition("@")
    if at and len(local) <= 64 and len(text) <= 254 and _PLAIN_LOCAL.fullmatch(local):
        try:
            return f"{local}@{_checked_domain(domain)}".lower()
        except ValueError as exc:
            raise _bad_email(text, exc) from exc
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise _bad_email(text, exc) from exc
    if not smtputf8 and checked.ascii_email is None:
        letters = ", ".join(sorted({c for c in checked.local_part if not c.isascii()}))
        reason = _l(
            "bad e-mail %(value)s: the mail server cannot deliver to an address with"
            " %(letters)s before the @",
            value=repr(text),
            letters=letters,
        )
        raise RowError(reason)
    return checked.normalized.lower()


def _bad_email(text: str, error: Exception) -> RowError:
    """The row's reason; email-validator's explanation (English: the library has no
    translations) follows the translated part."""
    return RowError(_l("bad e-mail %(value)s: %(reason)s", value=repr(text), reason=str(error)))
