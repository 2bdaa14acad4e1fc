"""The message catalogues: extract, update, compile and check (``make i18n``).

One catalogue per language, ``translations/<lang>/LC_MESSAGES/messages.po``, from one template
``translations/messages.pot`` extracted from the code and the templates (``babel.cfg``).

    python scripts/i18n.py extract   # messages.pot from the sources
    python scripts/i18n.py update    # extract, then merge new msgids into every .po
    python scripts/i18n.py compile   # every .po -> .mo
    python scripts/i18n.py check     # exit 1 when a msgid is missing, untranslated or fuzzy
    python scripts/i18n.py todo      # the msgids still untranslated, as JSON to fill in
    python scripts/i18n.py fill F    # put the translations of F (JSON, as todo writes) in place

``fill`` takes ``{"msgid": {"cs": "...", "hu": "...", "sk": "...", "pl": "..."}}``; a plural
message's key is its singular msgid and each language gets a list of its forms (cs, sk, pl
three, hu two).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGUAGES = ("cs", "hu", "sk", "pl")
KEYWORDS = ["_", "gettext", "ngettext:1,2", "lazy_gettext", "_l", "lazy_ngettext:1,2", "_n:1,2"]


def _pybabel(command: str, *args: str) -> None:
    """Run ``pybabel -q <command> <args>`` in the project folder."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(["pybabel", "-q", command, *args])
    finally:
        os.chdir(cwd)


def extract(target: Path = POT) -> Path:
    """Write the template of every translatable message to ``target``."""
    keywords = [arg for kw in KEYWORDS for arg in ("-k", kw)]
    _pybabel(
        "extract", "-F", "babel.cfg", "--no-wrap", "--sort-output",
        "--omit-header", "--no-location", *keywords, "-o", str(target), ".",
    )  # fmt: skip
    return target


def update() -> None:
    """Extract, then add new msgids to (and mark vanished ones obsolete in) every catalogue."""
    extract()
    _pybabel("update", "--no-wrap", "--no-fuzzy-matching", "-i", str(POT), "-d", str(TRANSLATIONS))


def compile_all() -> None:
    """Compile every catalogue (fuzzy entries are left out, as Babel does)."""
    _pybabel("compile", "-d", str(TRANSLATIONS))


def problems() -> list[str]:
    """What is missing, untranslated or fuzzy, one line each (empty: the catalogues are whole)."""
    with tempfile.TemporaryDirectory() as folder:
        with extract(Path(folder) / "messages.pot").open("rb") as f:
            template = read_po(f)
    wanted = {m.id: m for m in template if m.id}
    found: list[str] = [] if wanted else ["the extraction found no message: check babel.cfg"]
    for language in LANGUAGES:
        path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        if not path.exists():
            found.append(f"{language}: no catalogue at {path.relative_to(ROOT)}")
            continue
        with path.open("rb") as f:
            catalogue = read_po(f, locale=language)
        for msgid in wanted:
            message = catalogue.get(msgid if isinstance(msgid, str) else msgid[0])
            label = msgid if isinstance(msgid, str) else msgid[0]
            if message is None:
                found.append(f"{language}: missing {label!r}")
            elif message.fuzzy:
                found.append(f"{language}: fuzzy {label!r}")
            elif isinstance(message.string, tuple | list):
                if (
                    not all(message.string[: catalogue.num_plurals])
                    or len([s for s in message.string if s]) < catalogue.num_plurals
                ):
                    found.append(f"{language}: plural forms incomplete for {label!r}")
            elif not message.string:
                found.append(f"{language}: untranslated {label!r}")
    return found


def todo() -> dict[str, dict[str, Any]]:
    """Every msgid some catalogue lacks a translation of, with what each catalogue has."""
    result: dict[str, dict[str, Any]] = {}
    for language in LANGUAGES:
        with _po_path(language).open("rb") as f:
            catalogue = read_po(f, locale=language)
        for message in catalogue:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            strings = message.string if isinstance(message.string, tuple | list) else None
            missing = message.fuzzy or (
                not all(strings) if strings is not None else not message.string
            )
            if missing:
                entry = result.setdefault(key, {})
                if not isinstance(message.id, str):
                    entry["_plural"] = message.id[1]
    for entry in result.values():
        for language in LANGUAGES:
            entry.setdefault(language, "")
    return result


def fill(path: Path) -> int:
    """Write the translations in ``path`` into the catalogues; how many were written."""
    wanted = json.loads(path.read_text(encoding="utf-8"))
    written = 0
    for language in LANGUAGES:
        po = _po_path(language)
        with po.open("rb") as f:
            catalogue = read_po(f, locale=language)
        for message in catalogue:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            value = wanted.get(key, {}).get(language)
            if not value:
                continue
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
            written += 1
        with po.open("wb") as f:
            write_po(f, catalogue, width=0, no_location=True, sort_output=True)
    compile_all()
    return written


def _po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "extract":
        extract()
    elif command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "todo":
        print(json.dumps(todo(), ensure_ascii=False, indent=1))
    elif command == "fill" and len(argv) > 2:
        print(f"{fill(Path(argv[2]))} translations written")
    elif command == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
