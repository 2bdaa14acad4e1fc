"""What an outbox message is about, and its idempotency key: typed builders, one per kind.

A message's ``kind`` and its reference columns (event, invitation, registration, session,
respondent) are the schema; the unique idempotency key is built here from the same values, so
nobody splits a key or matches it with LIKE. The key texts are those the app always wrote
(migration 0030 parsed the old rows into the columns once):

* ``invitation:<event>:<respondent>``; ``invitation-again:<invitation>:<n>`` (sent again by
  hand); ``reminder:<invitation>:<n>``
* ``registration:<id>:<notice>:[session-<id>:]<n>`` (notice: confirmed, waitlisted ...)
* ``cal:<uid>:<sequence>:<METHOD>:<recipient>`` (a hash for a very long address)
* ``certificate:<event>:<registration>[:<reissued certificate>]``
* ``event-reminder:<registration>``
* ``message:<participant message>:<registration>``
* ``test:<event>:<user>:<mail>:<language>:<nonce>`` (an organiser's test copy)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from ...extensions import db
from ...models import OutboxKind, OutboxMessage, TrainingSession
from ...models.base import max_length

if TYPE_CHECKING:
    from ...models import Event, Invitation, ParticipantMessage, Registration

CALENDAR_KINDS = (
    OutboxKind.CALENDAR_INVITE,
    OutboxKind.CALENDAR_WITHDRAW,
    OutboxKind.CALENDAR_UPDATE,
    OutboxKind.CALENDAR_CANCEL,
)
_ANY: Any = object()


@dataclass(frozen=True)
class OutboxKey:
    """The idempotency key of one message, its kind and what it refers to."""

    key: str
    kind: OutboxKind
    event_id: int | None = None
    invitation_id: int | None = None
    registration_id: int | None = None
    session_id: int | None = None
    respondent_id: int | None = None

    def columns(self) -> dict[str, Any]:
        """The values of the message's columns: ``idempotency_key``, ``kind`` and references."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["idempotency_key"] = values.pop("key")
        return values


def plain(kind: OutboxKind | str, key: str) -> OutboxKey:
    """A message that refers to nothing else (an account e-mail, say): the caller's key."""
    try:
        return OutboxKey(key=key, kind=OutboxKind(kind or OutboxKind.OTHER))
    except ValueError:
        raise ValueError(
            f"unknown outbox kind {kind!r}: add it to models.enums.OutboxKind "
            "(and to the CHECK constraint, with a migration)"
        ) from None


def _of_invitation(invitation: Invitation, kind: OutboxKind, key: str) -> OutboxKey:
    return OutboxKey(
        key=key,
        kind=kind,
        event_id=invitation.event_id,
        invitation_id=invitation.id,
        respondent_id=invitation.respondent_id,
    )


def invitation(invitation: Invitation) -> OutboxKey:
    """The invitation e-mail of ``invitation`` (flushed: it needs the id)."""
    key = f"invitation:{invitation.event_id}:{invitation.respondent_id}"
    return _of_invitation(invitation, OutboxKind.INVITATION, key)


def resent_invitation(invitation: Invitation, number: int) -> OutboxKey:
    """The invitation e-mail of ``invitation`` sent again by an organiser (the ``number``-th
    time, to the respondent's address then): an invitation's kind, so delivery marks it sent."""
    key = f"invitation-again:{invitation.id}:{number}"
    return _of_invitation(invitation, OutboxKind.INVITATION, key)


def reminder(invitation: Invitation, number: int) -> OutboxKey:
    """The ``number``-th reminder of ``invitation``."""
    key = f"reminder:{invitation.id}:{number}"
    return _of_invitation(invitation, OutboxKind.INVITATION_REMINDER, key)


def registration_notice(
    registration: Registration, notice: str, session: TrainingSession | None = None
) -> OutboxKey:
    """The next notice of kind ``notice`` (confirmed, waitlisted, promoted, cancelled) to
    ``registration``, about one of its sessions or the event: numbered after the earlier ones.

    An event-wide notice counts the earlier notices of its kind about the sessions too (as the
    keys always did), so a new number never meets an old key.
    """
    kind = OutboxKind(f"registration_{notice}")
    refs = {"registration_id": registration.id}
    if session is not None:
        refs["session_id"] = session.id
    earlier = db.session.scalar(select(func.count(OutboxMessage.id)).where(about([kind], **refs)))
    part = f"session-{session.id}:" if session is not None else ""
    return OutboxKey(
        key=f"registration:{registration.id}:{notice}:{part}{(earlier or 0) + 1}",
        kind=kind,
        event_id=registration.event_id,
        registration_id=registration.id,
        session_id=session.id if session is not None else None,
        respondent_id=registration.respondent_id,
    )


def calendar_key(uid: str, sequence: int, method: str, recipient: str) -> str:
    """``cal:<uid>:<sequence>:<METHOD>:<recipient>`` (a hash of a very long address)."""
    key = f"cal:{uid}:{sequence}:{method}:{recipient}"
    if len(key) > max_length(OutboxMessage.idempotency_key):
        digest = hashlib.sha256(recipient.encode("utf-8")).hexdigest()
        key = f"cal:{uid}:{sequence}:{method}:sha256={digest}"
    return key


def calendar(
    kind: OutboxKind | str,
    obj: Event | TrainingSession,
    sequence: int,
    method: str,
    recipient: str,
) -> OutboxKey:
    """An iMIP message (``calendar-*``) about an event or a session to ``recipient``."""
    is_session = isinstance(obj, TrainingSession)
    return OutboxKey(
        key=calendar_key(obj.uid, sequence, method, recipient),
        kind=OutboxKind(kind),
        event_id=obj.event_id if is_session else obj.id,
        session_id=obj.id if is_session else None,
    )


def certificate(event: Event, registration: Registration, reissue: int | None = None) -> OutboxKey:
    """The attendance certificate of ``registration``; ``reissue`` (the new certificate's id)
    for one issued again after the first was revoked."""
    suffix = f":{reissue}" if reissue is not None else ""
    return OutboxKey(
        key=f"certificate:{event.id}:{registration.id}{suffix}",
        kind=OutboxKind.CERTIFICATE,
        event_id=event.id,
        registration_id=registration.id,
        respondent_id=registration.respondent_id,
    )


def event_reminder(registration: Registration) -> OutboxKey:
    """The reminder before the event to ``registration`` (one per registration, ever)."""
    return OutboxKey(
        key=f"event-reminder:{registration.id}",
        kind=OutboxKind.EVENT_REMINDER,
        event_id=registration.event_id,
        registration_id=registration.id,
        respondent_id=registration.respondent_id,
    )


def participant_message(message: ParticipantMessage, registration: Registration) -> OutboxKey:
    """The organiser's ``message`` to one of its recipients."""
    return OutboxKey(
        key=f"message:{message.id}:{registration.id}",
        kind=OutboxKind.PARTICIPANT_MESSAGE,
        event_id=message.event_id,
        registration_id=registration.id,
        session_id=message.session_id,
        respondent_id=registration.respondent_id,
    )


def mail_test(event: Event, unique: str) -> OutboxKey:
    """An organiser's test copy of one of ``event``'s mails (``unique``: who, which, a nonce)."""
    return OutboxKey(key=f"test:{event.id}:{unique}", kind=OutboxKind.MAIL_TEST, event_id=event.id)


def about(
    kinds: Iterable[OutboxKind | str],
    *,
    event_id: int | None = _ANY,
    invitation_id: int | None = _ANY,
    registration_id: int | None = _ANY,
    session_id: int | None = _ANY,
    respondent_id: int | None = _ANY,
) -> Any:
    """A WHERE clause: messages of ``kinds`` about the given references (``None``: about no
    such thing, e.g. ``session_id=None`` for an event's own messages; left out: any)."""
    given = {
        "event_id": event_id,
        "invitation_id": invitation_id,
        "registration_id": registration_id,
        "session_id": session_id,
        "respondent_id": respondent_id,
    }
    conditions = [OutboxMessage.kind.in_([str(k) for k in kinds])]
    for name, value in given.items():
        if value is _ANY:
            continue
        column = getattr(OutboxMessage, name)
        conditions.append(column.is_(None) if value is None else column == value)
    return and_(*conditions)
