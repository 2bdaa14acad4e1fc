"""Accounts and roles (admins only): create, edit, deactivate and reactivate, set-up links."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..auth.decorators import role_required
from ..extensions import db
from ..forms import ConfirmForm
from ..models import Role, User
from ..services import account_admin
from ..services import users as user_service
from ..services.versions import FIELD, version_of
from ..texts import ROLE_NAMES
from ..web import Confirmation, ask_then_perform, perform
from .forms import AccountForm, UserForm

bp = Blueprint("admin", __name__)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def users() -> str | Response:
    """List accounts and create new ones (the person chooses their own password)."""
    form = UserForm()
    if form.validate_on_submit():
        result = perform(
            lambda: account_admin.create_account(
                form.email.data or "",
                form.role.data or "",
                name=form.name.data or "",
                language=form.language.data or "en",
            ),
            done=lambda user: _(
                "Account %(email)s created; a link to choose the password is on its way.",
                email=user.email,
            ),
            form=form,
        )
        if result.ok:
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/users.html",
        form=form,
        users=user_service.list_users(),
        roles=ROLE_NAMES,
        confirm=ConfirmForm(),
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int) -> str | Response:
    """Change an account's name, role and language; refuses a page older than the account."""
    user = _user_or_404(user_id)
    form = AccountForm(obj=user)
    if not form.is_submitted():
        form.version.data = version_of(user)
    elif form.validate():
        data = account_admin.AccountData(
            name=form.name.data or "", role=form.role.data or "", language=form.language.data or ""
        )
        result = perform(
            lambda: account_admin.edit_account(user, data, seen=form.version.data or None),
            done=_("Account saved."),
            form=form,
        )
        if result.ok:
            return redirect(url_for("admin.users"))
    return render_template("admin/user.html", form=form, user=user, roles=ROLE_NAMES)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def deactivate_user(user_id: int) -> str | Response:
    """Deactivate an account (after a confirmation): no log-in, every session ends."""
    user = _user_or_404(user_id)
    return ask_then_perform(
        lambda: Confirmation(
            title=_("Deactivate the account %(email)s?", email=user.email),
            consequences=account_admin.deactivate_consequences(user),
            action=url_for("admin.deactivate_user", user_id=user.id),
            button=_("Deactivate"),
            back=url_for("admin.users"),
            undo=_("You can reactivate the account later."),
            fields={FIELD: version_of(user)},
        ),
        lambda seen: account_admin.deactivate(user, seen=seen),
        then=url_for("admin.users"),
        done=_("The account is deactivated."),
        category="warning",
    )


@bp.route("/users/<int:user_id>/activate", methods=["POST"])
@role_required(Role.ADMIN)
def activate_user(user_id: int) -> Response:
    """Reactivate an account."""
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        perform(lambda: account_admin.activate(user), done=_("The account is active again."))
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/setup-link", methods=["POST"])
@role_required(Role.ADMIN)
def send_setup_link(user_id: int) -> Response:
    """Mail the person a link to choose their password (instead of typing one for them)."""
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        perform(
            lambda: account_admin.send_setup_link(user),
            done=_("A link to choose the password is on its way to %(email)s.", email=user.email),
        )
    return redirect(url_for("admin.users"))
