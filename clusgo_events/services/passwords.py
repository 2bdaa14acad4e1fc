"""Password hashing with Argon2id (argon2-cffi's RFC 9106 profile, above OWASP's minimum)."""

from __future__ import annotations

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_PASSWORD_LENGTH = 8
#: the longest password a form takes (Argon2 would hash more; nobody types more)
MAX_PASSWORD_LENGTH = 200

_strong = PasswordHasher()  # Argon2id, t=3, m=64 MiB, p=4
_fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # tests only


def _hasher() -> PasswordHasher:
    return _fast if current_app.config.get("PASSWORD_HASH_FAST") else _strong


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def password_fingerprint(password_hash: str) -> str:
    """A short digest of ``password_hash``: a reset link carries it, so the link works until
    the password changes (once), and reveals nothing of the hash."""
    return hashlib.sha256((password_hash or "").encode("utf-8")).hexdigest()[:24]
