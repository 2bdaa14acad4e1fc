"""Fewer, clearer mails, counted at a real SMTP server: what one registration, one change and
one cancellation send (number, subject, language), one calendar object per mail."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient

from clusgo_events.extensions import db
from clusgo_events.services import outbox
from clusgo_events.services import registration as reg
from tests import factories
from tests.conftest import PASSWORD
from tests.mail_helpers import SMTPServer, running_smtp
from tests.registration_helpers import attendee, make_event


@pytest.fixture()
def smtp(app: Flask) -> Iterator[SMTPServer]:
    yield from running_smtp(app)


def _delivered(smtp: SMTPServer, before: int) -> list[EmailMessage]:
    """The mails the server got since ``before``, after delivering all that is queued."""
    outbox.deliver()
    return [r.message for r in smtp.received[before:]]


def _calendar_parts(message: EmailMessage) -> list[EmailMessage]:
    return [p for p in message.walk() if p.get_content_type() == "text/calendar"]


def _setup(language: str = "cs"):  # type: ignore[no-untyped-def]
    event = make_event(session_capacities=(5, 5, 5))
    account = factories.user(email="jana@example.cz", name="Jana Nováková", language=language)
    db.session.commit()
    first, second, third = event.sessions
    registration = reg.register(
        event, attendee("jana@example.cz", language=language), [first.id, second.id], user=account
    )
    db.session.commit()
    return event, registration, (first, second, third)


def test_registering_for_the_event_and_two_sessions_sends_three_mails(
    app: Flask, smtp: SMTPServer
) -> None:
    _event, registration, (first, second, _third) = _setup("cs")
    mails = _delivered(smtp, 0)
    assert len(mails) == 3
    subjects = [str(m["Subject"]) for m in mails]
    assert len(set(subjects)) == 3, subjects
    assert all(m["To"].addresses[0].addr_spec == "jana@example.cz" for m in mails)
    # one calendar object per mail: the event's (with the confirmation), then each session's
    assert [len(_calendar_parts(m)) for m in mails] == [1, 1, 1]
    confirmation = mails[0]
    text = confirmation.get_body(("plain",)).get_content()
    assert "potvrzena" in subjects[0]  # Czech: "... je potvrzena"
    assert "Dobrý den" in text or "Vážená" in text or "Jana Nováková" in text
    assert registration.checkin_code in text and "Training 1" in text and "Training 2" in text
    html = confirmation.get_body(("html",)).get_content()
    assert "data:image/png;base64," in html  # the QR code itself, not only an attachment
    assert any(p.get_content_type() == "image/png" for p in confirmation.iter_attachments())
    assert first.title in subjects[1] and second.title in subjects[2]


def test_one_change_sends_only_the_calendar_mail_of_what_changed(
    app: Flask, smtp: SMTPServer
) -> None:
    _event, registration, (first, second, third) = _setup("hu")
    before = len(_delivered(smtp, 0))
    reg.change_sessions(registration, [first.id, second.id, third.id])
    db.session.commit()
    mails = _delivered(smtp, before)
    assert len(mails) == 1
    assert third.title in str(mails[0]["Subject"]) and len(_calendar_parts(mails[0])) == 1
    assert mails[0]["Content-Language"] is None or "hu" in str(mails[0]["Content-Language"])
    assert "Képzés" in str(mails[0]["Subject"]) or "képzés" in str(mails[0]["Subject"])


def test_cancelling_one_session_sends_exactly_one_mail_with_the_words(
    app: Flask, smtp: SMTPServer
) -> None:
    _event, registration, (first, _second, _third) = _setup("cs")
    before = len(_delivered(smtp, 0))
    seat = next(s for s in registration.seats if s.session_id == first.id)
    reg.cancel_seat(seat)
    db.session.commit()
    mails = _delivered(smtp, before)
    assert len(mails) == 1
    (part,) = _calendar_parts(mails[0])
    assert part.get_param("method") == "CANCEL"
    text = mails[0].get_body(("plain",)).get_content()
    assert first.title in text and "zrušen" in text  # the person's words, in Czech


def test_cancelling_the_registration_sends_one_mail_per_calendar_entry(
    app: Flask, smtp: SMTPServer
) -> None:
    event, registration, _sessions = _setup("sk")
    before = len(_delivered(smtp, 0))
    reg.cancel_registration(registration)
    db.session.commit()
    mails = _delivered(smtp, before)
    subjects = [str(m["Subject"]) for m in mails]
    assert len(mails) == 3 and len(set(subjects)) == 3, subjects  # the event, two sessions
    assert all(_calendar_parts(m)[0].get_param("method") == "CANCEL" for m in mails)
    words = [m for m in mails if event.title in str(m["Subject"])]
    assert len(words) == 1  # the event's cancellation carries the notice


def test_a_waitlisted_registration_sends_one_mail_without_a_calendar(
    app: Flask, smtp: SMTPServer
) -> None:
    event = make_event(capacity=0, session_capacities=(5,))
    account = factories.user(email="piotr@example.pl", name="Piotr", language="pl")
    db.session.commit()
    reg.register(
        event, attendee("piotr@example.pl", language="pl"), [event.sessions[0].id], user=account
    )
    db.session.commit()
    mails = _delivered(smtp, 0)
    assert len(mails) == 1 and _calendar_parts(mails[0]) == []


def test_my_registrations_shows_the_qr_code_itself(
    app: Flask, client: FlaskClient, auth, smtp: SMTPServer
) -> None:
    _event, registration, _sessions = _setup("en")
    auth.login("jana@example.cz", PASSWORD)
    page = client.get("/my/registrations").get_data(as_text=True)
    assert reg.qr_data_uri(registration.checkin_code) in page
