"""Listing survey respondents for organisers: filters, pages and counts per country."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, exists, func, or_, select

from ..extensions import db
from ..models import Invitation, Respondent
from ..models.respondent import fold


@dataclass
class RespondentFilter:
    """What the organiser narrowed the list to; None means "any"."""

    country: str | None = None
    interested_in_event: bool | None = None
    interested_in_training: bool | None = None
    consent: bool | None = None
    invited: bool | None = None
    search: str = ""
    #: the countries the organiser sees (``services.scope.visible_countries``); None: all
    countries: frozenset[str] | None = None


def _invited() -> Any:
    return exists().where(Invitation.respondent_id == Respondent.id)


def respondents_query(filters: RespondentFilter) -> Select[tuple[Respondent]]:
    """The respondents that pass ``filters``, newest submissions first."""
    query = select(Respondent)
    if filters.countries is not None:
        query = query.where(Respondent.country.in_(sorted(filters.countries)))
    if filters.country:
        query = query.where(Respondent.country == filters.country)
    for name in ("interested_in_event", "interested_in_training", "consent"):
        wanted = getattr(filters, name)
        if wanted is not None:
            query = query.where(getattr(Respondent, name).is_(wanted))
    if filters.invited is not None:
        query = query.where(_invited() if filters.invited else ~_invited())
    search = fold(filters.search.replace("\x00", "").strip())  # PostgreSQL text holds no NUL
    if search:  # e-mail, name or organisation, case and diacritics folded on both databases
        query = query.where(Respondent.search_key.contains(search, autoescape=True))
    return query.order_by(Respondent.submitted_at.desc().nulls_last(), Respondent.id.desc())


def invitation_counts(respondent_ids: list[int]) -> dict[int, int]:
    """How many invitations each of ``respondent_ids`` has (one query)."""
    if not respondent_ids:
        return {}
    rows = db.session.execute(
        select(Invitation.respondent_id, func.count(Invitation.id))
        .where(Invitation.respondent_id.in_(respondent_ids))
        .group_by(Invitation.respondent_id)
    )
    return {respondent_id: count for respondent_id, count in rows}


@dataclass
class CountryCount:
    """Respondents of one country (None: no country given)."""

    country: str | None
    total: int
    consent: int
    interested: int
    invited: int


def country_counts(countries: frozenset[str] | None = None) -> list[CountryCount]:
    """Respondents per country, largest first (one query); only ``countries`` when given."""
    invited = (
        select(Invitation.respondent_id).where(Invitation.respondent_id.is_not(None)).distinct()
    ).subquery()
    query = (
        select(
            Respondent.country,
            func.count(Respondent.id),
            func.sum(case((Respondent.consent.is_(True), 1), else_=0)),
            func.sum(
                case(
                    (
                        or_(
                            Respondent.interested_in_event.is_(True),
                            Respondent.interested_in_training.is_(True),
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
            func.count(invited.c.respondent_id),
        )
        .outerjoin(invited, invited.c.respondent_id == Respondent.id)
        .group_by(Respondent.country)
    )
    if countries is not None:
        query = query.where(Respondent.country.in_(sorted(countries)))
    counts = [
        CountryCount(country, int(total), int(consent or 0), int(interested or 0), int(inv or 0))
        for country, total, consent, interested, inv in db.session.execute(query)
    ]
    return sorted(counts, key=lambda c: (-c.total, c.country or "~"))
