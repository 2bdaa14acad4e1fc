"""Benchmark: how long erasing one person and the daily purge take on a full database.

Builds N respondents (a survey import), an audit log of M entries (the erasure reads the
whole log: its details may name the person anywhere), then times ``privacy erase`` of one
address and ``privacy purge`` (nothing due, then everything due: the clock moved past every
retention period).

Usage: .venv/bin/python scripts/bench_privacy.py [--respondents 10000] [--audit 50000]
[--database-url URL] [--json] (default: a fresh SQLite file; a PostgreSQL URL must name an
empty database you may wipe). The erasure's reference is one plain read of the audit log's
details (what it cannot do without); ``--json`` ends with the figures as JSON (make bench).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--respondents", type=int, default=10000)
    parser.add_argument("--audit", type=int, default=50000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", action="store_true", help="last line: the figures as JSON")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import insert, select, text

    from clusgo_events import create_app
    from clusgo_events.extensions import db
    from clusgo_events.models import AuditEntry
    from clusgo_events.models.base import utcnow
    from clusgo_events.services.privacy import erasure, retention
    from clusgo_events.services.survey import import_survey

    tmp = tempfile.mkdtemp(prefix="bench-privacy-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret", "INSTANCE_TMP": tmp}
    )
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        rows = ["email,contact_name,country,interested_in_event,consent,comment"]
        for n in range(args.respondents):
            rows.append(f"person{n}@example.org,Osoba Číslo {n},CZ,yes,yes,poznámka {n}")
        import_survey("\n".join(rows).encode(), filename="bench.csv")
        now = utcnow()
        db.session.execute(
            insert(AuditEntry),
            [
                {
                    "source": "cli",
                    "action": "bench.note",
                    "object_type": "Respondent",
                    "object_id": n % args.respondents + 1,
                    "details": {"said": f"Osoba Číslo {n % args.respondents} phoned"},
                    "created_at": now,
                }
                for n in range(args.audit)
            ],
        )
        db.session.commit()
        started = time.perf_counter()
        list(db.session.execute(select(AuditEntry.__table__.c.details)))
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = erasure.erase("person7@example.org")
        db.session.commit()
        erase_seconds = time.perf_counter() - started
        started = time.perf_counter()
        retention.purge()
        db.session.commit()
        idle_seconds = time.perf_counter() - started
        started = time.perf_counter()
        counts = retention.purge(now + timedelta(days=5000))
        db.session.commit()
        full_seconds = time.perf_counter() - started
    print(f"database: {'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}")
    print(f"respondents {args.respondents}, audit entries {args.audit}")
    print(
        f"erase one person: {erase_seconds:.2f} s ({report.audit_entries} audit entries scrubbed)"
    )
    print(f"purge, nothing due: {idle_seconds:.2f} s")
    print(f"purge, everything due: {full_seconds:.2f} s {counts}")
    print(f"plain read of the audit log's details: {read_seconds:.2f} s")
    if args.json:
        figures = [
            {
                "name": f"erase one person ({args.audit:,} audit entries)",
                "value": round(erase_seconds, 3),
                "unit": "s",
                "reference_name": "plain read of the audit log",
                "reference_value": round(read_seconds, 3),
            },
            {
                "name": "privacy purge, nothing due",
                "value": round(idle_seconds, 3),
                "unit": "s",
                "reference_name": None,
                "reference_value": None,
            },
            {
                "name": f"privacy purge, {args.respondents:,} respondents due",
                "value": round(full_seconds, 3),
                "unit": "s",
                "reference_name": None,
                "reference_value": None,
            },
        ]
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
