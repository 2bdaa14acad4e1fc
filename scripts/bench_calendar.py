"""Benchmark of the calendar feed and downloads: prints the figures, asserts nothing.

Usage: python scripts/bench_calendar.py [--sessions 500] [--runs 5] [--scratch-database-url URL]
[--json]

Builds a throw-away SQLite database (or uses --scratch-database-url, whose tables it DROPS and
re-creates: never point it at real data) with one representative holding N confirmed seats
and one trainer teaching the same N sessions, then times the personal feed of each (through
the test client, so routing, the token check and the response are included), the download
of the first event, and one iMIP invitation; the bare ``/hello`` route, timed the same way in
the same run, is the reference of the pages. With ``--json`` the last line is the JSON list of
figures that scripts/bench_all.py reads.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event as sa_event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clusgo_events import create_app  # noqa: E402
from clusgo_events.extensions import db  # noqa: E402
from clusgo_events.models import (  # noqa: E402
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
    Role,
    SessionSeat,
    TrainingSession,
    User,
)
from clusgo_events.services import calendar_feed, ical  # noqa: E402


def build(n: int) -> tuple[User, User, Event]:
    rep = User(
        email="rep@bench.example",
        name="Bench Rep",
        role=Role.REPRESENTATIVE,
        password_hash="x",
        language="cs",
    )
    trainer = User(
        email="trainer@bench.example", name="Bench Trainer", role=Role.TRAINER, password_hash="x"
    )
    db.session.add_all([rep, trainer])
    events = []
    for i in range(max(1, n // 50)):
        start = datetime(2030, 3, 30, 7, tzinfo=UTC) + timedelta(days=7 * i)
        events.append(
            Event(
                slug=f"bench-{i}",
                title=f"Bench event {i} – žluťoučký kůň",
                venue="Brno Exhibition Centre",
                address="Výstaviště 405/1, Brno",
                timezone="Europe/Prague",
                starts_at=start,
                ends_at=start + timedelta(days=3),
                status=EventStatus.PUBLISHED,
            )
        )
    db.session.add_all(events)
    registrations = [
        Registration(
            event=e,
            user=rep,
            status=RegistrationStatus.CONFIRMED,
            name=rep.name,
            email=rep.email,
            checkin_code=secrets.token_hex(8),
        )
        for e in events
    ]
    db.session.add_all(registrations)
    for i in range(n):
        k = i % len(events)
        start = events[k].starts_at + timedelta(minutes=30 * (i // len(events)))
        session = TrainingSession(
            event=events[k],
            title=f"Session {i} – strategie",
            room=f"Room {i % 7}",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            trainers=[trainer],
        )
        db.session.add(session)
        db.session.add(SessionSeat(registration=registrations[k], session=session))
    db.session.commit()
    return rep, trainer, events[0]


def timed(fn, runs: int) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    """(median ms, best ms, queries of the last run)."""
    queries = [0]

    def count(*_args: object, **_kw: object) -> None:
        queries[0] += 1

    times = []
    for _ in range(runs):
        db.session.expire_all()
        queries[0] = 0
        sa_event.listen(db.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        sa_event.remove(db.engine, "before_cursor_execute", count)
    return statistics.median(times), min(times), queries[0]


def fig(
    name: str, value: float, unit: str, ref: str | None = None, ref_value: float | None = None
) -> dict[str, object]:
    """One figure of the scripts/bench_all.py convention."""
    return {
        "name": name,
        "value": round(value, 2) if isinstance(value, float) else value,
        "unit": unit,
        "reference_name": ref,
        "reference_value": round(ref_value, 2) if isinstance(ref_value, float) else ref_value,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scratch-database-url")
    parser.add_argument("--json", action="store_true", help="JSON list on the last line")
    args = parser.parse_args()
    figures: list[dict[str, object]] = []
    folder = tempfile.mkdtemp(prefix="bench-calendar-")
    url = args.scratch_database_url or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            "SECRET_KEY": "bench",
            "CALENDAR_MAIL": False,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        rep, trainer, first_event = build(args.sessions)
        print(
            f"data: {args.sessions} sessions in {max(1, args.sessions // 50)} events, built in"
            f" {time.perf_counter() - started:.1f} s ({db.engine.dialect.name})"
        )
        client = app.test_client()
        client.get("/hello")
        hello, hello_best, _ = timed(lambda: client.get("/hello"), args.runs)
        print(f"hello route (reference): median {hello:7.2f} ms, best {hello_best:7.2f} ms")
        for user in (rep, trainer):
            path = f"/calendar/feed/{calendar_feed.feed_key(user)}.ics"
            sizes = []

            def get(path: str = path, sizes: list[int] = sizes) -> None:
                response = client.get(path)
                assert response.status_code == 200
                sizes.append(len(response.data))

            median, best, queries = timed(get, args.runs)
            print(
                f"feed of the {user.role:<14}: median {median:7.1f} ms, best {best:7.1f} ms,"
                f" {queries} queries, {sizes[-1] / 1024:.0f} KiB"
            )
            label = f"feed of the {user.role}, {args.sessions} sessions"
            figures.append(fig(label, median, "ms", "hello route", hello))
            figures.append(fig(f"{label}: queries", queries, "queries"))
        path = f"/events/{first_event.slug}/calendar.ics"
        median, best, queries = timed(lambda: client.get(path), args.runs)
        n_sessions = len(first_event.sessions)
        print(
            f"download of one event ({n_sessions} sessions): median {median:7.1f} ms,"
            f" best {best:7.1f} ms, {queries} queries"
        )
        label = f"download of one event ({n_sessions} sessions)"
        figures.append(fig(label, median, "ms", "hello route", hello))
        figures.append(fig(f"{label}: queries", queries, "queries"))
        session = first_event.sessions[0]
        median, best, _ = timed(
            lambda: ical.invitation(
                session, method="REQUEST", attendee_email="a@b.example", attendee_name="A"
            ),
            args.runs,
        )
        print(f"one iMIP invitation: median {median:7.2f} ms, best {best:7.2f} ms")
        figures.append(fig("one iMIP invitation", median, "ms"))
        db.session.remove()
        if not args.scratch_database_url:
            db.drop_all()
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
