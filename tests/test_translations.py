"""The catalogues: one per language, compiled, and complete for every marked message."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO_FILES = sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po"))


def _i18n_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_there_are_catalogues() -> None:
    assert {p.parts[-3] for p in PO_FILES} == {"cs", "hu", "sk", "pl"}


def test_every_marked_message_is_translated() -> None:
    """pybabel extracts every marked msgid; each catalogue translates it, none fuzzy.

    Fix with ``make i18n`` (extract + update), translate the new entries, ``make i18n`` again.
    """
    assert _i18n_script().problems() == []


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: p.parts[-3])
def test_mo_matches_po(po_path: Path) -> None:
    """The committed .mo was compiled from the committed .po (``make i18n`` compiles)."""
    with po_path.open("rb") as f:
        po = read_po(f)
    with po_path.with_suffix(".mo").open("rb") as f:
        mo = read_mo(f)
    expected = {_plain(m.id): _plain(m.string) for m in po if m.id and m.string and not m.fuzzy}
    compiled = {_plain(m.id): _plain(m.string) for m in mo if m.id}
    assert compiled == expected


def _plain(value: object) -> object:
    """A plural message's id and forms as a tuple (.po and .mo readers give lists or tuples)."""
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: p.parts[-3])
def test_plural_rule_is_the_languages_own(po_path: Path) -> None:
    """Czech and Slovak have three forms, Polish three, Hungarian two (Babel's CLDR rules)."""
    with po_path.open("rb") as f:
        po = read_po(f)
    expected = {"cs": 3, "sk": 3, "pl": 3, "hu": 2}[po_path.parts[-3]]
    assert po.num_plurals == expected
