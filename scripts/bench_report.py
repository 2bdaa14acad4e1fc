"""Figures of the funder's report (issue 17): the report workbook of an event with 2,000
participants and 20 sessions, and sign-in sheets of 1,000 and 10,000 rows (with two logos and
the funder's line), each with wall time, CPU time and peak Python memory (tracemalloc).

Runs against a throwaway SQLite database (or ``--scratch-database-url``, which is WIPED).
The targets: the workbook in under 3 s; the 10,000-row sheet in under 10 s, its peak memory
about that of the 1,000-row sheet (flat). The machine may be shared: CPU time is printed
beside the wall time.

    .venv/bin/python scripts/bench_report.py [--participants 2000] [--sessions 20]
        [--sheet-rows 1000 10000] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_exports import fill  # noqa: E402
from PIL import Image  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from clusgo_events import create_app  # noqa: E402
from clusgo_events.extensions import db  # noqa: E402
from clusgo_events.models import (  # noqa: E402
    AttendanceMethod,
    AttendanceRecord,
    AttendanceStatus,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
    Role,
    SeatStatus,
    SessionSeat,
    TrainingSession,
    User,
)
from clusgo_events.services.attendance import logos, report, sign_in_sheet  # noqa: E402

COUNTRIES = ["CZ", "HU", "SK", "PL", "CZ", "AT", "DE"]
STATUSES = [AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT, None]


def fill_event(participants: int, sessions: int) -> Event:
    """An event of ``sessions`` sessions; each participant has a seat in five of them."""
    start = datetime(2030, 2, 15, 8, 0, tzinfo=UTC)
    event = Event(
        slug="bench-report",
        title="Bench report event",
        starts_at=start,
        ends_at=start + timedelta(days=3),
        status=EventStatus.PUBLISHED,
    )
    db.session.add(event)
    db.session.flush()
    items = [
        TrainingSession(
            event=event,
            title=f"Session {n}",
            room=f"Room {n % 4}",
            starts_at=start + timedelta(hours=2 * n),
            ends_at=start + timedelta(hours=2 * n + 1),
            capacity=participants,
        )
        for n in range(sessions)
    ]
    db.session.add_all(items)
    db.session.flush()
    base = 50_000
    db.session.execute(
        insert(User),
        [
            {
                "id": base + i,
                "email": f"p{i}@bench.example",
                "name": "x",
                "role": Role.REPRESENTATIVE,
                "password_hash": "x",
            }
            for i in range(participants)
        ],
    )
    db.session.execute(
        insert(Registration),
        [
            {
                "id": base + i,
                "event_id": event.id,
                "user_id": base + i,
                "status": RegistrationStatus.CONFIRMED if i % 20 else RegistrationStatus.WAITLISTED,
                "name": f"Účastník {i}",
                "email": f"p{i}@bench.example",
                "organisation_name": f"Klastr {i % 300}",
                "country": COUNTRIES[i % len(COUNTRIES)],
                "checkin_code": f"R{i:09d}",
            }
            for i in range(participants)
        ],
    )
    seats, marks = [], []
    now = datetime.now(UTC)
    for i in range(participants):
        for k in range(5):
            session = items[(i + k * 3) % sessions]
            seats.append(
                {
                    "registration_id": base + i,
                    "session_id": session.id,
                    "status": SeatStatus.CONFIRMED,
                }
            )
            status = STATUSES[(i + k) % len(STATUSES)]
            if status is not None:
                marks.append(
                    {
                        "session_id": session.id,
                        "registration_id": base + i,
                        "name": "",
                        "status": status,
                        "method": AttendanceMethod.MANUAL,
                        "checked_in_at": now,
                        "marked_at": now,
                        "is_walk_in": False,
                    }
                )
    db.session.execute(insert(SessionSeat), seats)
    db.session.execute(insert(AttendanceRecord), marks)
    db.session.commit()
    return event


def measure(work: Callable[[], None]) -> tuple[float, float, float]:
    """Wall and CPU seconds of an untraced run, then peak MB under tracemalloc."""
    db.session.expire_all()
    began, cpu_began = time.perf_counter(), time.process_time()
    work()
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    db.session.expire_all()
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return wall, cpu, peak / 1e6


def _logo(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 200), colour).save(out, format="PNG")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--sheet-rows", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--json", action="store_true", help="End with the figures as JSON.")
    parser.add_argument(
        "--scratch-database-url", help="A database to fill and then WIPE (default: SQLite temp)."
    )
    args = parser.parse_args()
    figures: list[dict[str, object]] = []

    def add(name: str, value: float, unit: str) -> None:
        figures.append(
            {
                "name": name,
                "value": round(value, 3),
                "unit": unit,
                "reference_name": None,
                "reference_value": None,
            }
        )

    def report_on(label: str, measured: tuple[float, float, float], written: Path) -> None:
        wall, cpu, peak = measured
        print(
            f"{label}: {wall:.2f} s wall, {cpu:.2f} s CPU, {peak:.1f} MB peak, "
            f"{written.stat().st_size / 1024:.0f} KB"
        )
        add(f"{label}: wall time", wall, "s")
        add(f"{label}: CPU time", cpu, "s")
        add(f"{label}: peak Python memory", peak, "MB")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.scratch_database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
        if args.scratch_database_url:
            print(f"WARNING: {url} is filled and then wiped", file=sys.stderr)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context(), app.test_request_context():
            db.create_all()
            print(f"database: {db.engine.dialect.name}")
            print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            event = fill_event(args.participants, args.sessions)
            target = folder / "report.xlsx"

            def workbook() -> None:
                with target.open("wb") as out:
                    report.write_report(db.session.get(Event, event.id), out)

            label = f"report workbook, {args.participants:,} participants, {args.sessions} sessions"
            report_on(label, measure(workbook), target)
            for rows in args.sheet_rows:
                session = fill(rows)
                sheet_event = session.event
                logos.add_logo(sheet_event, "event", "event.png", _logo((0, 70, 150)), None)
                logos.add_logo(sheet_event, "partner", "partner.png", _logo((150, 20, 20)), None)
                db.session.commit()
                pdf = folder / f"sheet-{rows}.pdf"

                def sheet(session_id: int = session.id, pdf: Path = pdf) -> None:
                    with pdf.open("wb") as out:
                        sign_in_sheet.write_pdf([db.session.get(TrainingSession, session_id)], out)

                report_on(f"sign-in sheet, {rows:,} rows", measure(sheet), pdf)
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
