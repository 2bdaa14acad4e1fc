"""Sorting and matching names the way a reader expects: Dvořák next to Dvorak, Łódź near
Lodz, case and accents mattering only to break ties.

The one home of name order and name search: the roster and its search box call these.
Helper B1 (collation support) replaces :func:`sort_key` with the reader's language's
collation (Czech "ch" after "h" ...); the callers pass the language already.
"""

from __future__ import annotations

import unicodedata

#: letters NFKD does not decompose, folded to their base letter for the first sort level
_BASE = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ß": "ss", "ı": "i"})


def fold(text: str) -> str:
    """``text`` without case and accents ("Ďurčo-Kráľ" -> "durco-kral"), for matching."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_BASE)


def sort_key(text: str, language: str | None = None) -> tuple[str, str, str]:
    """A key that sorts names by their letters first, then accents, then case.

    ``language`` is the reader's; this Unicode-aware key does not use it yet (see the
    module notes).
    """
    return (fold(text), unicodedata.normalize("NFKD", (text or "").casefold()), text or "")


def matches(query: str, *texts: str) -> bool:
    """True when every word of ``query`` occurs in one of ``texts`` (case and accents
    ignored)."""
    words = fold(query).split()
    haystack = " ".join(fold(t) for t in texts)
    return all(word in haystack for word in words)
