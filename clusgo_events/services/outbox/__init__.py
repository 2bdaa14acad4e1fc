"""The outbox: every e-mail the app sends is queued here, then delivered over SMTP.

One concern per module:

* :mod:`.keys` — what a message is about (kind and reference columns) and its idempotency key
* :mod:`.enqueue` — queuing, in the caller's transaction (``enqueue``, ``attachment``)
* :mod:`.addresses` — addresses for SMTP: IDNA domains, SMTPUTF8 local parts
* :mod:`.mime` — the message's MIME (``EmailMessage``, ``policy.SMTP``)
* :mod:`.smtp` — Flask-Mail's connection and message
* :mod:`.errors` — temporary or permanent failure
* :mod:`.claims` — which worker holds which message, and each outcome
* :mod:`.worker` — the delivery loop (``deliver``)
* :mod:`.retention` — how long bodies are kept (``purge_bodies``)
"""

from __future__ import annotations

from .enqueue import attachment, enqueue
from .keys import OutboxKey
from .retention import purge_bodies
from .worker import DeliveryReport, Worker, deliver

__all__ = [
    "DeliveryReport",
    "OutboxKey",
    "Worker",
    "attachment",
    "deliver",
    "enqueue",
    "purge_bodies",
]
