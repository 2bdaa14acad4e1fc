"""What sorting by the reader's collation costs: a roster-sized and a large ORDER BY name.

    python scripts/bench_collation.py [--rows 10000] [--database-url URL] [--json]

Fills a temporary table with random V4 names and times ``ORDER BY name`` (the database's
binary order) against ``ORDER BY name COLLATE cs`` (SQLite: the PyICU-backed collation the
app registers; PostgreSQL: ``"cs-x-icu"``), the best of five runs each. With ``--json`` the last
line is the JSON list of figures (``scripts/bench_all.py``'s convention), the binary order
being each figure's reference.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from sqlalchemy import create_engine, event, text

from clusgo_events.collation import collation_name, register_sqlite

SYLLABLES = ["Ř", "Ch", "Cs", "Ł", "Ž", "Sz", "No", "vák", "ová", "ski", "ák", "ló", "Dvo", "řák",
             "Kis", "Wój", "cik", "Hor", "Ivan", "Šť", "ast", "ný", "Győ", "ző"]  # fmt: skip


def _names(count: int) -> list[str]:
    rng = random.Random(7)
    return ["".join(rng.choices(SYLLABLES, k=3)) for _ in range(count)]


def _best(conn, sql: str) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(5):
        start = time.perf_counter()
        conn.execute(text(sql)).fetchall()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default="sqlite://")
    parser.add_argument("--json", action="store_true", help="JSON list on the last line")
    args = parser.parse_args()
    engine = create_engine(args.database_url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", lambda dbapi, _record: register_sqlite(dbapi))
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE bench_names (name varchar(200))"))
        conn.execute(
            text("INSERT INTO bench_names VALUES (:n)"), [{"n": n} for n in _names(args.rows)]
        )
        collation = collation_name(engine.dialect.name, "cs")
        quoted = f'"{collation}"'
        figures = []
        for rows in (50, args.rows):
            plain = _best(conn, f"SELECT name FROM bench_names ORDER BY name LIMIT {rows}")
            icu = _best(
                conn, f"SELECT name FROM bench_names ORDER BY name COLLATE {quoted} LIMIT {rows}"
            )
            label = (
                f"{engine.dialect.name} ORDER BY name COLLATE {collation}, {rows} of {args.rows}"
            )
            print(f"{label}: {icu * 1000:.1f} ms (binary order {plain * 1000:.1f} ms)")
            figures.append(
                {
                    "name": label,
                    "value": round(icu * 1000, 1),
                    "unit": "ms",
                    "reference_name": "binary ORDER BY name",
                    "reference_value": round(plain * 1000, 1),
                }
            )
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
