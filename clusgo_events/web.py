"""What every view does around its one service call: commit, flash, or roll back and say why.

    result = perform(lambda: service.cancel_registration(registration), done=_("Cancelled."))
    if result.ok:
        return redirect(...)

A ``ServiceError`` rolls the transaction back and shows its message beside the form's fields
(with ``form=``) or as a flash; success commits, then flashes ``done`` (a string, or a function
of the service's result). So no view decides on its own whether to commit or roll back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import flash
from flask_wtf import FlaskForm

from .extensions import db
from .forms import apply_service_errors
from .services import ServiceError

T = TypeVar("T")


@dataclass
class Result(Generic[T]):
    """The outcome of :func:`perform`: ``ok``, the service's ``value`` or the ``error``."""

    ok: bool
    value: T | None = None
    error: ServiceError | None = None


def perform(
    call: Callable[[], T],
    *,
    done: str | Callable[[T], str | None] | None = None,
    category: str = "success",
    form: FlaskForm | None = None,
    field_names: dict[str, str] | None = None,
) -> Result[T]:
    """Run ``call``; commit and flash ``done`` on success, else roll back and show the error."""
    try:
        value = call()
    except ServiceError as exc:
        db.session.rollback()
        if form is not None:
            apply_service_errors(form, exc, field_names)
        else:
            flash(exc.message, "danger")
        return Result(False, error=exc)
    db.session.commit()
    message: Any = done(value) if callable(done) else done
    if message:
        flash(message, category)
    return Result(True, value=value)


@dataclass(frozen=True)
class Confirmation:
    """What a destructive action asks before it happens (one pattern for every such action).

    The service that performs the action computes ``consequences`` (with real counts: "12
    participants will be told by e-mail"), so the question and the action share one rule.
    ``undo`` says how it can be undone; ``None`` makes the page say it cannot be.
    """

    title: str
    consequences: list[str]
    action: str
    button: str
    back: str
    undo: str | None = None
    fields: dict[str, str] | None = None


def confirmation_page(confirmation: Confirmation) -> str:
    """Render the confirmation step: a GET page naming the consequences, one POST button.

    Works without JavaScript; the POST carries the CSRF token and any ``fields`` (hidden).
    The view that receives the POST performs the action; the GET never changes anything.
    """
    from flask import render_template

    from .forms import ConfirmForm

    return render_template("_confirm.html", c=confirmation, form=ConfirmForm(formdata=None))


def ask_then_perform(
    ask: Callable[[], Confirmation],
    call: Callable[[str | None], T],
    *,
    then: str,
    done: str | Callable[[T], str | None] | None = None,
    category: str = "success",
) -> Any:
    """The view of a destructive action: GET asks (``ask()`` builds the page), POST acts.

    The POST needs its CSRF token; ``call`` gets the version the page showed (the hidden
    ``version`` field of :mod:`.services.versions`, None when absent) so the service can
    refuse a stale confirmation. Then the browser goes to ``then``.

        return ask_then_perform(
            lambda: Confirmation(title=..., consequences=service.cancel_consequences(x), ...),
            lambda seen: service.cancel(x, seen=seen),
            then=url_for(...), done=_("Cancelled."),
        )
    """
    from flask import request

    from .services.versions import FIELD

    if request.method == "GET":
        return confirmation_page(ask())
    return perform_confirmed(
        lambda: call(request.form.get(FIELD) or None), then=then, done=done, category=category
    )


def perform_confirmed(
    call: Callable[[], T],
    *,
    then: str,
    done: str | Callable[[T], str | None] | None = None,
    category: str = "success",
) -> Any:
    """The POST of a confirmation step: with its CSRF token, :func:`perform` ``call``;
    without it (an expired page) do nothing and say so. Then the browser goes to ``then``."""
    from flask import redirect
    from flask_babel import gettext

    from .forms import ConfirmForm

    if ConfirmForm().validate_on_submit():
        perform(call, done=done, category=category)
    else:
        flash(gettext("The form had expired, so nothing was done. Please try again."), "danger")
    return redirect(then)
