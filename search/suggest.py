"""Spelling: "did you mean" for whole queries, and word completions as a user types.

Both read the unstemmed ``spell`` field (the words of titles, headings, summaries,
categories and tags: the words worth offering): Whoosh's corrector on a stemmed field would
offer stems ("therapi") instead of words.
"""

from __future__ import annotations

import os
import re

from indexer.analysis import STOP_WORDS, SynonymMap, load_synonyms, normalize_words, spelling_analyzer
from search.handle import index_handle
from search.whoosh_private import doc_frequency

# A word of the query: not a field name (followed by ':'), not an operator.
_WORD = re.compile(r"(?<![\w~^*?])([^\W\d_][\w'’]*)(?![\w:~*?])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
MIN_WORD = 4  # shorter words have too many neighbours one edit away


def did_you_mean(searcher, text: str, synonyms: SynonymMap | None = None, count=None) -> str | None:
    """``text`` with each word the index does not know replaced by the closest known
    word (by edit distance, then frequency); None when every word is known or no
    correction is close enough. ``count`` (``site_counter``): known and offered are the
    words of one site's posts only, counted in them."""
    synonyms = synonyms if synonyms is not None else load_synonyms()
    reader = searcher.reader()
    corrector = None
    out, last, changed = [], 0, False
    for match in _WORD.finditer(text):
        word = match.group(1)
        if word in _OPERATORS or len(word) < MIN_WORD:
            continue
        folded = _fold(word)
        if folded in STOP_WORDS or _known(reader, word, folded, count):
            continue
        if _in_synonyms(synonyms, normalize_words(word)):
            continue  # a synonym the index does not use is still a good word
        corrector = corrector or searcher.corrector("spell")
        replacement = _closest(reader, corrector, folded, count)
        if replacement is None:
            continue
        if word[:1].isupper():
            replacement = replacement[:1].upper() + replacement[1:]
        out.append(text[last:match.start(1)])
        out.append(replacement)
        last = match.end(1)
        changed = True
    if not changed:
        return None
    out.append(text[last:])
    return "".join(out)


def _in_synonyms(synonyms: SynonymMap, terms: tuple[str, ...]) -> bool:
    """Is the word an entry of the synonym file, or a word of one ("crash" of "car crash")?"""
    if not terms:
        return False
    if synonyms.alternatives(terms) is not None:
        return True
    words = getattr(synonyms, "_needle_words", None)
    if words is None:
        words = frozenset(t for entry in synonyms.index for t in entry)
        synonyms._needle_words = words  # computed once per map (maps are cached)
    return all(t in words for t in terms)


def _known(reader, word: str, folded: str, count=None) -> bool:
    """Is ``word`` in the index? The spelling field holds only the words worth
    suggesting (titles, headings, summaries); a body word is known by its stem.
    Remembered by the reader (one per thread and generation): each answer costs a few
    term look-ups, and visitors' queries share their words."""
    if count is not None:  # one site's words (each word's posts cached as a bitset)
        return bool(count("spell", folded)) or any(
            count(f, t) for t in normalize_words(word) for f in ("text", "title"))
    known = reader.__dict__.setdefault("_needle_known", {})
    answer = known.get(word)
    if answer is None:
        answer = known[word] = bool(doc_frequency(reader, "spell", folded)) or any(
            doc_frequency(reader, f, t) for t in normalize_words(word) for f in ("text", "title"))
    return answer


def _closest(reader, corrector, word: str, count=None) -> str | None:
    """The known word nearest ``word``: fewest edits (a swap of two letters counts as
    one, the commonest typo), then most documents. Long words may be two edits off."""
    maxdist = 1 if len(word) <= 4 else 2
    # Whoosh's automaton counts a swap as two edits: ask one wider, then re-rank.
    candidates = corrector.suggest(word, limit=30, maxdist=min(maxdist + 1, 2), prefix=1)
    scored = []
    for c in candidates:
        if (d := edit_distance(word, c)) > maxdist:
            continue
        n = count("spell", c) if count is not None else reader.doc_frequency("spell", c)
        if n or count is None:  # one site's: only the words of its posts
            scored.append((d, -n, c))
    return min(scored)[2] if scored else None


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def suggest(index_dir: str | os.PathLike, prefix: str, limit: int = 8, site: str | None = None) -> list[str]:
    """Completions of the last word of ``prefix`` (as a user types), most common
    first, each returned as the whole query: "neck pa" -> ["neck pain", ...]. With
    ``site`` (as ``search``'s), only words of that site's posts, counted in them: one
    clinic's search box never offers another's words."""
    match = re.search(r"(\w+)$", prefix)
    if not match:
        return []
    head, stem = prefix[: match.start(1)], _fold(match.group(1))
    handle = index_handle(index_dir)
    reader = handle.searcher.reader()
    if site:
        count = site_counter(handle, site)

        def frequency(word: str) -> int:
            return count("spell", word)
    else:
        def frequency(word: str) -> int:
            return reader.doc_frequency("spell", word)

    words = [
        (n, w)
        for w in (b.decode("utf-8") for b in reader.expand_prefix("spell", stem))
        if (n := frequency(w))
    ]
    words.sort(key=lambda fw: (-fw[0], fw[1]))
    return [head + w for _, w in words[:limit]]


def _fold(word: str) -> str:
    tokens = [t.text for t in spelling_analyzer()(word, removestops=False)]
    return tokens[0] if tokens else word.lower()


def site_counter(handle, site: str):
    """(field, word) -> how many of ``site``'s posts hold the word: the site's posts and
    each word's posts are bitsets cached per index generation (search.docsets)."""
    from search import query

    searcher, docsets = handle.searcher, handle.docsets
    posts = docsets.of(query.site_filter(site), searcher)
    # a site of few posts: each word's postings read only where they may be (as a search
    # of the site reads them), its count exact for those posts
    scope = query.scope_of(posts, docsets.size)

    def count(fieldname: str, word: str) -> int:
        return (docsets.term_bits(fieldname, word, searcher, scope) & posts).bit_count() if posts else 0

    return count
