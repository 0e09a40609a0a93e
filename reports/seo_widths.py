"""How wide a title renders in Google's results: Arial at 20 px, per-character advances.

Google truncates desktop titles by pixels, not characters (about 580-600 px); SEO
crawlers measure the same way (Screaming Frog flags titles over 561 px). The advances
are Arial's (metrically identical to Helvetica's AFM widths), in 1/1000 em; accented
letters take their base letter's width, anything unknown the average lowercase width.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

FONT_SIZE_PX = 20

# Arial advance widths in 1/1000 em, printable ASCII.
ARIAL_WIDTHS: dict[str, int] = {
    " ": 278, "!": 278, '"': 355, "#": 556, "$": 556, "%": 889, "&": 667, "'": 191,
    "(": 333, ")": 333, "*": 389, "+": 584, ",": 278, "-": 333, ".": 278, "/": 278,
    **{d: 556 for d in "0123456789"},
    ":": 278, ";": 278, "<": 584, "=": 584, ">": 584, "?": 556, "@": 1015,
    "A": 667, "B": 667, "C": 722, "D": 722, "E": 667, "F": 611, "G": 778, "H": 722,
    "I": 278, "J": 500, "K": 667, "L": 556, "M": 833, "N": 722, "O": 778, "P": 667,
    "Q": 778, "R": 722, "S": 667, "T": 611, "U": 722, "V": 667, "W": 944, "X": 667,
    "Y": 667, "Z": 611, "[": 278, "\\": 278, "]": 278, "^": 469, "_": 556, "`": 333,
    "a": 556, "b": 556, "c": 500, "d": 556, "e": 556, "f": 278, "g": 556, "h": 556,
    "i": 222, "j": 222, "k": 500, "l": 222, "m": 833, "n": 556, "o": 556, "p": 556,
    "q": 556, "r": 333, "s": 500, "t": 278, "u": 556, "v": 500, "w": 722, "x": 500,
    "y": 500, "z": 500, "{": 334, "|": 260, "}": 334, "~": 584,
    # typographic punctuation common in titles
    "\u2013": 556, "\u2014": 1000, "\u2018": 222, "\u2019": 222, "\u201c": 333,
    "\u201d": 333, "\u2026": 1000, "\u00a0": 278, "\u00b7": 278,
}
DEFAULT_WIDTH = 556  # an average lowercase letter
WIDE_WIDTH = 1000  # CJK and other full-width characters


@lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    if ch in ARIAL_WIDTHS:
        return ARIAL_WIDTHS[ch]
    base = unicodedata.normalize("NFD", ch)[0]  # é -> e
    if base in ARIAL_WIDTHS:
        return ARIAL_WIDTHS[base]
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return WIDE_WIDTH
    return DEFAULT_WIDTH


def text_pixels(text: str, font_size_px: int = FONT_SIZE_PX) -> int:
    """Rendered width of ``text`` in pixels at ``font_size_px`` Arial, rounded."""
    return round(sum(char_width(ch) for ch in text) * font_size_px / 1000)
