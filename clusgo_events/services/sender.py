"""Who a mail about an event comes from: the inviting association and a real contact person.

The association is the one the organiser chose for the event, else the partner association
(an organisation of kind ``association``) of the recipient's country: the National Cluster
Association for CZ, the Hungarian National Alliance of Innovative Clusters for HU, the Union of
Slovak Clusters for SK, the Polish National Association of Innovative Entrepreneurs for PL.
The contact is the event's contact person, else the organiser who created the event; their
address is the mail's Reply-To, so an answer reaches a person (From stays the app's sender).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from functools import lru_cache

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Event, Organisation, OrganisationKind

#: named when no partner association is known (another network's app, an empty database)
PROJECT_NAME = "V4ClusGo"


@dataclass(frozen=True)
class Sender:
    """The association a mail names and the person who answers it."""

    association: str
    contact_name: str = ""
    contact_email: str = ""
    partner: bool = True  # a partner association (not the project's own organisers)


def app_sender() -> Sender:
    """The sender of the mails about one's account (no event): the project's organisers,
    with ``MAIL_CONTACT`` (a real mailbox) as the contact when it is set."""
    name, address = parseaddr(current_app.config.get("MAIL_CONTACT") or "")
    return Sender(PROJECT_NAME, " ".join(name.split()), address, partner=False)


def partner_association(country: str | None) -> Organisation | None:
    """The partner association of ``country`` (the first by name when there are several)."""
    if not country:
        return None
    return db.session.scalar(
        select(Organisation)
        .where(
            Organisation.kind == OrganisationKind.ASSOCIATION,
            Organisation.country == country.upper(),
        )
        .order_by(Organisation.name, Organisation.id)
        .limit(1)
    )


def associations() -> list[Organisation]:
    """Every partner association, for the organiser's choice."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.ASSOCIATION)
            .order_by(Organisation.country, Organisation.name)
        )
    )


def sender_for(event: Event, country: str | None) -> Sender:
    """The sender of ``event``'s mail to someone of ``country``."""
    chosen = event.inviting_organisation or partner_association(country)
    name, address = event.contact_name or "", event.contact_email or ""
    if not address and event.created_by is not None:
        name, address = event.created_by.name or "", event.created_by.email
    if not address:
        fallback = app_sender()
        name, address = fallback.contact_name, fallback.contact_email
    if chosen is None:
        return Sender(PROJECT_NAME, name, address, partner=False)
    return Sender(chosen.name, name, address)


def senders_of(event: Event) -> Callable[[str | None], Sender]:
    """``sender_for(event, country)`` for one batch of mails: asked once per country."""
    return lru_cache(maxsize=16)(lambda country: sender_for(event, country))
