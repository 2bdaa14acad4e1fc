"""Invitations one person at a time: invite by hand, send again (to a corrected address),
remind one invitee, and an invitation's history (the address each mail went to, and when).

The history is the outbox itself: every invitation and reminder mail refers to its
invitation (``OutboxMessage.invitation_id``) and keeps the address it was sent to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...extensions import db
from ...models import Event, Invitation, OutboxKind, OutboxMessage, Respondent
from ...models.base import utcnow
from ...models.enums import InvitationStatus
from .. import ServiceError, audit, scope
from ..invitations.eligibility import may_contact_by_hand
from ..invitations.reminders import remind
from ..invitations.sending import check_can_invite, invite, queue_mail
from ..invitations.state import registration_through
from ..outbox import keys
from ..outbox.steering import withdraw_invitation_mail
from ..tokens import new_token
from ..transactions import lock_event
from .fields import clean_email, clean_person

INVITATION_KINDS = (OutboxKind.INVITATION, OutboxKind.INVITATION_REMINDER)


@dataclass
class HandInvite:
    """A person the organiser invites by hand (missing from the survey, say)."""

    email: str
    contact_name: str = ""
    organisation_name: str = ""
    country: str = ""
    language: str = ""


def _new_respondent(
    person: HandInvite, address: str, countries: frozenset[str] | None
) -> Respondent:
    values = clean_person(
        None, person.contact_name, person.organisation_name, person.country, person.language
    )
    scope.require_country(countries, values.get("country"))
    respondent = Respondent(added_by_hand=True, raw_answers={}, email=address, **values)
    db.session.add(respondent)
    db.session.flush()
    audit.record("respondent.add_by_hand", respondent)
    return respondent


def invite_by_hand(
    event: Event, person: HandInvite, countries: frozenset[str] | None = None
) -> Invitation:
    """Invite ``person`` to ``event``: an existing respondent with that address, else a new
    one marked as added by hand; refused when already invited, or when the person is not of
    ``countries`` (the organiser's, :func:`..scope.visible_countries`; None: any)."""
    check_can_invite(event)
    address = clean_email(person.email)
    event = lock_event(event.id)
    respondent = db.session.scalar(select(Respondent).where(Respondent.email == address))
    if respondent is not None:
        scope.require_country(countries, respondent.country)
        check_contactable(respondent)
    if respondent is None:
        respondent = _new_respondent(person, address, countries)
    elif db.session.scalar(
        select(Invitation.id).where(
            Invitation.event_id == event.id, Invitation.respondent_id == respondent.id
        )
    ):
        raise ServiceError(
            _l(
                "%(email)s is already invited: send the invitation again from its row.",
                email=address,
            ),
            "email",
        )
    invitation = invite(event, respondent)
    audit.record("invitation.invite_by_hand", invitation)
    return invitation


def check_contactable(respondent: Respondent) -> None:
    """Refuse a one-person invitation or reminder to someone who may not get one
    (:func:`..invitations.eligibility.may_contact_by_hand`)."""
    if not may_contact_by_hand(respondent):
        raise ServiceError(
            _l(
                "%(email)s has not agreed to be contacted, or withdrew consent: record their"
                " consent on their page first.",
                email=respondent.email,
            ),
            "email",
        )


def _check_not_used(invitation: Invitation) -> None:
    if registration_through(invitation) is not None:
        raise ServiceError(_l("This invitee has registered: their invitation is used."))


def resend(invitation: Invitation) -> Invitation:
    """Send ``invitation`` again, with a new link, to the respondent's address now (a
    corrected one, say): the old link stops working; an unanswered one is queued again."""
    check_can_invite(invitation.event)
    _check_not_used(invitation)
    check_contactable(invitation.respondent)
    lock_event(invitation.event_id)
    # what still waits for the worker carries the old link (perhaps to the old address)
    withdrawn = withdraw_invitation_mail([invitation.id], "sent again with a new link")
    earlier = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            keys.about([OutboxKind.INVITATION], invitation_id=invitation.id)
        )
    )
    raw, token_hash = new_token()
    invitation.token_hash = token_hash
    if invitation.status not in (InvitationStatus.ACCEPTED, InvitationStatus.DECLINED):
        invitation.status = InvitationStatus.QUEUED
    db.session.flush()
    queue_mail(invitation, raw, "invitation", keys.resent_invitation(invitation, earlier or 0))
    audit.record("invitation.resend", invitation, {"withdrawn": withdrawn} if withdrawn else None)
    return invitation


def remind_one(invitation: Invitation) -> Invitation:
    """Remind one invitee now (whatever the interval): a delivered, unanswered invitation."""
    check_can_invite(invitation.event)
    _check_not_used(invitation)
    check_contactable(invitation.respondent)
    if invitation.status != InvitationStatus.SENT or invitation.lapsed(utcnow()):
        raise ServiceError(
            _l("Only a delivered invitation that has not been answered can be reminded.")
        )
    lock_event(invitation.event_id)
    if not remind(invitation):
        raise ServiceError(_l("Someone reminded this invitee a moment ago."))
    audit.record("invitation.remind_one", invitation)
    return invitation


def invitation_history(invitation_ids: Iterable[int]) -> dict[int, list[OutboxMessage]]:
    """{invitation id: its invitation and reminder mails, oldest first} (one query)."""
    ids = list(invitation_ids)
    history: dict[int, list[OutboxMessage]] = {i: [] for i in ids}
    if not ids:
        return history
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.invitation_id.in_(ids),
            OutboxMessage.kind.in_([str(k) for k in INVITATION_KINDS]),
        )
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    for message in rows:
        history[message.invitation_id].append(message)
    return history
