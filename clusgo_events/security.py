"""Security headers on every response, the cookie policy outside development, the secret key
and the proxies trusted for the client's address and scheme.

The Content-Security-Policy allows only the app's own scripts and styles: no inline
``<script>`` bodies, no ``onclick=`` handlers, no ``style=`` attributes. Put JavaScript in
``static/js/<file>.js`` and styles in ``static/css/``.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Request, request
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items
from werkzeug.middleware.proxy_fix import ProxyFix
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


class SecretKeyMissing(RuntimeError):
    """The app would sign sessions with no key of its own: it refuses to start."""


SECRET_KEY_MISSING = (
    "SECRET_KEY is not set: set it in the environment (e.g. SECRET_KEY=$(python3 -c "
    "'import secrets; print(secrets.token_hex(32))')), or put one in {path}; "
    "in development, APP_ENV=development (or `make run`) generates one there"
)


def is_development(app: Flask) -> bool:
    """``APP_ENV=development`` or ``FLASK_DEBUG=1`` (tests are told apart by ``TESTING``)."""
    return bool(app.debug) or str(app.config.get("APP_ENV", "")).lower() == "development"


def require_secret_key(app: Flask) -> None:
    """A key of the app's own, or refuse to start with one line naming ``SECRET_KEY``.

    There is no public default. Tests without a key get a random one for the process; in
    development a key is generated once into ``SECRET_KEY_FILE`` (``instance/secret_key``)
    and kept across runs; anywhere else a missing key stops the app (``SecretKeyMissing``).
    """
    from config import ensure_secret_file, read_secret_file

    if app.config.get("SECRET_KEY"):
        return
    path = app.config.get("SECRET_KEY_FILE") or ""
    kept = read_secret_file(path) if path else None
    if kept:
        app.config["SECRET_KEY"] = kept
    elif app.testing:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    elif is_development(app) and path:
        app.config["SECRET_KEY"] = ensure_secret_file(path)
    else:
        raise SecretKeyMissing(SECRET_KEY_MISSING.format(path=path or "SECRET_KEY_FILE"))


def trust_proxies(app: Flask) -> None:
    """Believe ``X-Forwarded-For/-Proto/-Host/-Port`` from ``TRUSTED_PROXIES`` hops only.

    With 0 (the default) the client is the connection's peer and the headers are ignored, so
    nobody picks their own address for the log-in limit. With 1 (nginx in front of gunicorn)
    the last hop's values count: the real client's address keys the limits, and
    ``X-Forwarded-Proto: https`` makes the request secure (HSTS, secure redirects).
    """
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops < 0:
        raise ValueError(f"TRUSTED_PROXIES must be 0 or more, not {hops}")
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )


def init_app(app: Flask) -> None:
    """The secret key, trusted proxies, cookie policy, the headers and the bounded ``int``
    URL converter for ``app``."""
    require_secret_key(app)
    trust_proxies(app)
    resolve_cookie_security(app)
    # before the blueprints: a rule binds its converters when it is added
    app.url_map.converters["int"] = DatabaseIntConverter
    app.request_class = CleanRequest
    app.after_request(add_security_headers)
