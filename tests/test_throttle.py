"""The log-in limit behind a proxy: the real client's address, counters every worker shares."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from limits import parse
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import FixedWindowRateLimiter

from clusgo_events import create_app
from clusgo_events.extensions import db, limiter
from clusgo_events.models import RateLimitCounter
from clusgo_events.services.throttle import DatabaseStorage
from tests.conftest import PASSWORD
from tests.process_helpers import run_python

ROOT = Path(__file__).resolve().parent.parent
LIMIT = "3 per minute"


@pytest.fixture()
def limited(app: Flask) -> Iterator[Flask]:
    """The app with the log-in limit on (3 a minute), counted in the database."""
    built = create_app({**app.config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": LIMIT})
    yield built
    with built.app_context():
        db.engine.dispose()


def _build(app: Flask, **settings: object) -> Flask:
    return create_app(
        {**app.config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": LIMIT, **settings}
    )


def _attempt(app: Flask, forwarded_for: str | None = None, peer: str = "10.0.0.1") -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = app.test_client().post(
        "/auth/login",
        data={"email": "someone@example.org", "password": "wrong-password"},
        headers=headers,
        environ_base={"REMOTE_ADDR": peer},
    )
    return response.status_code


def test_default_storage_is_the_database(limited: Flask) -> None:
    assert isinstance(limiter.storage, DatabaseStorage)
    assert [_attempt(limited) for _ in range(4)] == [200, 200, 200, 429]
    with limited.app_context():
        counters = db.session.scalars(db.select(RateLimitCounter)).all()
        assert [c.count for c in counters] == [4]
        assert "10.0.0.1" in counters[0].key


def test_two_storages_share_the_count(app: Flask) -> None:
    """Two workers each build their own storage object: they count together (memory does not)."""
    item = parse(LIMIT)
    one, two = FixedWindowRateLimiter(DatabaseStorage()), FixedWindowRateLimiter(DatabaseStorage())
    assert one.hit(item, "client") and two.hit(item, "client") and one.hit(item, "client")
    assert not two.hit(item, "client")
    assert one.hit(item, "another client")
    apart = FixedWindowRateLimiter(MemoryStorage()), FixedWindowRateLimiter(MemoryStorage())
    assert all(side.hit(item, "client") for side in apart for _ in range(3))


def test_a_window_ends(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    storage = DatabaseStorage()
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get_expiry("k") == pytest.approx(
        clock.now.timestamp() + 60
    )
    clock.advance(seconds=61)
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1
    storage.incr("other", 60)
    clock.advance(seconds=61)
    storage.incr("third", 60)  # a new window sweeps the ended ones
    assert db.session.scalars(db.select(RateLimitCounter.key)).all() == ["third"]
    storage.clear("third")
    assert storage.get("third") == 0 and storage.check()


def test_untrusted_forwarded_for_is_ignored(app: Flask) -> None:
    """With no trusted proxy (the default) a client cannot pick a new address per attempt."""
    built = _build(app)
    codes = [_attempt(built, forwarded_for=f"198.51.100.{n}") for n in range(4)]
    assert codes == [200, 200, 200, 429]
    with built.app_context():
        db.engine.dispose()


def test_behind_a_trusted_proxy_each_client_is_limited_separately(app: Flask) -> None:
    built = _build(app, TRUSTED_PROXIES=1)
    proxy = "10.0.0.1"
    assert [_attempt(built, "203.0.113.5", proxy) for _ in range(3)] == [200, 200, 200]
    assert _attempt(built, "203.0.113.5", proxy) == 429
    # what the client itself put in front of the proxy's value does not change who it is
    assert _attempt(built, "192.0.2.77, 203.0.113.5", proxy) == 429
    # another client behind the same proxy still gets in
    assert _attempt(built, "203.0.113.6", proxy) == 200
    with built.app_context():
        db.engine.dispose()


def test_hsts_when_a_trusted_proxy_says_https(app: Flask) -> None:
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    trusted = create_app({**app.config, "TRUSTED_PROXIES": 1})
    response = trusted.test_client().get("/events/", headers=headers)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    untrusted = create_app({**app.config, "TRUSTED_PROXIES": 0})
    response = untrusted.test_client().get("/events/", headers=headers)
    assert "Strict-Transport-Security" not in response.headers
    for built in (trusted, untrusted):
        with built.app_context():
            db.engine.dispose()


def test_negative_trusted_proxies_refused(app: Flask) -> None:
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        create_app({**app.config, "TRUSTED_PROXIES": -1})


def test_redis_uri_selects_redis(app: Flask) -> None:
    """``RATELIMIT_STORAGE_URI=redis://...`` hands the counters to ``limits``' Redis storage."""
    built = _build(app, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6390/0")
    assert isinstance(limiter.storage, RedisStorage)
    with built.app_context():
        db.engine.dispose()


@pytest.mark.slow
def test_two_worker_processes_share_the_count(app: Flask) -> None:
    """A second process (a gunicorn worker, say) spends part of the limit; this one sees it."""
    from tests.conftest import make_user

    email = make_user("trainer").email
    db.session.remove()
    script = (
        "import os, wsgi\n"
        "wsgi.app.config['WTF_CSRF_ENABLED'] = False\n"
        "client = wsgi.app.test_client()\n"
        "for _ in range(2):\n"
        "    r = client.post('/auth/login', data={'email': os.environ['WHO'], 'password': 'x'})\n"
        "    print(r.status_code)\n"
    )
    env = dict(
        os.environ,
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_ENABLED="1",
        LOGIN_RATE_LIMIT=LIMIT,
        WHO=email,
    )
    other = run_python(script, env)
    assert other.returncode == 0, other.stderr
    assert other.stdout.split() == ["200", "200"]
    built = _build(app)
    client = built.test_client()
    assert (
        client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    )
    assert (
        client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 429
    )
    with built.app_context():
        db.engine.dispose()
