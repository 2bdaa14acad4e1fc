"""Shared column types and helpers for the models."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def new_uid() -> str:
    """A random, host-free UID for iCalendar objects (RFC 7986)."""
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes in UTC; always returns aware UTC datetimes (SQLite too)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC datetimes only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def max_length(attribute: InstrumentedAttribute[Any]) -> int:
    """The most characters ``Model.column`` holds: ``String(n)``'s n, or for a ``Text`` column
    the ``info={"max_length": n}`` its model declares. The one home of every length limit:
    forms and services read it from here."""
    column = attribute.property.columns[0]
    limit = column.info.get("max_length") or getattr(column.type, "length", None)
    if not limit:
        raise ValueError(f"{attribute} declares no length limit")
    return int(limit)
