"""Time and peak memory of the attendance exports (CSV, XLSX, PDF) at 1,000 and 10,000 rows.

Runs against a throwaway SQLite database (or ``--scratch-database-url``, which is WIPED) filled
with one event and one session per size; each export is written to a temporary file, as the
CLI does. Peak memory is measured with tracemalloc (Python allocations during the export); the
wall time of an untraced run is reported with its CPU time, since the machine may be shared.
The reference for CSV and XLSX is the plain baseline: the same rows selected and written by a
bare ``csv.writer`` / openpyxl write-only sheet, without neutralising or time zones.

    .venv/bin/python scripts/bench_exports.py [--sizes 1000 10000] [--json]

With ``--json`` the last line is the JSON list of figures that scripts/bench_all.py reads.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402
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
from clusgo_events.services.attendance import exports as export  # noqa: E402
from clusgo_events.services.attendance import roster_query  # noqa: E402

NAMES = ["Řehoř Dvořák", "Győző Szőke", "Ľubomír Kráľ", "Michał Żąbkowski", "Anna Nováková"]
ORGS = ["Jihomoravský klastr", "Pannon Klaszter", "Žilinský klaster", "Łódzki Klaster"]
STATUSES = [*AttendanceStatus, None]


def fill(size: int) -> TrainingSession:
    start = datetime(2030, 2, 15, 8, 0, tzinfo=UTC)
    event = Event(
        slug=f"bench-{size}",
        title=f"Bench event {size}",
        venue="Brno Exhibition Centre",
        starts_at=start,
        ends_at=start + timedelta(days=1),
        status=EventStatus.PUBLISHED,
    )
    trainer = User(
        email=f"trainer-{size}@bench.example",
        name="Tomáš Třešňák",
        role=Role.TRAINER,
        password_hash="x",
    )
    db.session.add_all([event, trainer])
    db.session.flush()
    session = TrainingSession(
        event=event,
        title="Internationalisation strategy",
        room="Hall A",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=size,
    )
    session.trainers = [trainer]
    db.session.add(session)
    db.session.flush()
    base = db.session.info.setdefault("next_id", 1000)
    db.session.execute(
        insert(User),
        [
            {
                "id": base + i,
                "email": f"u{base + i}@bench.example",
                "name": "x",
                "role": Role.REPRESENTATIVE,
                "password_hash": "x",
            }
            for i in range(size)
        ],
    )
    db.session.execute(
        insert(Registration),
        [
            {
                "id": base + i,
                "event_id": event.id,
                "user_id": base + i,
                "status": RegistrationStatus.CONFIRMED,
                "name": f"{NAMES[i % len(NAMES)]} {i}",
                "email": f"u{base + i}@bench.example",
                "organisation_name": ORGS[i % len(ORGS)],
                "country": "CZ",
                "checkin_code": f"B{base + i:09d}",
            }
            for i in range(size)
        ],
    )
    db.session.execute(
        insert(SessionSeat),
        [
            {
                "registration_id": base + i,
                "session_id": session.id,
                "status": SeatStatus.CONFIRMED,
            }
            for i in range(size)
        ],
    )
    now = datetime.now(UTC)
    db.session.execute(
        insert(AttendanceRecord),
        [
            {
                "session_id": session.id,
                "registration_id": base + i,
                "name": "",
                "status": STATUSES[i % 5],
                "method": AttendanceMethod.MANUAL,
                "checked_in_at": now,
                "marked_at": now,
                "is_walk_in": False,
            }
            for i in range(size)
            if STATUSES[i % 5]
        ],
    )
    db.session.info["next_id"] = base + size + 10
    db.session.commit()
    return session


def measure(session: TrainingSession, fmt: str, folder: Path) -> tuple[float, float, float, int]:
    """Wall and CPU seconds of an untraced run, then peak MB under tracemalloc (slower)."""
    target = folder / f"bench.{fmt}"
    db.session.expire_all()
    began, cpu_began = time.perf_counter(), time.process_time()
    with target.open("wb") as out:
        export.export_to_file([session], fmt, out)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    db.session.expire_all()
    tracemalloc.start()
    with target.open("wb") as out:
        export.export_to_file([session], fmt, out)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, cpu, peak / 1e6, target.stat().st_size


def plain_baseline(session: TrainingSession, fmt: str, folder: Path) -> float | None:
    """Seconds to select the same rows and write them with a bare writer (CSV, XLSX)."""
    if fmt == "pdf":
        return None
    db.session.expire_all()
    began = time.perf_counter()
    rows = db.session.execute(roster_query(session.id))
    if fmt == "csv":
        with (folder / "plain.csv").open("w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows(rows)
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        for row in rows:  # Excel takes no time zones: the one change a bare writer needs
            sheet.append([v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in row])
        workbook.save(folder / "plain.xlsx")
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--json", action="store_true", help="End with the figures as JSON.")
    parser.add_argument(
        "--scratch-database-url", help="A database to fill and then WIPE (default: SQLite temp)."
    )
    args = parser.parse_args()
    figures: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.scratch_database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
        if args.scratch_database_url:
            print(f"WARNING: {url} is filled and then wiped", file=sys.stderr)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            db.create_all()
            print(f"database: {db.engine.dialect.name}")
            print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            print(
                f"{'rows':>7} {'format':>6} {'wall s':>8} {'cpu s':>8} "
                f"{'peak MB':>8} {'file KB':>8}"
            )
            for size in args.sizes:
                session = fill(size)
                for fmt in export.FORMATS:
                    seconds, cpu, peak, size_bytes = measure(session, fmt, folder)
                    plain = plain_baseline(session, fmt, folder)
                    print(
                        f"{size:>7} {fmt:>6} {seconds:>8.2f} {cpu:>8.2f} {peak:>8.1f} "
                        f"{size_bytes / 1024:>8.0f}"
                        + (f"   (plain writer {plain:.2f} s)" if plain is not None else "")
                    )
                    label = f"{fmt.upper()} export, {size:,} rows"
                    figures += [
                        {
                            "name": f"{label}: wall time",
                            "value": round(seconds, 3),
                            "unit": "s",
                            "reference_name": None if plain is None else f"plain {fmt} writer",
                            "reference_value": None if plain is None else round(plain, 3),
                        },
                        {
                            "name": f"{label}: CPU time",
                            "value": round(cpu, 3),
                            "unit": "s",
                            "reference_name": None,
                            "reference_value": None,
                        },
                        {
                            "name": f"{label}: peak Python memory",
                            "value": round(peak, 1),
                            "unit": "MB",
                            "reference_name": None,
                            "reference_value": None,
                        },
                    ]
            db.drop_all()
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
