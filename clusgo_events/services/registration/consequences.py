"""What cancelling a registration or one seat will do, for its confirmation page: who is
told, which places are given up, who moves up (the same rules :mod:`.changes` applies)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from ...extensions import db
from ...models import Registration, SessionSeat
from ...models.enums import RegistrationStatus, SeatStatus


def _waiting_for_event(registration: Registration) -> int:
    return int(
        db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.event_id == registration.event_id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
        )
        or 0
    )


def _waiting_for_session(seat: SessionSeat) -> int:
    return int(
        db.session.scalar(
            select(func.count(SessionSeat.id)).where(
                SessionSeat.session_id == seat.session_id,
                SessionSeat.status == SeatStatus.WAITLISTED,
            )
        )
        or 0
    )


def _told(registration: Registration, own: bool) -> str:
    if own:
        return _("You get a confirmation by e-mail.")
    return _("%(name)s is told by e-mail.", name=registration.name)


def cancel_registration_consequences(registration: Registration, *, own: bool) -> list[str]:
    """What cancelling ``registration`` does; ``own``: the person asks, not an organiser."""
    lines = [_told(registration, own)]
    if registration.status == RegistrationStatus.CONFIRMED and _waiting_for_event(registration):
        lines.append(_("The place goes to the first person on the waiting list."))
    seats = sum(1 for s in registration.seats if s.status != SeatStatus.CANCELLED)
    if seats:
        lines.append(
            ngettext(
                "%(num)d training session place is given up with it.",
                "%(num)d training session places are given up with it.",
                seats,
            )
        )
    lines.append(_("Registering again later depends on free places and the registration deadline."))
    return lines


def cancel_seat_consequences(seat: SessionSeat, *, own: bool) -> list[str]:
    """What dropping one training session does."""
    lines = [_told(seat.registration, own)]
    if seat.status == SeatStatus.CONFIRMED and _waiting_for_session(seat):
        lines.append(_("The place goes to the first person on the session's waiting list."))
    lines.append(_("The registration for the event itself stays."))
    return lines
