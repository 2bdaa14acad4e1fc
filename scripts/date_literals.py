"""Count the fixed dates written into the tests (issue 11: tests that do not rot).

A fixed date compared with the real clock fails the day the real clock passes it. This lists
every literal that names a year in ``tests/`` (``datetime(2030, ...)``, ``date(...)``,
``"2030-02-15T09:00"``, ``"15 Feb 2030"``, ``20300215T080000Z``, ``local(2030, ...)``) by file,
so a reader can see which remain and judge them (survey answers dated 2017 are data being
parsed, not "now").

    python scripts/date_literals.py [--base REV] [--json]

With ``--base`` the count of that revision is printed too (``git show REV:path``).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess  # nosec B404: git, fixed argv
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LITERAL = re.compile(
    r"""(?:\b(?:datetime|date|local|at_local)\(\s*(?:19|20)\d\d\s*,)"""  # datetime(2030, ...
    r"""|(?:["'](?:19|20)\d\d-\d\d-\d\d)"""  # "2030-02-15..."
    r"""|(?:\b\d{1,2}\.?\s+[^\W\d_]{3,}\.?\s+(?:19|20)\d\d\b)"""  # 15 Feb 2030, 30. března 2030
    r"""|(?:\b(?:19|20)\d\d[01]\d[0-3]\dT\d{4,6}Z?\b)""",  # 20300215T080000Z
    re.UNICODE,
)


def count(texts: dict[str, str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for name, text in texts.items():
        hits = len(LITERAL.findall(text))
        if hits:
            found[name] = hits
    return found


def working_tree() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "tests").rglob("*.py"))
    }


def revision(rev: str) -> dict[str, str]:
    names = subprocess.run(  # nosec B603 B607: git with a fixed argv
        ["git", "ls-tree", "-r", "--name-only", rev, "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {
        name: subprocess.run(  # nosec B603 B607
            ["git", "show", f"{rev}:{name}"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        for name in names
        if name.endswith(".py")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", help="also count this git revision")
    parser.add_argument("--json", action="store_true", help="one JSON line of figures")
    args = parser.parse_args()
    now = count(working_tree())
    before = count(revision(args.base)) if args.base else None
    if args.json:
        figures = {"now": sum(now.values()), "files": dict(now)}
        if before is not None:
            figures["base"] = sum(before.values())
        print(json.dumps(figures))
        return
    for name, hits in sorted(now.items()):
        print(f"{hits:4d}  {name}")
    print(f"{sum(now.values()):4d}  in the working tree")
    if before is not None:
        print(f"{sum(before.values()):4d}  at {args.base}")


if __name__ == "__main__":
    main()
