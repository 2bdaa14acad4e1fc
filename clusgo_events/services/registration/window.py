"""When an event takes registrations: published, inside its registration window, not over."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from ...models import Event
from ...models.base import utcnow
from ...models.enums import EventStatus


def registration_window_problem(event: Event) -> Any:
    """Why nobody can register for ``event`` now (a lazy translation), or None.

    A deadline has passed from its very moment on, as an invitation lapses at it
    (``Invitation.lapsed``): the two never disagree about the same instant.
    """
    if event.status == EventStatus.CANCELLED:
        return _l("This event is cancelled.")
    if event.status != EventStatus.PUBLISHED:
        return _l("This event is not open for registration yet.")
    now = utcnow()
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        return _l("Registration has not opened yet.")
    if event.registration_closes_at is not None and now >= event.registration_closes_at:
        return _l("Registration is closed.")
    if now > event.ends_at:
        return _l("This event is over.")
    return None
