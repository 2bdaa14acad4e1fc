"""An event's moments written the invitee's way: in the event's zone, in their language."""

from __future__ import annotations

from datetime import datetime

from ...models import Event
from ..timeutil import format_moment as _format_moment
from ..timeutil import format_span


def format_moment(moment: datetime | None, event: Event, language: str | None = None) -> str:
    """One moment in the event's zone, written the reader's way ("" for None)."""
    return _format_moment(moment, event.timezone, "datetime", language)


def format_when(event: Event, language: str | None = None) -> str:
    """The event's dates in its own zone, written the reader's way."""
    return format_span(event.starts_at, event.ends_at, event.timezone, language)
