"""Log in, log out, profile."""

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
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..extensions import db, limiter
from ..services import ServiceError
from ..services import users as user_service
from ..services.passwords import verify_password
from .forms import LoginForm, PasswordForm

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


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> str | Response:
    """The log-in page; renews the session on success."""
    if current_user.is_authenticated:
        return redirect(url_for("events.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = user_service.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            form.form_errors.append("Wrong e-mail or password.")
        else:
            db.session.commit()
            session.clear()  # a fresh session: nothing from before the log-in survives
            login_user(user, remember=form.remember.data)
            flash(f"Welcome, {user.name}.", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("events.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Log out (a POST, so a link elsewhere cannot log anyone out)."""
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("events.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    """The user's own profile and password."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data or ""):
            form.current.errors = ["That is not your current password."]
        else:
            try:
                user_service.set_password(current_user, form.password.data or "")
            except ServiceError as exc:
                form.password.errors = [exc.message]
            else:
                db.session.commit()
                flash("Password changed.", "success")
                return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form)
