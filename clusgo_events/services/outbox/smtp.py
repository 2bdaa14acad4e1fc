"""Sending over Flask-Mail's connection: its settings (TLS, SSL, log-in, ``MAIL_MAX_EMAILS``),
its ``Connection.send`` and its ``email_dispatched`` signal; the bytes are :mod:`.mime`'s."""

from __future__ import annotations

import smtplib
from typing import Any

from flask_mail import Connection, Message

from .addresses import Mailbox
from .errors import PermanentFailure


class OutgoingMail(Message):
    """A Flask-Mail message whose bytes were built by :func:`.mime.build`.

    ``accepted`` turns True when the server has taken the message (``email_dispatched``), so
    an error after that (Flask-Mail's reconnect every ``MAIL_MAX_EMAILS``) never causes a resend.
    """

    def __init__(self, data: bytes, message_id: str, sender: Mailbox, recipient: Mailbox) -> None:
        # Not Message.__init__: it makes a Message-ID of its own with make_msgid(), which looks
        # up the machine's FQDN (gethostname, gethostbyaddr) for every message: about 1 ms of
        # the worker's 5.5 ms per message (scripts/bench_mail.py under cProfile), for an id
        # that is thrown away (ours is in ``data``). The attributes Connection.send reads:
        # bare addresses, they only make the envelope (MAIL FROM, RCPT TO).
        self.recipients = [recipient.address]
        self.sender = sender.address
        self.subject = ""
        self.reply_to = None
        self.cc = []
        self.bcc = []
        self.body = None
        self.alts = {}
        self.date = None
        self.charset = None
        self.extra_headers = None
        self.mail_options = []
        self.rcpt_options = []
        self.attachments = []
        self.data = data
        self.msgId = message_id
        self.smtputf8 = recipient.needs_smtputf8 or sender.needs_smtputf8
        self.accepted = False

    def as_bytes(self) -> bytes:
        return self.data


def mark_accepted(sender: Any, message: Message | None = None, **_: Any) -> None:
    """``email_dispatched`` receiver: the server accepted ``message``."""
    if isinstance(message, OutgoingMail):
        message.accepted = True


class DeliveryConnection(Connection):
    """Flask-Mail's connection with a socket timeout (Flask-Mail sets none: a hung server
    would block the worker for ever) and SMTP's own debug output left off (it would write
    every message, invitation links included, to the log)."""

    def __init__(self, state: Any, timeout: float) -> None:
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP | smtplib.SMTP_SSL:
        state = self.mail
        host: smtplib.SMTP | smtplib.SMTP_SSL
        if state.use_ssl:
            host = smtplib.SMTP_SSL(state.server, state.port, timeout=self.timeout)
        else:
            host = smtplib.SMTP(state.server, state.port, timeout=self.timeout)
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host

    def open(self) -> None:
        self.num_emails = 0
        self.host = None if self.mail.suppress else self.configure_host()

    def close(self) -> None:
        """Say goodbye; a server that is already gone is fine."""
        host, self.host = self.host, None
        if host is None:
            return
        try:
            host.quit()
        except (smtplib.SMTPException, OSError):
            host.close()

    def reopen(self) -> None:
        """A fresh connection after a broken one; ``host`` stays None when that fails."""
        self.close()
        try:
            self.open()
        except (smtplib.SMTPException, OSError):
            self.host = None

    def reset(self) -> None:
        """After a refused transaction, RSET so the next message starts clean."""
        if self.host is None:
            return
        try:
            self.host.rset()
        except (smtplib.SMTPException, OSError):
            self.reopen()

    def offers_smtputf8(self) -> bool:
        """Whether the server takes UTF-8 addresses (RFC 6531)."""
        if self.host is None:
            return False
        self.host.ehlo_or_helo_if_needed()
        return bool(self.host.has_extn("smtputf8"))

    def transmit(self, mail: OutgoingMail) -> None:
        """Send ``mail``; :class:`PermanentFailure` when it needs SMTPUTF8 and the server
        does not offer it."""
        if not mail.smtputf8:
            self.send(mail)
            return
        if not self.offers_smtputf8():
            raise PermanentFailure(
                "the address has non-ASCII characters before the @ and the SMTP server does "
                "not offer SMTPUTF8: it cannot be delivered through this server"
            )
        # Flask-Mail cannot write a non-ASCII local part (its envelope goes through
        # email.utils.formataddr): the envelope goes to smtplib itself, on this connection
        assert self.host is not None
        self.host.sendmail(mail.sender, mail.recipients, mail.data, ["SMTPUTF8"])
        mail.accepted = True
        self.num_emails += 1
