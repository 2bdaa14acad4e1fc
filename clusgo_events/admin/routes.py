"""Accounts and roles (admins only)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..auth.decorators import role_required
from ..extensions import db
from ..forms import apply_service_errors
from ..services import ServiceError
from ..services import users as user_service
from ..texts import role_name
from .forms import UserForm

bp = Blueprint("admin", __name__)


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users() -> str | Response:
    """List accounts and create new ones."""
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = user_service.create_user(
                form.email.data or "",
                form.role.data or "",
                form.password.data or "",
                name=form.name.data or "",
                language=form.language.data or "en",
            )
        except ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            db.session.commit()
            flash(
                _(
                    "Account %(email)s created (%(role)s).",
                    email=user.email,
                    role=role_name(user.role),
                ),
                "success",
            )
            return redirect(url_for("admin.users"))
    return render_template("admin/users.html", form=form, users=user_service.list_users())
