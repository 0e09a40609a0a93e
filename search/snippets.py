"""Snippets: one compact, single-line excerpt of a post with the query's words marked.

Whoosh's highlighter re-analyses a hit's whole body through the full analyzer chain for
every hit and returns several fragments with the body's line breaks kept. Here the
stored text is scanned with one regular expression of the query's stems, each candidate
word is analysed once per process (a cache: clinic vocabulary is small), and the
excerpt is the window of at most ``SNIPPET_CHARS`` characters holding the most distinct
query words (a synonym counts for the word it stands for).
"""

from __future__ import annotations

import functools
import html
import re

from indexer.analysis import normalize_words

SNIPPET_CHARS = 240
# Query terms a snippet marks at most: the terms become one regular expression, and a
# wildcard may stand for hundreds of words (search.budget); the caller puts the words as
# typed first.
MAX_TERMS = 64
# Context kept before the first match, so the excerpt does not start on the match.
LEAD_CHARS = 40
_SPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=100_000)
def _index_term(word: str) -> str | None:
    """The index term a word of a post becomes (None for a stop word)."""
    terms = normalize_words(word)
    return terms[0] if len(terms) == 1 else None


def _matches(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every word of ``text`` that the index reads as one of ``terms``.

    A regular expression of the terms' stems finds the candidate words (in C) on an
    accent-folded copy of the same length; only those are analysed to confirm them.
    """
    out = []
    folded = text if text.isascii() else text.translate(fold_table())
    lowered = folded.lower()
    if len(lowered) == len(folded) and _plain(terms) and (
            folded.isascii() or not any(c in folded for c in _CASE_SPECIAL)):
        # The same candidates, faster: a case-sensitive pattern over the lowered copy
        # lets the engine skip to the letters a stem starts with, and the word start is
        # checked on the few matches instead of at every character. Lowering keeps every
        # position and every word character (checked over all of Unicode); the three
        # characters re's IGNORECASE matches to an ASCII letter that lower() does not
        # give are handed to the pattern below.
        found = _word_starts(lowered, folded, terms)
    else:
        found = ((m.start(), m.end()) for m in _candidates(terms).finditer(folded))
    for start, end in found:
        term = _index_term(text[start:end])
        if term in terms:
            out.append((start, end, term))
    return out


def _word_starts(lowered: str, folded: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """(start, end) of the candidate words of the lowered text, in order: what
    ``_candidates_lower`` finds at word starts. One scan a stem prefix: ``str.find`` for
    the prefix, then one shared pattern for the rest of the word, as a pattern of the
    prefix followed by it would match (compiling a pattern for each new prefix cost
    ~0.1 ms, an alternation of them for each new query as much). The same candidates:
    a match spans word characters and dots only, so no scan skips a word start, and
    where several prefixes start the same word the longest gives the end, as the
    alternation (longest first) does."""
    prefixes = _prefixes(terms)
    if prefixes is None:
        return [(m.start(), m.end()) for m in _candidates_lower(terms).finditer(lowered)
                if not m.start() or not _WORD_BEFORE.match(folded, m.start() - 1)]
    found: dict[int, tuple[int, int]] = {}
    find, rest, before = lowered.find, _REST_OF_WORD.match, _WORD_BEFORE.match
    for prefix in prefixes:  # longest first: a start already found keeps its end
        size = len(prefix)
        start = find(prefix)
        while start >= 0:
            end = rest(lowered, start + size).end()
            if start not in found and (not start or not before(folded, start - 1)):
                found[start] = (start, end)
            start = find(prefix, end)  # the next match starts after this one, as finditer's
    return [found[start] for start in sorted(found)]


# What follows a stem prefix in a candidate word (``_candidates``' tail).
_REST_OF_WORD = re.compile(r"\w*(?:\.\w+)*")


@functools.lru_cache(maxsize=1024)
def _prefixes(terms: frozenset[str]) -> tuple[str, ...] | None:
    """The stem prefixes of ``_alternatives``, longest first; None when one holds a
    character other than a word character or a dot (the argument above needs those)."""
    prefixes = _alternatives(terms, escape=False)
    return tuple(prefixes) if all(_WORDISH.fullmatch(p) for p in prefixes) else None


_WORDISH = re.compile(r"[\w.]+")


# re's IGNORECASE matches these to i or s; their lower() is not that letter
_CASE_SPECIAL = "\u0130\u0131\u017f"
_WORD_BEFORE = re.compile(r"[\w.]")


@functools.lru_cache(maxsize=1024)
def _plain(terms: frozenset[str]) -> bool:
    """Are the terms ASCII and lower case (what the analyzer makes of English words)?"""
    return all(t.isascii() and t == t.lower() for t in terms)


def _alternatives(terms: frozenset[str], escape: bool = True):
    # A Porter stem is a prefix of its word but for its last letter at most
    # (therapy -> therapi, dry -> dri); two-letter terms are kept whole.
    kept = terms if len(terms) <= MAX_TERMS else sorted(terms)[:MAX_TERMS]
    prefixes = sorted({t[:-1] if len(t) > 2 else t for t in kept}, key=len, reverse=True)
    return "|".join(re.escape(p) for p in prefixes) if escape else prefixes


@functools.lru_cache(maxsize=1024)
def _candidates(terms: frozenset[str]) -> re.Pattern:
    return re.compile(rf"(?<![\w.])(?:{_alternatives(terms)})\w*(?:\.\w+)*", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def _candidates_lower(terms: frozenset[str]) -> re.Pattern:
    """``_candidates`` for lowered text: no case folding, the word start checked by the
    caller (a match inside a word only consumes word characters and dots, after which no
    word can start, so no candidate is skipped)."""
    return re.compile(rf"(?:{_alternatives(terms)})\w*(?:\.\w+)*")


@functools.cache
def fold_table() -> dict[int, str]:
    """Accent folding that keeps every character in place (é -> e, not æ -> ae), so match
    positions in the folded copy are positions in the text. Built on first use: only
    texts beyond ASCII need it, and building it (and importing Whoosh's charset table)
    cost ~3 ms of every `needle search`."""
    from whoosh.support.charset import accent_map

    return {
        ord(k): v for k, v in ((chr(c), accent_map.get(c)) for c in range(0x80, 0x2000))
        if isinstance(v, str) and len(v) == 1
    }


def _best_window(matches: list[tuple[int, int, str]], width: int,
                 words: dict[str, int] | None = None) -> tuple[int, int]:
    """Indices [i, j) of the run of matches fitting in ``width`` characters that holds
    the most distinct query words (``words``: term -> bit mask of the typed words it
    stands for, so a word and its synonyms count once; a term not in it is a word of its
    own), then the most distinct terms, then the most matches; the earliest on ties.

    The run slides along the matches, its counts updated as a match enters or leaves
    (the set of terms of every run, built anew, cost ~15 us a post of common words)."""
    words = words or {}
    best, best_score = (0, 1), (-1, -1, -1)
    limit = width - LEAD_CHARS
    count: dict[str, int] = {}  # term -> its matches in the run
    holders: dict[int, int] = {}  # a typed word's bit -> the run's distinct terms with it
    state = [0, 0]  # typed words with a holder, terms of the run not in ``words``

    def enter(term: str) -> None:
        n = count.get(term, 0)
        count[term] = n + 1
        if n:
            return
        mask = words.get(term)
        if mask is None:
            state[1] += 1
            return
        while mask:
            bit = mask & -mask
            mask ^= bit
            held = holders.get(bit, 0)
            holders[bit] = held + 1
            if not held:
                state[0] += 1

    def leave(term: str) -> None:
        n = count[term] - 1
        if n:
            count[term] = n
            return
        del count[term]
        mask = words.get(term)
        if mask is None:
            state[1] -= 1
            return
        while mask:
            bit = mask & -mask
            mask ^= bit
            holders[bit] -= 1
            if not holders[bit]:
                state[0] -= 1

    total = len(matches)
    j = 0
    for i, (start, _, term) in enumerate(matches):
        if i:
            leave(matches[i - 1][2])
        if j <= i:  # the run had only the match that left: this one starts it
            enter(term)
            j = i + 1
        while j < total and matches[j][1] - start <= limit:
            enter(matches[j][2])
            j += 1
        score = (state[0] + state[1], len(count), j - i)
        if score > best_score:
            best, best_score = (i, j), score
    return best


def _clip_start(text: str, pos: int, first_match: int) -> int:
    """``pos`` moved forward to the start of a word, but not past the first match."""
    if pos <= 0:
        return 0
    m = _SPACE.search(text, pos, first_match)
    return m.end() if m else first_match


def _clip_end(text: str, pos: int, last_match_end: int) -> int:
    """``pos`` moved back to the end of a word, but not before the last match."""
    if pos >= len(text):
        return len(text)
    cut = max(text.rfind(" ", last_match_end, pos), text.rfind("\n", last_match_end, pos))
    return cut if cut >= 0 else max(pos, last_match_end)


# A snippet: its pieces of text in order, each marked (a query word) or not.
Span = tuple[str, bool]
# The same, with the number of the query term each marked piece matched (its CSS class).
_Piece = tuple[str, "int | None"]


def _pieces(text: str, terms: frozenset[str], width: int,
            words: dict[str, int] | None = None) -> list[_Piece]:
    """The best excerpt of ``text`` as pieces, on one line; [] when no term occurs."""
    if not text or not terms:
        return []
    matches = _matches(text, terms)
    if not matches:
        return []
    i, j = _best_window(matches, width, words)
    first_start = matches[i][0]
    start = _clip_start(text, max(0, first_start - LEAD_CHARS), first_start)
    end = _clip_end(text, start + width, matches[j - 1][1])
    numbers: dict[str, int] = {}
    out: list[_Piece] = []
    before = "… " if start > 0 else ""
    last = start
    for m_start, m_end, term in matches[i:]:
        if m_end > end:
            break
        if m_start < start:
            continue
        out.append((before + _SPACE.sub(" ", text[last:m_start]), None))
        before = ""
        out.append((text[m_start:m_end], numbers.setdefault(term, len(numbers))))
        last = m_end
    out.append((_SPACE.sub(" ", text[last:end]), None))
    # one line, no blank at either end; an ellipsis where the text goes on
    out[0] = (out[0][0].lstrip(), out[0][1])
    out[-1] = (out[-1][0].rstrip(), out[-1][1])
    if end < len(text):
        out.append((" …", None))
    return [(piece, number) for piece, number in out if piece]


def _html(pieces: list[_Piece]) -> str:
    return "".join(
        html.escape(piece, quote=False) if number is None
        else f'<mark class="match term{number}">{html.escape(piece, quote=False)}</mark>'
        for piece, number in pieces
    )


def excerpt(text: str, terms: frozenset[str], width: int = SNIPPET_CHARS,
            words: dict[str, int] | None = None) -> tuple[str, list[Span]]:
    """The best excerpt of ``text`` with ``terms`` (index terms) marked, on one line: as
    HTML (escaped, matches in ``<mark>``) and as spans; ("", []) when no term occurs.
    ``words`` (term -> bit mask of the typed words it stands for) makes the passage the
    one with the most distinct typed words, a synonym counting for its word."""
    pieces = _pieces(text, terms, width, words)
    return _html(pieces), [(piece, number is not None) for piece, number in pieces]


def highlight(text: str, terms: frozenset[str], width: int = SNIPPET_CHARS) -> str:
    """The best excerpt of ``text`` with ``terms`` (index terms) in ``<mark>``, HTML-escaped
    and on one line; "" when no term occurs in ``text``."""
    return _html(_pieces(text, terms, width))


def lead_spans(text: str, width: int = SNIPPET_CHARS) -> list[Span]:
    """The start of ``text``, cut at a word, on one line, as one unmarked span."""
    flat = _SPACE.sub(" ", text).strip()
    if len(flat) > width:
        flat = flat[:width].rsplit(" ", 1)[0] + " …"
    return [(flat, False)] if flat else []


def lead(text: str, width: int = SNIPPET_CHARS) -> str:
    """The start of ``text``, cut at a word, escaped and on one line."""
    return "".join(html.escape(piece, quote=False) for piece, _ in lead_spans(text, width))
