"""A form saved over a newer change is refused: the form carries the version it was read at.

The version is the object's ``updated_at`` (every model here keeps one, refreshed on every
ORM write), written as ISO text into a hidden field; saving compares it with the stored one.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from .. import ServiceError


def version_of(obj: Any) -> str:
    """The version of ``obj`` a form carries (its ``updated_at`` as ISO text)."""
    stamp = getattr(obj, "updated_at", None)
    return stamp.isoformat() if stamp is not None else ""


def check_fresh(obj: Any, seen: str | None) -> None:
    """Refuse when ``obj`` changed after the form showing version ``seen`` was read."""
    if (seen or "") != version_of(obj):
        raise ServiceError(
            _l(
                "Someone changed this record after you opened the form. Nothing was saved:"
                " check the current values below and save again."
            )
        )
