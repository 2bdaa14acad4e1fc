"""iCalendar (RFC 5545) text for events and training sessions, built with ``icalendar``.

Three kinds of calendar object come out of here:

* downloads and personal feeds: ``METHOD:PUBLISH``, no ORGANIZER or ATTENDEE (with them,
  clients would show the entries as tentative invitations and mail replies);
* invitations by e-mail (iMIP, RFC 5546/6047): ``METHOD:REQUEST`` or ``METHOD:CANCEL`` with
  the ORGANIZER (``CALENDAR_ORGANIZER``, else the address of ``MAIL_DEFAULT_SENDER``) and the
  one participant as ATTENDEE.

Every VEVENT carries the UID stored with its event or session when it was created (never one
derived at export time), times in the event's own zone with a matching VTIMEZONE, and a
SEQUENCE:

* an event's SEQUENCE is ``Event.sequence``;
* a session's SEQUENCE is ``TrainingSession.sequence + Event.sequence``, because a session's
  LOCATION (the event's venue and address) and STATUS (cancelled with its event) follow its
  event: when the event moves to another venue, each session's calendar entry must change
  too, and a client only accepts the change with a higher SEQUENCE. Both numbers only rise,
  so their sum only rises.

Per-person offsets for e-mailed invitations are added by :mod:`.calendar_mail`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from email.utils import parseaddr
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Timezone, vCalAddress, vDuration, vText
from icalendar import Event as VEvent

from ..models import Event, EventStatus, SessionStatus, TrainingSession
from ..models.base import utcnow
from .timeutil import get_zone
from .urls import external_url

PRODID = "-//ClusGo Events//ClusGo Events Calendar 1.0//EN"
FEED_REFRESH = timedelta(hours=4)
CONTENT_TYPE = "text/calendar; charset=utf-8"

# What a calendar client should show for each of our statuses.
EVENT_STATUS = {
    EventStatus.DRAFT: "TENTATIVE",
    EventStatus.PUBLISHED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
}


def event_sequence(event: Event) -> int:
    """The iCal SEQUENCE of ``event``."""
    return event.sequence or 0


def session_sequence(session: TrainingSession) -> int:
    """The iCal SEQUENCE of ``session``: its own plus its event's (see the module notes)."""
    return (session.sequence or 0) + (session.event.sequence or 0)


def event_status(event: Event) -> str:
    """CONFIRMED, TENTATIVE (a draft) or CANCELLED."""
    return EVENT_STATUS.get(event.status, "CONFIRMED")


def session_status(session: TrainingSession) -> str:
    """CANCELLED when the session or its event is; otherwise its event's status."""
    if session.status == SessionStatus.CANCELLED:
        return "CANCELLED"
    return event_status(session.event)


def _join(*parts: str | None) -> str:
    return ", ".join(p.strip() for p in parts if p and p.strip())


def event_location(event: Event) -> str:
    """Venue and address."""
    return _join(event.text("venue"), event.address)


def session_location(session: TrainingSession) -> str:
    """The event's venue and address, then the room."""
    return _join(session.event.text("venue"), session.event.address, session.room)


def event_url(event: Event) -> str:
    """The public page of the event (BASE_URL-based, works in the CLI too)."""
    return external_url("events.show", slug=event.slug)


@lru_cache(maxsize=64)
def _vtimezone(zone: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for ``zone`` valid from ``first_year`` to ``last_year`` (cached: slow)."""
    return Timezone.from_tzid(
        zone, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )


def _localised(value: datetime, zone: str) -> datetime:
    return value.astimezone(get_zone(zone))


def _base_vevent(
    uid: str,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    zone: str,
    location: str,
    description: str,
    url: str,
    status: str,
    sequence: int,
    dtstamp: datetime,
    last_modified: datetime | None,
) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", uid)
    vevent.add("dtstamp", dtstamp)
    vevent.add("dtstart", _localised(starts_at, zone))
    vevent.add("dtend", _localised(ends_at, zone))
    vevent.add("summary", title)
    if location:
        vevent.add("location", location)
    if description:
        vevent.add("description", description)
    vevent.add("url", url)
    vevent.add("status", status)
    vevent.add("sequence", sequence)
    vevent.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    if last_modified is not None:
        vevent.add("last-modified", last_modified)
    return vevent


def event_vevent(event: Event, dtstamp: datetime, *, sequence_offset: int = 0) -> VEvent:
    """The VEVENT of ``event`` (the whole event, first to last day)."""
    url = event_url(event)
    description = "\n\n".join(p for p in (event.text("description").strip(), url) if p)
    return _base_vevent(
        event.uid,
        title=event.text("title"),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        zone=event.timezone,
        location=event_location(event),
        description=description,
        url=url,
        status=event_status(event),
        sequence=event_sequence(event) + sequence_offset,
        dtstamp=dtstamp,
        last_modified=event.updated_at,
    )


def session_vevent(
    session: TrainingSession, dtstamp: datetime, *, sequence_offset: int = 0
) -> VEvent:
    """The VEVENT of one training session (its trainers must be loadable)."""
    event = session.event
    url = event_url(event)
    lines = [session.text("description").strip()]
    if session.trainers:
        lines.append(_("Trainers: %(names)s", names=", ".join(t.name for t in session.trainers)))
    lines.append(_("Part of: %(title)s", title=event.text("title")))
    lines.append(url)
    return _base_vevent(
        session.uid,
        title=session.text("title"),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        zone=event.timezone,
        location=session_location(session),
        description="\n\n".join(line for line in lines if line),
        url=url,
        status=session_status(session),
        sequence=session_sequence(session) + sequence_offset,
        dtstamp=dtstamp,
        last_modified=session.updated_at,
    )


def new_calendar(method: str | None = "PUBLISH") -> Calendar:
    """An empty VCALENDAR with VERSION, PRODID, CALSCALE and METHOD."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def finish(calendar: Calendar, vevents: Iterable[tuple[VEvent, str]]) -> Calendar:
    """Add ``(vevent, zone name)`` pairs and one VTIMEZONE per zone that they use.

    Each VTIMEZONE covers the years of the entries in its zone, a year either side, so that
    a reader converts every DTSTART/DTEND with the right offset across DST changes.
    """
    years: dict[str, list[int]] = {}
    components = []
    for vevent, zone in vevents:
        components.append(vevent)
        for name in ("dtstart", "dtend"):
            year = vevent.decoded(name).year
            span = years.setdefault(zone, [year, year])
            span[0], span[1] = min(span[0], year), max(span[1], year)
    for zone in sorted(years):
        first, last = years[zone]
        calendar.add_component(_vtimezone(zone, first - 1, last + 1))
    for component in components:
        calendar.add_component(component)
    return calendar


def to_text(calendar: Calendar) -> str:
    """The calendar as text: CRLF line ends, lines folded at 75 octets (by icalendar)."""
    return calendar.to_ical().decode("utf-8")


# --- downloads and feeds (METHOD:PUBLISH) ---------------------------------------------------


def event_calendar(event: Event, *, include_sessions: bool = True) -> str:
    """The download of an event: the event itself and each of its sessions."""
    now = utcnow()
    calendar = new_calendar("PUBLISH")
    calendar.add("x-wr-calname", event.text("title"))
    entries = [(event_vevent(event, now), event.timezone)]
    if include_sessions:
        entries += [(session_vevent(s, now), event.timezone) for s in event.sessions]
    return to_text(finish(calendar, entries))


def session_calendar(session: TrainingSession) -> str:
    """The download of one training session."""
    now = utcnow()
    calendar = new_calendar("PUBLISH")
    return to_text(finish(calendar, [(session_vevent(session, now), session.event.timezone)]))


def feed_calendar(name: str, events: Iterable[Event], sessions: Iterable[TrainingSession]) -> str:
    """A subscribed feed: a name, the refresh interval, the entries."""
    now = utcnow()
    calendar = new_calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    entries = [(event_vevent(e, now), e.timezone) for e in events]
    entries += [(session_vevent(s, now), s.event.timezone) for s in sessions]
    return to_text(finish(calendar, entries))


# --- invitations by e-mail (iMIP) -----------------------------------------------------------


def organizer_address() -> tuple[str, str]:
    """(name, address) of the ORGANIZER: ``CALENDAR_ORGANIZER``, else the default sender."""
    configured = current_app.config.get("CALENDAR_ORGANIZER") or current_app.config.get(
        "MAIL_DEFAULT_SENDER"
    )
    if isinstance(configured, tuple | list):
        name, address = configured[0], configured[1]
    else:
        name, address = parseaddr(str(configured or ""))
    return name or "ClusGo Events", address


def invitation(
    obj: Event | TrainingSession,
    *,
    method: str,
    attendee_email: str,
    attendee_name: str,
    sequence_offset: int = 0,
) -> str:
    """An iMIP calendar object: METHOD REQUEST (invite or update) or CANCEL.

    ``sequence_offset`` is added to the object's SEQUENCE (the per-person part, see
    :mod:`.calendar_mail`). A CANCEL always says STATUS:CANCELLED, also when only this one
    person's place is withdrawn and the event itself goes ahead.
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    now = utcnow()
    if isinstance(obj, Event):
        vevent, zone = event_vevent(obj, now, sequence_offset=sequence_offset), obj.timezone
    else:
        vevent = session_vevent(obj, now, sequence_offset=sequence_offset)
        zone = obj.event.timezone
    org_name, org_address = organizer_address()
    organizer = vCalAddress(f"mailto:{org_address}")
    organizer.params["cn"] = vText(org_name.replace('"', "'"))
    vevent.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{attendee_email}")
    if attendee_name:  # a parameter value cannot hold a double quote
        attendee.params["cn"] = vText(attendee_name.replace('"', "'"))
    attendee.params["cutype"] = vText("INDIVIDUAL")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    if method == "REQUEST":
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("TRUE")
    else:
        vevent.pop("status")
        vevent.add("status", "CANCELLED")
    vevent.add("attendee", attendee)
    return to_text(finish(new_calendar(method), [(vevent, zone)]))
