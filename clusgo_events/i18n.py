"""Choosing the language of a page, and of a message to someone.

A page speaks, in this order: ``?lang=xx`` on any URL (the choice then sticks: a cookie for a
visitor, the account for a logged-in user), the page's own language (an invitation's pages
speak the invitation's, set with :func:`page_language`), the logged-in user's account, the
visitor's cookie, else the browser's Accept-Language.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import refresh
from flask_login import current_user
from werkzeug.wrappers import Response

COUNTRY_LANGUAGE = {"CZ": "cs", "HU": "hu", "SK": "sk", "PL": "pl"}
#: each language named in itself, so everyone finds their own (the switcher, the profile)
LANGUAGE_NAMES = {
    "cs": "čeština",
    "hu": "magyar",
    "sk": "slovenčina",
    "pl": "polski",
    "en": "English",
}
COOKIE = "lang"
COOKIE_AGE = 365 * 24 * 3600


def languages() -> list[str]:
    """The languages the app speaks (``LANGUAGES``)."""
    return list(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """The language of this page (see the module's docstring), or of a CLI/worker run."""
    known = languages()
    forced = getattr(g, "force_locale", None) if has_request_context() else None
    if not has_request_context():  # CLI, workers: e-mails force their own locale
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    chosen = request.args.get("lang")
    if chosen in known:
        return chosen
    if forced in known:
        return forced
    user = current_user
    if user and user.is_authenticated and user.language in known:
        return user.language
    if request.cookies.get(COOKIE) in known:
        return request.cookies[COOKIE]
    return request.accept_languages.best_match(known) or "en"


def page_language(language: str | None) -> None:
    """This page speaks ``language`` unless the reader chose one (an invitation's pages)."""
    if language:
        g.force_locale = language
        refresh()


def select_timezone() -> str:
    """Times are shown in each event's zone by the formatter; Babel's default is UTC."""
    return "UTC"


def language_for(preferred: str | None, country: str | None) -> str:
    """The language to write to someone in: theirs, else their country's, else English."""
    known = languages()
    if preferred and preferred.lower() in known:
        return preferred.lower()
    return COUNTRY_LANGUAGE.get((country or "").upper(), "en")


def init_app(app: Flask) -> None:
    """Per-request locale (no cache carried between requests) and ``?lang=`` that sticks."""

    @app.before_request
    def _fresh_locale() -> None:
        # Flask-Babel caches the locale on ``g``; an app context that outlives one request
        # (the tests', a worker's) would carry one request's language into the next.
        g.pop("_flask_babel", None)
        g.pop("force_locale", None)
        _remember_choice()

    @app.teardown_request
    def _forget_locale(_exc: BaseException | None) -> None:
        g.pop("_flask_babel", None)
        g.pop("force_locale", None)

    @app.after_request
    def _choice_cookie(response: Response) -> Response:
        chosen = request.args.get("lang")
        if chosen in languages() and request.cookies.get(COOKIE) != chosen:
            response.set_cookie(
                COOKIE, chosen, max_age=COOKIE_AGE, samesite="Lax", httponly=True,
                secure=request.is_secure,
            )  # fmt: skip
        return response

    @app.context_processor
    def _switcher() -> dict:
        return {"language_links": language_links, "LANGUAGE_NAMES": LANGUAGE_NAMES}


def _remember_choice() -> None:
    """``?lang=xx`` by a logged-in user becomes their account's language."""
    chosen = request.args.get("lang")
    if chosen not in languages():
        return
    user = current_user
    if user and user.is_authenticated and user.language != chosen:
        from .services.users import set_language

        set_language(user, chosen)
        from .extensions import db

        db.session.commit()


def language_links() -> list[tuple[str, str, str, bool]]:
    """The switcher: ``(code, own name, this URL with ?lang=code, is current)`` per language."""
    from flask_babel import get_locale

    current = str(get_locale())
    args = request.args.to_dict(flat=False)
    if "next" in args:  # only a path of this site travels on (never an outside address)
        args["next"] = [n for n in args["next"] if n.startswith("/") and not n.startswith("//")]
    links = []
    for code in languages():
        args["lang"] = [code]
        url = request.path + "?" + _encode(args)
        links.append((code, LANGUAGE_NAMES.get(code, code), url, code == current))
    order = list(LANGUAGE_NAMES)
    return sorted(links, key=lambda link: order.index(link[0]) if link[0] in order else 99)


def _encode(args: dict[str, list[str]]) -> str:
    from urllib.parse import urlencode

    return urlencode([(k, v) for k, values in args.items() for v in values])
