"""Measure: messages per second of two real ``flask mail deliver`` workers on one outbox,
without a relay limit and with one (``MAIL_PER_MINUTE``), and check that together they keep it.

Usage: .venv/bin/python scripts/bench_rate.py [--count 300] [--per-minute 600]
[--database-url URL] [--json] (default: a fresh SQLite file; a PostgreSQL URL must name an empty
database you may wipe).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def run(database_url: str, count: int, per_minute: str) -> tuple[float, float, int]:
    """(messages/s from the first to the last message, the shortest gap in s, duplicates)."""
    from bench_recovery import prepare

    sink, controller, env = prepare(database_url, count, delay=0.0)
    env["MAIL_PER_MINUTE"] = per_minute
    flask = str(Path(sys.executable).parent / "flask")
    command = [flask, "--app", "wsgi", "mail", "deliver", "--batch-size", "20"]
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL) for _ in range(2)
    ]
    for worker in workers:
        worker.wait(timeout=1800)
    controller.stop()  # type: ignore[attr-defined]
    moments = sorted(moment for moment, _ in sink.got)
    gaps = [b - a for a, b in zip(moments, moments[1:], strict=False)]
    twice = sum(1 for n in Counter(r for _, r in sink.got).values() if n > 1)
    rate = (len(moments) - 1) / (moments[-1] - moments[0]) if len(moments) > 1 else 0.0
    return rate, min(gaps or [0.0]), twice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--per-minute", type=int, default=600)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--json", action="store_true", help="last line: the figures as JSON (make bench)"
    )
    args = parser.parse_args()
    free, _, twice_free = run(args.database_url, args.count, "")
    limited, gap, twice_limited = run(args.database_url, min(args.count, 60), str(args.per_minute))
    print(f"two workers, no limit: {free:.1f} msg/s (duplicates: {twice_free})")
    print(
        f"two workers, MAIL_PER_MINUTE={args.per_minute} (at most {args.per_minute / 60:.1f}/s): "
        f"{limited:.2f} msg/s, shortest gap {gap:.3f} s (duplicates: {twice_limited})"
    )
    print(f"machine load: {open('/proc/loadavg').read().split()[:3]}")
    if args.json:
        figures = [
            {
                "name": f"mail: two workers under MAIL_PER_MINUTE={args.per_minute}",
                "value": round(limited, 2),
                "unit": "messages/s",
                "reference_name": "two workers, no limit",
                "reference_value": round(free, 1),
            }
        ]
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
