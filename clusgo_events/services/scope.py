"""Who may see and change what: the one home of the organisers' scope.

Every list and action an organiser uses asks here, so that narrowing an organiser to their
own partner association later changes one module. Today's rule: organisers and admins manage
every event and see every country's people.
"""

from __future__ import annotations

from typing import Any

from ..models import Event, Role, User


def manages_event(user: User | None, event: Event) -> bool:
    """True when ``user`` may run ``event`` (its invitations, registrations, mail ...)."""
    return bool(user is not None and user.is_authenticated and user.has_role(Role.ORGANISER))


def visible_countries(user: User | None) -> frozenset[str] | None:
    """The countries whose respondents, invitations and registrations ``user`` sees;
    None means every country."""
    return None


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
