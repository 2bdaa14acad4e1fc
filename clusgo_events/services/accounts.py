"""Accounts people make and keep themselves: sign-up by a mailed link, password reset and
change.

An account is made for an address only once its owner proves they read it: the sign-up page
mails a link (``proofs``, purpose ``signup``, 24 hours) and only that link opens the form that
sets name and password. Whether an address already has an account is never shown to whoever
typed it: the page answers the same, and the mail (which only the owner reads) says "you have
an account: log in or reset the password" instead. A reset link (``password-reset``, one hour)
carries a fingerprint of the current password hash, so it works once. Every password change
ends the account's other sessions (``users.set_password``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..i18n import language_for
from ..models import OutboxMessage, Role, User
from ..models.base import utcnow
from . import ServiceError, audit
from .mailer import render_email
from .outbox import enqueue
from .passwords import password_fingerprint, verify_password
from .proofs import ProofError, make_proof, read_proof
from .sender import app_sender
from .urls import external_url
from .users import authenticate, create_user, find_by_email, normalise_email, set_password

SIGNUP = "signup"
PASSWORD_RESET = "password-reset"
#: seconds: requests for one address within one such window queue one mail (the link of the
#: first stays valid), so a script cannot fill someone's mailbox
MAIL_WINDOW = 600


@dataclass(frozen=True)
class Signup:
    """What a valid sign-up link carries: the proved address, the language chosen, where to
    go afterwards."""

    email: str
    language: str
    next: str | None


def _window() -> int:
    return int(utcnow().timestamp() // MAIL_WINDOW)


class AccountExists(ServiceError):
    """The address a sign-up link proves has an account by now (shown to its owner only)."""

    MESSAGE = _l("This address has an account already: log in.")

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


def _queue(
    template: str, key: str, recipient: str, name: str, language: str, **context: Any
) -> OutboxMessage:
    """Render ``templates/email/<template>.*`` in ``language`` and queue it once per window."""
    sender = app_sender()
    subject, text, html = render_email(
        template, language, name=name, lang=language, sender=sender, **context
    )
    return enqueue(
        key=f"{key}:{_window()}",
        recipient=recipient,
        recipient_name=name,
        reply_to=sender.contact_email,
        reply_to_name=sender.contact_name,
        subject=subject,
        body_text=text,
        body_html=html,
        language=language,
        kind=template,
    )


def request_signup(email: str, language: str | None, next_path: str | None = None) -> str:
    """Mail a sign-up link to ``email`` (the address, normalised, is returned).

    When the address has an account already, the mail says so and links to log-in and
    password reset instead: the caller answers the same either way.
    """
    address = normalise_email(email)
    language = language_for(language, None)
    user = find_by_email(address)
    login_url = external_url("auth.login", next=next_path) if next_path else None
    if user is not None:
        _queue(
            "signup_existing",
            f"signup-existing:{user.id}",
            user.email,
            user.name,
            language_for(user.language, None),
            login_url=login_url or external_url("auth.login"),
            reset_url=external_url("auth.reset_request"),
        )
        return address
    token = make_proof(SIGNUP, address, language=language, next=next_path or None)
    _queue(
        "signup",
        f"signup:{address}",
        address,
        "",
        language,
        url=external_url("auth.signup_confirm", token=token),
        hours=24,
    )
    return address


def read_signup(token: str) -> Signup:
    """The sign-up a valid link carries: ``ProofError`` for a bad or expired link,
    ``AccountExists`` once the address has an account."""
    data = read_proof(SIGNUP, token)
    next_path = data.get("next")
    language = data.get("language")
    signup = Signup(
        email=data["email"],
        language=language_for(language if isinstance(language, str) else None, None),
        next=next_path if isinstance(next_path, str) else None,
    )
    if find_by_email(signup.email) is not None:
        raise AccountExists()
    return signup


def complete_signup(token: str, name: str, password: str) -> User:
    """The representative account for the address ``token`` proves, with ``name`` and
    ``password``; refused when the link is not valid or the address has an account by now."""
    signup = read_signup(token)
    user = create_user(signup.email, Role.REPRESENTATIVE, password, name, signup.language)
    audit.record("user.signup", user, {"proved_by": "mailed link"}, actor=user)
    return user


def log_in(email: str, password: str) -> User:
    """The active account with these credentials (its log-in time noted); one message for a
    wrong address, a wrong password and a deactivated account alike."""
    user = authenticate(email, password)
    if user is None:
        raise ServiceError(_l("Wrong e-mail or password."))
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link (valid for an hour, once) to the active account with ``email``, in
    its language; nothing happens for an unknown or deactivated address, and the caller
    answers the same either way."""
    address = normalise_email(email)
    user = find_by_email(address)
    if user is None or not user.is_active_account:
        return
    fingerprint = password_fingerprint(user.password_hash)
    token = make_proof(PASSWORD_RESET, user.email, user=user.id, fingerprint=fingerprint)
    _queue(
        "password_reset",
        f"password-reset:{user.id}:{fingerprint}",
        user.email,
        user.name,
        language_for(user.language, None),
        url=external_url("auth.reset_password", token=token),
        reset_url=external_url("auth.reset_request"),
    )
    audit.record("user.password_reset_requested", user, actor=None)


def user_for_reset(token: str) -> User:
    """The account a valid, unused reset link is for; ``ProofError`` otherwise."""
    data = read_proof(PASSWORD_RESET, token)
    user_id = data.get("user")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if (
        user is None
        or not user.is_active_account
        or user.email != data["email"]
        or password_fingerprint(user.password_hash) != data.get("fingerprint")
    ):
        raise ProofError(_l("This link has been used already or is no longer valid."), "used")
    return user


def reset_password(token: str, password: str) -> User:
    """Set the password of the account a valid reset link is for; the link then stops
    working, and so does every session of the account."""
    user = user_for_reset(token)
    set_password(user, password)
    audit.record("user.password_reset", user, actor=user)
    return user


def change_password(user: User, current: str, password: str) -> None:
    """``user`` changes their own password, proving the current one; their other sessions
    end."""
    if not verify_password(user.password_hash, current or ""):
        raise ServiceError(_l("That is not your current password."), "current")
    set_password(user, password)
    audit.record("user.password_change", user)
