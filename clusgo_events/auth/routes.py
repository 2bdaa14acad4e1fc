"""Log in and out, create an account by a mailed link, reset a forgotten password, profile."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale, refresh
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..extensions import limiter
from ..i18n import select_locale
from ..models import User
from ..services import accounts, users
from ..services.proofs import ProofError
from ..web import perform
from .forms import (
    LANGUAGE_CHOICES,
    LanguageForm,
    LoginForm,
    PasswordForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignupConfirmForm,
    SignupForm,
)

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None  # a browser drops tabs and line breaks: "/\t/evil" would become "//evil"
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_mail_limit() -> str:
    return current_app.config["ACCOUNT_MAIL_RATE_LIMIT"]


def _next() -> str | None:
    return safe_next(request.args.get("next"))


def _log_in(user: User, remember: bool = False) -> None:
    """A fresh session for ``user``: nothing from before the log-in survives but the
    language chosen."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(user, remember=remember)


def _has_remember_cookie() -> bool:
    name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return name in request.cookies


def _say(message: object, category: str = "success") -> None:
    """Flash ``message`` (a lazy string) in the language of whoever reads the next page: the
    language chosen, else the logged-in account's. The locale is chosen for the message
    alone, so the rest of the request keeps choosing its own."""
    with force_locale(select_locale()):
        flash(str(message), category)


def _bad_link(error: ProofError, again: str) -> tuple[str, int]:
    """The page for an expired or unusable link, with the way to ask for a new one."""
    status = 410 if error.reason == "expired" else 404
    return render_template("auth/link_invalid.html", error=error, again=again), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> str | Response:
    """The log-in page; renews the session on success."""
    next_path = _next()
    if current_user.is_authenticated:
        return redirect(next_path or url_for("events.index"))
    form = LoginForm()
    if form.validate_on_submit():
        result = perform(
            lambda: accounts.log_in(form.email.data or "", form.password.data or ""), form=form
        )
        if result.ok and result.value is not None:
            _log_in(result.value, remember=bool(form.remember.data))
            _say(_l("Welcome, %(name)s.", name=result.value.name))
            return redirect(next_path or url_for("events.index"))
    return render_template("auth/login.html", form=form, next_path=next_path)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Log out (a POST, so a link elsewhere cannot log anyone out)."""
    logout_user()
    session.clear()
    _say(_l("You are logged out."), "info")
    return redirect(url_for("events.index"))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_account_mail_limit, methods=["POST"])
def signup() -> str | Response:
    """Create an account: the address first, proved by a link mailed to it."""
    next_path = _next()
    if current_user.is_authenticated:
        return redirect(next_path or url_for("events.index"))
    form = SignupForm()
    if not form.is_submitted() and str(get_locale()) in {c.value for c in LANGUAGE_CHOICES}:
        form.language.data = str(get_locale())
    if form.validate_on_submit():
        result = perform(
            lambda: accounts.request_signup(form.email.data or "", form.language.data, next_path),
            form=form,
        )
        if result.ok:
            return render_template("auth/link_sent.html", address=result.value, kind="signup")
    return render_template("auth/signup.html", form=form, next_path=next_path)


@bp.route("/signup/<token>", methods=["GET", "POST"])
def signup_confirm(token: str) -> str | Response | tuple[str, int]:
    """The mailed link: set name and password, and the account is made and logged in."""
    try:
        signup = accounts.read_signup(token)
    except accounts.AccountExists:
        _say(accounts.AccountExists.MESSAGE, "info")
        return redirect(url_for("auth.login"))
    except ProofError as exc:
        return _bad_link(exc, "auth.signup")
    form = SignupConfirmForm()
    if form.validate_on_submit():
        result = perform(
            lambda: accounts.complete_signup(token, form.name.data or "", form.password.data or ""),
            form=form,
        )
        if result.ok and result.value is not None:
            _log_in(result.value)
            _say(_l("Your account is ready. Welcome, %(name)s.", name=result.value.name))
            return redirect(safe_next(signup.next) or url_for("events.index"))
    return render_template("auth/signup_confirm.html", form=form, signup=signup)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_account_mail_limit, methods=["POST"])
def reset_request() -> str:
    """Forgotten password: a reset link is mailed to the address if it has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        result = perform(lambda: accounts.request_password_reset(form.email.data or ""), form=form)
        if result.ok:
            address = (form.email.data or "").strip()
            return render_template("auth/link_sent.html", address=address, kind="reset")
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    """The mailed reset link: a new password, once; every other session of the account ends."""
    try:
        user = accounts.user_for_reset(token)
    except ProofError as exc:
        return _bad_link(exc, "auth.reset_request")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        result = perform(
            lambda: accounts.reset_password(token, form.password.data or ""),
            form=form,
        )
        if result.ok and result.value is not None:
            _log_in(result.value)
            _say(_l("Your password is changed; you are logged out everywhere else."))
            return redirect(url_for("events.index"))
    return render_template("auth/reset_password.html", form=form, user=user)


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup_account(token: str) -> str | Response | tuple[str, int]:
    """An admin's mailed set-up link: the person chooses their password, once."""
    from ..services.account_admin import ACCOUNT_SETUP

    try:
        user = accounts.user_for_reset(token, ACCOUNT_SETUP)
    except ProofError as exc:
        return _bad_link(exc, "auth.reset_request")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        result = perform(
            lambda: accounts.reset_password(token, form.password.data or "", ACCOUNT_SETUP),
            form=form,
        )
        if result.ok and result.value is not None:
            _log_in(result.value)
            _say(_l("Your password is set. Welcome, %(name)s.", name=result.value.name))
            return redirect(url_for("events.index"))
    return render_template("auth/reset_password.html", form=form, user=user)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    """The user's own profile and password."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        result = perform(
            lambda: accounts.change_password(
                user, form.current.data or "", form.password.data or ""
            ),
            form=form,
        )
        if result.ok:
            login_user(user, remember=_has_remember_cookie())  # this browser stays logged in
            _say(_l("Password changed; you are logged out everywhere else."))
            return redirect(url_for("auth.profile"))
    return _profile_page(form)


def _profile_page(form: PasswordForm, language_form: LanguageForm | None = None) -> str:
    if language_form is None:
        language_form = LanguageForm(data={"language": current_user.language or ""})
    return render_template("auth/profile.html", form=form, language_form=language_form)


@bp.route("/profile/language", methods=["POST"])
@login_required
def profile_language() -> str | Response:
    """The user chooses the language of their pages and mails."""
    form = LanguageForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        result = perform(lambda: users.set_language(user, form.language.data or None), form=form)
        if result.ok:
            refresh()  # the flash and the next page speak the new language
            _say(_l("Language saved."))
            return redirect(url_for("auth.profile"))
    return _profile_page(PasswordForm(formdata=None), form)
