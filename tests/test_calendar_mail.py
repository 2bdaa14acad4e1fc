"""Calendar invitations by e-mail (iMIP): invite, update, cancel; SEQUENCE per person."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import icalendar
import pytest
from babel.dates import format_date
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import OutboxMessage
from clusgo_events.services.events import (
    EventData,
    SessionData,
    cancel_event,
    cancel_session,
    update_event,
    update_session,
)
from clusgo_events.services.outbox import keys
from clusgo_events.signals import (
    registration_cancelled,
    registration_confirmed,
    seat_cancelled,
    seat_confirmed,
)
from tests.calendar_helpers import (
    dst_weekend,
    make_event,
    make_registration,
    make_seat,
    make_session,
    parse_all,
    physical_lines,
)
from tests.conftest import make_user


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def vevent_of(message: OutboxMessage) -> icalendar.Event:
    """Parse the calendar part with the three readers; return its only VEVENT."""
    calendar = parse_all(message.calendar_ics)
    assert calendar["METHOD"] == message.calendar_method
    assert max(len(line) for line in physical_lines(message.calendar_ics)) <= 75
    [vevent] = calendar.walk("VEVENT")
    # METHOD belongs on the VCALENDAR, never on the VEVENT
    assert "METHOD" not in vevent
    return vevent


def event_data(event, **changes) -> EventData:  # type: ignore[no-untyped-def]
    sat, mon = dst_weekend()
    values = dict(
        title=event.title,
        slug=event.slug,
        starts_local=datetime.combine(sat, time(9)),
        ends_local=datetime.combine(mon, time(17)),
        venue=event.venue,
        address=event.address,
        description=event.description,
    )
    values.update(changes)
    return EventData(**values)  # type: ignore[arg-type]


@pytest.fixture()
def setup(app):  # type: ignore[no-untyped-def]
    rep = make_user("representative", "eva@example.cz", name="Eva Svobodová")
    event = make_event()
    session = make_session(event)
    registration = make_registration(event, rep, language="cs")
    seat = make_seat(registration, session)
    return rep, event, session, registration, seat


def test_registration_confirmed_sends_a_request(setup) -> None:  # type: ignore[no-untyped-def]
    rep, event, session, registration, seat = setup
    registration_confirmed.send(registration)
    db.session.commit()
    [message] = outbox()
    assert message.recipient == "eva@example.cz"
    assert message.calendar_method == "REQUEST"
    assert message.kind == "calendar-invite"
    assert message.language == "cs"
    assert message.idempotency_key == f"cal:{event.uid}:0:REQUEST:eva@example.cz"
    vevent = vevent_of(message)
    assert vevent["UID"] == event.uid
    assert vevent["SEQUENCE"] == 0
    assert vevent["STATUS"] == "CONFIRMED"
    assert str(vevent["ORGANIZER"]) == "mailto:no-reply@clusgo.example"
    assert vevent["ORGANIZER"].params["CN"] == "ClusGo Events"
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == "mailto:eva@example.cz"
    assert attendee.params["RSVP"] == "TRUE"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["CN"] == "Eva Svobodová"
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(hours=1)
    # the body is in the participant's language (Czech)
    assert "Dobrý den, Eva Svobodová" in message.body_text
    assert "potvrzena" in message.body_text
    sat, _ = dst_weekend()  # the event starts on it at 09:00, written in Czech
    assert f"{format_date(sat, 'long', locale='cs')} 09:00" in message.body_text
    assert "<html" in message.body_html and "Eva Svobodová" in message.body_html
    assert event.title in message.subject


def test_repeated_signal_queues_nothing_more(setup) -> None:  # type: ignore[no-untyped-def]
    _, _, _, registration, seat = setup
    registration_confirmed.send(registration)
    registration_confirmed.send(registration)
    seat_confirmed.send(seat)
    seat_confirmed.send(seat)
    db.session.commit()
    assert [m.kind for m in outbox()] == ["calendar-invite", "calendar-invite"]


def test_seat_confirmed_sends_a_request_for_the_session(setup) -> None:  # type: ignore[no-untyped-def]
    _, event, session, registration, seat = setup
    seat_confirmed.send(seat)
    db.session.commit()
    [message] = outbox()
    vevent = vevent_of(message)
    assert vevent["UID"] == session.uid
    assert vevent["SUMMARY"] == session.title
    assert "Pavilion A, room 2" in vevent["LOCATION"]
    assert "školení" in message.body_text  # Czech: "training session"
    assert message.calendar_method == "REQUEST"


def test_waitlisted_seat_or_registration_gets_no_invite(setup) -> None:  # type: ignore[no-untyped-def]
    _, event, session, registration, seat = setup
    seat.status = "waitlisted"
    registration.status = "waitlisted"
    db.session.commit()
    seat_confirmed.send(seat)
    registration_confirmed.send(registration)
    # and cancelling something that never was confirmed sends no cancellation
    registration_cancelled.send(registration)
    seat_cancelled.send(seat)
    db.session.commit()
    assert outbox() == []


def test_event_change_updates_each_participant(setup) -> None:  # type: ignore[no-untyped-def]
    rep, event, session, registration, seat = setup
    other = make_user("representative", "jan@example.pl", name="Jan Kowalski")
    second = make_registration(event, other, language="pl")
    waiting = make_registration(
        event, make_user("representative", "w@example.org"), status="waitlisted"
    )
    for r in (registration, second):
        registration_confirmed.send(r)
    seat_confirmed.send(seat)
    db.session.commit()
    first_stamps = {m.recipient: vevent_of(m)["DTSTAMP"].dt for m in outbox()}
    assert update_event(event, event_data(event, venue="Hotel Passage", address="Brno"))
    db.session.commit()
    updates = [m for m in outbox() if m.kind == "calendar-update"]
    by_uid = {(str(vevent_of(m)["UID"]), m.recipient): vevent_of(m) for m in updates}
    # the event to both confirmed registrations, the session to its seat holder
    assert set(by_uid) == {
        (event.uid, "eva@example.cz"),
        (event.uid, "jan@example.pl"),
        (session.uid, "eva@example.cz"),
    }
    assert waiting.email not in {m.recipient for m in updates}
    update = by_uid[(event.uid, "eva@example.cz")]
    assert update["SEQUENCE"] == 1
    assert update["LOCATION"] == "Hotel Passage, Brno"
    assert update["DTSTAMP"].dt >= first_stamps["eva@example.cz"]
    assert update["ATTENDEE"].params["RSVP"] == "TRUE"
    session_update = by_uid[(session.uid, "eva@example.cz")]
    assert session_update["SEQUENCE"] == 1
    assert session_update["LOCATION"].startswith("Hotel Passage, Brno")
    polish = next(m for m in updates if m.recipient == "jan@example.pl")
    assert polish.language == "pl"
    assert "zmienili" in polish.body_text
    # an edit that calendars do not see sends nothing
    count = len(outbox())
    assert not update_event(
        event, event_data(event, venue="Hotel Passage", address="Brno", description="New text")
    )
    db.session.commit()
    assert len(outbox()) == count


def test_session_change_updates_its_seat_holders(setup) -> None:  # type: ignore[no-untyped-def]
    rep, event, session, registration, seat = setup
    registration_confirmed.send(registration)
    seat_confirmed.send(seat)
    db.session.commit()
    _, mon = dst_weekend()
    update_session(
        session,
        SessionData(
            title=session.title,
            starts_local=datetime.combine(mon, time(9)),  # moved to Monday, summer time
            ends_local=datetime.combine(mon, time(11)),
            room="Pavilion B",
        ),
    )
    db.session.commit()
    [update] = [m for m in outbox() if m.kind == "calendar-update"]
    vevent = vevent_of(update)
    assert vevent["UID"] == session.uid
    assert vevent["SEQUENCE"] == 1
    assert update.calendar_method == "REQUEST"
    assert vevent.decoded("DTSTART").replace(tzinfo=None) == datetime.combine(mon, time(9))
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(hours=2)
    assert "Pavilion B" in vevent["LOCATION"]


def test_session_cancelled_sends_cancel(setup) -> None:  # type: ignore[no-untyped-def]
    rep, event, session, registration, seat = setup
    seat_confirmed.send(seat)
    db.session.commit()
    cancel_session(session)
    db.session.commit()
    cancel = outbox()[-1]
    assert cancel.calendar_method == "CANCEL"
    assert cancel.kind == "calendar-cancel"
    vevent = vevent_of(cancel)
    assert vevent["UID"] == session.uid
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["SEQUENCE"] == 1
    assert str(vevent["ATTENDEE"]) == "mailto:eva@example.cz"
    assert "zrušeno" in cancel.body_text  # Czech: cancelled


def test_event_cancelled_cancels_event_and_sessions(setup) -> None:  # type: ignore[no-untyped-def]
    rep, event, session, registration, seat = setup
    registration_confirmed.send(registration)
    seat_confirmed.send(seat)
    db.session.commit()
    cancel_event(event)
    # the registration service may cancel the registrations too: no second cancellation
    registration_cancelled.send(registration)
    seat_cancelled.send(seat)
    db.session.commit()
    cancels = [m for m in outbox() if m.calendar_method == "CANCEL"]
    got = {str(vevent_of(m)["UID"]): vevent_of(m) for m in cancels}
    assert len(cancels) == 2
    assert got[event.uid]["SEQUENCE"] == 1 and got[event.uid]["STATUS"] == "CANCELLED"
    # a session's sequence is its own (1) plus its event's (1)
    assert got[session.uid]["SEQUENCE"] == 2


def test_person_cancel_then_again_sequence_keeps_rising(setup) -> None:  # type: ignore[no-untyped-def]
    rep, event, session, registration, seat = setup
    registration_confirmed.send(registration)
    db.session.commit()
    registration.status = "cancelled"
    registration_cancelled.send(registration)
    registration_cancelled.send(registration)  # a repeat changes nothing
    db.session.commit()
    registration.status = "confirmed"
    registration_confirmed.send(registration)
    db.session.commit()
    update_event(event, event_data(event, title="V4ClusGo event, new title"))
    db.session.commit()
    registration.status = "cancelled"
    registration_cancelled.send(registration)
    db.session.commit()
    messages = [m for m in outbox() if m.idempotency_key.startswith(f"cal:{event.uid}:")]
    seen = [
        (m.calendar_method, vevent_of(m)["SEQUENCE"], str(vevent_of(m)["UID"])) for m in messages
    ]
    assert seen == [
        ("REQUEST", 0, event.uid),  # invited, event at 0
        ("CANCEL", 1, event.uid),  # withdrew: the event did not change, so 0 + 1
        ("REQUEST", 2, event.uid),  # back again: must beat the CANCEL
        ("REQUEST", 3, event.uid),  # event changed (event at 1): must beat the re-invite
        ("CANCEL", 4, event.uid),  # withdrew again
    ]
    assert vevent_of(messages[1])["STATUS"] == "CANCELLED"
    assert [m.kind for m in messages] == [
        "calendar-invite",
        "calendar-withdraw",
        "calendar-invite",
        "calendar-update",
        "calendar-withdraw",
    ]
    keys = [m.idempotency_key for m in messages]
    assert len(set(keys)) == len(keys)
    assert keys[1] == f"cal:{event.uid}:1:CANCEL:eva@example.cz"


def test_seat_cancelled_sends_cancel_for_that_person(setup) -> None:  # type: ignore[no-untyped-def]
    rep, event, session, registration, seat = setup
    seat_confirmed.send(seat)
    db.session.commit()
    seat.status = "cancelled"
    seat_cancelled.send(seat)
    db.session.commit()
    invite, cancel = outbox()
    assert cancel.calendar_method == "CANCEL"
    assert cancel.kind == "calendar-withdraw"
    before, after = vevent_of(invite), vevent_of(cancel)
    assert after["UID"] == before["UID"] == session.uid
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after["STATUS"] == "CANCELLED"
    assert "Vaše místo" in cancel.body_text


def test_rollback_sends_nothing(setup) -> None:  # type: ignore[no-untyped-def]
    _, event, _, registration, _ = setup
    registration.status = "confirmed"  # as the registration service does, it writes first
    registration.phone = "+420 123"
    db.session.flush()
    registration_confirmed.send(registration)
    db.session.rollback()
    assert outbox() == []


def test_organizer_from_config(setup, app) -> None:  # type: ignore[no-untyped-def]
    _, _, _, registration, _ = setup
    app.config["CALENDAR_ORGANIZER"] = "Brno Team <events@clusters.example>"
    registration_confirmed.send(registration)
    vevent = vevent_of(outbox()[0])
    assert str(vevent["ORGANIZER"]) == "mailto:events@clusters.example"
    assert vevent["ORGANIZER"].params["CN"] == "Brno Team"


def test_calendar_mail_can_be_switched_off(setup, app) -> None:  # type: ignore[no-untyped-def]
    _, _, _, registration, _ = setup
    app.config["CALENDAR_MAIL"] = False
    registration_confirmed.send(registration)
    assert outbox() == []


def test_html_escapes_titles(app) -> None:  # type: ignore[no-untyped-def]
    rep = make_user("representative", "x@example.org", name="<b>X</b>")
    event = make_event(title="<script>alert(1)</script> event")
    registration_confirmed.send(make_registration(event, rep))
    [message] = outbox()
    assert "<script>" not in message.body_html
    assert "&lt;script&gt;" in message.body_html
    assert "<b>X</b>" not in message.body_html
    vevent_of(message)


@pytest.mark.parametrize(
    "language,phrase",
    [
        ("en", "Your registration for"),
        ("cs", "Vaše registrace na"),
        ("hu", "regisztrációját"),
        ("sk", "Vaša registrácia na"),
        ("pl", "Twoja rejestracja na"),
    ],
)
def test_every_language(app, language, phrase) -> None:  # type: ignore[no-untyped-def]
    rep = make_user("representative", f"{language}@example.org", name="Name")
    event = make_event()
    registration_confirmed.send(make_registration(event, rep, language=language))
    [message] = outbox()
    assert phrase in message.body_text
    assert phrase in message.body_html
    vevent_of(message)


def test_long_recipient_key_fits(app) -> None:  # type: ignore[no-untyped-def]
    key = keys.calendar_key("u" * 36, 3, "REQUEST", "a" * 64 + "@" + "b" * 180)
    assert len(key) <= 200 and key.startswith("cal:" + "u" * 36 + ":3:REQUEST:sha256=")
