"""Growth of time and queries from 1,000 to 10,000 and 100,000 respondents and registrations.

For each size N, in a fresh SQLite file (or ``--scratch-database-url``, which is WIPED):

- the survey import of an N-row CSV file (the real import, which also fills the table);
- the organiser's respondents list (first page) and a search over it, with N respondents;
- the public event page and the organiser's registrations pages (the first and the last page
  of the event's list, the first page of one session's list) of an event holding N
  registrations (each with one seat), bulk-inserted directly for speed.

Pages go through the test client (routing, log-in, templates included); each is timed as the
median of ``--runs`` requests after a warm-up one (only that one when it takes over two
seconds) and its SQL queries are counted. The reference of every figure is the same figure at
the smallest size, so the ratio column of ``make bench`` reads as the growth.

    .venv/bin/python scripts/bench_growth.py [--sizes 1000 10000 100000] [--runs 3] [--json]

With ``--json`` the last line is the JSON list of figures that scripts/bench_all.py reads.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from clusgo_events import create_app  # noqa: E402
from clusgo_events.extensions import db  # noqa: E402
from clusgo_events.models import Registration, SessionSeat, User  # noqa: E402
from clusgo_events.services.events import (  # noqa: E402
    EventData,
    SessionData,
    add_session,
    create_event,
    publish_event,
)
from clusgo_events.services.survey import import_rows, read_survey_file  # noqa: E402
from clusgo_events.services.users import create_user  # noqa: E402
from tests.survey_helpers import HEADER, csv_bytes, make_rows  # noqa: E402

PASSWORD = "bench-password-42"
CODES = ["CZ", "HU", "SK", "PL"]
NAMES = ["Řehoř Dvořák", "Győző Szőke", "Ľubomír Kráľ", "Michał Żąbkowski", "Anna Nováková"]


class Counter:
    """Counts the SQL statements sent while active."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, *_args: object, **_kw: object) -> None:
        self.n += 1

    def __enter__(self) -> Counter:
        self.n = 0
        sa_event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_exc: object) -> None:
        sa_event.remove(db.engine, "before_cursor_execute", self)


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, int]:
    """(median ms, queries of the last run) of ``runs`` runs after a warm-up one.

    A warm-up over two seconds is the measurement itself (compiling the templates is lost in
    it), so that the largest sizes are requested once.
    """
    times: list[float] = []
    queries = 0
    for attempt in range(runs + 1):
        db.session.expire_all()
        with Counter() as counter:
            started = time.perf_counter()
            fn()
            elapsed = (time.perf_counter() - started) * 1000
        queries = counter.n
        if attempt or elapsed > 2000:
            times.append(elapsed)
        if elapsed > 2000:
            break
    return statistics.median(times), queries


def get(client, path: str) -> Callable[[], None]:  # type: ignore[no-untyped-def]
    def fetch() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    return fetch


def fill_registrations(n: int) -> str:
    """An event with three sessions and ``n`` confirmed registrations, one seat each."""
    start = datetime(2030, 5, 20, 9, 0)
    event = create_event(
        EventData(
            title="Growth event",
            slug="growth",
            starts_local=start,
            ends_local=start + timedelta(hours=8),
            venue="Brno Exhibition Centre",
            capacity=n,
            allow_direct_signup=True,
        )
    )
    for s in range(3):
        add_session(
            event,
            SessionData(
                title=f"Training {s + 1}",
                starts_local=start + timedelta(hours=s + 1),
                ends_local=start + timedelta(hours=s + 2),
                capacity=n,
            ),
        )
    publish_event(event)
    db.session.commit()
    sessions = list(event.sessions)
    first_user = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    now = datetime.now(UTC)
    for chunk in range(0, n, 10_000):
        ids = range(chunk, min(n, chunk + 10_000))
        db.session.execute(
            insert(User),
            [
                {
                    "id": first_user + i,
                    "email": f"person{i}@growth.example",
                    "name": f"{NAMES[i % len(NAMES)]} {i}",
                    "role": "representative",
                    "password_hash": "x",
                }
                for i in ids
            ],
        )
        db.session.execute(
            insert(Registration),
            [
                {
                    "id": 1 + i,
                    "event_id": event.id,
                    "user_id": first_user + i,
                    "status": "confirmed",
                    "name": f"{NAMES[i % len(NAMES)]} {i}",
                    "email": f"person{i}@growth.example",
                    "organisation_name": f"Cluster {i % 400}",
                    "country": CODES[i % 4],
                    "checkin_code": f"G{i:011d}",
                    "privacy_consent_at": now,
                }
                for i in ids
            ],
        )
        db.session.execute(
            insert(SessionSeat),
            [
                {"registration_id": 1 + i, "session_id": sessions[i % 3].id, "status": "confirmed"}
                for i in ids
            ],
        )
    event.confirmed_count = n
    for k, session in enumerate(sessions):
        session.confirmed_count = len(range(k, n, 3))
    db.session.commit()
    return event.slug


def measure(n: int, url: str, runs: int) -> dict[str, tuple[float, str]]:
    """The figures at size ``n`` on a database wiped first: name -> (value, unit)."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_FAST": True,
            "SECRET_KEY": "bench",
        }
    )
    out: dict[str, tuple[float, str]] = {}
    with app.app_context():
        db.drop_all()
        db.create_all()
        data = csv_bytes(make_rows(n), HEADER, delimiter=";", encoding="cp1250")
        with Counter() as counter:
            started = time.perf_counter()
            result = import_rows(read_survey_file(data))
            db.session.commit()
            seconds = time.perf_counter() - started
        assert result.created == n, (result.created, n)
        out["survey import (CSV)"] = (round(seconds, 3), "s")
        out["survey import (CSV): queries"] = (counter.n, "queries")
        print(f"{n:>7,} respondents imported in {seconds:6.2f} s, {counter.n} queries", flush=True)

        create_user("organiser@growth.example", "organiser", PASSWORD, "Olga Organiser")
        db.session.commit()
        client = app.test_client()
        response = client.post(
            "/auth/login", data={"email": "organiser@growth.example", "password": PASSWORD}
        )
        assert response.status_code == 302, response.status_code

        started = time.perf_counter()
        slug = fill_registrations(n)
        print(f"{n:>7,} registrations inserted in {time.perf_counter() - started:6.2f} s")
        session_id = db.session.scalar(select(func.min(SessionSeat.session_id)))
        last_page = (n + 49) // 50  # the organiser's lists show 50 rows a page
        pages = {
            "respondents list": "/survey/respondents",
            "respondents search": "/survey/respondents?q=cluster+7&country=SK",
            "event page": f"/events/{slug}",
            "registrations page": f"/events/{slug}/registrations",
            "registrations last page": f"/events/{slug}/registrations?page={last_page}",
            "session registrations page": f"/events/{slug}/sessions/{session_id}/registrations",
        }
        for name, path in pages.items():
            ms, queries = timed(get(client, path), runs)
            out[f"{name}: time"] = (round(ms, 1), "ms")
            out[f"{name}: queries"] = (queries, "queries")
            print(f"{n:>7,} rows  {name:<26} {ms:9.1f} ms {queries:4} queries", flush=True)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3, help="requests per page (median)")
    parser.add_argument("--json", action="store_true", help="JSON list on the last line")
    parser.add_argument(
        "--scratch-database-url", help="A database to fill and then WIPE (default: SQLite temp)."
    )
    args = parser.parse_args()
    if args.scratch_database_url:
        print(f"WARNING: {args.scratch_database_url} is wiped", file=sys.stderr)
    results: dict[int, dict[str, tuple[float, str]]] = {}
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-growth-") as folder:
            url = args.scratch_database_url or f"sqlite:///{folder}/bench.sqlite3"
            results[n] = measure(n, url, args.runs)
    smallest = min(args.sizes)
    figures: list[dict[str, object]] = []
    print()
    print(f"{'figure':<36}" + "".join(f"{n:>12,}" for n in args.sizes))
    for name in results[smallest]:
        unit = results[smallest][name][1]
        print(
            f"{name + f' ({unit})':<36}" + "".join(f"{results[n][name][0]:>12}" for n in args.sizes)
        )
        for n in args.sizes:
            if n == smallest:
                continue
            figures.append(
                {
                    "name": f"{name}, {n:,} rows",
                    "value": results[n][name][0],
                    "unit": unit,
                    "reference_name": f"at {smallest:,} rows",
                    "reference_value": results[smallest][name][0],
                }
            )
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
