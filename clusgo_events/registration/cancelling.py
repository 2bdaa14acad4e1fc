"""Cancelling a registration or one training session, by the person or an organiser: each
asks once (:func:`..web.ask_then_perform`) and names its consequences."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..auth.decorators import role_required
from ..auth.routes import safe_next
from ..models import Registration, Role, SessionSeat
from ..services import registration as reg_service
from ..services import scope
from ..services.versions import FIELD, version_of
from ..web import Confirmation, ask_then_perform
from .routes import _own_registration, _reported, _staff_registration, _staff_seat, bp


def _fields(obj: object, back: str | None = None) -> dict[str, str]:
    fields = {FIELD: version_of(obj)}
    if back:
        fields["back"] = back
    return fields


def _ask_registration(registration: Registration, action: str, back: str, own: bool):  # type: ignore[no-untyped-def]
    return lambda: Confirmation(
        title=_("Cancel the registration for “%(title)s”?", title=registration.event.text("title"))
        if own
        else _(
            "Cancel %(name)s's registration for “%(title)s”?",
            name=registration.name,
            title=registration.event.title,
        ),
        consequences=reg_service.cancel_registration_consequences(registration, own=own),
        action=action,
        button=_("Cancel the registration"),
        back=back,
        fields=_fields(registration, None if own else back),
    )


def _ask_seat(seat: SessionSeat, action: str, back: str, own: bool):  # type: ignore[no-untyped-def]
    return lambda: Confirmation(
        title=_("Drop the session “%(title)s”?", title=seat.session.text("title"))
        if own
        else _(
            "Cancel %(name)s's place in “%(title)s”?",
            name=seat.registration.name,
            title=seat.session.title,
        ),
        consequences=reg_service.cancel_seat_consequences(seat, own=own),
        action=action,
        button=_("Drop the session") if own else _("Cancel the place"),
        back=back,
        fields=_fields(seat, None if own else back),
    )


@bp.route("/my/registrations/<int:registration_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(registration_id: int) -> str | Response:
    """Cancel one's whole registration (after a confirmation)."""
    registration = _own_registration(registration_id)
    mine = url_for("registration.mine")
    return ask_then_perform(
        _ask_registration(registration, request.path, mine, own=True),
        lambda seen: reg_service.cancel_registration(registration, seen=seen),
        then=mine,
        done=_("Your registration is cancelled."),
        category="warning",
    )


@bp.route(
    "/my/registrations/<int:registration_id>/seats/<int:seat_id>/cancel", methods=["GET", "POST"]
)
@login_required
def cancel_seat(registration_id: int, seat_id: int) -> str | Response:
    """Drop one training session (after a confirmation)."""
    registration = _own_registration(registration_id)
    seat = reg_service.find_seat(seat_id)
    if seat is None or seat.registration_id != registration.id:
        abort(404)
    mine = url_for("registration.mine")
    return ask_then_perform(
        _ask_seat(seat, request.path, mine, own=True),
        lambda seen: reg_service.cancel_seat(seat, seen=seen),
        then=mine,
        done=_("The session is cancelled for you."),
        category="warning",
    )


def _staff_back(registration: Registration) -> str:
    if not scope.manages_event(current_user, registration.event):
        abort(404)
    return safe_next(request.values.get("back")) or url_for(
        "registration.event_registrations", slug=registration.event.slug
    )


@bp.route("/registrations/<int:registration_id>/cancel", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def staff_cancel(registration_id: int) -> str | Response:
    """An organiser cancels someone's registration (after a confirmation)."""
    registration = _staff_registration(registration_id)
    back = _staff_back(registration)
    return ask_then_perform(
        _ask_registration(registration, request.path, back, own=False),
        lambda seen: reg_service.cancel_registration(registration, seen=seen),
        then=back,
        done=_reported(_("Registration cancelled.")),
    )


@bp.route("/seats/<int:seat_id>/cancel", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def staff_cancel_seat(seat_id: int) -> str | Response:
    """An organiser cancels one session seat (after a confirmation)."""
    seat = _staff_seat(seat_id)
    back = _staff_back(seat.registration)
    return ask_then_perform(
        _ask_seat(seat, request.path, back, own=False),
        lambda seen: reg_service.cancel_seat(seat, seen=seen),
        then=back,
        done=_reported(_("Seat cancelled.")),
    )
