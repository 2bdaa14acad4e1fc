"""The MIME of an outbox message, built with the standard library's ``EmailMessage``.

Structure (RFC 6047; the one Google and Thunderbird send)::

    multipart/mixed
      multipart/alternative
        text/plain
        text/html
        text/calendar; method=REQUEST      (inline, when the message has a calendar object)
      application/ics  invite.ics          (the same object as an attachment)
      other attachments (the QR code PNG, a certificate PDF ...)

The policy is ``email.policy.SMTP`` (CRLF, 78-column folding) with 7-bit transfer encodings,
so the bytes pass every relay. One thing is not left to it: on Python 3.11 its folder drops
the space between two encoded words when it folds a long header (CPython gh-92081: "Brno,
Győr" can arrive as "Brno,Győr"). Of 5,000 random subjects and display names made of Czech,
Polish, Hungarian and Slovak words (the generator of tests/test_outbox.py), policy.SMTP alone
changed 739 subjects and 61 names. So Subject, From and To are folded by the standard library's
older RFC 2047 encoder, ``email.header.Header``, which changed none of the 5,000. Everything
else (parts, parameters, RFC 2231 file names, base64, dates, Message-ID) is the email
package's.

Cost: the email package takes about 2.1 ms of CPU per invitation, the hand-written writer this
replaced 0.3 ms (scripts/bench_mail.py, "build the MIME"; most of it the header registry's
parsing and refolding): the worker's CPU per delivered message rose from 2.8 to 5.0 ms on
SQLite and from 3.0 to 5.8 ms on PostgreSQL. That is still far more than any relay accepts
(Exchange Online: 30 a minute), so the library stays.
"""

from __future__ import annotations

import base64
import re
from email import charset as email_charset
from email.charset import Charset
from email.header import Header
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import MIMEPart
from email.policy import SMTP, EmailPolicy
from email.utils import format_datetime, formataddr, make_msgid, quote
from typing import Any

from ...models import OutboxMessage
from ...models.base import utcnow
from .addresses import Mailbox, mailbox
from .errors import PermanentFailure

# our own UTF-8 charset for encoded words: Flask-Mail re-registers "utf-8" globally
_UTF8 = Charset("utf-8")
_UTF8.header_encoding = email_charset.BASE64
_CONTENT_TYPE = re.compile(r"([A-Za-z0-9.+-]+)/([A-Za-z0-9.+-]+)")


def clean(value: str) -> str:
    """A header value without control characters or line breaks of any kind (no header
    injection through data: CR, LF, U+2028, U+0085 ... all become one space)."""
    return " ".join("".join(ch if ch >= " " else " " for ch in (value or "")).split())


class _TextHeader:
    """An unstructured header (Subject) folded by ``email.header.Header`` (see the module)."""

    max_count = 1

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        kwds["parse_tree"] = None
        kwds["decoded"] = clean(value)

    def fold(self, *, policy: EmailPolicy) -> str:
        text = str(self)
        header = Header(text, None if text.isascii() else _UTF8, header_name=self.name)  # type: ignore[attr-defined]
        encoded = header.encode(linesep=policy.linesep, maxlinelen=policy.max_line_length)
        return f"{self.name}: {encoded}{policy.linesep}"  # type: ignore[attr-defined]


class _MailboxHeader:
    """One mailbox (From, To) given as ``(display name, address)``: the name in encoded words
    by ``email.header.Header``, the address as :mod:`.addresses` prepared it."""

    max_count = 1

    @classmethod
    def parse(cls, value: tuple[str, str], kwds: dict[str, Any]) -> None:
        name, address = clean(value[0]), value[1]
        kwds["parse_tree"] = None
        kwds["decoded"] = f"{name} <{address}>" if name else address
        kwds["pair"] = (name, address)

    def init(self, name: str, *, pair: tuple[str, str], **kw: Any) -> None:
        self._pair = pair
        super().init(name, **kw)  # type: ignore[misc]

    def fold(self, *, policy: EmailPolicy) -> str:
        name, address = self._pair
        if not name:
            text = address
        elif name.isascii() and address.isascii():
            text = formataddr((name, address))
        elif name.isascii() or policy.utf8:  # SMTPUTF8 (RFC 6532): UTF-8 as it is
            text = f'"{quote(name)}" <{address}>'
        else:
            header = Header(name, _UTF8, header_name=self.name)  # type: ignore[attr-defined]
            encoded = header.encode(linesep=policy.linesep, maxlinelen=policy.max_line_length)
            text = f"{encoded} <{address}>"
        return f"{self.name}: {text}{policy.linesep}"  # type: ignore[attr-defined]


class _Registry(HeaderRegistry):
    """The email package's registry, with each header class made once: ``HeaderRegistry``
    builds a new class on every look-up (about 30 per message, ~50 µs each)."""

    def __init__(self) -> None:
        super().__init__(base_class=BaseHeader)
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


def _registry() -> HeaderRegistry:
    registry = _Registry()
    registry.map_to_type("subject", _TextHeader)
    registry.map_to_type("from", _MailboxHeader)
    registry.map_to_type("to", _MailboxHeader)
    registry.map_to_type("reply-to", _MailboxHeader)
    return registry


#: policy.SMTP with 7-bit transfer encodings and the mailbox and subject headers above
POLICY = SMTP.clone(cte_type="7bit", header_factory=_registry())
#: the same for a server that offers SMTPUTF8, to a recipient whose address needs it
POLICY_UTF8 = POLICY.clone(utf8=True)


def _reply_to(address: str, utf8: bool) -> str:
    """The Reply-To address for SMTP; "" when there is none or it cannot be written here (a
    bad Reply-To must not keep the message from its recipient)."""
    if not address:
        return ""
    try:
        found = mailbox(address)
    except PermanentFailure:
        return ""
    return "" if found.needs_smtputf8 and not utf8 else found.address


def build(
    message: OutboxMessage, sender: tuple[str, Mailbox], recipient: Mailbox, domain: str
) -> tuple[bytes, str]:
    """The message's bytes (CRLF line ends) and its Message-ID (``@domain``)."""
    utf8 = recipient.needs_smtputf8 or sender[1].needs_smtputf8
    # a MIMEPart (EmailMessage less its MIME-Version in every part): parts made from it are
    # MIMEParts too, and the one MIME-Version header goes on top
    mime = MIMEPart(policy=POLICY_UTF8 if utf8 else POLICY)
    message_id = make_msgid(domain=domain)
    mime["Subject"] = clean(message.subject)
    mime["From"] = (sender[0], sender[1].address)
    mime["To"] = (message.recipient_name or "", recipient.address)
    reply_to = _reply_to(message.reply_to, utf8)
    if reply_to:  # the event's contact person: answers reach someone
        mime["Reply-To"] = (message.reply_to_name or "", reply_to)
    mime["Date"] = format_datetime(utcnow(), usegmt=True)
    mime["Message-ID"] = message_id
    mime["Auto-Submitted"] = "auto-generated"
    mime["X-Auto-Response-Suppress"] = "All"
    mime["MIME-Version"] = "1.0"
    mime.set_content(message.body_text or "", cte="base64")
    if message.body_html:
        mime.add_alternative(message.body_html, subtype="html", cte="base64")
    if message.calendar_ics:
        method = "".join(c for c in (message.calendar_method or "") if c.isalpha()).upper()
        mime.add_alternative(
            message.calendar_ics,
            subtype="calendar",
            cte="base64",
            params={"method": method or "REQUEST"},
        )
        mime.add_attachment(
            message.calendar_ics.encode("utf-8"),
            maintype="application",
            subtype="ics",
            filename="invite.ics",
        )
    for item in message.attachments or []:
        match = _CONTENT_TYPE.fullmatch(clean(item.get("content_type") or ""))
        maintype, subtype = match.groups() if match else ("application", "octet-stream")
        mime.add_attachment(
            base64.b64decode(item.get("data_b64") or ""),
            maintype=maintype,
            subtype=subtype,
            filename=clean(item.get("filename") or "") or "attachment",
        )
    return mime.as_bytes(), message_id
