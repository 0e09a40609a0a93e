"""Top-N BM25F ranking from per-term impacts cached per index generation.

Whoosh scores a query by walking every posting of every term through a tree of Python
matcher objects (five method calls a posting), and its block-max skipping rarely skips
on clinic text, where the common words are in most posts: at 2,000 posts a three-word
query scored ~1,900 posts x 6 postings that way. Yet a term's BM25F contribution to a
post depends only on the term, the post and the index generation. So each term's
impacts (post -> score at weight 1) are computed once per generation with Whoosh's own
scorer (same idf, average field length, B and K1) and kept; a query's ranking is a sum
of those arrays. Queries made of words, ORs and ANDs (what people type, synonyms
included) take this path; phrases, wildcards, fuzzy words and NOT go through Whoosh.
"""

from __future__ import annotations

import heapq
from array import array

from whoosh import query as wq
from whoosh.scoring import BM25F

from search.once import OnceLRU
from search.whoosh_private import field_b, posting_blocks

# Cached impacts are two arrays (12 bytes a posting); this bounds them to ~96 MB.
CACHE_POSTINGS = 8_000_000

Plan = tuple


def plan(q: wq.Query, scorable: frozenset[str]) -> Plan | None:
    """``q`` as nested ("term", field, text, boost) / ("or" | "and", [plans]) tuples, or
    None when it holds anything this module does not rank."""
    if isinstance(q, wq.Term):
        if q.fieldname in scorable and isinstance(q.text, str):
            return ("term", q.fieldname, q.text, q.boost)
        return None
    if isinstance(q, (wq.Or, wq.And)) and type(q) in (wq.Or, wq.And) and q.boost == 1.0:
        children = [plan(sub, scorable) for sub in q.subqueries]
        if not children or any(c is None for c in children):
            return None
        return ("or" if isinstance(q, wq.Or) else "and", children)
    return None


class Impacts:
    """Per-term BM25F impacts of one index generation, shared by the threads of a process
    (``search.cache``): each term's arrays are computed once, by the first thread that
    needs them, with that thread's searcher (any searcher of the generation numbers the
    posts alike)."""

    def __init__(self, searcher):
        weighting = searcher.weighting
        if not isinstance(weighting, BM25F):
            raise TypeError("impacts replicate BM25F only")
        self.weighting = weighting
        self._lengths = OnceLRU()
        self.terms = OnceLRU(CACHE_POSTINGS, size=lambda arrays: len(arrays[0]))
        reader = searcher.reader()
        live = set(reader.all_doc_ids())
        self._deleted = frozenset(set(range(reader.doc_count_all())) - live)

    def cached(self, fieldname: str, text: str) -> bool:
        return (fieldname, text) in self.terms

    def scores(self, p: Plan, searcher) -> dict[int, float]:
        """Post number -> BM25F score of the plan (the sum over its matching terms)."""
        kind = p[0]
        if kind == "term":
            return self._accumulate(searcher, {}, [p])
        if kind == "or":
            terms = [c for c in p[1] if c[0] == "term"]
            acc = self._accumulate(searcher, {}, terms)
            for child in p[1]:
                if child[0] != "term":
                    get = acc.get
                    for d, s in self.scores(child, searcher).items():
                        acc[d] = get(d, 0.0) + s
            return acc
        parts = sorted((self.scores(child, searcher) for child in p[1]), key=len)
        acc = parts[0]
        for part in parts[1:]:
            acc = {d: s + part[d] for d, s in acc.items() if d in part}
            if not acc:
                break
        return acc

    def _accumulate(self, searcher, acc: dict[int, float], terms: list[Plan]) -> dict[int, float]:
        """Add the impacts of ``terms`` into ``acc``, straight from the cached arrays."""
        arrays = sorted(
            ((*self.impacts(searcher, field, text), boost) for _, field, text, boost in terms),
            key=lambda a: len(a[0]), reverse=True,
        )
        for ids, impacts, boost in arrays:
            weighted = impacts if boost == 1.0 else map(boost.__mul__, impacts)
            if not acc:
                acc = dict(zip(ids, weighted))  # the longest list: built in C
                continue
            get = acc.get
            for d, s in zip(ids, weighted):
                acc[d] = get(d, 0.0) + s
        return acc

    def impacts(self, searcher, fieldname: str, text: str, pause=None) -> tuple[array, array]:
        """(post numbers, BM25F scores at weight 1) of a term, computed once. ``pause``,
        if given, is called between posting blocks (the background warm-up yields there)."""
        return self.terms.get(
            (fieldname, text), lambda: self._compute(searcher, fieldname, text, pause)
        )

    def _compute(self, searcher, fieldname: str, text: str, pause=None) -> tuple[array, array]:
        ids, impacts = array("i"), array("d")
        if searcher.doc_frequency(fieldname, text) == 0:
            return ids, impacts
        idf = searcher.idf(fieldname, text)
        k1_plus_1 = self.weighting.K1 + 1
        norms = self._norms(searcher, fieldname)
        deleted = self._deleted
        subs = [(searcher, 0)] if searcher.is_atomic() else searcher.subsearchers
        for sub, offset in subs:
            reader = sub.reader()
            if (fieldname, text) not in reader:
                continue
            for block_ids, block_weights in posting_blocks(reader.postings(fieldname, text)):
                if pause is not None:
                    pause()
                block_ids = [d + offset for d in block_ids] if offset else list(block_ids)
                if deleted:
                    kept = [(d, tf) for d, tf in zip(block_ids, block_weights) if d not in deleted]
                    block_ids = [d for d, _ in kept]
                    block_weights = [tf for _, tf in kept]
                ids.extend(block_ids)
                # whoosh.scoring.bm25, with the length part precomputed
                impacts.extend([
                    idf * ((tf * k1_plus_1) / (tf + norms[d]))
                    for d, tf in zip(block_ids, block_weights)
                ])
        return ids, impacts

    def _norms(self, searcher, fieldname: str) -> list[float]:
        """Per post, BM25's length normalisation K1 * ((1 - B) + B * length / average),
        from Whoosh's stored (byte-quantised) lengths: the ones its own scorer reads."""

        def build() -> list[float]:
            reader = searcher.reader()
            avgfl = searcher.avg_field_length(fieldname) or 1
            B = field_b(self.weighting, fieldname)
            K1 = self.weighting.K1
            length = reader.doc_field_length
            # None: a segment where no document has the field (teasers only); such
            # documents have no posting to score anyway
            return [
                K1 * ((1 - B) + B * (length(d, fieldname, 1) or 1) / avgfl)
                for d in range(reader.doc_count_all())
            ]

        return self._lengths.get(fieldname, build)


def top(scores: dict[int, float], n: int, allowed=None) -> list[tuple[int, float]]:
    """The ``n`` best (post, score), best first; equal scores in index order, as Whoosh."""
    if allowed is not None:
        scores = {d: s for d, s in scores.items() if d in allowed}
    if len(scores) > n:
        # the n-th best score, found in C; then every post reaching it, for exact ties
        cut = scores[heapq.nlargest(n, scores, key=scores.__getitem__)[-1]]
        best = [(d, s) for d, s in scores.items() if s >= cut]
    else:
        best = list(scores.items())
    best.sort(key=lambda ds: (-ds[1], ds[0]))
    return best[:n]
