"""The domain: plain functions over models. They flush; the caller commits.

Refusals are ``ServiceError``s whose message is a lazy translation
(``flask_babel.lazy_gettext``): it is written in the language of whoever reads it, when it is
read (``exc.message`` is a ``str`` in the current locale).
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A rule was broken; ``field`` names the form field the message belongs to, if any."""

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(message)
        self._message = message
        self.field = field

    @property
    def message(self) -> str:
        """The message in the current locale."""
        return str(self._message)

    def __str__(self) -> str:
        return self.message


class ValidationErrors(ServiceError):
    """Several field errors at once: ``errors`` maps field name to message."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self._errors = errors

    @property
    def errors(self) -> dict[str, str]:
        """Field name -> message, in the current locale."""
        return {name: str(message) for name, message in self._errors.items()}

    @property
    def message(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.errors.items())
