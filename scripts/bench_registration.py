"""Load figures for registration: registrations per second, and the event page next to /hello.

Runs gunicorn with 2 sync workers on loopback against a fresh database (SQLite in a temporary
folder, or ``--database-url``), seeds an event with 1,000 registrations, then in one run:

1. registrations per second: N logged-in representatives register at once (C at a time);
2. invitees per second: M invitees register through their invitation links, C at a time, each
   creating their account (an Argon2id hash with the production parameters, ~0.1 s of CPU);
3. both at once: N more logged-in people and M more invitees, C/2 at a time each. While a hash
   is computed under the event's write lock (on SQLite the whole database's) every other
   registration waits for it: the logged-in people's figure here shows whether it is;
4. the bare ``/hello`` route and the event page, each for a few seconds at 20 concurrent users:
   requests per second, p50 and p99 latency.

A small threaded HTTP client from the standard library drives the load (one TCP connection per
request, as gunicorn's sync workers close them). Figures are printed; nothing is asserted.

    .venv/bin/python scripts/bench_registration.py [--seconds 10] [--users 20] [--json]

With ``--json`` the last line is the JSON list of figures that scripts/bench_all.py reads (the
event page next to ``/hello`` measured in the same run).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-42"
CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


class Client:
    """One simulated person: cookies and a fresh connection per request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, float]:
        body = urllib.parse.urlencode(form or {}, doseq=True) if form is not None else None
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text, elapsed

    def csrf(self, path: str) -> str:
        _, text, _ = self.request("GET", path)
        match = CSRF_RE.search(text)
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1) or match.group(2)

    def login(self, email: str) -> None:
        token = self.csrf("/auth/login")
        status, _, _ = self.request(
            "POST", "/auth/login", {"csrf_token": token, "email": email, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"log-in of {email} failed with {status}")


def seed(
    url: str, registrations: int, registrants: int, invitees: int
) -> tuple[str, int, list[str]]:
    """Migrate, create the event with ``registrations`` people, twice ``registrants`` accounts
    and twice ``invitees`` sent invitations of respondents without an account (their raw
    tokens): one half for each phase alone, the other for both phases at once."""
    from flask_migrate import upgrade

    from clusgo_events import create_app
    from clusgo_events.extensions import db
    from clusgo_events.models import Invitation, Respondent
    from clusgo_events.services import registration as reg_service
    from clusgo_events.services.events import (
        EventData,
        SessionData,
        add_session,
        create_event,
        publish_event,
    )
    from clusgo_events.services.tokens import new_token
    from clusgo_events.services.users import create_user

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_FAST": True, "SECRET_KEY": "bench-secret"}
    )
    with app.app_context():
        if url.startswith("postgresql"):  # a scratch database: start from an empty schema
            from sqlalchemy import text

            print(f"WARNING: {url} is wiped", flush=True)
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        start = datetime.now(UTC) + timedelta(days=60)
        event = create_event(
            EventData(
                title="Benchmark event",
                slug="bench-event",
                starts_local=start.replace(tzinfo=None, hour=9, minute=0),
                ends_local=start.replace(tzinfo=None, hour=17, minute=0),
                venue="Brno Exhibition Centre",
                capacity=100000,
                allow_direct_signup=True,
            )
        )
        for number, capacity in enumerate((50, 400, 5000), start=1):
            add_session(
                event,
                SessionData(
                    title=f"Training {number}",
                    starts_local=start.replace(tzinfo=None, hour=9 + number, minute=0),
                    ends_local=start.replace(tzinfo=None, hour=10 + number, minute=0),
                    capacity=capacity,
                ),
            )
        publish_event(event)
        db.session.commit()
        session_ids = [s.id for s in event.sessions]
        countries = ["CZ", "HU", "SK", "PL"]
        print(f"seeding {registrations} registrations ...", flush=True)
        for n in range(registrations):
            person = create_user(f"person{n}@bench.example", "representative", PASSWORD)
            reg_service.register(
                event,
                reg_service.Attendee(
                    name=f"Person {n}",
                    email=person.email,
                    organisation_name=f"Cluster {n % 37}",
                    country=countries[n % 4],
                    privacy_consent=True,
                ),
                [session_ids[n % 3], session_ids[(n + 1) % 3]],
                user=person,
            )
            db.session.commit()
        for n in range(registrants * 2):  # half register alone, half alongside invitees
            create_user(f"new{n}@bench.example", "representative", PASSWORD, f"New {n}")
        tokens = []
        for n in range(invitees * 2):
            respondent = Respondent(
                email=f"invitee{n}@bench.example",
                contact_name=f"Invitee {n}",
                country=countries[n % 4],
                consent=True,
                interested_in_event=True,
                raw_answers={},
            )
            raw, token_hash = new_token()
            db.session.add(
                Invitation(
                    event=event,
                    respondent=respondent,
                    token_hash=token_hash,
                    language="en",
                    status="sent",
                    sent_at=datetime.now(UTC),
                    expires_at=event.starts_at,
                )
            )
            tokens.append(raw)
        db.session.commit()
        db.engine.dispose()
        return "bench-event", session_ids[0], tokens


def start_gunicorn(url: str, port: int, workdir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret",
        "RATELIMIT_ENABLED": "0",
        "BASE_URL": f"http://127.0.0.1:{port}",
    }
    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    probe = Client(port)
    for _ in range(100):
        try:
            if probe.request("GET", "/healthz")[0] == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("gunicorn did not start; see " + str(workdir / "gunicorn.log"))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def hammer(port: int, path: str, users: int, seconds: float) -> dict[str, float]:
    """``users`` threads GET ``path`` for ``seconds``; requests per second and latencies."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def user() -> None:
        client = Client(port)
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < deadline:
            status, _, elapsed = client.request("GET", path)
            mine.append(elapsed)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=user) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def logged_in_posts(port: int, slug: str, session_id: int, numbers: range) -> list:
    """The registration POSTs of the accounts ``numbers``, logged in and ready to send."""
    posts = []
    print(f"logging in {len(numbers)} accounts ...", flush=True)
    for n in numbers:
        client = Client(port)
        client.login(f"new{n}@bench.example")
        form = {
            "csrf_token": client.csrf(f"/events/{slug}/register"),
            "name": f"New {n}",
            "email": f"new{n}@bench.example",
            "country": "SK",
            "sessions": [str(session_id)],
            "privacy_consent": "y",
        }
        posts.append((client, f"/events/{slug}/register", form))
    return posts


def invitee_posts(port: int, slug: str, session_id: int, tokens: list[str], first: int) -> list:
    """The registration POSTs of the invitees with ``tokens`` (numbered from ``first``), each
    creating their account (a password hash), their forms opened and ready to send."""
    posts = []
    print(f"opening {len(tokens)} invitation links ...", flush=True)
    for n, token in enumerate(tokens, start=first):
        client = Client(port)
        path = f"/events/{slug}/register?invitation={token}"
        form = {
            "csrf_token": client.csrf(path),
            "name": f"Invitee {n}",
            "email": f"invitee{n}@bench.example",
            "country": "CZ",
            "sessions": [str(session_id)],
            "password": PASSWORD,
            "password_again": PASSWORD,
            "privacy_consent": "y",
        }
        posts.append((client, path, form))
    return posts


def post_both(first: list, second: list, users: int) -> tuple[dict, dict]:
    """Send both lists of POSTs at the same time, ``users // 2`` at a time each."""
    results: list[dict] = [{}, {}]

    def run(index: int, posts: list) -> None:
        results[index] = post_all(posts, max(users // 2, 1))

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results[0], results[1]


def post_all(posts: list[tuple[Client, str, dict]], users: int) -> dict:
    """Send every prepared POST, ``users`` at a time; how many per second, and their latency."""
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    queue = list(posts)

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                client, path, form = queue.pop()
            status, _, elapsed = client.request("POST", path, form)
            with lock:
                latencies.append(elapsed)
                statuses.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "registrations": len(statuses),
        "ok": statuses.count(302),
        "per_second": len(statuses) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        help="default: a fresh SQLite file in a temp folder; a PostgreSQL database is WIPED",
    )
    parser.add_argument("--port", type=int, default=0, help="default: a free loopback port")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--registrations", type=int, default=1000)
    parser.add_argument("--registrants", type=int, default=100)
    parser.add_argument("--invitees", type=int, default=40)
    parser.add_argument("--json", action="store_true", help="JSON list on the last line")
    args = parser.parse_args()
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
        slug, session_id, tokens = seed(url, args.registrations, args.registrants, args.invitees)
        server = start_gunicorn(url, args.port, workdir)
        try:
            port, count, half = args.port, args.registrants, args.invitees
            reg = post_all(logged_in_posts(port, slug, session_id, range(count)), args.users)
            invited = post_all(invitee_posts(port, slug, session_id, tokens[:half], 0), args.users)
            mixed_reg, mixed_invited = post_both(
                logged_in_posts(port, slug, session_id, range(count, 2 * count)),
                invitee_posts(port, slug, session_id, tokens[half:], half),
                args.users,
            )
            hello = hammer(args.port, "/hello", args.users, args.seconds)
            page = hammer(args.port, f"/events/{slug}", args.users, args.seconds)
        finally:
            server.terminate()
            server.wait(10)
    print()
    print(f"database: {url.split(':', 1)[0]}; gunicorn 2 sync workers; {args.users} users")
    print(
        f"registrations: {reg['registrations']} ({reg['ok']} ok) at {reg['per_second']:.1f}/s, "
        f"p50 {reg['p50_ms']:.0f} ms, p99 {reg['p99_ms']:.0f} ms"
    )
    for name, figures in (
        ("invitees with a new account", invited),
        ("both at once: logged-in people", mixed_reg),
        ("both at once: invitees", mixed_invited),
    ):
        print(
            f"{name}: {figures['registrations']} ({figures['ok']} ok) at "
            f"{figures['per_second']:.1f}/s, p50 {figures['p50_ms']:.0f} ms, "
            f"p99 {figures['p99_ms']:.0f} ms"
        )
    for name, figures in (("/hello", hello), (f"/events/{slug} (1,000 regs)", page)):
        print(
            f"{name:32} {figures['rps']:7.1f} req/s  p50 {figures['p50_ms']:6.1f} ms  "
            f"p99 {figures['p99_ms']:6.1f} ms  errors {figures['errors']}"
        )
    ratio = page["rps"] / hello["rps"] if hello["rps"] else 0.0
    print(
        f"event page / hello throughput: {ratio:.2f} (goal >= 0.33); "
        f"event page p99 {page['p99_ms']:.0f} ms (goal < 100 ms)"
    )
    if args.json:
        print(json.dumps(json_figures(args, reg, invited, mixed_reg, hello, page)))


def json_figures(
    args: argparse.Namespace, reg: dict, invited: dict, mixed: dict, hello: dict, page: dict
) -> list[dict]:
    """The convention of scripts/bench_all.py: the event page next to /hello."""
    where = f"{args.users} users, gunicorn 2 workers"
    page_name = f"event page ({args.registrations:,} registrations)"

    def fig(name: str, value: float, unit: str, ref: str | None, ref_value: float | None) -> dict:
        return {
            "name": name,
            "value": round(value, 1),
            "unit": unit,
            "reference_name": ref,
            "reference_value": None if ref_value is None else round(ref_value, 1),
        }

    return [
        fig(f"registrations per second, {where}", reg["per_second"], "reg/s", None, None),
        fig("registration POST p99", reg["p99_ms"], "ms", None, None),
        fig(
            f"invitees registering with a new account per second, {where}",
            invited["per_second"],
            "reg/s",
            None,
            None,
        ),
        fig(
            "registrations per second while invitees register",
            mixed["per_second"],
            "reg/s",
            "registrations per second alone",
            reg["per_second"],
        ),
        fig(f"hello route, {where}", hello["rps"], "req/s", None, None),
        fig(f"{page_name}, {where}", page["rps"], "req/s", "hello route", hello["rps"]),
        fig(f"{page_name} p50", page["p50_ms"], "ms", "hello route p50", hello["p50_ms"]),
        fig(f"{page_name} p99", page["p99_ms"], "ms", "hello route p99", hello["p99_ms"]),
    ]


if __name__ == "__main__":
    main()
