"""Reading a list page's query string: its page number and a filter among known values.

Shared by the organiser's lists (registrations, seats, invitations); nothing a visitor types
here can make a page fail: an unusable page number is page 1, a huge one is bounded (an OFFSET
beyond a 64-bit integer fails on PostgreSQL), and an unknown filter value is reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MAX_PAGE = 100_000  # far beyond any real list


def page_number(args: Mapping[str, Any], name: str = "page") -> int:
    """The page asked for: 1 for anything unusable, at most ``MAX_PAGE``."""
    try:
        page = int(args.get(name) or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(page, 1), MAX_PAGE)


def one_of(args: Mapping[str, Any], name: str, allowed: Iterable[str]) -> tuple[str | None, str]:
    """``(value, "")`` for a known value of ``args[name]``, ``(None, "")`` when it is empty
    (no filter), ``(None, what was given)`` for an unknown one."""
    given = (args.get(name) or "").strip()
    if not given:
        return None, ""
    if given in allowed:
        return given, ""
    return None, given


def record_id(args: Mapping[str, Any], name: str) -> int | None:
    """A record's id named by ``args[name]`` (a query string or a form), or None for anything
    that cannot be one: PostgreSQL refuses an INTEGER beyond 32 bits with an error."""
    from .security import MAX_DB_INT

    try:
        value = int(args.get(name) or 0)
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= MAX_DB_INT else None
