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


def format_local(value: datetime | None, zone: str, fmt: str = "%d %b %Y %H:%M") -> str:
    """``value`` shown in ``zone`` with the zone's abbreviation, e.g. ``13 Feb 2017 09:00 CET``."""
    if value is None:
        return ""
    local = utc_to_local(value, zone)
    return f"{local.strftime(fmt)} {local.tzname()}"
