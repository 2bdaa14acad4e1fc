"""What the organiser's event and session forms give, and the checks both share: lengths
from the columns, capacities through :mod:`..places`, dates within a calendar's reach."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models.base import max_length
from .. import ServiceError, places
from ..timeutil import local_to_utc, utc_to_local

#: the years a date on the forms may fall in: beyond them a zone's offset can leave the
#: calendar (year 1 in Prague is year 0 in UTC), and no event of this network lies there
FIRST_YEAR, LAST_YEAR = 1900, 2999


@dataclass
class EventData:
    """What an organiser enters for an event; times are wall-clock times in ``timezone``."""

    title: str
    slug: str
    starts_local: datetime
    ends_local: datetime
    timezone: str = "Europe/Prague"
    description: str = ""
    venue: str = ""
    address: str = ""
    capacity: int = 100
    registration_opens_local: datetime | None = None
    registration_closes_local: datetime | None = None
    host_organisation_id: int | None = None
    allow_direct_signup: bool = False
    target_countries: list[str] = field(default_factory=lambda: ["CZ", "HU", "SK", "PL"])
    #: the language of title, description and venue above
    main_language: str = "en"
    #: the same texts in other languages, ``{field: {language: text}}`` (None: leave them)
    translations: dict[str, dict[str, str]] | None = None


@dataclass
class SessionData:
    """What an organiser enters for a training session (times in the event's zone)."""

    title: str
    starts_local: datetime
    ends_local: datetime
    description: str = ""
    room: str = ""
    capacity: int = 30
    trainer_ids: list[int] = field(default_factory=list)
    #: title and description in languages other than the event's main one (None: leave them)
    translations: dict[str, dict[str, str]] | None = None


@dataclass
class Edit:
    """What saving the edit form did: calendars must see it, and how many moved up."""

    calendar_changed: bool
    promoted: int = 0


def check_length(errors: dict[str, Any], name: str, value: str, column: Any) -> None:
    limit = max_length(column)
    if len(value or "") > limit:
        errors[name] = _l("At most %(n)s characters (this has %(has)s).", n=limit, has=len(value))


def check_capacity(errors: dict[str, Any], value: Any, confirmed: int) -> None:
    try:
        places.check_capacity(value, confirmed)
    except ServiceError as exc:
        errors["capacity"] = exc.message


def to_utc(errors: dict[str, Any], name: str, value: datetime | None, zone: str) -> Any:
    """``value`` (wall-clock time in ``zone``) in UTC; None, with a message, when it is
    missing or outside the years a form may give."""
    if value is None:
        errors.setdefault(name, _l("A date and time is required."))
        return None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        errors[name] = _l(
            "Give a date between the years %(first)s and %(last)s.",
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
        return None
    return local_to_utc(value, zone)


def local_day(moment: datetime, zone: str) -> date:
    return utc_to_local(moment, zone).date()


def apply_edit(item: Any, values: dict[str, Any], calendar_fields: tuple[str, ...]) -> Edit:
    """Set the checked ``values`` on an event or a session (its event's lock held): the
    capacity through :mod:`..places`, the SEQUENCE raised when a calendar must see it."""
    capacity = values.pop("capacity")
    calendar_changed = any(
        getattr(item, name) != values[name] for name in calendar_fields if name in values
    )
    for key, value in values.items():
        setattr(item, key, value)
    if calendar_changed:
        item.sequence += 1
    db.session.flush()
    return Edit(calendar_changed, places.change_capacity(item, capacity))
