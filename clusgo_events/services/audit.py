"""The audit trail: every state change writes its entry from the operation itself.

Who acted is found here, not passed around: the logged-in user of a web request, nobody (an
invitee's token, say) for an anonymous request, and the command line or the delivery worker
outside a request (``acting_from("worker")``). So ``flask survey import`` leaves the same trace
as the upload page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import g, has_app_context, has_request_context
from flask_login import current_user

from ..extensions import db
from ..models import AuditEntry, Event, User
from ..models.enums import AuditSource

_CURRENT: Any = object()


def current_actor() -> tuple[User | None, AuditSource]:
    """The user acting now (None when nobody is logged in) and where the change came from."""
    if has_request_context():
        user = current_user._get_current_object() if current_user.is_authenticated else None
        return user, AuditSource.WEB
    source = g.get("audit_source") if has_app_context() else None
    return None, AuditSource(source or AuditSource.CLI)


@contextmanager
def acting_from(source: AuditSource | str) -> Iterator[None]:
    """Changes made inside are recorded as coming from ``source`` (outside a web request)."""
    previous = g.get("audit_source")
    g.audit_source = AuditSource(source)
    try:
        yield
    finally:
        g.audit_source = previous


def _event_id_of(obj: Any) -> int | None:
    if isinstance(obj, Event):
        return obj.id
    event_id = getattr(obj, "event_id", None)
    if event_id is None and getattr(obj, "registration", None) is not None:
        event_id = getattr(obj.registration, "event_id", None)
    if event_id is None and getattr(obj, "session", None) is not None:
        event_id = getattr(obj.session, "event_id", None)
    return event_id if isinstance(event_id, int) else None


def record(
    action: str,
    obj: Any,
    details: dict[str, Any] | None = None,
    *,
    actor: User | None = _CURRENT,
    event: Event | None = None,
) -> AuditEntry:
    """Record ``action`` on ``obj`` by the current actor (or ``actor``), in the caller's
    transaction; ``event`` (else the one ``obj`` belongs to) files it under that event."""
    if hasattr(obj, "_get_current_object"):  # current_user: the account, not its proxy
        obj = obj._get_current_object()
    user, source = current_actor()
    if actor is not _CURRENT:
        user = actor
    entry = AuditEntry(
        user_id=user.id if user is not None and getattr(user, "id", None) else None,
        source=source,
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        event_id=event.id if event is not None else _event_id_of(obj),
        details=details or {},
    )
    db.session.add(entry)
    return entry
