"""The organiser's overview of an event's invitations: counts per country, one page of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Event, Invitation, Respondent
from ...models.base import utcnow
from ...models.enums import InvitationStatus
from ..scope import in_countries

PER_PAGE = 50
#: the organiser's filters of the list: the states a person sees ("unanswered": queued or sent)
FILTERS: dict[str, tuple[InvitationStatus, ...]] = {
    "unanswered": (InvitationStatus.QUEUED, InvitationStatus.SENT),
    "declined": (InvitationStatus.DECLINED,),
    "failed": (InvitationStatus.FAILED,),
    "accepted": (InvitationStatus.ACCEPTED,),
    "expired": (InvitationStatus.EXPIRED,),
}


def counts_by_country(
    event: Event, countries: frozenset[str] | None = None
) -> dict[str, dict[str, int]]:
    """{country: {status: n}} with the status a person sees (one query); only ``countries``
    (``services.scope.visible_countries``) when given."""
    status = Invitation.state_at(utcnow()).label("state")
    rows = db.session.execute(
        select(Respondent.country, status, func.count())
        .select_from(Invitation)
        .join(Respondent, Respondent.id == Invitation.respondent_id)
        .where(Invitation.event_id == event.id, in_countries(countries, Respondent.country))
        .group_by(Respondent.country, status)
    )
    table: dict[str, dict[str, int]] = {}
    for country, state, count in rows:
        table.setdefault(country or "?", {})[state] = count
    return dict(sorted(table.items()))


def list_invitations(
    event: Event,
    page: int = 1,
    per_page: int = PER_PAGE,
    countries: frozenset[str] | None = None,
    state: str | None = None,
) -> Any:
    """One page of the event's invitations with their respondents (two queries); only
    ``countries`` (``services.scope.visible_countries``) and only those in ``state`` (a key of
    :data:`FILTERS`) when given."""
    query = (
        select(Invitation)
        .join(Respondent, Respondent.id == Invitation.respondent_id)
        .where(Invitation.event_id == event.id, in_countries(countries, Respondent.country))
        .options(joinedload(Invitation.respondent))
        .order_by(Invitation.id)
    )
    if state in FILTERS:
        query = query.where(Invitation.state_at(utcnow()).in_([str(s) for s in FILTERS[state]]))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
