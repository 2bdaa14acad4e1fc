"""Locale and time zone selection for Flask-Babel."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user

COUNTRY_LANGUAGE = {"CZ": "cs", "HU": "hu", "SK": "sk", "PL": "pl"}


def select_locale() -> str:
    """An explicit per-request override, the session's choice, the user's, else the browser's."""
    languages = current_app.config["LANGUAGES"]
    forced = getattr(g, "force_locale", None)
    if forced in languages:
        return forced
    if not has_request_context():  # CLI, workers: e-mails force their own locale
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or "en"


def select_timezone() -> str:
    """Times are shown in each event's zone by the templates; Babel's default is UTC."""
    return "UTC"


def language_for(preferred: str | None, country: str | None) -> str:
    """The language to write to someone in: theirs, else their country's, else English."""
    from flask import current_app as app

    languages = app.config["LANGUAGES"]
    if preferred and preferred.lower() in languages:
        return preferred.lower()
    return COUNTRY_LANGUAGE.get((country or "").upper(), "en")
