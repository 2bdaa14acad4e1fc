"""Events: creation, the edit form, publication, cancellation.

Every change takes the event's write lock and writes its audit entry, from the organiser's
page or the command line alike. The capacity changes through :mod:`..places` (raising it
promotes from the waiting list at once), and a moved registration deadline moves the
invitations' expiry with it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Event, Organisation, User
from ...models.base import max_length
from ...models.enums import EventStatus, SessionStatus
from ...signals import event_cancelled, event_changed
from .. import ServiceError, ValidationErrors, audit
from .. import invitations as invitation_service
from ..timeutil import get_zone
from ..transactions import lock_event
from ..versions import check_fresh
from .checks import (
    Edit,
    EventData,
    apply_edit,
    check_capacity,
    check_length,
    local_day,
    to_utc,
)
from .texts import check_main_language, check_texts, every_text, rebase_texts, store_texts

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# changes a calendar must see raise the iCal SEQUENCE
EVENT_CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "venue", "address", "status")


def _validate_event(data: EventData, event: Event | None) -> dict[str, Any]:
    """Check ``data``; return the column values to store, or raise ``ValidationErrors``."""
    errors: dict[str, Any] = {}
    title = (data.title or "").strip()
    slug = (data.slug or "").strip().lower()
    if not title:
        errors["title"] = _l("A title is required.")
    check_length(errors, "title", title, Event.title)
    check_length(errors, "venue", data.venue, Event.venue)
    check_length(errors, "address", data.address, Event.address)
    check_length(errors, "description", data.description, Event.description)
    if not SLUG_RE.match(slug):
        errors["slug"] = _l("Use lower-case letters, digits and single dashes, e.g. brno-2017.")
    elif len(slug) > max_length(Event.slug):
        errors["slug"] = _l("At most %(n)s characters.", n=max_length(Event.slug))
    else:
        clash = db.session.scalar(select(Event.id).where(Event.slug == slug))
        if clash is not None and (event is None or clash != event.id):
            errors["slug"] = _l("Another event already uses the address “%(slug)s”.", slug=slug)
    main_language = check_main_language(errors, data.main_language)
    texts = check_texts(errors, Event, data.translations, main_language)
    zone = data.timezone
    try:
        get_zone(zone)
    except ValueError:
        errors["timezone"] = _l("Unknown time zone “%(zone)s”.", zone=zone)
        zone = "UTC"
    check_capacity(errors, data.capacity, event.confirmed_count if event is not None else 0)
    countries = [c.strip().upper() for c in data.target_countries if c.strip()]
    if not countries:
        errors["target_countries"] = _l("Choose at least one country.")
    if (
        data.host_organisation_id
        and db.session.get(Organisation, data.host_organisation_id) is None
    ):
        errors["host_organisation_id"] = _l("Unknown organisation.")
    starts = to_utc(errors, "starts_local", data.starts_local, zone)
    ends = to_utc(errors, "ends_local", data.ends_local, zone)
    opens = closes = None
    if data.registration_opens_local is not None:
        opens = to_utc(errors, "registration_opens_local", data.registration_opens_local, zone)
    if data.registration_closes_local is not None:
        closes = to_utc(errors, "registration_closes_local", data.registration_closes_local, zone)
    if errors:
        raise ValidationErrors(errors)
    if ends <= starts:
        errors["ends_local"] = _l("The end must come after the start.")
    if opens and closes and closes <= opens:
        errors["registration_closes_local"] = _l("Registration must close after it opens.")
    if closes and closes > ends:
        errors["registration_closes_local"] = _l("Registration cannot close after the event ends.")
    if event is not None:
        _check_sessions_still_fit(event, starts, ends, zone, errors)
    if errors:
        raise ValidationErrors(errors)
    return {
        "title": title,
        "slug": slug,
        "description": data.description or "",
        "venue": (data.venue or "").strip(),
        "address": (data.address or "").strip(),
        "timezone": zone,
        "starts_at": starts,
        "ends_at": ends,
        "capacity": int(data.capacity),
        "registration_opens_at": opens,
        "registration_closes_at": closes,
        "host_organisation_id": data.host_organisation_id or None,
        "allow_direct_signup": bool(data.allow_direct_signup),
        "target_countries": ",".join(countries),
        "main_language": main_language,
        "texts": texts,
    }


def _check_sessions_still_fit(
    event: Event, starts: datetime, ends: datetime, zone: str, errors: dict[str, Any]
) -> None:
    first, last = local_day(starts, zone), local_day(ends, zone)
    for session in event.sessions:
        if session.status == SessionStatus.CANCELLED:
            continue
        if local_day(session.starts_at, zone) < first or local_day(session.ends_at, zone) > last:
            errors["starts_local"] = _l(
                "The session “%(title)s” would fall outside the event's days; move it first.",
                title=session.text("title"),
            )
            return


def create_event(data: EventData, created_by: User | None = None) -> Event:
    """Create a draft event."""
    values = _validate_event(data, None)
    texts = values.pop("texts")
    event = Event(
        status=EventStatus.DRAFT,
        sequence=0,
        created_by_id=created_by.id if created_by else None,
    )
    for key, value in values.items():
        setattr(event, key, value)
    store_texts(event, texts)
    db.session.add(event)
    db.session.flush()
    audit.record("event.create", event)
    return event


def edit_event(event: Event, data: EventData) -> Edit:
    """Apply the edit form's ``data`` under the event's lock: the capacity through places
    (raising it promotes at once), the invitations' expiry following a moved deadline."""
    event = lock_event(event.id)
    if event.status == EventStatus.CANCELLED:
        raise ServiceError(_l("A cancelled event cannot be changed."))
    values = _validate_event(data, event)
    texts = values.pop("texts")
    sessions_before = {s.id: every_text(s) for s in event.sessions}
    main_before = event.main_language
    expiry = invitation_service.expiry_for(event)
    edit = apply_edit(event, values, EVENT_CALENDAR_FIELDS)
    store_texts(event, texts)
    if event.main_language != main_before:  # the sessions' columns follow the main language
        for session in event.sessions:
            rebase_texts(session, sessions_before[session.id])
    if invitation_service.expiry_for(event) != expiry:
        invitation_service.follow_deadline(event)
    if edit.calendar_changed:
        event_changed.send(event)
    audit.record("event.update", event, {"calendar_changed": edit.calendar_changed})
    return edit


def update_event(event: Event, data: EventData) -> bool:
    """Apply ``data``; returns True when a change calendars must see was made (SEQUENCE rose)."""
    return edit_event(event, data).calendar_changed


def publish_event(event: Event) -> None:
    """Make a draft visible to everyone."""
    event = lock_event(event.id)
    if event.status == EventStatus.CANCELLED:
        raise ServiceError(_l("A cancelled event cannot be published."))
    if event.status == EventStatus.PUBLISHED:
        raise ServiceError(_l("The event is already published."))
    event.status = EventStatus.PUBLISHED
    db.session.flush()
    audit.record("event.publish", event)


def cancel_event(event: Event, *, seen: str | None = None) -> None:
    """Cancel the event (and with it every session); calendars see the change. From now on
    nobody moves up from its waiting lists (:mod:`.places`). The audit entry keeps the status
    before and the sessions cancelled with it, for :func:`.lifecycle.reinstate_event`."""
    event = lock_event(event.id)
    check_fresh(event, seen)
    if event.status == EventStatus.CANCELLED:
        raise ServiceError(_l("The event is already cancelled."))
    previous = event.status
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    cancelled = []
    for session in event.sessions:
        if session.status != SessionStatus.CANCELLED:
            session.status = SessionStatus.CANCELLED
            session.sequence += 1
            cancelled.append(session.id)
    db.session.flush()
    event_cancelled.send(event)
    audit.record("event.cancel", event, {"previous": str(previous), "sessions": cancelled})
