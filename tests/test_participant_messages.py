"""Messages to participants: who gets them, per language, previewed, kept on the event."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import (
    AuditEntry,
    OutboxKind,
    OutboxMessage,
    ParticipantMessage,
    RegistrationStatus,
    SeatStatus,
)
from clusgo_events.services import ServiceError, participants
from tests import factories

Draft = participants.messages.Draft


def _event():  # type: ignore[no-untyped-def]
    event = factories.event(main_language="cs", title="Setkání V4ClusGo")
    training = factories.session(event, title="Strategie pro Japonsko")
    factories.registration(event, 0, sessions=[training])  # cs, seat confirmed
    factories.registration(event, 1)  # hu, no session
    factories.registration(
        event, 2, sessions=[training], seat_status=SeatStatus.WAITLISTED
    )  # sk, on the session's waiting list
    factories.registration(event, 3, status=RegistrationStatus.WAITLISTED)  # pl
    factories.registration(event, 0, status=RegistrationStatus.CANCELLED, email="gone@example.cz")
    db.session.commit()
    return event, training


def _queued() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == OutboxKind.PARTICIPANT_MESSAGE)
            .order_by(OutboxMessage.id)
        )
    )


def test_recipients_are_the_confirmed_and_if_chosen_the_waiting_list(app: Flask) -> None:
    event, training = _event()
    counts = participants.messages.recipient_counts
    assert counts(event, Draft()) == {"cs": 1, "hu": 1, "sk": 1}
    assert counts(event, Draft(include_waitlisted=True)) == {"cs": 1, "hu": 1, "sk": 1, "pl": 1}
    assert counts(event, Draft(session_id=training.id)) == {"cs": 1}
    assert counts(event, Draft(session_id=training.id, include_waitlisted=True)) == {
        "cs": 1,
        "sk": 1,
    }


def test_the_main_language_is_required_and_a_refusal_sends_nothing(
    app: Flask, client: FlaskClient, auth, users
) -> None:
    event, _training = _event()
    auth.login_as(users["organiser"])
    page = client.post(
        f"/events/{event.slug}/messages/new",
        data={"subject_hu": "Fontos", "body_hu": "Szöveg", "action": "send"},
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Write the subject in the event&#39;s main language." in html
    assert "Write the message in the event&#39;s main language." in html
    assert _queued() == [] and db.session.scalars(select(ParticipantMessage)).all() == []


def test_preview_counts_then_send_queues_each_in_their_language_and_keeps_it(
    app: Flask, client: FlaskClient, auth, users
) -> None:
    event, _training = _event()
    auth.login_as(users["organiser"])
    data = {
        "subject_cs": "Změna sálu",
        "body_cs": "Zahájení bude v sále B.",
        "subject_hu": "Teremváltozás",
        "body_hu": "A megnyitó a B teremben lesz.",
        "include_waitlisted": "y",
    }
    preview = client.post(f"/events/{event.slug}/messages/new", data={**data, "action": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Send to 4 participants" in html
    assert "Zahájení bude v sále B." in html and "A megnyitó a B teremben lesz." in html
    assert _queued() == []  # a preview sends nothing

    sent = client.post(f"/events/{event.slug}/messages/new", data={**data, "action": "send"})
    assert sent.status_code == 302
    queued = _queued()
    assert len(queued) == 4
    by_language = {m.language: m for m in queued}
    assert by_language["hu"].subject == "Teremváltozás"
    assert "A megnyitó a B teremben lesz." in by_language["hu"].body_text
    assert by_language["sk"].subject == "Změna sálu"  # no Slovak text: the main language's
    assert "Zahájení bude v sále B." in by_language["pl"].body_text
    assert all(m.recipient != "gone@example.cz" for m in queued)

    kept = db.session.scalars(select(ParticipantMessage)).one()
    assert kept.sent_by_id == users["organiser"].id and kept.recipients == 4
    assert kept.per_language == {"cs": 1, "hu": 1, "sk": 1, "pl": 1}
    assert kept.text("subject", "hu") == "Teremváltozás"
    assert db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "participants.message")
    ).one()
    listing = client.get(f"/events/{event.slug}/messages").get_data(as_text=True)
    assert "Změna sálu" in listing and "Teremváltozás" in listing


def test_a_message_to_nobody_is_refused(app: Flask) -> None:
    event = factories.event()
    db.session.commit()
    draft = Draft(subject={"en": "Hello"}, body={"en": "Text"})
    with pytest.raises(ServiceError, match="Nobody would receive this message."):
        participants.messages.send(event, draft, None)


def test_the_list_of_messages_makes_a_constant_number_of_queries(
    app: Flask, client: FlaskClient, auth, users, count_queries
) -> None:
    event, training = _event()
    auth.login_as(users["organiser"])

    def send(session_id: int | None) -> None:
        draft = Draft(subject={"cs": "Zpráva"}, body={"cs": "Text"}, session_id=session_id)
        participants.messages.send(event, draft, users["organiser"])
        db.session.commit()

    send(training.id)
    with count_queries() as one:
        client.get(f"/events/{event.slug}/messages")
    for session_id in (None, training.id, None):
        send(session_id)
    with count_queries() as four:
        page = client.get(f"/events/{event.slug}/messages")
    assert page.status_code == 200
    assert four.count == one.count
