"""Security headers on every response, and the cookie policy outside development.

The Content-Security-Policy allows only the app's own scripts and styles: no inline
``<script>`` bodies, no ``onclick=`` handlers, no ``style=`` attributes. Put JavaScript in
``static/js/<file>.js`` and styles in ``static/css/``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Request, request
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items
from werkzeug.routing import IntegerConverter, Map
from werkzeug.wrappers import Response

#: the largest id an INTEGER column holds (PostgreSQL's int4)
MAX_DB_INT = 2**31 - 1

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)

#: Headers set on every response unless the view set them itself.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    # the trainer's page scans QR codes with the camera; nothing else needs a device
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
}

#: Query parameters that carry a secret: a page reached with one never leaks its address.
TOKEN_PARAMETERS = ("token", "invitation")

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def is_local_base_url(base_url: str) -> bool:
    """True when ``base_url`` is plain http on this machine (development)."""
    parts = urlsplit(base_url)
    return parts.scheme == "http" and (parts.hostname or "") in LOCAL_HOSTS


def secure_cookies_default(base_url: str) -> bool:
    """Cookies are HTTPS-only unless the app is served over http on loopback."""
    return not is_local_base_url(base_url)


def _is_token_page() -> bool:
    if any(name in request.args for name in TOKEN_PARAMETERS):
        return True
    return bool(request.view_args and "token" in request.view_args)


def add_security_headers(response: Response) -> Response:
    """``after_request``: the headers above; ``no-referrer`` on pages reached by a token."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if _is_token_page():
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def resolve_cookie_security(app: Flask) -> None:
    """Decide ``SESSION_COOKIE_SECURE``/``REMEMBER_COOKIE_SECURE`` when config left them None.

    An explicit value (``SESSION_COOKIE_SECURE`` in the environment, ``ProductionConfig``)
    wins; otherwise cookies are HTTPS-only unless ``BASE_URL`` is http on loopback.
    """
    default = secure_cookies_default(app.config.get("BASE_URL", ""))
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(key) is None:
            app.config[key] = default


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` bounded by what an INTEGER id column holds: a larger number in a URL is a
    404 rather than PostgreSQL's "integer out of range" (a 500)."""

    def __init__(
        self,
        map: Map,  # noqa: A002  (Werkzeug's name)
        fixed_digits: int = 0,
        min: int | None = None,  # noqa: A002
        max: int | None = None,  # noqa: A002
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, MAX_DB_INT if max is None else max, signed)


def _without_nul(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


class NulFreeMultiDict(ImmutableMultiDict):  # type: ignore[type-arg]
    """Query and form values with NUL characters dropped: PostgreSQL text cannot hold them
    (its driver raises, a 500), and nobody types one on purpose."""

    def __init__(self, mapping: Any = None) -> None:
        if mapping is not None:
            mapping = [(_without_nul(k), _without_nul(v)) for k, v in iter_multi_items(mapping)]
        super().__init__(mapping)


class CleanRequest(Request):
    """The app's request: ``args`` and ``form`` without NUL characters (uploaded files are
    untouched)."""

    parameter_storage_class = NulFreeMultiDict


def init_app(app: Flask) -> None:
    """Cookie policy, the headers and the bounded ``int`` URL converter for ``app``."""
    resolve_cookie_security(app)
    # before the blueprints: a rule binds its converters when it is added
    app.url_map.converters["int"] = DatabaseIntConverter
    app.request_class = CleanRequest
    app.after_request(add_security_headers)
