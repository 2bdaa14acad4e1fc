"""The organiser's mail preview (each language as its recipients get it) and the test copy."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import AuditEntry, OutboxKind, OutboxMessage
from clusgo_events.services import participants
from tests import factories


def _event_with_respondents() -> object:
    event = factories.event(title="Setkání V4ClusGo v Brně")
    for country in ("CZ", "CZ", "HU", "PL"):
        factories.respondent(country=country)
    factories.respondent(country="SK", language="en")
    db.session.commit()
    return event


def test_recipients_are_counted_in_the_language_they_will_get(app: Flask) -> None:
    event = _event_with_respondents()
    counts = participants.recipients_by_language(event, "invitation")
    assert counts == {"en": 1, "cs": 2, "hu": 1, "sk": 0, "pl": 1}


def test_preview_is_the_mail_in_that_language(app: Flask) -> None:
    event = _event_with_respondents()
    czech = participants.preview(event, "invitation", "cs")
    english = participants.preview(event, "invitation", "en")
    assert czech.subject != english.subject
    assert "Setkání V4ClusGo v Brně" in czech.subject
    assert "Setkání V4ClusGo v Brně" in czech.text and "<html" in czech.html
    # no personal link: the preview's link opens the event's public page, never a token
    assert f"/events/{event.slug}" in czech.text and "/invitations/" not in czech.text


def test_preview_page_shows_subject_text_and_a_sandboxed_frame(
    app: Flask, client: FlaskClient, auth, users
) -> None:
    event = _event_with_respondents()
    auth.login_as(users["organiser"])
    page = client.get(f"/events/{event.slug}/mail/preview?mail=reminder&language=hu")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    shown = participants.preview(event, "reminder", "hu")
    assert shown.subject in html
    assert "<iframe" in html and "sandbox" in html
    frame = client.get(f"/events/{event.slug}/mail/preview.html?mail=reminder&language=hu")
    assert frame.status_code == 200
    assert frame.get_data(as_text=True) == shown.html
    policy = frame.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy and "script" not in policy
    assert frame.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_unknown_mail_or_language_falls_back_to_the_first(
    app: Flask, client: FlaskClient, auth, users
) -> None:
    event = _event_with_respondents()
    auth.login_as(users["organiser"])
    page = client.get(f"/events/{event.slug}/mail/preview?mail=nonsense&language=xx")
    assert page.status_code == 200
    assert participants.preview(event, "invitation", "en").subject in page.get_data(as_text=True)


def test_test_copy_goes_to_the_organiser_through_the_outbox(
    app: Flask, client: FlaskClient, auth, users
) -> None:
    event = _event_with_respondents()
    auth.login_as(users["organiser"])
    response = client.post(
        f"/events/{event.slug}/mail/test", data={"mail": "invitation", "language": "pl"}
    )
    assert response.status_code == 302
    assert "language=pl" in response.headers["Location"]
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.recipient == users["organiser"].email
    assert message.kind == OutboxKind.MAIL_TEST and message.event_id == event.id
    shown = participants.preview(event, "invitation", "pl")
    assert message.subject.endswith(shown.subject) and message.subject != shown.subject
    assert message.body_text == shown.text and message.language == "pl"
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mail.test")).one()
    # a second test copy is a second message (each has its own key)
    client.post(f"/events/{event.slug}/mail/test", data={"mail": "invitation", "language": "pl"})
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 2


def test_test_copy_of_an_unknown_mail_is_refused_and_queues_nothing(
    app: Flask, client: FlaskClient, auth, users
) -> None:
    event = _event_with_respondents()
    auth.login_as(users["organiser"])
    response = client.post(
        f"/events/{event.slug}/mail/test",
        data={"mail": "nonsense", "language": "pl"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Choose a mail from the list." in response.get_data(as_text=True)
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_the_reminder_before_the_event_is_previewed_with_its_recipients(app: Flask) -> None:
    event = factories.event(title="Setkání V4ClusGo v Brně")
    factories.session(event, title="Strategie pro Japonsko")
    factories.registration(event, 0)
    factories.registration(event, 2)
    factories.registration(event, 3, status="waitlisted")
    db.session.commit()
    counts = participants.recipients_by_language(event, "event-reminder")
    assert counts == {"en": 0, "cs": 1, "hu": 0, "sk": 1, "pl": 0}
    shown = participants.preview(event, "event-reminder", "sk")
    assert "Setkání V4ClusGo v Brně" in shown.subject
    assert "Strategie pro Japonsko" in shown.text and "data:image/png;base64," in shown.html
