"""The Outbox page's reading side: which messages a person may see, filtered and counted.

Who sees what is :mod:`..scope`'s rule: organisers see the mail of the events they manage (of
the countries they see), admins see all; a message about no event (an account e-mail) is the
admins' alone. A page costs a constant number of queries whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Event, OutboxKind, OutboxMessage, OutboxStatus, Respondent, Role, User
from ...models.enums import values
from .. import scope

PER_PAGE = 100
STATUSES = values(OutboxStatus)
KINDS = values(OutboxKind)


@dataclass(frozen=True)
class OutboxFilter:
    """The page's filters; ``None`` or empty means "any"."""

    status: str | None = None
    event_id: int | None = None
    kind: str | None = None
    recipient: str = ""


def is_admin(user: User | None) -> bool:
    """Admins see every message, account mails included."""
    return bool(user is not None and user.is_authenticated and user.role == Role.ADMIN)


def managed_events(user: User | None) -> list[Event]:
    """The events ``user`` may run (scope's rule), newest first: one query."""
    events = db.session.scalars(select(Event).order_by(Event.starts_at.desc(), Event.id))
    return [event for event in events if scope.manages_event(user, event)]


def visible(user: User | None, event_ids: list[int] | None = None) -> Any:
    """A WHERE clause: the messages ``user`` may see (``event_ids``: the managed events,
    when the caller has them already)."""
    if is_admin(user):
        return true()
    if user is None or not user.is_authenticated:
        return false()
    if event_ids is None:
        event_ids = [event.id for event in managed_events(user)]
    clause = OutboxMessage.event_id.in_(event_ids)
    countries = scope.visible_countries(user)
    if countries is not None:
        of_countries = select(Respondent.id).where(Respondent.country.in_(sorted(countries)))
        clause = and_(
            clause,
            or_(
                OutboxMessage.respondent_id.is_(None), OutboxMessage.respondent_id.in_(of_countries)
            ),
        )
    return clause


def may_see(user: User | None, message: OutboxMessage) -> bool:
    """True when ``user`` may see (and steer) ``message``: the same rule as the list."""
    if is_admin(user):
        return True
    if message.event_id is None or user is None:
        return False
    event = db.session.get(Event, message.event_id)
    if event is None or not scope.manages_event(user, event):
        return False
    countries = scope.visible_countries(user)
    if countries is None or message.respondent_id is None:
        return True
    respondent = db.session.get(Respondent, message.respondent_id)
    return respondent is not None and respondent.country in countries


def _filtered(where: Any, chosen: OutboxFilter, with_status: bool = True) -> list[Any]:
    conditions = [where]
    if with_status and chosen.status:
        conditions.append(OutboxMessage.status == chosen.status)
    if chosen.event_id is not None:
        conditions.append(OutboxMessage.event_id == chosen.event_id)
    if chosen.kind:
        conditions.append(OutboxMessage.kind == chosen.kind)
    if chosen.recipient:
        pattern = "%" + chosen.recipient.lower().replace("%", r"\%").replace("_", r"\_") + "%"
        conditions.append(func.lower(OutboxMessage.recipient).like(pattern, escape="\\"))
    return conditions


def list_messages(
    user: User | None,
    chosen: OutboxFilter,
    page: int = 1,
    per_page: int = PER_PAGE,
    event_ids: list[int] | None = None,
) -> Any:
    """One page of the messages ``user`` sees, newest first, with their events (two queries)."""
    query = (
        select(OutboxMessage)
        .where(*_filtered(visible(user, event_ids), chosen))
        .options(joinedload(OutboxMessage.event))
        .order_by(OutboxMessage.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def counts_by_status(
    user: User | None, chosen: OutboxFilter, event_ids: list[int] | None = None
) -> dict[str, int]:
    """How many of the messages ``user`` sees (under the other filters) are in each status."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count(OutboxMessage.id))
        .where(*_filtered(visible(user, event_ids), chosen, with_status=False))
        .group_by(OutboxMessage.status)
    )
    found = {status: n for status, n in rows}
    return {status: int(found.get(status, 0)) for status in STATUSES}


def failed_messages_of(invitation_ids: list[int]) -> dict[int, int]:
    """invitation id -> the id of its newest failed (or cancelled) message: the Invitations
    page links each failed invitation to it (one query for a page)."""
    if not invitation_ids:
        return {}
    rows = db.session.execute(
        select(OutboxMessage.invitation_id, func.max(OutboxMessage.id))
        .where(
            OutboxMessage.invitation_id.in_(invitation_ids),
            OutboxMessage.status.in_([OutboxStatus.FAILED, OutboxStatus.CANCELLED]),
        )
        .group_by(OutboxMessage.invitation_id)
    )
    return {int(invitation): int(message) for invitation, message in rows}
