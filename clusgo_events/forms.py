"""Form helpers shared by the blueprints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import flask_wtf
from babel import Locale, support
from flask import g
from flask_babel import get_locale
from wtforms.i18n import messages_path

from .services import ServiceError, ValidationErrors


class _WTFormsMessages:
    """WTForms' own messages ("This field is required.") in the page's language.

    Flask-WTF looks for WTForms' catalogue under the bare language code, but WTForms ships
    Czech as ``cs_CZ``: the language's territories are tried too, so no language falls back
    to English.
    """

    def _translations(self) -> Any:
        locale = get_locale() or Locale("en")
        cache = g.setdefault("_wtforms_translations", {})
        key = str(locale)
        if key not in cache:
            shipped = sorted(p.name for p in Path(messages_path()).glob(f"{locale.language}_*"))
            names = [key, *shipped, locale.language]
            cache[key] = support.Translations.load(messages_path(), names, domain="wtforms")
        return cache[key]

    def gettext(self, string: str) -> str:
        return self._translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations().ungettext(singular, plural, n)


_MESSAGES = _WTFormsMessages()


class FlaskForm(flask_wtf.FlaskForm):
    """Every form of the app: Flask-WTF's, with WTForms' messages in the page's language."""

    class Meta(flask_wtf.FlaskForm.Meta):
        def get_translations(self, form: Any) -> Any:
            return _MESSAGES


class ConfirmForm(FlaskForm):
    """A bare POST that carries only its CSRF token (publish, cancel, promote, confirm ...)."""


def apply_service_errors(form: FlaskForm, error: ServiceError, mapping: dict | None = None) -> None:
    """Show a service's messages beside the fields they concern (or at the form's top)."""
    mapping = mapping or {}
    errors = error.errors if isinstance(error, ValidationErrors) else {error.field: error.message}
    for name, message in errors.items():
        field = getattr(form, mapping.get(name, name) or "", None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), message]
        else:
            form.form_errors.append(message)
