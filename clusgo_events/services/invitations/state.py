"""Where an invitation stands: the one rule of what its link may still do.

The invitation pages, registration and reminders all ask here (reminders through the same
model rule, :meth:`Invitation.lapsed`, in SQL). An invitation registers exactly one person,
its invitee: once a registration has been made with it, its link only leads to logging in and
seeing that registration.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Invitation, Registration
from ...models.base import utcnow
from ...models.enums import EventStatus, InvitationStatus
from ..tokens import hash_token

TOKEN_LENGTHS = range(32, 65)  # token_urlsafe(32) gives 43 characters


class Standing(StrEnum):
    """What an invitation's link may do now."""

    OPEN = "open"  # unanswered (or declined) and unexpired: accept, decline, or register
    ACCEPTED = "accepted"  # accepted, nobody registered yet: register (once)
    REGISTERED = "registered"  # used: log in and see that registration
    DECLINED = "declined"
    EXPIRED = "expired"  # the registration deadline has passed
    CANCELLED = "cancelled"  # the event is cancelled


#: a link in these standings may still register its invitee
USABLE = (Standing.OPEN, Standing.ACCEPTED)


def find_by_token(raw: str) -> Invitation | None:
    """The invitation whose link carries ``raw`` (any state), or None; malformed gives None."""
    if not raw or len(raw) not in TOKEN_LENGTHS:
        return None
    return db.session.scalar(
        select(Invitation)
        .where(Invitation.token_hash == hash_token(raw))
        .options(joinedload(Invitation.event), joinedload(Invitation.respondent))
    )


def registration_through(invitation: Invitation) -> Registration | None:
    """The registration made with ``invitation`` (the first, for data from before the rule)."""
    return db.session.scalar(
        select(Registration)
        .where(Registration.invitation_id == invitation.id)
        .order_by(Registration.id)
        .limit(1)
    )


def standing(invitation: Invitation, now: datetime | None = None) -> Standing:
    """Where ``invitation`` stands at ``now``: used, cancelled, expired, accepted or open, in
    that order of precedence; a declined one stays open (they may still accept) until
    registration closes or the event is cancelled, then it is declined."""
    if registration_through(invitation) is not None:
        return Standing.REGISTERED
    closed = invitation.event.status == EventStatus.CANCELLED or invitation.lapsed(now or utcnow())
    if invitation.status == InvitationStatus.DECLINED:
        # a decline is final only once registration has closed: until then they may accept
        return Standing.DECLINED if closed else Standing.OPEN
    if invitation.event.status == EventStatus.CANCELLED:
        return Standing.CANCELLED
    if closed:
        return Standing.EXPIRED
    if invitation.status == InvitationStatus.ACCEPTED:
        return Standing.ACCEPTED
    return Standing.OPEN


def effective_status(invitation: Invitation, now: datetime | None = None) -> str:
    """The status the organiser sees: an unanswered invitation past its expiry is ``expired``."""
    return invitation.state_at(now or utcnow())
