"""What an SMTP failure means for a message: try again later, or give up."""

from __future__ import annotations

import smtplib
from typing import Any


class TemporaryFailure(Exception):
    """The server or the network said "not now"."""


class PermanentFailure(Exception):
    """This message cannot be delivered as it is (a 5xx answer, an address we cannot send)."""


def classify(exc: BaseException) -> type[Exception]:
    """Temporary (retry later) or permanent (give up) for an SMTP-level error."""
    code: int | None = None
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in exc.recipients.values()]
        code = min(codes) if codes else None
    elif isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
    elif isinstance(exc, PermanentFailure | smtplib.SMTPNotSupportedError | ValueError):
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
