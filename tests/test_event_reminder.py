"""The reminder before the event: timing on the controlled clock, once per person, content."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from clusgo_events.extensions import db
from clusgo_events.models import (
    EventStatus,
    OutboxKind,
    OutboxMessage,
    RegistrationStatus,
    SessionStatus,
)
from clusgo_events.services import outbox, participants, periodic
from tests import factories
from tests.mail_helpers import SMTPServer, running_smtp


@pytest.fixture()
def smtp(app: Flask) -> Iterator[SMTPServer]:
    yield from running_smtp(app)


def _reminders() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == OutboxKind.EVENT_REMINDER)
            .order_by(OutboxMessage.id)
        )
    )


def _event_in_ten_days(**values):  # type: ignore[no-untyped-def]
    event = factories.event(starts_in_days=10, closes_in_days=5, **values)
    db.session.commit()
    return event


def test_the_reminder_goes_when_due_once_and_only_to_the_confirmed(app: Flask, clock) -> None:
    event = _event_in_ten_days()
    confirmed = factories.registration(event, 0)
    factories.registration(event, 1, status=RegistrationStatus.WAITLISTED)
    factories.registration(event, 2, status=RegistrationStatus.CANCELLED)
    db.session.commit()
    assert participants.due_at(event) == event.starts_at - timedelta(days=2)

    clock.set(participants.due_at(event) - timedelta(minutes=1))  # not yet due
    assert participants.queue_due_reminders(clock.now) == 0
    clock.advance(minutes=2)  # due
    assert participants.queue_due_reminders(clock.now) == 1
    db.session.commit()
    (message,) = _reminders()
    assert message.registration_id == confirmed.id and message.recipient == confirmed.email
    assert message.language == "cs"
    clock.advance(hours=1)  # already sent: nothing new
    assert participants.queue_due_reminders(clock.now) == 0
    assert len(_reminders()) == 1


def test_a_participant_who_cancelled_before_it_was_due_gets_none(app: Flask, clock) -> None:
    event = _event_in_ten_days()
    registration = factories.registration(event, 3)
    db.session.commit()
    registration.status = RegistrationStatus.CANCELLED
    db.session.commit()
    clock.set(participants.due_at(event) + timedelta(minutes=5))
    assert participants.queue_due_reminders(clock.now) == 0
    assert _reminders() == []


def test_a_cancelled_event_reminds_nobody(app: Flask, clock, runner) -> None:
    event = _event_in_ten_days()
    factories.registration(event, 0)
    event.status = EventStatus.CANCELLED
    db.session.commit()
    clock.set(participants.due_at(event) + timedelta(minutes=5))
    assert participants.queue_due_reminders(clock.now) == 0
    result = runner.invoke(args=["events", "remind", event.slug])
    assert result.exit_code != 0 and "cancelled" in result.output
    assert _reminders() == []


def test_zero_days_turns_it_off_and_a_started_event_gets_none(app: Flask, clock) -> None:
    off = _event_in_ten_days(reminder_days=0)
    factories.registration(off, 0)
    soon = factories.event(starts_in_days=1, closes_in_days=None)
    factories.registration(soon, 1)
    db.session.commit()
    assert participants.due_at(off) is None
    clock.advance(days=9, hours=12)  # past both would-be due times, before `off` starts
    assert participants.queue_due_reminders(clock.now) == 0
    assert _reminders() == []


def test_the_worker_runs_it_as_a_scheduled_task(app: Flask, clock) -> None:
    event = _event_in_ten_days()
    factories.registration(event, 0)
    db.session.commit()
    assert "event-reminders" in periodic.TASKS
    clock.set(participants.due_at(event) + timedelta(minutes=1))
    results = periodic.run_due(clock.now, names=["event-reminders"])
    assert results == {"event-reminders": 1}
    assert len(_reminders()) == 1


def test_the_command_queues_it_now_and_again_sends_nothing(app: Flask, clock, runner) -> None:
    event = _event_in_ten_days()
    for person in range(3):
        factories.registration(event, person)
    db.session.commit()
    dry = runner.invoke(args=["events", "remind", event.slug, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "3 reminder(s) would be queued (dry run)" in dry.output
    assert _reminders() == []
    first = runner.invoke(args=["events", "remind", event.slug])
    assert first.exit_code == 0 and "3 reminder(s) queued" in first.output
    again = runner.invoke(args=["events", "remind", event.slug])
    assert again.exit_code == 0 and "0 reminder(s) queued" in again.output
    assert len(_reminders()) == 3
    # and when it falls due later, the worker adds nobody
    clock.set(participants.due_at(event) + timedelta(minutes=1))
    assert participants.queue_due_reminders(clock.now) == 0


def test_the_reminder_says_when_where_which_sessions_with_qr_and_ics(
    app: Flask, clock, smtp: SMTPServer
) -> None:
    event = _event_in_ten_days(title="Setkání V4ClusGo")
    event.set_texts("reminder_note", {"en": "Bring business cards.", "hu": "Hozzon névjegyet."})
    kept = factories.session(event, title="Strategie na trhu Japonska", room="Sál B")
    dropped = factories.session(event, title="Zrušený kurz", status=SessionStatus.CANCELLED)
    registration = factories.registration(event, 1, sessions=[kept, dropped])
    db.session.commit()
    participants.remind(event)
    db.session.commit()
    assert outbox.deliver().sent == 1
    message = smtp.wait_for(1)[0].message
    text = message.get_body(("plain",)).get_content()
    assert message["To"].addresses[0].addr_spec == registration.email
    assert "Setkání V4ClusGo" in message["Subject"]
    assert "Hozzon névjegyet." in text  # Hungarian participant, Hungarian note
    assert "Strategie na trhu Japonska" in text and "Sál B" in text
    assert "Zrušený kurz" not in text
    assert registration.checkin_code in text
    assert f"/events/{event.slug}/calendar.ics" in text
    html = message.get_body(("html",)).get_content()
    assert "data:image/png;base64," in html
    pngs = [p for p in message.iter_attachments() if p.get_content_type() == "image/png"]
    assert len(pngs) == 1 and pngs[0].get_content().startswith(b"\x89PNG")
