"""Time zones: store UTC, show in the event's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


@lru_cache(maxsize=1)
def timezone_choices() -> list[str]:
    """Every IANA zone name that this machine (or the tzdata package) knows, sorted."""
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


def get_zone(name: str) -> ZoneInfo:
    """The zone called ``name``; ``ValueError`` when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"Unknown time zone: {name}") from exc


def local_to_utc(value: datetime, zone: str) -> datetime:
    """A wall-clock time in ``zone`` as an aware UTC datetime."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return value.replace(tzinfo=get_zone(zone)).astimezone(UTC)


def utc_to_local(value: datetime, zone: str) -> datetime:
    """An aware datetime in ``zone``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(get_zone(zone))


#: what :func:`format_moment` writes of a moment
PARTS = ("datetime", "date", "time", "stamp")


def _reader_locale(locale: str | None) -> str:
    """``locale``, else the current page's or message's (Flask-Babel), else English."""
    if locale:
        return str(locale)
    from flask_babel import get_locale

    current = get_locale()
    return str(current) if current is not None else "en"


def format_moment(
    value: datetime | None, zone: str, part: str = "datetime", locale: str | None = None
) -> str:
    """The one date formatter: ``value`` in ``zone``, written the reader's way by Babel.

    ``part`` is ``datetime`` (``17. března 2027 9:00 CET``), ``date``, ``time`` (``9:00``), or
    ``stamp`` (``2027-03-17 09:00 CET``: the same in every language, for exports that a
    spreadsheet sorts). ``locale`` defaults to the current page's or message's language.
    """
    if value is None:
        return ""
    if part not in PARTS:
        raise ValueError(f"format_moment: part must be one of {PARTS}, not {part!r}")
    from babel.dates import format_date, format_time

    local = utc_to_local(value, zone)
    if part == "stamp":
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
    language = _reader_locale(locale)
    time_text = format_time(local, "short", locale=language)
    if part == "time":
        return time_text
    date_text = format_date(local, "long", locale=language)
    if part == "date":
        return date_text
    return f"{date_text} {time_text} {local.tzname()}"


def format_span(
    start: datetime, end: datetime, zone: str, locale: str | None = None, *, name_zone: bool = False
) -> str:
    """From ``start`` to ``end`` in ``zone``: the end's date only when it differs.

    ``17. března 2027 9:00 – 18. března 2027 16:00 CET``; ``9:00 – 12:00`` on one day. With
    ``name_zone`` the zone's name follows (``(Europe/Prague)``), as calendar texts want.
    """
    first, last = utc_to_local(start, zone), utc_to_local(end, zone)
    language = _reader_locale(locale)
    start_text = f"{format_moment(start, zone, 'date', language)} " + format_moment(
        start, zone, "time", language
    )
    if last.date() == first.date():
        end_text = format_moment(end, zone, "time", language)
    else:
        end_text = f"{format_moment(end, zone, 'date', language)} " + format_moment(
            end, zone, "time", language
        )
    zones = (
        first.tzname() if first.tzname() == last.tzname() else f"{first.tzname()}/{last.tzname()}"
    )
    text = f"{start_text} – {end_text} {zones}"
    return f"{text} ({zone})" if name_zone else text
