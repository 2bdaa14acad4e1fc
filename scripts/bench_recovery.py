"""Measure: how soon mail flows again after ``kill -9`` of ``flask mail deliver`` mid-batch.

Queues N messages, starts a real ``flask mail deliver`` against a local aiosmtpd sink (which
answers each DATA after a short delay, so the kill lands mid-batch), kills it with SIGKILL
after some messages, starts a new one at once and reports: the delay from the kill to the
first message the new worker delivers (its start-up included) and to the last, how many of
the dead worker's claims it took over, and how many messages arrived twice (at most one).

Usage: .venv/bin/python scripts/bench_recovery.py [--count 200] [--database-url URL] [--json]
(default: a fresh SQLite file; a PostgreSQL URL must name an empty database you may wipe).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Sink:
    """Accepts every message after ``delay`` seconds; remembers when and for whom."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.got: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await asyncio.sleep(self.delay)
        with self.lock:
            self.got.append((time.monotonic(), envelope.rcpt_tos[0]))
        return "250 OK"


def prepare(database_url: str, count: int, delay: float) -> tuple[Sink, object, dict[str, str]]:
    """A fresh outbox database with ``count`` queued messages, a running sink, and the
    environment for ``flask mail deliver`` processes that use both."""
    from aiosmtpd.controller import Controller
    from flask_migrate import upgrade

    from clusgo_events import create_app
    from clusgo_events.extensions import db
    from clusgo_events.services.outbox import enqueue
    from tests.mail_helpers import free_port

    tmp = tempfile.mkdtemp(prefix="bench-outbox-")
    url = database_url or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if url.startswith("postgresql"):
            from sqlalchemy import text

            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        for i in range(count):
            enqueue(key=f"bench:{i}", recipient=f"p{i}@example.org", subject="x", body_text="y")
        db.session.commit()
        db.engine.dispose()
    sink = Sink(delay)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "PYTHONPATH": str(ROOT),
    }
    return sink, controller, env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--kill-after", type=int, default=30)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--json", action="store_true", help="last line: the figures as JSON (make bench)"
    )
    args = parser.parse_args()

    sink, controller, env = prepare(args.database_url, args.count, delay=0.02)
    flask = str(Path(sys.executable).parent / "flask")
    command = [flask, "--app", "wsgi", "mail", "deliver"]
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE)
    while len(sink.got) < args.kill_after:
        time.sleep(0.005)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = time.monotonic()
    before = len(sink.got)
    second = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    out, _ = second.communicate(timeout=600)
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
    start_up = time.monotonic() - started  # the same command with nothing to send
    controller.stop()
    after = [moment for moment, _ in sink.got[before:]]
    per_recipient = Counter(rcpt for _, rcpt in sink.got)
    taken = re.findall(r"Took over (\d+) message", out)
    print(
        f"database: {env['DATABASE_URL'].split(':')[0]}; {args.count} messages, "
        f"killed after {before}"
    )
    print(f"taken over from the dead worker: {', '.join(taken) or 'none'} message(s)")
    print(
        f"kill -> first message of the new worker: {after[0] - killed_at:.2f} s (start-up included)"
    )
    print(f"kill -> last message: {after[-1] - killed_at:.2f} s")
    print(
        f"start-up of the command alone (empty outbox): {start_up:.2f} s; so the take-over "
        f"itself: {after[0] - killed_at - start_up:.2f} s"
    )
    print(
        f"received {len(per_recipient)} of {args.count} recipients; "
        f"twice: {sum(1 for n in per_recipient.values() if n > 1)}"
    )

    if args.json:
        figures = [
            {
                "name": "mail: kill -9 mid-batch, a new worker's first message",
                "value": round(after[0] - killed_at, 2),
                "unit": "s",
                "reference_name": "the same command's start-up, empty outbox",
                "reference_value": round(start_up, 2),
            }
        ]
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
