"""Checking a person's fields typed by an organiser: the survey import's normalisers, as
service refusals beside the form's fields."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from ...models import Respondent
from ...models.base import max_length
from .. import ServiceError, ValidationErrors
from ..survey.normalise import LANGUAGES, RowError, normalise_country, normalise_email


def clean_email(value: str, field: str = "email") -> str:
    """A valid address, lower-cased (the import's rule); else a refusal beside ``field``."""
    if not (value or "").strip():
        raise ServiceError(_l("Enter an e-mail address."), field)
    try:
        return normalise_email(value, smtputf8=bool(current_app.config.get("MAIL_SMTPUTF8")))
    except RowError as exc:
        raise ServiceError(exc.reason, field) from exc


def clean_country(value: str | None, field: str = "country") -> str | None:
    """ "CZ", "Czechia", "Česko" -> "CZ"; blank -> None; else a refusal."""
    try:
        return normalise_country(value or "")
    except RowError as exc:
        raise ServiceError(exc.reason, field) from exc


def clean_language(value: str | None, field: str = "language") -> str | None:
    """One of the five languages, or None for blank."""
    text = (value or "").strip().lower()
    if not text:
        return None
    if text not in LANGUAGES:
        raise ServiceError(_l("Choose one of the offered languages."), field)
    return text


def clean_text(value: str | None, column: Any, field: str) -> str:
    """``value`` stripped, refused when longer than ``column``'s limit."""
    text = (value or "").strip()
    limit = max_length(column)
    if len(text) > limit:
        raise ServiceError(_l("At most %(n)s characters.", n=limit), field)
    return text


def clean_person(
    email: str | None, contact_name: str, organisation_name: str, country: str, language: str
) -> dict[str, Any]:
    """A respondent's typed fields checked at once: the values, or every field's refusal
    (``email`` None: not asked)."""
    checks: dict[str, Any] = {
        "contact_name": lambda: clean_text(contact_name, Respondent.contact_name, "contact_name"),
        "organisation_name": lambda: clean_text(
            organisation_name, Respondent.organisation_name, "organisation_name"
        ),
        "country": lambda: clean_country(country),
        "language": lambda: clean_language(language),
    }
    if email is not None:
        checks = {"email": lambda: clean_email(email), **checks}
    values: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name, check in checks.items():
        try:
            values[name] = check()
        except ServiceError as exc:
            errors[name] = exc._message
    if errors:
        raise ValidationErrors(errors)
    return values
