"""Talking to participants: what the organiser sees before sending, and what is sent.

- :mod:`..sender` (re-exported) — who a mail names: the association and the contact (Reply-To)
- :mod:`.settings` — the event's mail settings: the organiser's own words, contact, association
- :mod:`.reminders` — the reminder before the event (scheduled task ``event-reminders``)
- :mod:`.messages` — the organiser's messages to participants, counted and previewed first
- :mod:`.preview` — each language's mail as its recipients get it, and a test copy to oneself
"""

from __future__ import annotations

from ..sender import Sender, associations, partner_association, sender_for, senders_of
from . import messages
from .preview import MAILS, Preview, preview, recipients_by_language, send_test
from .reminders import ReminderResult, due_at, pending, queue_due_reminders, remind
from .settings import MailSettings, settings_of, update_settings

__all__ = [
    "MAILS",
    "MailSettings",
    "Preview",
    "ReminderResult",
    "Sender",
    "associations",
    "messages",
    "due_at",
    "partner_association",
    "pending",
    "preview",
    "queue_due_reminders",
    "recipients_by_language",
    "remind",
    "send_test",
    "sender_for",
    "senders_of",
    "settings_of",
    "update_settings",
]
