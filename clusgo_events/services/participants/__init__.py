"""Talking to participants: what the organiser sees before sending, and what is sent.

- :mod:`.preview` — each language's mail as its recipients get it, and a test copy to oneself
"""

from __future__ import annotations

from .preview import MAILS, Preview, preview, recipients_by_language, send_test

__all__ = ["MAILS", "Preview", "preview", "recipients_by_language", "send_test"]
