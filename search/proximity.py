"""The proximity rule: do the query's consecutive words stand together in a post?

Read from the stored title and body of the best few posts only (``WINDOW``): one regular
expression per pair of words finds them together in C (by their stems' prefixes, as the
snippets do, ``search.snippets``), and only the words it found are analysed. Whoosh's phrase queries
over the index were tried first: they decode the positions of every post holding both
words, and tripled the median query time of the first searches after a commit.
"""

from __future__ import annotations

import functools
import re

from indexer.analysis import STOP_WORDS, WORD_PATTERN
from search.snippets import _FOLD_1TO1, _index_term

# The best posts (by the rules above proximity, then BM25F) that proximity reorders.
WINDOW = 10
# Two words stand together when at most this many words (stop words aside) lie between
# them, in the order typed.
SLOP = 2
# Stop words between the two ("pain between the shoulder blades") do not count: the
# pattern lets this many more words lie between, and the gap's own words are counted.
_STOP_ALLOWANCE = 2
_WORD = re.compile(WORD_PATTERN)


def pairs_together(texts: list[str], words: list[str | None]) -> int:
    """How many pairs of consecutive typed words (their index terms, None for a word no
    term stands for as typed) stand together in one of ``texts``."""
    count = 0
    for a, b in zip(words, words[1:]):
        if a is None or b is None or a == b:
            continue
        pattern = _pair_pattern(a, b)
        if any(_together(text, pattern, a, b) for text in texts if text):
            count += 1
    return count


@functools.lru_cache(maxsize=4096)
def _pair_pattern(a: str, b: str) -> re.Pattern:
    """Word a, at most SLOP words (and some stop words), word b: by the stems' prefixes,
    as the snippets find words (a Porter stem is a prefix of its word but for its last
    letter at most). Literal first, over lowercased text, so the engine scans for it in C."""
    def word(term: str) -> str:
        return rf"({re.escape(term[:-1] if len(term) > 2 else term)}\w*)"

    between = rf"(?:\W+\w+){{0,{SLOP + _STOP_ALLOWANCE}}}?"
    return re.compile(rf"{word(a)}{between}\W+{word(b)}")


def _together(text: str, pattern: re.Pattern, a: str, b: str) -> bool:
    """Do a and b (index terms) stand together in ``text``? The words the pattern found
    are confirmed by the analyzer, and the words between them counted."""
    folded = (text if text.isascii() else text.translate(_FOLD_1TO1)).lower()
    for m in pattern.finditer(folded):
        start = m.start(1)
        if start and (folded[start - 1].isalnum() or folded[start - 1] in "._"):
            continue  # inside another word
        if (_index_term(text[start:m.end(1)]) == a and _index_term(text[m.start(2):m.end(2)]) == b
                and _gap_words(text[m.end(1):m.start(2)]) <= SLOP):
            return True
    return False


def _gap_words(gap: str) -> int:
    return sum(1 for w in _WORD.findall(gap) if w.lower() not in STOP_WORDS)
