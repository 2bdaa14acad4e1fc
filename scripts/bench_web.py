"""Benchmark the public pages against the bare hello route (the reference of every web figure).

``python scripts/bench_web.py`` prints a table; ``--json`` prints the figures as a JSON list on
its last line (the convention of scripts/bench_all.py). Runs on a temporary SQLite file, or on
``--scratch-database-url`` (which is WIPED), e.g. a PostgreSQL database: there it also counts
the round trips one event-page request makes to the server (libpq's own trace: every Query or
Sync message the client sends waits for the server's answer) and the CPU time per request,
figures a shared machine's load does not blur as it blurs requests per second.
"""

from __future__ import annotations

import argparse
import contextvars
import json
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event as sa_event  # noqa: E402

from clusgo_events import create_app  # noqa: E402
from clusgo_events.extensions import db  # noqa: E402
from clusgo_events.services.events import (  # noqa: E402
    EventData,
    SessionData,
    add_session,
    create_event,
    publish_event,
)


def requests_per_second(client, path: str, seconds: float) -> float:  # type: ignore[no-untyped-def]
    """Sequential requests through the WSGI stack (no network) for about ``seconds``."""
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        client.get(path)
        count += 1
    return count / (time.perf_counter() - started)


def queries(client, path: str) -> int:  # type: ignore[no-untyped-def]
    counter = {"n": 0}

    def count(*_args: object) -> None:
        counter["n"] += 1

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get(path)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    return counter["n"]


def served(client, path: str) -> int:  # type: ignore[no-untyped-def]
    """GET ``path`` as a WSGI server serves it: in a context of its own, so the request gets its
    own application context, database session and pooled connection (checked out, reset and
    returned), which a request inside the benchmark's application context does not."""

    def fetch() -> int:
        with client.get(path) as response:
            return response.status_code

    return contextvars.Context().run(fetch)


def cpu_ms(client, path: str, count: int = 200) -> float:  # type: ignore[no-untyped-def]
    """CPU time of this process per request served, in milliseconds."""
    served(client, path)
    started = time.process_time()
    for _ in range(count):
        served(client, path)
    return (time.process_time() - started) / count * 1000


def round_trips(client, path: str) -> int | None:  # type: ignore[no-untyped-def]
    """Round trips to PostgreSQL of one request on a pooled connection (None elsewhere)."""
    if db.engine.dialect.name != "postgresql":
        return None
    db.session.remove()
    db.engine.dispose()
    with tempfile.TemporaryFile("w+") as trace:

        def on_connect(dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
            dbapi_connection.pgconn.trace(trace.fileno())

        sa_event.listen(db.engine, "connect", on_connect)
        try:
            served(client, path)  # opens and pools the connection
            trace.flush()
            start = trace.seek(0, 2)
            served(client, path)
            trace.flush()
            trace.seek(start)
            lines = trace.read().splitlines()
        finally:
            sa_event.remove(db.engine, "connect", on_connect)
            db.session.remove()
            db.engine.dispose()
    sent = [line.split("\t") for line in lines]
    return sum(1 for p in sent if len(p) > 3 and p[1] == "F" and p[3] in ("Query", "Sync"))


def add_events(first: int, last: int, sessions: int = 3) -> None:
    start = datetime(2030, 1, 1, 9, 0)
    for i in range(first, last):
        when = start + timedelta(days=i)
        event = create_event(
            EventData(
                title=f"Event {i}",
                slug=f"event-{i}",
                starts_local=when,
                ends_local=when + timedelta(hours=8),
            )
        )
        for s in range(sessions):
            add_session(
                event,
                SessionData(
                    title=f"Session {s}",
                    starts_local=when + timedelta(hours=s),
                    ends_local=when + timedelta(hours=s + 1),
                ),
            )
        publish_event(event)
    db.session.commit()


def run(seconds: float, url: str | None = None) -> list[dict[str, object]]:
    folder = tempfile.mkdtemp(prefix="clusgo-bench-")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{folder}/bench.sqlite3",
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench",
        }
    )
    figures: list[dict[str, object]] = []
    with app.app_context():
        if url:
            print(f"WARNING: {url} is wiped", file=sys.stderr)
            db.drop_all()
        db.create_all()
        client = app.test_client()
        hello = requests_per_second(client, "/hello", seconds)
        add_events(0, 10)
        q10 = queries(client, "/events/")
        add_events(10, 100)
        q100 = queries(client, "/events/")
        listing = requests_per_second(client, "/events/", seconds)
        page = requests_per_second(client, "/events/event-50", seconds)
        hello_cpu = cpu_ms(client, "/hello")
        page_cpu = cpu_ms(client, "/events/event-50")
        trips = round_trips(client, "/events/event-50")
        figures = [
            fig("hello route", hello, "req/s", None, None),
            fig("event list, 100 events", listing, "req/s", "hello route", hello),
            fig("event page, 3 sessions", page, "req/s", "hello route", hello),
            fig("event list queries, 100 events", q100, "queries", "with 10 events", q10),
            fig("event page, CPU per request", page_cpu, "ms", "hello route", hello_cpu),
        ]
        if trips is not None:
            figures.append(
                fig("event page, round trips to the database", trips, "trips", None, None)
            )
        if url:
            db.drop_all()
        db.engine.dispose()
    return figures


def fig(name: str, value: float, unit: str, ref: str | None, ref_value: float | None) -> dict:
    return {
        "name": name,
        "value": round(value, 2) if isinstance(value, float) else value,
        "unit": unit,
        "reference_name": ref,
        "reference_value": round(ref_value, 1) if isinstance(ref_value, float) else ref_value,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="JSON list on the last line")
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measured page")
    parser.add_argument(
        "--scratch-database-url", help="a database to fill and then WIPE (default: SQLite temp)"
    )
    args = parser.parse_args()
    figures = run(args.seconds, args.scratch_database_url)
    for f in figures:
        ref = (
            f" (reference {f['reference_name']}: {f['reference_value']})"
            if f["reference_name"]
            else ""
        )
        print(f"{f['name']:<34} {f['value']:>10} {f['unit']}{ref}")
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
