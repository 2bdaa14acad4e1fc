"""What an SMTP failure means for a message: try again later, or give up."""

from __future__ import annotations

import smtplib
from typing import Any


class TemporaryFailure(Exception):
    """The server or the network said "not now"."""


class PermanentFailure(Exception):
    """This message cannot be delivered as it is (a 5xx answer, an address we cannot send)."""


#: answers that mean "you are sending too much / I am busy": the whole connection backs off
#: and the messages wait without an attempt counted (421 closing, 432 Exchange's "too many
#: connections/messages", 451 local error, 452 insufficient storage / too many recipients)
SLOW_DOWN = frozenset({421, 432, 451, 452})


def smtp_code(exc: BaseException) -> int | None:
    """The SMTP reply code an error carries (the lowest of several refused recipients)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in exc.recipients.values()]
        return min(codes) if codes else None
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    return None


def asks_to_slow_down(exc: BaseException) -> bool:
    """True for an answer in :data:`SLOW_DOWN`: back off, do not count it against the message."""
    return smtp_code(exc) in SLOW_DOWN


def classify(exc: BaseException) -> type[Exception]:
    """Temporary (retry later) or permanent (give up) for an SMTP-level error."""
    code = smtp_code(exc)
    if code is None and isinstance(
        exc, PermanentFailure | smtplib.SMTPNotSupportedError | ValueError
    ):
        return PermanentFailure
    if code is not None and 500 <= code < 600:
        return PermanentFailure
    return TemporaryFailure


def describe(exc: BaseException) -> str:
    """The server's answer (code and text), or the error, for ``last_error``."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, PermanentFailure):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
