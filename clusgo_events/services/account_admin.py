"""What admins do with accounts: edit role, name and language, deactivate and reactivate,
mail a link to set a password (purpose ``account-setup``) instead of typing one.

Two rules live here: there is always an active admin (nobody demotes or deactivates the
last one), and a deactivated account is logged out everywhere at once (its
``session_version`` rises, so every session and remember-me cookie stops naming it). The web
page and ``flask users ...`` call the same functions and leave the same audit entries.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..i18n import language_for
from ..models import User
from ..models.base import max_length
from ..models.enums import Role
from . import ServiceError, ValidationErrors, audit
from .mailer import render_email
from .outbox import enqueue
from .passwords import password_fingerprint
from .proofs import MAX_AGE, make_proof
from .sender import app_sender
from .urls import external_url
from .users import check_role, create_user, find_by_email
from .versions import check_fresh

ACCOUNT_SETUP = "account-setup"
#: the roles from the least to the most: a new account gets the first
ROLES_LEAST_FIRST = (Role.REPRESENTATIVE, Role.TRAINER, Role.ORGANISER, Role.ADMIN)
LANGUAGES = ("en", "cs", "hu", "sk", "pl")


@dataclass
class AccountData:
    """What the admin's form gives for an account."""

    name: str
    role: str
    language: str


def _active_admins() -> int:
    return int(
        db.session.scalar(
            select(func.count(User.id)).where(
                User.role == Role.ADMIN, User.is_active_account.is_(True)
            )
        )
        or 0
    )


def _keep_an_admin(user: User, *, role: str, active: bool) -> None:
    """Refuse when the change would leave no active admin."""
    was_admin = user.role == Role.ADMIN and user.is_active_account
    stays_admin = role == Role.ADMIN and active
    if was_admin and not stays_admin and _active_admins() <= 1:
        raise ServiceError(
            _l("%(email)s is the last active admin: make another admin first.", email=user.email),
            "role",
        )


def edit_account(user: User, data: AccountData, *, seen: str | None = None) -> list[str]:
    """Change name, role and language; returns the names of the fields that changed."""
    check_fresh(user, seen)
    name = (data.name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _l("A name is required.")
    elif len(name) > max_length(User.name):
        errors["name"] = _l("At most %(n)s characters.", n=max_length(User.name))
    if data.language not in LANGUAGES:
        errors["language"] = _l("Choose a language from the list.")
    if errors:
        raise ValidationErrors(errors)
    check_role(data.role)
    _keep_an_admin(user, role=data.role, active=user.is_active_account)
    before = {"name": user.name, "role": user.role, "language": user.language}
    user.name, user.role, user.language = name, data.role, data.language
    changed = [key for key, value in before.items() if getattr(user, key) != value]
    if changed:
        db.session.flush()
        audit.record(
            "user.update",
            user,
            {key: [before[key], getattr(user, key)] for key in changed},
        )
    return changed


def set_role(user: User, role: str) -> None:
    """Give ``user`` another role (the command line's ``users set-role``)."""
    check_role(role)
    if user.role == role:
        return
    _keep_an_admin(user, role=role, active=user.is_active_account)
    before, user.role = user.role, role
    db.session.flush()
    audit.record("user.update", user, {"role": [before, role]})


def deactivate(user: User, *, seen: str | None = None) -> None:
    """Stop ``user`` logging in; every session of theirs ends now."""
    check_fresh(user, seen)
    if not user.is_active_account:
        raise ServiceError(_l("%(email)s is deactivated already.", email=user.email))
    _keep_an_admin(user, role=user.role, active=False)
    user.is_active_account = False
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()
    audit.record("user.deactivate", user)


def activate(user: User, *, seen: str | None = None) -> None:
    """Let a deactivated ``user`` log in again (with their password, or a set-up link)."""
    check_fresh(user, seen)
    if user.is_active_account:
        raise ServiceError(_l("%(email)s is active already.", email=user.email))
    user.is_active_account = True
    db.session.flush()
    audit.record("user.activate", user)


def deactivate_consequences(user: User) -> list[str]:
    """What deactivating ``user`` does (for the confirmation page)."""
    return [
        str(_l("%(email)s can no longer log in.", email=user.email)),
        str(_l("Every browser logged in to the account is logged out now.")),
        str(_l("Their registrations, marks and audit entries stay.")),
    ]


def send_setup_link(user: User) -> None:
    """Mail ``user`` a link (a week, once) to choose their password, in their language."""
    if not user.is_active_account:
        raise ServiceError(_l("Activate the account first."))
    fingerprint = password_fingerprint(user.password_hash)
    token = make_proof(ACCOUNT_SETUP, user.email, user=user.id, fingerprint=fingerprint)
    language = language_for(user.language, None)
    sender = app_sender()
    subject, text, html = render_email(
        "account_setup",
        language,
        sender=sender,
        name=user.name,
        lang=language,
        email=user.email,
        url=external_url("auth.setup_account", token=token),
        days=MAX_AGE[ACCOUNT_SETUP] // 86400,
        login_url=external_url("auth.login"),
    )
    enqueue(
        key=f"account-setup:{user.id}:{fingerprint}:{secrets.token_hex(4)}",
        recipient=user.email,
        recipient_name=user.name,
        reply_to=sender.contact_email,
        subject=subject,
        body_text=text,
        body_html=html,
        language=language,
        kind="account_setup",
    )
    audit.record("user.setup_link", user)


def create_account(email: str, role: str, name: str = "", language: str = "en") -> User:
    """An account made by an admin, with no password anyone knows: the person gets a set-up
    link by e-mail and chooses their own."""
    # a random password nobody sees: the account is usable only through the link
    user = create_user(email, role, secrets.token_urlsafe(32), name=name, language=language)
    send_setup_link(user)
    return user


def user_by_email(email: str) -> User:
    """The account with ``email``; ``ServiceError`` when there is none (the command line)."""
    user = find_by_email(email or "")
    if user is None:
        raise ServiceError(_l("No account has the address %(email)s.", email=email))
    return user
