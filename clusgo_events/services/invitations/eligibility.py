"""Who may be invited to an event: DESIGN.md's rule, narrowed by the organiser."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, false, func, or_, select

from ...extensions import db
from ...models import Event, Invitation, Respondent
from ...models.enums import Interest, values
from .. import ServiceError

INTERESTS = values(Interest)


@dataclass
class Narrowing:
    """The organiser's narrowing of an event's eligibility rule."""

    countries: list[str] = field(default_factory=list)  # empty: every country the event targets
    interest: str = Interest.ANY


def _interest_clause(interest: str) -> Any:
    if interest == Interest.EVENT:
        return Respondent.interested_in_event.is_(True)
    if interest == Interest.TRAINING:
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
            _l(
                "This event does not invite %(unknown)s; choose among %(targets)s.",
                unknown=", ".join(unknown),
                targets=", ".join(targets) or "—",
            ),
            "countries",
        )
    if narrowing.interest not in INTERESTS:
        raise ServiceError(_l("Choose any, event or training."), "interest")
    return Narrowing(countries=countries, interest=narrowing.interest)


def contactable() -> Any:
    """The one rule of who may get an invitation or a reminder: consent given and not
    withdrawn since (an unsubscribe, say), and not erased."""
    return and_(
        Respondent.consent.is_(True),
        Respondent.consent_withdrawn_at.is_(None),
        Respondent.anonymised_at.is_(None),
    )


def may_contact_by_hand(respondent: Respondent) -> bool:
    """:func:`contactable` for one person an organiser invites, invites again or reminds: the
    same rule, except that someone the organiser added by hand (at their own request) needs
    no survey consent; a withdrawal or an erasure always refuses."""
    if respondent.anonymised_at is not None or respondent.consent_withdrawn_at is not None:
        return False
    return bool(respondent.consent or respondent.added_by_hand)


def eligible_query(event: Event, narrowing: Narrowing | None = None) -> Any:
    """The respondents the event may invite now (DESIGN.md's rule, narrowed)."""
    narrowing = check_narrowing(event, narrowing or Narrowing())
    countries = narrowing.countries or event.target_country_list
    already = exists().where(
        Invitation.event_id == event.id, Invitation.respondent_id == Respondent.id
    )
    event_interest = event.invite_interest if event.invite_interest in INTERESTS else Interest.ANY
    return select(Respondent).where(
        contactable(),
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
