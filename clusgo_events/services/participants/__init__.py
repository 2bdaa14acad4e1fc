"""Talking to participants: what the organiser sees before sending, and what is sent.

- :mod:`.sender` — who a mail names: the inviting association and the contact (Reply-To)
- :mod:`.settings` — the event's mail settings: the organiser's own words, contact, association
- :mod:`.preview` — each language's mail as its recipients get it, and a test copy to oneself
"""

from __future__ import annotations

from .preview import MAILS, Preview, preview, recipients_by_language, send_test
from .sender import Sender, associations, partner_association, sender_for, senders_of
from .settings import MailSettings, settings_of, update_settings

__all__ = [
    "MAILS",
    "MailSettings",
    "Preview",
    "Sender",
    "associations",
    "partner_association",
    "preview",
    "recipients_by_language",
    "send_test",
    "sender_for",
    "senders_of",
    "settings_of",
    "update_settings",
]
