"""The per-area catalogues: compiled, complete, and never contradicting each other."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent / "translations"
PO_FILES = sorted(ROOT.glob("*/*/LC_MESSAGES/messages.po"))


def test_there_are_catalogues() -> None:
    assert {p.parts[-3] for p in PO_FILES} == {"cs", "hu", "sk", "pl"}


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: "/".join(p.parts[-4:-2]))
def test_mo_matches_po(po_path: Path) -> None:
    """The committed .mo was compiled from the committed .po (run pybabel compile)."""
    with po_path.open("rb") as f:
        po = read_po(f)
    with po_path.with_suffix(".mo").open("rb") as f:
        mo = read_mo(f)
    expected = {m.id: m.string for m in po if m.id and m.string and not m.fuzzy}
    compiled = {m.id: m.string for m in mo if m.id}
    assert compiled == expected


def test_same_message_same_translation_across_areas() -> None:
    """Flask-Babel merges the areas' catalogues: one msgid must not mean two things."""
    seen: dict[tuple[str, object], dict[str, object]] = defaultdict(dict)
    for po_path in PO_FILES:
        area, lang = po_path.parts[-4], po_path.parts[-3]
        with po_path.open("rb") as f:
            for message in read_po(f):
                if message.id and message.string:
                    seen[(lang, message.id)][area] = message.string
    clashes = {key: areas for key, areas in seen.items() if len(set(map(str, areas.values()))) > 1}
    assert clashes == {}
