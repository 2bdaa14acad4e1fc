"""The audit trail."""

from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import AuditEntry, User


def record(
    user: User | None, action: str, obj: Any, details: dict[str, Any] | None = None
) -> AuditEntry:
    """Record that ``user`` did ``action`` to ``obj``."""
    entry = AuditEntry(
        user_id=user.id if user is not None and getattr(user, "id", None) else None,
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        details=details or {},
    )
    db.session.add(entry)
    return entry
