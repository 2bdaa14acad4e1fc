"""Accounts: creation, authentication, roles, the id a session carries."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..collation import collated
from ..extensions import db
from ..models import ROLES, User
from ..models.base import utcnow
from . import ServiceError, audit
from .passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password


def normalise_email(email: str) -> str:
    """A syntactically valid, lower-cased address; ``ServiceError`` otherwise."""
    try:
        result = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ServiceError(_l("This is not a valid e-mail address."), "email") from exc
    return result.normalized.lower()


def find_by_email(email: str) -> User | None:
    """The user with ``email`` (case-insensitive), or None."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            _l("The password must be at least %(n)s characters long.", n=MIN_PASSWORD_LENGTH),
            "password",
        )


def check_role(role: str) -> None:
    """Refuse a role that does not exist."""
    if role not in ROLES:
        raise ServiceError(
            _l(
                "Unknown role %(role)s; choose one of %(roles)s.", role=role, roles=", ".join(ROLES)
            ),
            "role",
        )


def create_user(
    email: str, role: str, password: str, name: str = "", language: str | None = None
) -> User:
    """Create an account; refuses an unknown role, a taken e-mail or a short password.

    "An account for X already exists" says which addresses have accounts: only callers that
    may know (an admin, the command line, someone who proved the address) show it.
    """
    check_role(role)
    address = normalise_email(email)
    if find_by_email(address) is not None:
        raise ServiceError(_l("An account for %(email)s already exists.", email=address), "email")
    check_password_rules(password)
    user = User(
        email=address,
        role=role,
        name=(name or "").strip() or address.split("@")[0],
        password_hash=hash_password(password),
        language=language,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, {"role": user.role})
    return user


def set_language(user: User, language: str | None) -> None:
    """``user`` chooses the language of their pages and mails (None: their browser's)."""
    from flask import current_app

    if language is not None and language not in current_app.config["LANGUAGES"]:
        raise ServiceError(_l("Choose one of the languages offered."), "language")
    if user.language == language:
        return
    previous = user.language
    user.language = language
    audit.record("user.language", user, {"from": previous, "to": language})


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password; every session and remember-me cookie made before ends
    (the caller renews the current browser's log-in)."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 0) + 1


def user_for_session(session_id: str) -> User | None:
    """The active user a session or remember-me cookie names (``<id>:<version>``, as
    ``User.get_id`` made it), or None: a malformed id, an older version (the password changed
    since) or a deactivated account logs nobody in."""
    user_id, _, version = (session_id or "").partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active_account or user.session_version != int(version):
        return None
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; upgrades an outdated hash."""
    user = find_by_email(email or "")
    if user is None:
        hash_password(password or "x" * 8)  # same work whether or not the account exists
        return None
    if not user.is_active_account or not verify_password(user.password_hash, password or ""):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def list_users(role: str | None = None) -> list[User]:
    """Every account, optionally of one role, by name."""
    query = select(User).order_by(User.role, collated(User.name))
    if role:
        query = query.where(User.role == role)
    return list(db.session.scalars(query))
