"""Run every ``scripts/bench_*.py`` and write one markdown table to ``bench-results/latest.md``.

The convention each benchmark script follows: run as ``python scripts/bench_<area>.py --json``
it may print anything (progress, its own tables) but its LAST line on stdout is a JSON list of
figures, each ``{"name", "value", "unit", "reference_name", "reference_value"}``: the reference is
the same kind of figure for the plain baseline measured in the same run (the hello route, plain
smtplib, plain csv writer ...; ``null`` when there is none). Lower or higher is better as the
unit says (``ms``, ``s``, ``queries``, ``req/s`` ...). Without ``--json`` a script prints for
people.

Usage: ``python scripts/bench_all.py [--only NAME ...] [--timeout SECONDS] [--output FILE]``
(``make bench``). Exits non-zero when a script failed or broke the convention; its row says why.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess  # nosec B404: runs this project's own scripts with this interpreter
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
FIELDS = ("name", "value", "unit", "reference_name", "reference_value")


def bench_scripts(only: list[str] | None = None) -> list[Path]:
    """Every scripts/bench_*.py but this one, by name; ``only`` keeps those whose area matches."""
    found = sorted(p for p in SCRIPTS.glob("bench_*.py") if p.name != Path(__file__).name)
    if only:
        found = [p for p in found if p.stem.removeprefix("bench_") in only]
    return found


def parse_figures(stdout: str) -> list[dict[str, Any]]:
    """The JSON list on the last non-empty line, checked against the convention."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        raise ValueError("printed nothing (expected a JSON list on its last line)")
    try:
        figures = json.loads(lines[-1])
    except json.JSONDecodeError as exc:
        raise ValueError(f"last line is not JSON: {lines[-1][:80]!r}") from exc
    if not isinstance(figures, list):
        raise ValueError("last line is JSON but not a list")
    for figure in figures:
        if not isinstance(figure, dict) or not {"name", "value", "unit"} <= figure.keys():
            raise ValueError(f"figure without name/value/unit: {figure!r}")
    return [{key: figure.get(key) for key in FIELDS} for figure in figures]


def run_script(path: Path, timeout: float) -> dict[str, Any]:
    """Run one script with ``--json``; its stderr goes straight to the terminal."""
    print(f"--- {path.name} ---", flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(  # nosec B603: fixed argv, our own script, no shell
            [sys.executable, str(path), "--json"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"script": path.name, "error": f"timed out after {timeout:.0f} s", "figures": []}
    seconds = time.perf_counter() - started
    result: dict[str, Any] = {"script": path.name, "seconds": seconds, "figures": []}
    for line in done.stdout.splitlines()[:-1]:
        print(f"  {line}")
    if done.returncode != 0:
        result["error"] = f"exit code {done.returncode}"
        return result
    try:
        result["figures"] = parse_figures(done.stdout)
    except ValueError as exc:
        result["error"] = str(exc)
    return result


def machine() -> dict[str, str]:
    """CPU model, cores, memory, Python, OS."""
    cpu = platform.processor() or platform.machine()
    memory = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "Python": platform.python_version(),
        "OS": platform.platform(terse=True),
    }


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def _ratio(figure: dict[str, Any]) -> str:
    value, reference = figure.get("value"), figure.get("reference_value")
    if isinstance(value, int | float) and isinstance(reference, int | float) and reference:
        return f"{value / reference:.2f}×"
    return ""


def markdown(results: list[dict[str, Any]], info: dict[str, str], when: str) -> str:
    """One table of every figure, with the machine it ran on."""
    lines = [
        "# Benchmarks",
        "",
        f"Run {when} with `make bench` on: "
        + ", ".join(f"{key} {value}" for key, value in info.items())
        + ".",
        "",
        "| script | figure | value | unit | reference | reference value | ratio |",
        "| --- | --- | ---: | --- | --- | ---: | ---: |",
    ]
    for result in results:
        if result.get("error"):
            lines.append(f"| {result['script']} | **failed: {result['error']}** | | | | | |")
        for figure in result["figures"]:
            lines.append(
                "| {script} | {name} | {value} | {unit} | {ref} | {refval} | {ratio} |".format(
                    script=result["script"],
                    name=figure["name"],
                    value=_number(figure["value"]),
                    unit=figure["unit"],
                    ref=figure.get("reference_name") or "",
                    refval=_number(figure.get("reference_value")),
                    ratio=_ratio(figure),
                )
            )
    if not results:
        lines.append("| (no scripts/bench_*.py found) | | | | | | |")
    lines.append("")
    lines.append(
        "ratio = value / reference value, both measured in the same run on the same machine."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="areas to run, e.g. --only survey mail")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per script")
    parser.add_argument("--output", type=Path, default=ROOT / "bench-results" / "latest.md")
    args = parser.parse_args(argv)
    results = [run_script(path, args.timeout) for path in bench_scripts(args.only)]
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    table = markdown(results, machine(), when)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table, encoding="utf-8")
    print()
    print(table)
    print(f"(written to {args.output})")
    return 1 if any(result.get("error") for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
