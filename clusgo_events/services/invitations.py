"""Invitations: who is eligible, sending (never twice), reminders, answers by token.

Tokens: the raw token only ever travels in the e-mail; the invitation stores its SHA-256.
A reminder therefore cannot repeat the old link: it draws a fresh token and replaces the hash,
so the newest e-mail's link works and older links stop working (a forwarded old mail cannot
answer for the invitee). Delivery is linked back through the outbox message's kind and
``invitation_id``: an invitation message sent (or failed) turns the invitation ``sent``
(or ``failed``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from sqlalchemy import and_, bindparam, case, exists, false, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import signals
from ..extensions import db
from ..i18n import language_for
from ..models import Event, Invitation, OutboxKind, OutboxMessage, Respondent
from ..models.base import utcnow
from . import ServiceError
from .mailer import render_email
from .outbox import enqueue, keys
from .tokens import hash_token, new_token
from .urls import external_url

INTERESTS = ("any", "event", "training")
ANSWERED = ("accepted", "declined")
DEFAULT_REMINDER_INTERVAL = timedelta(days=7)
TOKEN_LENGTHS = range(32, 65)  # token_urlsafe(32) gives 43 characters


@dataclass
class Narrowing:
    """The organiser's narrowing of an event's eligibility rule."""

    countries: list[str] = field(default_factory=list)  # empty: every country the event targets
    interest: str = "any"  # any, event, training


@dataclass
class SendResult:
    """What a send (or a dry run) did or would do."""

    queued: int = 0
    per_country: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False


# -- eligibility ---------------------------------------------------------------------------


def _interest_clause(interest: str) -> Any:
    if interest == "event":
        return Respondent.interested_in_event.is_(True)
    if interest == "training":
        return Respondent.interested_in_training.is_(True)
    return or_(
        Respondent.interested_in_event.is_(True), Respondent.interested_in_training.is_(True)
    )


def check_narrowing(event: Event, narrowing: Narrowing) -> Narrowing:
    """A valid narrowing (unknown countries or interests refused)."""
    targets = event.target_country_list
    countries = [c.strip().upper() for c in narrowing.countries if c and c.strip()]
    unknown = [c for c in countries if c not in targets]
    if unknown:
        raise ServiceError(
            f"This event does not invite {', '.join(unknown)}; choose among "
            f"{', '.join(targets) or 'none'}.",
            "countries",
        )
    if narrowing.interest not in INTERESTS:
        raise ServiceError("Choose any, event or training.", "interest")
    return Narrowing(countries=countries, interest=narrowing.interest)


def eligible_query(event: Event, narrowing: Narrowing | None = None) -> Any:
    """The respondents the event may invite now (DESIGN.md's rule, narrowed)."""
    narrowing = check_narrowing(event, narrowing or Narrowing())
    countries = narrowing.countries or event.target_country_list
    already = exists().where(
        Invitation.event_id == event.id, Invitation.respondent_id == Respondent.id
    )
    event_interest = event.invite_interest if event.invite_interest in INTERESTS else "any"
    return select(Respondent).where(
        Respondent.consent.is_(True),
        Respondent.country.in_(countries) if countries else false(),
        _interest_clause(event_interest),
        _interest_clause(narrowing.interest),
        ~already,
    )


def count_eligible(event: Event, narrowing: Narrowing | None = None) -> dict[str, int]:
    """Eligible respondents per country (one query)."""
    sub = eligible_query(event, narrowing).subquery()
    rows = db.session.execute(
        select(sub.c.country, func.count()).group_by(sub.c.country).order_by(sub.c.country)
    )
    return {country: count for country, count in rows}


# -- sending -------------------------------------------------------------------------------


def expiry_for(event: Event) -> datetime:
    """Invitations expire when registration closes (else when the event starts)."""
    return event.registration_closes_at or event.starts_at


def _check_can_invite(event: Event) -> None:
    if event.status == "cancelled":
        raise ServiceError("The event is cancelled: nobody can be invited.")
    if event.status != "published":
        raise ServiceError("Publish the event before inviting anyone.")
    if expiry_for(event) <= utcnow():
        raise ServiceError("Registration for this event has closed: invitations would expire.")


def format_when(event: Event, language: str) -> str:
    """The event's dates in its own zone, written the reader's way."""
    return f"{format_moment(event.starts_at, event, language)} – " + format_moment(
        event.ends_at, event, language
    )


def _lock_event(event: Event) -> None:
    """Serialise sends for one event and open the transaction for real.

    PostgreSQL: a row lock on the event. SQLite: a no-op write takes the database's write lock
    (pysqlite issues no BEGIN before a SAVEPOINT, so without it the first savepoint's RELEASE
    would commit on its own and a rollback would not undo it).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    else:
        db.session.execute(text("UPDATE event SET id = id WHERE id = :id"), {"id": event.id})


def format_moment(moment: datetime | None, event: Event, language: str) -> str:
    """One moment in the event's zone, written the reader's way ("" for None)."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(event.timezone))
    date = format_date(local, "long", locale=language)
    return f"{date} {format_time(local, 'short', locale=language)} {local.tzname()}"


def _mail_context(invitation: Invitation, raw_token: str) -> dict[str, Any]:
    event = invitation.event
    respondent = invitation.respondent
    language = invitation.language
    expires = invitation.expires_at or expiry_for(event)
    return {
        "event": event,
        "respondent": respondent,
        "name": respondent.contact_name or respondent.email,
        "when": format_when(event, language),
        "expires": format_moment(expires, event, language),
        "url": external_url("invitations.show", token=raw_token),
        "reminder_number": invitation.reminders_sent,
        "lang": language,
    }


def _queue_mail(invitation: Invitation, raw_token: str, template: str, key: keys.OutboxKey) -> None:
    respondent = invitation.respondent
    subject, text, html = render_email(
        template, invitation.language, **_mail_context(invitation, raw_token)
    )
    enqueue(
        key=key,
        recipient=respondent.email,
        recipient_name=respondent.contact_name,
        subject=subject,
        body_text=text,
        body_html=html,
        language=invitation.language,
    )


def send_invitations(
    event: Event,
    narrowing: Narrowing | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SendResult:
    """Invite every eligible respondent not yet invited; the caller commits.

    Safe to run again, and concurrently: the unique (event, respondent) constraint and the
    outbox key make a second invitation impossible; a clash is skipped.
    """
    _check_can_invite(event)
    counts = count_eligible(event, narrowing)
    result = SendResult(per_country=counts, dry_run=dry_run)
    if dry_run:
        result.queued = sum(counts.values())
        return result
    _lock_event(event)
    respondents = list(db.session.scalars(eligible_query(event, narrowing).order_by(Respondent.id)))
    expires = expiry_for(event)
    per_country: dict[str, int] = {}
    for respondent in respondents:
        raw, token_hash = new_token()
        invitation = Invitation(
            event=event,
            respondent=respondent,
            token_hash=token_hash,
            language=language_for(respondent.language, respondent.country),
            status="queued",
            expires_at=expires,
        )
        try:
            with db.session.begin_nested():
                db.session.add(invitation)
                db.session.flush()
                _queue_mail(invitation, raw, "invitation", keys.invitation(invitation))
        except IntegrityError:  # invited by a concurrent run in the meantime
            continue
        result.queued += 1
        country = respondent.country or "?"
        per_country[country] = per_country.get(country, 0) + 1
        if progress is not None:
            progress(1)
    result.per_country = per_country
    return result


def reminder_candidates(event: Event, interval: timedelta = DEFAULT_REMINDER_INTERVAL) -> Any:
    """Invitations delivered, unanswered, unexpired, last contacted at least ``interval`` ago."""
    now = utcnow()
    cutoff = now - interval
    last_contact = func.coalesce(Invitation.last_reminder_at, Invitation.sent_at)
    return select(Invitation).where(
        Invitation.event_id == event.id,
        Invitation.status == "sent",
        or_(Invitation.expires_at.is_(None), Invitation.expires_at > now),
        last_contact <= cutoff,
    )


def send_reminders(
    event: Event,
    interval: timedelta = DEFAULT_REMINDER_INTERVAL,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SendResult:
    """Remind the invitees who have not answered, at most once per ``interval``."""
    if interval < timedelta(hours=1):
        raise ServiceError("Remind at most once an hour.", "interval")
    _check_can_invite(event)
    if not dry_run:
        _lock_event(event)
    invitations = list(
        db.session.scalars(
            reminder_candidates(event, interval)
            .options(joinedload(Invitation.respondent), joinedload(Invitation.event))
            .order_by(Invitation.id)
        )
    )
    result = SendResult(dry_run=dry_run)
    for invitation in invitations:
        country = invitation.respondent.country or "?"
        result.per_country[country] = result.per_country.get(country, 0) + 1
        if dry_run:
            result.queued += 1
            continue
        raw, token_hash = new_token()
        number = invitation.reminders_sent + 1
        # a compare-and-set on the counter: two concurrent runs cannot both remind
        claimed = db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.reminders_sent == number - 1)
            .values(reminders_sent=number, last_reminder_at=utcnow(), token_hash=token_hash)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue
        db.session.refresh(invitation)
        _queue_mail(invitation, raw, "reminder", keys.reminder(invitation, number))
        result.queued += 1
        if progress is not None:
            progress(1)
    return result


# -- delivery feedback ---------------------------------------------------------------------


@lru_cache(maxsize=2)
def _delivered_statement(new_status: str) -> Any:
    """UPDATE of one invitation, built once: it runs per message."""
    table = Invitation.__table__
    from_states = ("queued", "failed") if new_status == "sent" else ("queued",)
    values: dict[str, Any] = {"status": new_status, "updated_at": bindparam("b_now")}
    if new_status == "sent":
        values["sent_at"] = bindparam("b_now")
    return (
        update(table)
        .where(table.c.id == bindparam("b_invitation"), table.c.status.in_(from_states))
        .values(**values)
    )


def _on_delivered(message: OutboxMessage, new_status: str) -> None:
    if message.kind == OutboxKind.INVITATION and message.invitation_id is not None:
        db.session.execute(
            _delivered_statement(new_status),
            {"b_invitation": message.invitation_id, "b_now": utcnow()},
        )


def _on_sent(message: OutboxMessage, **_: Any) -> None:
    _on_delivered(message, "sent")


def _on_failed(message: OutboxMessage, **_: Any) -> None:
    _on_delivered(message, "failed")


RECEIVERS = ((signals.message_sent, _on_sent), (signals.message_failed, _on_failed))


# -- answers by token ----------------------------------------------------------------------


def find_by_token(raw: str) -> Invitation | None:
    """The invitation whose link carries ``raw`` (any state), or None; malformed gives None."""
    if not raw or len(raw) not in TOKEN_LENGTHS:
        return None
    return db.session.scalar(
        select(Invitation)
        .where(Invitation.token_hash == hash_token(raw))
        .options(joinedload(Invitation.event), joinedload(Invitation.respondent))
    )


def effective_status(invitation: Invitation, now: datetime | None = None) -> str:
    """The status to show: an unanswered invitation past its expiry is ``expired``."""
    now = now or utcnow()
    if invitation.status in ("queued", "sent", "failed") and (
        invitation.expires_at is not None and invitation.expires_at <= now
    ):
        return "expired"
    return invitation.status


def _check_open(invitation: Invitation) -> None:
    state = effective_status(invitation)
    if state == "expired":
        raise ServiceError("expired")
    if state in ANSWERED:
        raise ServiceError("answered")
    if invitation.event.status == "cancelled":
        raise ServiceError("cancelled")


def accept(invitation: Invitation) -> None:
    """The invitee accepts; registration follows."""
    _check_open(invitation)
    invitation.status = "accepted"
    invitation.answered_at = utcnow()


def decline(invitation: Invitation, reason: str = "") -> None:
    """The invitee declines, optionally saying why."""
    _check_open(invitation)
    invitation.status = "declined"
    invitation.answered_at = utcnow()
    invitation.decline_reason = (reason or "").strip()[:2000]


# -- the organiser's overview --------------------------------------------------------------


def _status_expression(now: datetime) -> Any:
    return case(
        (
            and_(
                Invitation.status.in_(("queued", "sent", "failed")),
                Invitation.expires_at.is_not(None),
                Invitation.expires_at <= now,
            ),
            "expired",
        ),
        else_=Invitation.status,
    )


def counts_by_country(event: Event) -> dict[str, dict[str, int]]:
    """{country: {status: n}} with the effective status (one query)."""
    status = _status_expression(utcnow()).label("state")
    rows = db.session.execute(
        select(Respondent.country, status, func.count())
        .select_from(Invitation)
        .join(Respondent, Respondent.id == Invitation.respondent_id)
        .where(Invitation.event_id == event.id)
        .group_by(Respondent.country, status)
    )
    table: dict[str, dict[str, int]] = {}
    for country, state, count in rows:
        table.setdefault(country or "?", {})[state] = count
    return dict(sorted(table.items()))


def list_invitations(event: Event, page: int = 1, per_page: int = 50) -> Any:
    """One page of the event's invitations with their respondents (two queries)."""
    query = (
        select(Invitation)
        .where(Invitation.event_id == event.id)
        .options(joinedload(Invitation.respondent))
        .order_by(Invitation.id)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
