"""Confirm and undo: cancelling asks once, reinstating before the start, deleting a draft,
duplicating an event (issue 15)."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from flask.testing import FlaskClient
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import (
    AuditEntry,
    Event,
    EventStatus,
    Invitation,
    OutboxMessage,
    Registration,
    SessionStatus,
    TrainingSession,
)
from clusgo_events.services import events as event_service
from clusgo_events.services import registration as reg_service
from clusgo_events.services.timeutil import utc_to_local
from clusgo_events.services.versions import version_of
from tests import factories
from tests.registration_helpers import attendee


def _published_with_people(count: int = 2):  # type: ignore[no-untyped-def]
    """A published event with two sessions and ``count`` people registered for the first."""
    event = factories.event()
    first = factories.session(event, hour=10)
    second = factories.session(event, hour=14)
    for n in range(count):
        person = factories.user(email=f"person{n}@example.org", name=f"Person Ně{n}")
        reg_service.register(event, attendee(person.email), [first.id], user=person)
    db.session.commit()
    return event, first, second


def _requests_to(email: str) -> list[tuple[str, int, str]]:
    """(METHOD, SEQUENCE, UID) of each calendar mail to ``email``, in order."""
    found = []
    for message in db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == email, OutboxMessage.calendar_ics.is_not(None))
        .order_by(OutboxMessage.id)
    ):
        calendar = icalendar.Calendar.from_ical(message.calendar_ics)
        [vevent] = calendar.walk("VEVENT")
        found.append((str(calendar["METHOD"]), int(vevent["SEQUENCE"]), str(vevent["UID"])))
    return found


def test_cancel_asks_first_with_the_real_count(client: FlaskClient, auth, users, clock) -> None:
    event, _, _ = _published_with_people(3)
    auth.login_as(users["organiser"])
    page = client.get(f"/events/{event.slug}/cancel")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "3 participants will be told by e-mail." in html
    assert "2 training sessions are cancelled with it." in html
    assert "You can reinstate it until it starts" in html
    assert f'action="/events/{event.slug}/cancel"' in html
    db.session.expire_all()
    assert event.status == EventStatus.PUBLISHED  # asking changed nothing
    response = client.post(f"/events/{event.slug}/cancel", data={"version": version_of(event)})
    assert response.headers["Location"].endswith(f"/events/{event.slug}")
    db.session.expire_all()
    assert event.status == EventStatus.CANCELLED


def test_a_stale_confirmation_changes_nothing(client: FlaskClient, auth, users, clock) -> None:
    event, _, _ = _published_with_people(1)
    auth.login_as(users["organiser"])
    seen = version_of(event)
    person = factories.user(email="late@example.org")
    reg_service.register(event, attendee(person.email), [], user=person)  # a count moves
    db.session.commit()
    response = client.post(
        f"/events/{event.slug}/cancel", data={"version": seen}, follow_redirects=True
    )
    assert "This was changed since you opened the page" in response.get_data(as_text=True)
    db.session.expire_all()
    assert event.status == EventStatus.PUBLISHED


def test_reinstating_brings_back_the_event_and_its_sessions(app, clock) -> None:
    event, first, second = _published_with_people(2)
    event_service.cancel_session(second)  # cancelled on its own before: stays cancelled
    event_service.cancel_event(event)
    db.session.commit()
    cancelled_seq = _requests_to("person0@example.org")[-1]
    assert cancelled_seq[0] == "CANCEL"
    lines = event_service.reinstate_consequences(event)
    assert "2 participants will be told by e-mail." in lines
    assert any("1 training session" in line for line in lines)
    event_service.reinstate_event(event)
    db.session.commit()
    db.session.expire_all()
    assert event.status == EventStatus.PUBLISHED
    assert first.status == SessionStatus.SCHEDULED
    assert second.status == SessionStatus.CANCELLED
    for email in ("person0@example.org", "person1@example.org"):
        event_mails = [m for m in _requests_to(email) if m[2] == event.uid]
        method, sequence, _ = event_mails[-1]
        assert method == "REQUEST"
        assert sequence > event_mails[-2][1]  # beats the CANCEL the calendar holds
        assert event_mails[-2][0] == "CANCEL"
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-1] == "event.reinstate"


def test_no_reinstating_after_the_start(client: FlaskClient, auth, users, clock) -> None:
    event, first, _ = _published_with_people(1)
    event_service.cancel_event(event)
    db.session.commit()
    clock.set(event.starts_at + timedelta(minutes=1))
    auth.login_as(users["organiser"])
    response = client.post(f"/events/{event.slug}/reinstate", follow_redirects=True)
    assert "it can no longer be reinstated" in response.get_data(as_text=True)
    db.session.expire_all()
    assert event.status == EventStatus.CANCELLED


def test_a_session_is_reinstated_through_its_confirmation(
    client: FlaskClient, auth, users, clock
) -> None:
    event, first, _ = _published_with_people(2)
    auth.login_as(users["organiser"])
    page = client.get(f"/events/{event.slug}/sessions/{first.id}/cancel").get_data(as_text=True)
    assert "2 participants will be told by e-mail." in page
    client.post(f"/events/{event.slug}/sessions/{first.id}/cancel")
    db.session.expire_all()
    assert first.status == SessionStatus.CANCELLED
    show = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f"/events/{event.slug}/sessions/{first.id}/reinstate" in show
    client.post(f"/events/{event.slug}/sessions/{first.id}/reinstate")
    db.session.expire_all()
    assert first.status == SessionStatus.SCHEDULED
    assert _requests_to("person1@example.org")[-1][:2] == (
        "REQUEST",
        first.sequence + event.sequence,
    )


def test_a_draft_is_deleted_but_never_a_published_event_with_people(
    client: FlaskClient, auth, users, clock
) -> None:
    draft = factories.event(status=EventStatus.DRAFT)
    factories.session(draft)
    factories.invitation(draft)
    busy, _, _ = _published_with_people(1)
    db.session.commit()
    draft_id = draft.id
    auth.login_as(users["organiser"])
    page = client.get(f"/events/{draft.slug}/delete").get_data(as_text=True)
    assert "The event and its 1 training session are deleted." in page
    assert "1 invitation is deleted" in page
    assert "This cannot be undone." in page
    client.post(f"/events/{draft.slug}/delete")
    assert db.session.get(Event, draft_id) is None
    assert not db.session.scalar(
        select(func.count(Invitation.id)).where(Invitation.event_id == draft_id)
    )
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.delete")).one()
    assert entry.event_id == draft_id and entry.details["slug"] == draft.slug
    response = client.post(f"/events/{busy.slug}/delete", follow_redirects=True)
    assert "Only a draft without registrations can be deleted" in response.get_data(as_text=True)
    assert db.session.get(Event, busy.id) is not None


def test_duplicate_keeps_the_offsets_with_new_uids(client: FlaskClient, auth, users, clock) -> None:
    event, first, second = _published_with_people(2)
    auth.login_as(users["organiser"])
    start = utc_to_local(event.starts_at, event.timezone).date()
    new_start = start + timedelta(days=200)  # across a change of summer time, likely
    response = client.post(
        f"/events/{event.slug}/duplicate",
        data={"starts_on": new_start.isoformat(), "slug": "the-copy"},
    )
    assert response.headers["Location"].endswith("/events/the-copy")
    copy = db.session.scalars(select(Event).where(Event.slug == "the-copy")).one()
    assert copy.status == EventStatus.DRAFT
    assert copy.uid != event.uid and copy.title == event.title
    assert utc_to_local(copy.starts_at, copy.timezone).date() == new_start
    assert (
        utc_to_local(copy.starts_at, copy.timezone).time()
        == utc_to_local(event.starts_at, event.timezone).time()
    )
    sessions = list(
        db.session.scalars(select(TrainingSession).where(TrainingSession.event_id == copy.id))
    )
    assert len(sessions) == 2
    originals = sorted((first, second), key=lambda s: s.starts_at)
    for old, new in zip(originals, sorted(sessions, key=lambda s: s.starts_at), strict=True):
        assert new.uid != old.uid
        old_local = utc_to_local(old.starts_at, event.timezone)
        new_local = utc_to_local(new.starts_at, copy.timezone)
        assert (new_local.date() - new_start) == (old_local.date() - start)
        assert new_local.time() == old_local.time()
        assert new.confirmed_count == 0
    assert not db.session.scalar(
        select(func.count(Registration.id)).where(Registration.event_id == copy.id)
    )
    # the same address twice is refused beside the field
    again = client.post(
        f"/events/{event.slug}/duplicate",
        data={"starts_on": new_start.isoformat(), "slug": "the-copy"},
    )
    assert "Another event already uses the address" in again.get_data(as_text=True)


def test_the_representative_confirms_cancelling(client: FlaskClient, auth, clock) -> None:
    event, first, _ = _published_with_people(1)
    registration = db.session.scalars(select(Registration)).one()
    waiting = factories.user(email="waiting@example.org")
    first.capacity = 1
    db.session.commit()
    reg_service.register(event, attendee(waiting.email), [first.id], user=waiting)
    db.session.commit()
    auth.login_as(registration.user)
    url = f"/my/registrations/{registration.id}/seats/{registration.seats[0].id}/cancel"
    page = client.get(url).get_data(as_text=True)
    assert "The place goes to the first person on the session&#39;s waiting list." in page
    assert "You get a confirmation by e-mail." in page
    page = client.get(f"/my/registrations/{registration.id}/cancel").get_data(as_text=True)
    assert "1 training session place is given up with it." in page
    db.session.expire_all()
    assert registration.status == "confirmed"
    client.post(f"/my/registrations/{registration.id}/cancel")
    db.session.expire_all()
    assert registration.status == "cancelled"


def test_the_organiser_confirms_cancelling_someones_place(
    client: FlaskClient, auth, users, clock
) -> None:
    event, first, _ = _published_with_people(1)
    registration = db.session.scalars(select(Registration)).one()
    seat = registration.seats[0]
    auth.login_as(users["organiser"])
    back = f"/events/{event.slug}/sessions/{first.id}/registrations?page=1"
    page = client.get(f"/seats/{seat.id}/cancel", query_string={"back": back})
    html = page.get_data(as_text=True)
    assert f"{registration.name} is told by e-mail." in html
    assert 'name="back"' in html
    response = client.post(
        f"/seats/{seat.id}/cancel", data={"back": back, "version": version_of(seat)}
    )
    assert response.headers["Location"].endswith(back)
    db.session.expire_all()
    assert seat.status == "cancelled"
