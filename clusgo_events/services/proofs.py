"""Signed, expiring links that prove a person reads a mailbox (sign-up, password reset).

A proof is an itsdangerous token signed with ``SECRET_KEY`` under a salt per purpose, so a
token made for one purpose never passes for another. It carries the address and whatever the
purpose needs (for a password reset, a fingerprint of the current password, so the link
works once: after the reset the fingerprint no longer matches). Nothing is stored.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from . import ServiceError

#: how long each kind of proof is valid, in seconds
MAX_AGE = {"signup": 24 * 3600, "password-reset": 3600, "account-setup": 7 * 24 * 3600}


class ProofError(ServiceError):
    """The link is not valid: ``reason`` is ``expired`` or ``invalid``."""

    def __init__(self, message: Any, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in MAX_AGE:
        raise ValueError(f"unknown proof purpose {purpose!r}")
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"clusgo-{purpose}")


def make_proof(purpose: str, email: str, **data: Any) -> str:
    """A token for ``purpose`` that proves ``email`` (plus ``data``) when it comes back."""
    return str(_serializer(purpose).dumps({"email": email, **data}))


def read_proof(purpose: str, token: str) -> dict[str, Any]:
    """The data inside a valid ``token`` for ``purpose``; ``ProofError`` when it is not."""
    try:
        data = _serializer(purpose).loads(token or "", max_age=MAX_AGE[purpose])
    except SignatureExpired as exc:
        raise ProofError(_l("This link has expired."), "expired") from exc
    except BadSignature as exc:
        raise ProofError(_l("This link is not valid."), "invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("email"), str):
        raise ProofError(_l("This link is not valid."), "invalid")
    return data
