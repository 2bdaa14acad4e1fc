"""Stale forms: a form carries the version of what it shows, and the change refuses to act
when the object changed in between ("an edit over a newer change says so").

The version is a short digest of the object's column values, so every model has one without
a column of its own, and any change (another organiser's edit, a registration that moved a
count, a cancellation) makes the form stale. The one home of that rule: pages put
:func:`version_of` into the form (a hidden field), services call :func:`check_fresh` (a
confirmation) or :func:`check_form_fresh` (an edit form).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect

from . import ServiceError

#: the hidden form field that carries the version
FIELD = "version"
#: columns that change without anyone editing the object (a log-in notes its time)
IGNORED = frozenset({"last_login_at"})


def version_of(obj: Any) -> str:
    """A digest of ``obj``'s column values (16 hex digits)."""
    mapper = inspect(type(obj))
    parts = [
        f"{column.key}={getattr(obj, column.key)!r}"
        for column in mapper.column_attrs
        if column.key not in IGNORED
    ]
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:16]


def check_fresh(obj: Any, seen: str | None) -> None:
    """Refuse when the form showed another version of ``obj`` than the one stored now.

    ``seen`` None (the command line, an older form) skips the check.
    """
    if seen is not None and seen != version_of(obj):
        raise ServiceError(
            _l("This was changed since you opened the page, so nothing was done. Look again.")
        )


def check_form_fresh(obj: Any, seen: str | None) -> None:
    """:func:`check_fresh` for an edit form, which always carries its version (a missing one
    is refused too); the message sends the reader to the current values the form shows."""
    if (seen or "") != version_of(obj):
        raise ServiceError(
            _l(
                "Someone changed this record after you opened the form. Nothing was saved:"
                " check the current values below and save again."
            )
        )
