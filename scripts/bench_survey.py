"""Time the survey import of 10,000 rows (CSV and XLSX) into a fresh SQLite file.

    .venv/bin/python scripts/bench_survey.py [--rows N] [--database-url URL] [--json]

For each format it prints the time to read the file, to import it into an empty database
(created), and to import it again (all unchanged), with rows per second. The reference, timed
in the same run, is the plain reader: ``csv.reader`` over the decoded text, a bare openpyxl
read-only workbook iterated row by row. "xlsx-openpyxl" is the same workbook imported with
openpyxl's read-only reader in place of the import's own XLSX reader (the figure that decides
whether the hand-written reader stays, see services/survey/xlsx.py). Times are wall-clock;
"cpu" is the process's CPU time, steadier on a shared machine. With ``--json`` the last line
is the JSON list of figures that scripts/bench_all.py reads. Not a test.
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import text  # noqa: E402

from clusgo_events import create_app  # noqa: E402
from clusgo_events.extensions import db  # noqa: E402
from clusgo_events.services.survey import (  # noqa: E402
    SurveyTable,
    import_rows,
    match_columns,
    read_survey_file,
)
from clusgo_events.services.survey.readers import split_header  # noqa: E402
from tests.survey_helpers import (  # noqa: E402
    HEADER,
    csv_bytes,
    make_rows,
    openpyxl_records,
    xlsx_bytes,
)


def read_with_openpyxl(data: bytes) -> SurveyTable:
    """The table read_survey_file gives, read by openpyxl's read-only reader instead."""
    headers, rows = split_header(openpyxl_records(data))
    return SurveyTable("xlsx", headers, rows, match_columns(headers))


@functools.cache
def plain_read(label: str, data: bytes) -> float:
    """Seconds for the plain reader to go over every row of the file."""
    started = time.perf_counter()
    if label == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("cp1250")), delimiter=";"))
    else:
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        rows = list(workbook.active.iter_rows(values_only=True))
        workbook.close()
    assert len(rows) > 1
    return time.perf_counter() - started


def run(label: str, data: bytes, url: str) -> list[dict[str, object]]:
    """Import ``data`` twice; the figures, each next to the plain reader."""
    plain = plain_read("csv" if label == "csv" else "xlsx", data)
    print(f"{label:13} plain reader: {plain:5.2f} s")
    figures: list[dict[str, object]] = []
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        reader = read_with_openpyxl if label == "xlsx-openpyxl" else read_survey_file
        for attempt in ("first import", "same file again"):
            started, cpu = time.perf_counter(), time.process_time()
            table = reader(data)
            read = time.perf_counter() - started
            result = import_rows(table)
            db.session.commit()
            total = time.perf_counter() - started
            cpu = time.process_time() - cpu
            rows = len(table.rows)
            print(
                f"{label:13} {attempt:16} {rows} rows: read {read:5.2f} s, total {total:5.2f} s"
                f" (cpu {cpu:5.2f} s) = {rows / total:7.0f} rows/s (created {result.created},"
                f" unchanged {result.unchanged}, rejected {len(result.rejected)})"
            )
            reference = {
                "reference_name": "plain csv reader" if label == "csv" else "bare openpyxl reader",
                "reference_value": round(plain, 3),
            }
            if attempt == "first import":
                figures.append(
                    {"name": f"{label} read, {rows:,} rows", "value": round(read, 3), "unit": "s"}
                    | reference
                )
            figures.append(
                {"name": f"{label} {attempt}, {rows:,} rows", "value": round(total, 3), "unit": "s"}
                | reference
            )
        db.session.remove()
        db.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file per format")
    parser.add_argument("--json", action="store_true", help="JSON list on the last line")
    args = parser.parse_args()
    figures: list[dict[str, object]] = []
    rows = make_rows(args.rows)
    workbook = xlsx_bytes(rows, HEADER)
    files = {
        "csv": csv_bytes(rows, HEADER, delimiter=";", encoding="cp1250"),
        "xlsx": workbook,
        "xlsx-openpyxl": workbook,
    }
    for label, data in files.items():
        print(f"{label}: {len(data) / 1024 / 1024:.1f} MB", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
            figures += run(label, data, url)
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
