"""Queuing: every e-mail is written to the outbox in the caller's transaction, before any SMTP.

A rolled-back change therefore sends nothing, and the unique idempotency key means the same
message (the invitation of respondent R to event E, say) can never be queued twice.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import OutboxKind, OutboxMessage, OutboxStatus
from ...models.base import max_length
from .keys import OutboxKey, plain


def attachment(filename: str, content_type: str, data: bytes) -> dict[str, str]:
    """An attachment as stored in ``OutboxMessage.attachments``."""
    return {
        "filename": filename,
        "content_type": content_type,
        "data_b64": base64.b64encode(data).decode("ascii"),
    }


def enqueue(
    *,
    key: OutboxKey | str,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    recipient_name: str = "",
    reply_to: str = "",
    reply_to_name: str = "",
    language: str = "en",
    kind: OutboxKind | str | None = None,
    calendar_method: str | None = None,
    calendar_ics: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> OutboxMessage:
    """Queue one message; with a key already queued, return that message and add nothing.

    ``key`` comes from a builder of :mod:`.keys` (kind and references with it); a plain string
    is for a message that refers to nothing else, with its ``kind`` (an ``OutboxKind`` value,
    ``other`` when left out). ``reply_to`` is the person who answers (the event's contact).
    """
    if isinstance(key, str):
        key = plain(kind or OutboxKind.OTHER, key)
    elif kind is not None and OutboxKind(kind) != key.kind:
        raise ValueError(f"kind {kind!r} given for a {key.kind} key")
    existing = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == key.key)
    )
    if existing is not None:
        return existing
    one_line = subject.replace("\r", " ").replace("\n", " ")
    message = OutboxMessage(
        **key.columns(),
        recipient=recipient,
        recipient_name=recipient_name,
        reply_to=(reply_to or "").strip()[: max_length(OutboxMessage.reply_to)],
        reply_to_name=(reply_to_name or "")[: max_length(OutboxMessage.reply_to_name)],
        subject=one_line[: max_length(OutboxMessage.subject)],
        body_text=body_text,
        body_html=body_html,
        language=language,
        calendar_method=calendar_method,
        calendar_ics=calendar_ics,
        attachments=attachments or [],
        status=OutboxStatus.QUEUED,
    )
    if db.session.get_bind().dialect.name == "sqlite":
        # pysqlite opens no transaction before a SAVEPOINT, so a savepoint here would commit
        # on its own when it is the transaction's first write; SQLite's single writer (taken
        # by the callers' locks) makes the race the savepoint guards against impossible.
        db.session.add(message)
        db.session.flush()
        return message
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:  # queued by a concurrent transaction in the meantime
        found = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == key.key)
        )
        if found is None:
            raise
        return found
    return message
