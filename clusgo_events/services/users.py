"""Accounts: creation, authentication, roles."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from ..extensions import db
from ..models import ROLES, User
from ..models.base import utcnow
from . import ServiceError
from .passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password


def normalise_email(email: str) -> str:
    """A syntactically valid, lower-cased address; ``ServiceError`` otherwise."""
    try:
        result = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ServiceError(f"Not a valid e-mail address: {exc}", "email") from exc
    return result.normalized.lower()


def find_by_email(email: str) -> User | None:
    """The user with ``email`` (case-insensitive), or None."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.", "password"
        )


def create_user(email: str, role: str, password: str, name: str = "", language: str = "en") -> User:
    """Create an account; refuses an unknown role, a taken e-mail or a short password."""
    if role not in ROLES:
        raise ServiceError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.", "role")
    address = normalise_email(email)
    if find_by_email(address) is not None:
        raise ServiceError(f"An account for {address} already exists.", "email")
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
    return user


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password."""
    check_password_rules(password)
    user.password_hash = hash_password(password)


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
    query = select(User).order_by(User.role, User.name)
    if role:
        query = query.where(User.role == role)
    return list(db.session.scalars(query))
