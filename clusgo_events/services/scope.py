"""Who may see and change what: the one home of the organisers' scope.

Every list and action an organiser uses asks here, so that narrowing an organiser to their
own partner association later changes one module. Today's rule: organisers and admins manage
every event and see every country's people.
"""

from __future__ import annotations

from ..models import Event, Role, User


def manages_event(user: User | None, event: Event) -> bool:
    """True when ``user`` may run ``event`` (its invitations, registrations, mail ...)."""
    return bool(user is not None and user.is_authenticated and user.has_role(Role.ORGANISER))


def visible_countries(user: User | None) -> frozenset[str] | None:
    """The countries whose respondents, invitations and registrations ``user`` sees;
    None means every country."""
    return None
