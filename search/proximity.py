"""The proximity rule: do the query's consecutive words stand together in a post?

Read from the stored title and body of the best few posts only (``WINDOW``): the first
word's stem is looked for with ``str.find`` (in C; a stem is a prefix of its words, as the
snippets find them, ``search.snippets``), and only the few words after each occurrence
are analysed. Tried before: Whoosh's phrase queries over the index (they decode the
positions of every post holding both words, and tripled the median time of the first
searches after a commit), then a regular expression per pair of words (~0.5 ms to compile
for each new pair).
"""

from __future__ import annotations

import re

from indexer.analysis import STOP_WORDS
from search.snippets import _index_term, fold_table

# The best posts (by the rules above proximity, then BM25F) that proximity reorders.
WINDOW = 10
# Two words stand together when at most this many words (stop words aside) lie between
# them, in the order typed.
SLOP = 2
# Stop words between the two ("pain between the shoulder blades") do not count: up to
# this many of them more are read past.
_STOP_ALLOWANCE = 2
_WORD_AT = re.compile(r"\w*")
_NEXT_WORD = re.compile(r"[^\w]+(\w+)")


def pairs_together(texts: list[str], words: list[str | None]) -> int:
    """How many pairs of consecutive typed words (their index terms, None for a word no
    term stands for as typed) stand together in one of ``texts``."""
    pairs = [(a, b) for a, b in zip(words, words[1:]) if a is not None and b is not None and a != b]
    if not pairs:
        return 0
    folded = [_fold(text) for text in texts if text]
    kept = [text for text in texts if text]
    return sum(1 for a, b in pairs if any(_together(t, f, a, b) for t, f in zip(kept, folded)))


def _fold(text: str) -> str:
    """Lowercased, accents folded, every character in place."""
    return (text if text.isascii() else text.translate(fold_table())).lower()


def _prefix(term: str) -> str:
    # a Porter stem is a prefix of its word but for its last letter at most (as the
    # snippets find words)
    return term[:-1] if len(term) > 2 else term


def _together(text: str, folded: str, a: str, b: str) -> bool:
    """Is a word of term ``a`` followed, at most SLOP words later (stop words aside), by
    a word of term ``b``? Occurrences of a's prefix are found with str.find (in C); only
    the words right after them are analysed, and only where b's prefix starts within
    the words the walk could read (one pattern for their span, then str.find)."""
    first, second = _prefix(a), _prefix(b)
    if folded.find(second) < 0:
        return False
    i = folded.find(first)
    while i >= 0:
        if i == 0 or not (folded[i - 1].isalnum() or folded[i - 1] in "._"):
            end = _WORD_AT.match(folded, i).end()
            reach = _WORDS_AFTER.match(folded, end)
            if (reach is not None and folded.find(second, end, reach.end() + len(second)) >= 0
                    and _index_term(text[i:end]) == a and _followed_by(text, folded, end, second, b)):
                return True
        i = folded.find(first, i + 1)
    return False


# The words _followed_by can read after a word: its span.
_WORDS_AFTER = re.compile(rf"(?:[^\w]+\w+){{1,{SLOP + _STOP_ALLOWANCE + 1}}}")


def _followed_by(text: str, folded: str, pos: int, prefix: str, term: str) -> bool:
    counted = 0
    for _ in range(SLOP + _STOP_ALLOWANCE + 1):
        m = _NEXT_WORD.match(folded, pos)
        if m is None:
            return False
        start, pos = m.start(1), m.end(1)
        word = text[start:pos]
        if folded.startswith(prefix, start) and _index_term(word) == term:
            return True
        if word.lower() not in STOP_WORDS:
            counted += 1
            if counted > SLOP:
                return False
    return False
