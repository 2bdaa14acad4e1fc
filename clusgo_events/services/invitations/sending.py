"""Sending invitations: never twice, each with its own link, expiring with registration.

Tokens: the raw token only ever travels in the e-mail; the invitation stores its SHA-256.
An invitation expires when the event's registration closes (else when the event starts):
:func:`expiry_for` is the rule, applied when it is sent and again by :func:`follow_deadline`
whenever the organiser moves the deadline, so the links always follow the event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...i18n import language_for
from ...models import Event, Invitation, Respondent
from ...models.base import utcnow
from ...models.enums import EventStatus, InvitationStatus
from .. import ServiceError, audit
from ..mailer import render_email
from ..outbox import enqueue, keys
from ..privacy.unsubscribe import headers_for, unsubscribe_url
from ..sender import Sender, senders_of
from ..tokens import new_token
from ..transactions import lock_event
from ..urls import external_url
from .dates import format_moment, format_when
from .eligibility import Narrowing, count_eligible, eligible_query


@dataclass
class SendResult:
    """What a send (or a dry run) did or would do."""

    queued: int = 0
    per_country: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False


def expiry_for(event: Event) -> datetime:
    """Invitations expire when registration closes (else when the event starts)."""
    return event.registration_closes_at or event.starts_at


def follow_deadline(event: Event) -> int:
    """Give every invitation of ``event`` the expiry of its current deadline (after the
    organiser moved it); how many changed."""
    expires = expiry_for(event)
    result = db.session.execute(
        update(Invitation)
        .where(Invitation.event_id == event.id, Invitation.expires_at.is_distinct_from(expires))
        .values(expires_at=expires)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def check_can_invite(event: Event) -> None:
    """Refuse to invite to a draft, a cancelled event, or one whose registration has closed."""
    if event.status == EventStatus.CANCELLED:
        raise ServiceError(_l("The event is cancelled: nobody can be invited."))
    if event.status != EventStatus.PUBLISHED:
        raise ServiceError(_l("Publish the event before inviting anyone."))
    if expiry_for(event) <= utcnow():
        raise ServiceError(_l("Registration for this event has closed: invitations would expire."))


def render_mail(
    event: Event,
    language: str,
    template: str,
    *,
    name: str,
    url: str,
    expires: datetime | None = None,
    reminder_number: int = 0,
    sender: Sender,
    unsubscribe: str = "",
) -> tuple[str, str, str]:
    """Subject, text and HTML of the invitation (``template`` "invitation") or a reminder
    ("reminder") as ``name`` reads it in ``language``, with the answer link ``url``, from
    ``sender``, with the organiser's own paragraph: the one rendering the outbox and the
    organiser's preview share; ``unsubscribe`` is the person's one-click link (none in a
    preview)."""
    return render_email(
        template,
        language,
        event=event,
        note=event.text("invitation_note", language),
        sender=sender,
        name=name,
        when=format_when(event, language),
        expires=format_moment(expires or expiry_for(event), event, language),
        url=url,
        reminder_number=reminder_number,
        unsubscribe_url=unsubscribe,
        lang=language,
    )


def invitation_mail(
    invitation: Invitation, raw_token: str, template: str, sender: Sender
) -> tuple[str, str, str]:
    """Subject, text and HTML of ``invitation``'s mail (``template`` "invitation" or
    "reminder") with the answer link of ``raw_token``, as its invitee reads it."""
    respondent = invitation.respondent
    return render_mail(
        invitation.event,
        invitation.language,
        template,
        name=respondent.contact_name or respondent.email,
        url=external_url("invitations.show", token=raw_token),
        expires=invitation.expires_at,
        reminder_number=invitation.reminders_sent,
        sender=sender,
        unsubscribe=unsubscribe_url(respondent),
    )


def queue_mail(
    invitation: Invitation,
    raw_token: str,
    template: str,
    key: keys.OutboxKey,
    senders: Callable[[str | None], Sender] | None = None,
) -> None:
    """Queue the invitation (``template`` "invitation") or a reminder ("reminder") mail;
    ``key`` (from :mod:`..outbox.keys`) says which; ``senders`` (``senders_of(event)``) is
    asked once per country by a batch."""
    respondent = invitation.respondent
    senders = senders or senders_of(invitation.event)
    sender = senders(respondent.country)
    subject, text, html = invitation_mail(invitation, raw_token, template, sender)
    enqueue(
        key=key,
        recipient=respondent.email,
        recipient_name=respondent.contact_name,
        reply_to=sender.contact_email,
        reply_to_name=sender.contact_name,
        subject=subject,
        body_text=text,
        body_html=html,
        language=invitation.language,
        headers=headers_for(respondent),
    )


def rerender_mail(invitation: Invitation, template: str) -> tuple[str, str, str]:
    """The invitation's (or a reminder's) mail written again with a new link, for the outbox
    to send once more when the first text is gone; the old link stops working."""
    raw, token_hash = new_token()
    invitation.token_hash = token_hash
    db.session.flush()
    sender = senders_of(invitation.event)(invitation.respondent.country)
    return invitation_mail(invitation, raw, template, sender)


def invite(
    event: Event,
    respondent: Respondent,
    expires: datetime | None = None,
    senders: Callable[[str | None], Sender] | None = None,
) -> Invitation:
    """One new invitation of ``respondent`` to ``event``, its e-mail queued (flushed; the
    unique (event, respondent) constraint refuses a second one with an IntegrityError)."""
    raw, token_hash = new_token()
    invitation = Invitation(
        event=event,
        respondent=respondent,
        token_hash=token_hash,
        language=language_for(respondent.language, respondent.country),
        status=InvitationStatus.QUEUED,
        expires_at=expires or expiry_for(event),
    )
    db.session.add(invitation)
    db.session.flush()
    queue_mail(invitation, raw, "invitation", keys.invitation(invitation), senders)
    return invitation


def send_invitations(
    event: Event,
    narrowing: Narrowing | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SendResult:
    """Invite every eligible respondent not yet invited; the caller commits.

    Safe to run again, and concurrently: under the event's lock, and the unique (event,
    respondent) constraint and the outbox key make a second invitation impossible; a clash is
    skipped. A real run writes its audit entry, from the page or the command line alike.
    """
    check_can_invite(event)
    counts = count_eligible(event, narrowing)
    result = SendResult(per_country=counts, dry_run=dry_run)
    if dry_run:
        result.queued = sum(counts.values())
        return result
    event = lock_event(event.id)
    respondents = list(db.session.scalars(eligible_query(event, narrowing).order_by(Respondent.id)))
    expires = expiry_for(event)
    senders = senders_of(event)
    per_country: dict[str, int] = {}
    for respondent in respondents:
        try:
            with db.session.begin_nested():
                invite(event, respondent, expires, senders)
        except IntegrityError:  # invited by a concurrent run in the meantime
            continue
        result.queued += 1
        country = respondent.country or "?"
        per_country[country] = per_country.get(country, 0) + 1
        if progress is not None:
            progress(1)
    result.per_country = per_country
    audit.record("invitations.send", event, {"queued": result.queued})
    return result
