"""Domain signals: services send them inside the transaction that made the change.

Receivers (calendar mails, for instance) write to the outbox in the same transaction, so a
rolled-back change sends nothing. Every signal's sender is the changed object.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: an event's date, time, place, title or status changed (its SEQUENCE rose)
event_changed = _signals.signal("event-changed")
#: an event was cancelled (its sessions are cancelled with it)
event_cancelled = _signals.signal("event-cancelled")
#: a session's date, time, room, title or status changed (its SEQUENCE rose)
session_changed = _signals.signal("session-changed")
#: a training session was cancelled
session_cancelled = _signals.signal("session-cancelled")
#: a registration became confirmed (new, or promoted from the waiting list)
registration_confirmed = _signals.signal("registration-confirmed")
#: a registration was cancelled (by the person or an organiser)
registration_cancelled = _signals.signal("registration-cancelled")
#: a session seat became confirmed (new, or promoted from the session's waiting list)
seat_confirmed = _signals.signal("seat-confirmed")
#: a session seat was cancelled (one session dropped, or the whole registration cancelled)
seat_cancelled = _signals.signal("seat-cancelled")
#: an outbox message was accepted by the SMTP server (sender = the OutboxMessage); receivers
#: add to the transaction that marks it sent
message_sent = _signals.signal("outbox-message-sent")
#: an outbox message failed for good (sender = the OutboxMessage), same transaction
message_failed = _signals.signal("outbox-message-failed")


def connect_receivers() -> None:
    """Connect every receiver of these signals: the one place, called by ``create_app``.

    Each service that reacts to a signal lists its pairs in a ``RECEIVERS`` tuple; blinker
    keeps one connection per function, so a second app in the same process changes nothing.
    """
    from .services import calendar_mail, invitations

    for module in (calendar_mail, invitations):
        for signal, receiver in module.RECEIVERS:
            signal.connect(receiver)
