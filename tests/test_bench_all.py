"""scripts/bench_all.py: the --json convention, failures reported, one markdown table."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent.parent / "scripts" / "bench_all.py"


@pytest.fixture(scope="module")
def bench_all():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_all", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIGURE = {
    "name": "import 10,000 rows",
    "value": 2.5,
    "unit": "s",
    "reference_name": "plain csv reader",
    "reference_value": 0.5,
}


def test_last_line_is_parsed(bench_all) -> None:
    out = "progress 50%\nprogress 100%\n" + json.dumps([FIGURE]) + "\n\n"
    assert bench_all.parse_figures(out) == [FIGURE]


@pytest.mark.parametrize(
    "out,message",
    [
        ("", "printed nothing"),
        ("done\n", "not JSON"),
        ('{"a": 1}', "not a list"),
        ("[{}]", "without name"),
    ],
)
def test_broken_convention_is_an_error(bench_all, out: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bench_all.parse_figures(out)


@pytest.mark.slow
def test_scripts_run_and_table_written(bench_all, tmp_path: Path) -> None:
    good = tmp_path / "bench_good.py"
    good.write_text(f"print('working')\nprint({json.dumps(json.dumps([FIGURE]))})\n")
    bad = tmp_path / "bench_bad.py"
    bad.write_text("import sys\nprint('oops')\nsys.exit(3)\n")
    results = [bench_all.run_script(good, 60), bench_all.run_script(bad, 60)]
    assert results[0]["figures"] == [FIGURE] and "error" not in results[0]
    assert results[1]["error"] == "exit code 3"
    info = bench_all.machine()
    assert info["cores"].isdigit() and info["Python"].startswith("3.")
    table = bench_all.markdown(results, info, "2030-01-01 00:00 UTC")
    assert (
        "| bench_good.py | import 10,000 rows | 2.5 | s | plain csv reader | 0.5 | 5.00× |" in table
    )
    assert "| bench_bad.py | **failed: exit code 3** |" in table
    assert f"Python {info['Python']}" in table


def test_every_bench_script_accepts_json_flag() -> None:
    """Each scripts/bench_*.py documents and accepts --json (checked without running it)."""
    for path in sorted(SCRIPT.parent.glob("bench_*.py")):
        if path == SCRIPT:
            continue
        assert "--json" in path.read_text(), f"{path.name} has no --json flag"


@pytest.mark.slow
def test_growth_script_follows_the_convention(bench_all) -> None:
    """bench_growth.py at tiny sizes: every figure is referred to the smallest size."""
    done = subprocess.run(  # nosec B603: our own script, this interpreter
        [
            sys.executable,
            str(SCRIPT.parent / "bench_growth.py"),
            "--sizes",
            "20",
            "60",
            "--runs",
            "1",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures = bench_all.parse_figures(done.stdout)
    names = {figure["name"] for figure in figures}
    assert "registrations page: queries, 60 rows" in names
    assert "survey import (CSV), 60 rows" in names
    assert all(figure["reference_name"] == "at 20 rows" for figure in figures)
    assert all(isinstance(figure["reference_value"], int | float) for figure in figures)
