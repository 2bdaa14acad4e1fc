"""Benchmark: queue 2,000 invitations and deliver them to a local aiosmtpd sink.

Compares `mail deliver` (claim, Flask-Mail over one connection per batch, a commit per message,
invitation status updates) with plain smtplib sending the same messages over one connection:
each built with the same MIME builder and sent, no database. Goal: delivery at least 70% of
plain smtplib's rate. Also printed: smtplib with every message built beforehand (SMTP alone),
and the CPU time this process spends per message (deliver, plain smtplib, and building the
MIME with the email package alone), which a busy machine disturbs less than the rates.

Usage: .venv/bin/python scripts/bench_mail.py [--count 2000] [--database-url URL]
(default: a fresh SQLite file in a temporary folder; a PostgreSQL URL must name an empty
database you may wipe).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import smtplib
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _sink(port: int, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    """A counting SMTP sink in its own process (no GIL shared with the sender)."""
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--json", action="store_true", help="last line: the figures as JSON (make bench)"
    )
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from clusgo_events import create_app
    from clusgo_events.extensions import db, mail
    from clusgo_events.models import OutboxMessage, Respondent
    from clusgo_events.services import outbox
    from clusgo_events.services.events import EventData, create_event, publish_event
    from clusgo_events.services.invitations import send_invitations
    from clusgo_events.services.outbox import mime
    from clusgo_events.services.outbox.addresses import mailbox, sender_of

    tmp = tempfile.mkdtemp(prefix="bench-mail-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    port = _free_port()
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=_sink, args=(port, ready), daemon=True)
    sink.start()
    ready.wait(10)

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-secret",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_SUPPRESS_SEND": False,
            "BASE_URL": "https://events.example.org",
        }
    )
    with app.app_context():
        mail.init_app(app)
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        event = create_event(
            EventData(
                title="V4ClusGo internationalisation event – Brno",
                slug="bench",
                venue="Brno Exhibition Centre",
                address="Výstaviště 405/1, Brno",
                starts_local=datetime(2031, 2, 15, 9, 0),
                ends_local=datetime(2031, 2, 16, 17, 0),
                registration_closes_local=datetime(2031, 2, 10, 23, 59),
            )
        )
        publish_event(event)
        countries = ["CZ", "HU", "SK", "PL"]
        names = ["Jana Břusková", "Gábor Szűcs", "Ľuboš Štefánik", "Łukasz Żółkiewski"]
        db.session.add_all(
            Respondent(
                email=f"r{i}@cluster{i % 97}.example",
                contact_name=names[i % 4],
                country=countries[i % 4],
                interested_in_event=True,
                consent=True,
                raw_answers={},
            )
            for i in range(args.count)
        )
        db.session.commit()

        started = time.perf_counter()
        result = send_invitations(event)
        db.session.commit()
        queue_seconds = time.perf_counter() - started
        assert result.queued == args.count, result

        # the same messages, built once, for the plain smtplib baseline
        sender = sender_of(app.config["MAIL_DEFAULT_SENDER"])

        def build(row: OutboxMessage) -> bytes:
            return mime.build(row, sender, mailbox(row.recipient), "events.example.org")[0]

        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        started = time.process_time()
        built = [(row.recipient, build(row)) for row in rows]
        build_cpu = time.process_time() - started
        db.session.commit()
        db.session.remove()  # a delivery worker starts with an empty session

        started, cpu = time.perf_counter(), time.process_time()
        report = outbox.deliver()
        deliver_seconds = time.perf_counter() - started
        deliver_cpu = time.process_time() - cpu
        assert report.sent == args.count, report

        started, cpu = time.perf_counter(), time.process_time()
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            for row in rows:
                smtp.sendmail("no-reply@clusgo.example", [row.recipient], build(row))
        plain_seconds = time.perf_counter() - started
        plain_cpu = time.process_time() - cpu

        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            for recipient, data in built:
                smtp.sendmail("no-reply@clusgo.example", [recipient], data)
        raw_seconds = time.perf_counter() - started
        db.engine.dispose()
    sink.terminate()

    deliver_rate = args.count / deliver_seconds
    plain_rate = args.count / plain_seconds
    print(f"database: {url.split(':')[0]}")
    print(
        f"queue {args.count} invitations (render 5 languages, outbox): "
        f"{queue_seconds:.2f} s ({args.count / queue_seconds:.0f}/s)"
    )
    print(f"mail deliver:            {deliver_seconds:.2f} s  {deliver_rate:.0f} messages/s")
    raw_rate = args.count / raw_seconds
    print(f"plain smtplib, 1 conn.:  {plain_seconds:.2f} s  {plain_rate:.0f} messages/s")
    print(f"ratio: {deliver_rate / plain_rate:.0%} of plain smtplib (goal >= 70%)")
    print(
        f"(smtplib with the bytes built beforehand, SMTP alone: {raw_rate:.0f} messages/s; "
        f"delivery reaches {deliver_rate / raw_rate:.0%} of that)"
    )
    per = 1000 / args.count
    print(
        f"CPU of this process per message: deliver {deliver_cpu * per:.2f} ms, plain smtplib "
        f"{plain_cpu * per:.2f} ms, of which building the MIME (email package) "
        f"{build_cpu * per:.2f} ms"
    )
    if args.json:
        figures = [
            {
                "name": f"mail: deliver {args.count} invitations",
                "value": round(deliver_rate, 1),
                "unit": "messages/s",
                "reference_name": "plain smtplib, same messages, one connection",
                "reference_value": round(plain_rate, 1),
            },
            {
                "name": "mail: CPU per delivered message",
                "value": round(deliver_cpu * per, 2),
                "unit": "ms",
                "reference_name": "plain smtplib, same messages",
                "reference_value": round(plain_cpu * per, 2),
            },
            {
                "name": "mail: build the MIME of one message (EmailMessage, policy.SMTP)",
                "value": round(build_cpu * per, 2),
                "unit": "ms",
                "reference_name": None,
                "reference_value": None,
            },
            {
                "name": f"mail: queue {args.count} invitations (render, outbox)",
                "value": round(args.count / queue_seconds, 1),
                "unit": "messages/s",
                "reference_name": None,
                "reference_value": None,
            },
        ]
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
