"""The invitee's answer by the link: accept (registration follows) or decline."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...models import Invitation
from ...models.base import max_length, utcnow
from ...models.enums import InvitationStatus
from .. import ServiceError, audit
from .state import Standing, standing


def _check_open(invitation: Invitation) -> None:
    """Refuse an answer unless the invitation is open (unanswered, unexpired, event on)."""
    if standing(invitation) != Standing.OPEN:
        raise ServiceError(_l("This invitation can no longer be answered."))


def accept(invitation: Invitation) -> None:
    """The invitee accepts; registration follows."""
    _check_open(invitation)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.answered_at = utcnow()
    audit.record("invitation.accept", invitation)


def decline(invitation: Invitation, reason: str = "") -> None:
    """The invitee declines, optionally saying why."""
    _check_open(invitation)
    invitation.status = InvitationStatus.DECLINED
    invitation.answered_at = utcnow()
    invitation.decline_reason = (reason or "").strip()[: max_length(Invitation.decline_reason)]
    audit.record("invitation.decline", invitation)
