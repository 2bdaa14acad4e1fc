"""Time of the registrations export (CSV, XLSX) at 1,000 and 10,000 registrations.

Fills a throwaway SQLite database (or ``--scratch-database-url``, which is WIPED) as
scripts/bench_exports.py does (one event, one session, a seat each) and writes each export to
a temporary file, as ``flask registrations export`` does. The reference is the plain baseline:
the same registrations' columns selected and written by a bare ``csv.writer``.

    .venv/bin/python scripts/bench_registration_export.py [--sizes 1000 10000] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_exports import fill  # noqa: E402
from sqlalchemy import select  # noqa: E402

from clusgo_events import create_app  # noqa: E402
from clusgo_events.extensions import db  # noqa: E402
from clusgo_events.models import Registration  # noqa: E402
from clusgo_events.services.registration import export  # noqa: E402


def timed(call) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    began, cpu_began = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - began, time.process_time() - cpu_began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--json", action="store_true", help="End with the figures as JSON.")
    parser.add_argument("--scratch-database-url", help="A database to fill and then WIPE.")
    args = parser.parse_args()
    figures: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.scratch_database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context(), app.test_request_context():
            db.create_all()
            print(f"database: {db.engine.dialect.name}")
            print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            for size in args.sizes:
                event = fill(size).event

                def plain(event=event) -> None:  # type: ignore[no-untyped-def]
                    columns = [getattr(Registration, c) for c in export.COLUMNS_PLAIN]
                    rows = db.session.execute(
                        select(*columns).where(Registration.event_id == event.id)
                    )
                    with (folder / "plain.csv").open("w", newline="", encoding="utf-8") as out:
                        csv.writer(out).writerows(rows)

                plain_s, _ = timed(plain)
                for fmt in export.FORMATS:
                    target = folder / f"registrations.{fmt}"

                    def run(fmt=fmt, target=target, event=event) -> None:  # type: ignore[no-untyped-def]
                        with target.open("wb") as out:
                            export.export_to_file(event, fmt, out)

                    seconds, cpu = timed(run)
                    print(
                        f"{size:>7} {fmt:>5} wall {seconds:.2f} s, CPU {cpu:.2f} s"
                        f"   (plain csv writer {plain_s:.2f} s)"
                    )
                    label = f"registrations {fmt.upper()} export, {size:,} rows"
                    figures += [
                        {
                            "name": f"{label}: wall time",
                            "value": round(seconds, 3),
                            "unit": "s",
                            "reference_name": "plain csv writer",
                            "reference_value": round(plain_s, 3),
                        },
                        {
                            "name": f"{label}: CPU time",
                            "value": round(cpu, 3),
                            "unit": "s",
                            "reference_name": None,
                            "reference_value": None,
                        },
                    ]
            db.drop_all()
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
