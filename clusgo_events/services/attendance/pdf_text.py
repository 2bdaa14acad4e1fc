"""Text in the app's PDFs: every name prints, in whatever script it is written.

DejaVu Sans (static/fonts) carries Latin with every V4 diacritic, Greek, Cyrillic, Hebrew and
more, but no Chinese, Japanese or Korean: a name such as 王小明 printed blank. Droid Sans
Fallback (static/fonts, Apache 2.0) carries those scripts; it is embedded only in a PDF that
needs it (it takes about a second to load, and fpdf2 embeds the used glyphs only). A
character that neither font has is printed as U+FFFD (�): visibly replaced, never silently
nothing.

``cell()`` and ``multi_cell()`` switch to the fallback font by themselves
(``set_fallback_fonts``); the sign-in sheet's fast ``text()`` rows use :meth:`UnicodePDF.draw`,
which splits a value into runs of one font each.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parents[3] / "static" / "fonts"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
FONT_FALLBACK = FONT_DIR / "DroidSansFallback.ttf"
MAIN = "DejaVu"
FALLBACK = "DroidFallback"
REPLACEMENT = "\ufffd"


@cache
def coverage(path: Path) -> frozenset[int]:
    """The code points the font at ``path`` has a glyph for (read once per process)."""
    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


class UnicodePDF(FPDF):
    """An FPDF with DejaVu Sans embedded, the fallback font when needed, and U+FFFD for any
    character that no font of the PDF carries."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.add_font(MAIN, "", str(FONT_REGULAR))
        self.add_font(MAIN, "B", str(FONT_BOLD))
        self._has_fallback = False
        # what DejaVu covers, from the cmaps fpdf2 has just read (regular and bold differ)
        self._covered = {
            style: frozenset(self.fonts[MAIN.lower() + style].cmap)  # type: ignore[union-attr]
            for style in ("", "B")
        }

    def _main_coverage(self) -> frozenset[int]:
        return self._covered["B" if "B" in self.font_style else ""]

    def _load_fallback(self) -> None:
        if not self._has_fallback:
            self.add_font(FALLBACK, "", str(FONT_FALLBACK))
            self.set_fallback_fonts([FALLBACK], exact_match=False)
            self._has_fallback = True

    def printable(self, text: str) -> str:
        """``text`` with U+FFFD for every character no font has; loads the fallback font
        when some character needs it."""
        main = self._main_coverage()
        if text.isascii() or main.issuperset(map(ord, text)):
            return text
        missing = {ord(c) for c in text if not c.isspace()} - main
        if not missing:
            return text
        fallback = coverage(FONT_FALLBACK)
        if missing & fallback:
            self._load_fallback()
        unprintable = missing - fallback
        if not unprintable:
            return text
        return "".join(REPLACEMENT if ord(c) in unprintable else c for c in text)

    def normalize_text(self, text: str) -> str:
        """fpdf2's own normalisation, after :meth:`printable` (every drawing method calls it)."""
        return super().normalize_text(self.printable(text))

    def runs(self, text: str) -> list[tuple[str, str]]:
        """``text`` (printable) as runs of ``(font family, characters)``."""
        if not self._has_fallback or text.isascii():
            return [(MAIN, text)]
        main = self._main_coverage()
        found: list[tuple[str, str]] = []
        for char in text:
            family = MAIN if ord(char) in main or char.isspace() else FALLBACK
            if found and found[-1][0] == family:
                found[-1] = (family, found[-1][1] + char)
            else:
                found.append((family, char))
        return found

    def _run_width(self, family: str, text: str) -> float:
        key = f"{MAIN.lower()}{self.font_style}" if family == MAIN else FALLBACK.lower()
        widths = self.fonts[key].cw  # type: ignore[union-attr]
        return sum(map(widths.__getitem__, map(ord, text))) * self.font_size_pt * 0.001 / self.k

    def width(self, text: str) -> float:
        """Width of ``text`` in mm in the current size: fpdf2's own sum, without the per-call
        overhead of ``get_string_width`` (this runs for every cell of every sheet row)."""
        if not self._has_fallback or text.isascii():
            widths = self.current_font.cw  # type: ignore[union-attr]
            return sum(map(widths.__getitem__, map(ord, text))) * self.font_size_pt * 0.001 / self.k
        return sum(self._run_width(family, run) for family, run in self.runs(text))

    def fit(self, text: str, width: float) -> str:
        """``text`` (made printable) shortened with an ellipsis to fit ``width`` mm."""
        text = self.printable(text)
        if self.width(text) <= width:
            return text
        while text and self.width(text + "…") > width:
            text = text[: max(0, int(len(text) * 0.9))] if len(text) > 12 else text[:-1]
        return text.rstrip() + "…"

    def wrap(self, text: str, width: float) -> list[str]:
        """``text`` (made printable) as lines that fit ``width`` mm: broken between words,
        a word wider than the column broken inside; nothing is left out."""
        text = self.printable(text)
        if not text:
            return []
        if self.width(text) <= width:
            return [text]
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}" if current else word
            if self.width(candidate) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while len(word) > 1 and self.width(word) > width:
                cut = len(word) - 1
                while cut > 1 and self.width(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        if current:
            lines.append(current)
        return lines

    def draw(self, x: float, y: float, text: str) -> None:
        """``text()`` at ``(x, y)``, switching to the fallback font for the runs that need it."""
        runs = self.runs(text)
        if len(runs) == 1 and runs[0][0] == MAIN:
            self.text(x, y, text)
            return
        style, size = self.font_style, self.font_size_pt
        placed = []
        for family, run in runs:
            placed.append((family, run, x))
            x += self._run_width(family, run)
        for family, run, left in placed:
            self.set_font(family, style if family == MAIN else "", size)
            self.text(left, y, run)
        self.set_font(MAIN, style, size)
