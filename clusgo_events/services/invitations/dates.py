"""An event's moments written the invitee's way: in the event's zone, in their language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from ...models import Event


def format_moment(moment: datetime | None, event: Event, language: str) -> str:
    """One moment in the event's zone, written the reader's way ("" for None)."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(event.timezone))
    date = format_date(local, "long", locale=language)
    return f"{date} {format_time(local, 'short', locale=language)} {local.tzname()}"


def format_when(event: Event, language: str) -> str:
    """The event's dates in its own zone, written the reader's way."""
    return f"{format_moment(event.starts_at, event, language)} – " + format_moment(
        event.ends_at, event, language
    )
