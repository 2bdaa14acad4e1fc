"""The outbox: idempotent, and part of the caller's transaction."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from clusgo_events.extensions import db
from clusgo_events.models import OutboxMessage
from clusgo_events.services.outbox import enqueue


def _count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id))) or 0


def _queue(key: str) -> OutboxMessage:
    return enqueue(key=key, recipient="a@example.org", subject="Hi", body_text="Hello")


def test_same_key_queued_once(app: Flask) -> None:
    first = _queue("k1")
    db.session.commit()
    again = _queue("k1")
    assert again.id == first.id
    db.session.commit()
    assert _count() == 1


def test_rolled_back_change_sends_nothing_even_when_enqueue_is_the_first_write(
    app: Flask,
) -> None:
    _queue("first-write")
    db.session.rollback()
    assert _count() == 0
    _queue("after-rollback")
    _queue("second")
    db.session.rollback()
    assert _count() == 0


def test_subject_line_breaks_removed(app: Flask) -> None:
    message = enqueue(
        key="inj", recipient="a@example.org", subject="Hi\r\nBcc: x@evil.example", body_text="."
    )
    assert "\n" not in message.subject and "\r" not in message.subject
