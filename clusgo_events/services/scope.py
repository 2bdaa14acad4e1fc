"""Who may see and change what: the one home of the organisers' scope.

Every list and action an organiser uses asks here. The rule: organisers and admins manage
every event; an organiser whose account names a partner association (``User.association``,
set by an admin) sees that association's country's respondents, invitations and
registrations only; one without (the lead partner) and admins see every country.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, true

from ..extensions import db
from ..models import Event, Organisation, OrganisationKind, Role, User
from . import ServiceError, audit


def manages_event(user: User | None, event: Event) -> bool:
    """True when ``user`` may run ``event`` (its invitations, registrations, mail ...)."""
    return bool(user is not None and user.is_authenticated and user.has_role(Role.ORGANISER))


def visible_countries(user: User | None) -> frozenset[str] | None:
    """The countries whose respondents, invitations and registrations ``user`` sees;
    None means every country."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.role == Role.ADMIN or user.association_id is None:
        return None
    association = user.association
    return frozenset({association.country}) if association and association.country else frozenset()


def associations() -> list[Organisation]:
    """The partner associations an organiser may belong to."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.ASSOCIATION)
            .order_by(Organisation.country, Organisation.name)
        )
    )


def assign_association(user: User, association_id: int | None) -> User:
    """Limit ``user`` to a partner association's country (None: every country); audited."""
    association = None
    if association_id is not None:
        association = db.session.get(Organisation, association_id)
        if association is None or association.kind != OrganisationKind.ASSOCIATION:
            raise ServiceError(_l("Choose one of the partner associations."), "association")
    user.association_id = association.id if association is not None else None
    db.session.flush()
    audit.record(
        "user.association",
        user,
        {"association": association.name if association else None},
    )
    return user


def sees_country(user: User | None, country: str | None) -> bool:
    """True when ``user`` sees the people of ``country``."""
    countries = visible_countries(user)
    return countries is None or country in countries


def require_country(countries: frozenset[str] | None, country: str | None) -> None:
    """Refuse (on the ``country`` field) a person outside ``countries`` (from
    :func:`visible_countries`; None: every country), the organiser's own association's."""
    if countries is not None and (country or "").strip().upper() not in countries:
        raise ServiceError(
            _l(
                "Your account covers the people of %(countries)s only.",
                countries=", ".join(sorted(countries)) or "-",
            ),
            "country",
        )


def in_countries(countries: frozenset[str] | None, column: Any) -> Any:
    """A WHERE clause keeping the rows whose ``column`` is among ``countries`` (from
    :func:`visible_countries`; None: every row)."""
    return true() if countries is None else column.in_(sorted(countries))


def country_clause(user: User | None, column: Any) -> Any:
    """A WHERE clause keeping the rows of ``column``'s countries that ``user`` sees."""
    return in_countries(visible_countries(user), column)


def reads_trail(user: User | None, kind: str, obj: Any) -> bool:
    """True when ``user`` may read the audit trail of ``obj``: an event or a registration
    they manage, a respondent of a country they see; an account's (or everything's) only
    for admins."""
    if user is None or not user.is_authenticated:
        return False
    if kind in ("account", "all"):
        return user.has_role(Role.ADMIN)
    if kind == "event":
        return manages_event(user, obj)
    if kind == "registration":
        return manages_event(user, obj.event)
    if kind == "respondent":
        countries = visible_countries(user)
        return user.has_role(Role.ORGANISER) and (countries is None or obj.country in countries)
    return False
