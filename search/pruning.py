"""The best posts of a ranked query without scoring every post that matches it.

``ranking.rank`` orders posts by the ranking rules' tiers (how many of the query's words
a post has, then how many of them in its title), then by BM25F, then by index order. It
scores every matching post first: a sum over every posting of every query term, ~150,000
postings for a three-word query at 50,000 posts, in Python. Here, for the queries people
type (words and ORs of words, synonyms and field boosts included):

- the tiers come first, as bitsets: each term's posts (``search.docsets``, cached per
  generation), counted by word with bitwise adders, so the posts of the best tiers are
  known before any score is;
- a tier small enough is scored whole; in a larger one the best posts come from each
  term's postings in impact order (Fagin's threshold algorithm): read each term's posts
  from its highest impact down, score every post met in full, and stop once the n-th best
  score found is above the most a post not met yet could reach, the sum of each term's
  next impact.

Exact: a post's score is computed as ``Impacts.scores`` computes it (the same terms added
in the same order: the same float), and a post is left unscored only when its score is
certainly below the n-th best found (the bound has a margin far above rounding), so the n
best by (tier, score, index order) are those of scoring every post. When the reading goes
deep (terms whose impacts barely vary), it gives up and the caller scores every post.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left

from search.docsets import members
from search import ranking
from search.ranking import Impacts, Plan, tier_number

# A tier of at most this many posts is scored whole (a few µs a post).
SCORE_WHOLE = 512
# Postings read in impact order from each term per round, between checks of the bound.
ROUND = 64
# Reading in impact order stops (and every post is scored instead) past this share of
# the postings of the query's terms.
GIVE_UP = 0.25
# The bound's margin: far above the rounding of a sum of a few dozen impacts.
MARGIN = 1e-9


def best(impacts: Impacts, docsets, p: Plan, searcher, nwords: int, n: int, allowed: int | None,
         rules: tuple[str, ...] | None = None,
         scope=None) -> tuple[list[tuple[int, float]], dict[int, int]] | None:
    """The ``n`` best posts of plan ``p`` as ``ranking.rank`` gives them ((post, score) best
    first, and post -> tier), or None for a plan or rules this does not handle, or when
    pruning would not pay. ``allowed``: the bitset of posts the filters keep (None: all).
    ``rules``: default ``ranking.RULES`` as it is when called. ``scope`` (``ranking.Scope``,
    holding ``allowed``): the terms' postings are read for those posts only."""
    rules = ranking.RULES if rules is None else rules
    if any(rule not in ("words", "attribute", "proximity") for rule in rules):
        return None
    scorer = Scorer.of(impacts, searcher, p, docsets, scope)
    if scorer is None:
        return None
    universe = scorer.root_bits
    if allowed is not None:
        universe &= allowed
    if not universe:
        return [], {}
    layers = []
    for rule in rules:
        if rule == "words" and nwords > 1:
            layers.append(_exact_counts(_per_word(scorer.word_sets(p), nwords), universe))
        elif rule == "attribute":
            titled = ranking.only(p, lambda t: t[1] == "title")
            if titled is not None:
                layers.append(_exact_counts(_per_word(scorer.word_sets(titled), nwords), universe))
    budget = [GIVE_UP * sum(len(found[0]) for found in scorer.arrays.values())]
    out: list[tuple[int, float]] = []
    tiers: dict[int, int] = {}
    for counts, docs in _tiers(layers, universe):
        found = _best_of(scorer, impacts, searcher, docs, n - len(out), budget)
        if found is None:
            return None
        tier = tier_number(counts, nwords)
        for d, score in found:
            out.append((d, score))
            tiers[d] = tier
        if len(out) >= n:
            break
    return out, tiers


# --- scores, as Impacts.scores adds them -------------------------------------------------


class Scorer:
    """One post's BM25F score under a plan of words, ORs and ANDs, added as
    ``Impacts.scores`` adds it: in an OR, its terms from the longest posting list to the
    shortest (the first present term's weighted impact, then each next one added), then
    its other parts in order; in an AND, its parts from the one matching fewest posts to
    the one matching most, when all are present. And the bitsets of the plan's parts."""

    def __init__(self, impacts: Impacts, searcher, docsets, scope=None):
        self._impacts = impacts
        self._searcher = searcher
        self._docsets = docsets
        self._scope = scope  # only its posts are scored: the postings read for them
        # each term's post numbers, term frequencies and idf (Impacts.postings_of)
        self.arrays: dict[tuple[str, str], tuple[array, array, float]] = {}
        self.bits: dict[tuple[str, str], int] = {}
        # every term of the plan, as often as it is there: (field, text), boost, typed words
        self.weights: list[tuple[tuple[str, str], float, int]] = []
        self.root = None
        self.root_bits = 0

    @classmethod
    def of(cls, impacts: Impacts, searcher, p: Plan, docsets, scope=None) -> Scorer | None:
        scorer = cls(impacts, searcher, docsets, scope)
        try:
            scorer.root, scorer.root_bits = scorer._node(p)
        except _Unhandled:
            return None
        return scorer

    def _term(self, p) -> tuple[tuple, int]:
        leaf = (p[1], p[2])
        if leaf not in self.arrays:
            self.arrays[leaf] = self._impacts.postings_of(self._searcher, p[1], p[2], scope=self._scope)
            self.bits[leaf] = self._docsets.term_bits(p[1], p[2], self._searcher, self._scope)
        self.weights.append((leaf, p[3], p[4]))
        ids, tfs, idf = self.arrays[leaf]
        # a post's impact is worked out when it is scored (Impacts.impact's float): a
        # search scores a few hundred posts, not every posting of its terms
        norms = self._impacts._norms(self._searcher, p[1])
        bits = self.bits[leaf]
        # the term's posts a byte per eight: a post it lacks costs no bisection
        present = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
        return (ids, tfs, idf, norms, self._impacts.k1_plus_1, p[3], present), bits

    def _node(self, p) -> tuple[tuple, int]:
        """(node, bitset of the posts it scores)."""
        if p[0] == "term":
            leaf, bits = self._term(p)
            return ("or", [leaf], []), bits
        if p[0] == "or":
            bits = 0
            terms = []
            for c in p[1]:
                if c[0] == "term":
                    leaf, b = self._term(c)
                    terms.append(leaf)
                    bits |= b
            terms.sort(key=lambda leaf: len(leaf[0]), reverse=True)  # stable, as _accumulate's
            others = []
            for c in p[1]:
                if c[0] != "term":
                    node, b = self._node(c)
                    others.append(node)
                    bits |= b
            return ("or", terms, others), bits
        if p[0] == "and" and p[1]:
            parts = [self._node(c) for c in p[1]]
            bits = -1
            for _, b in parts:
                bits &= b
            parts.sort(key=lambda part: part[1].bit_count())  # stable, as scores' sort by size
            return ("and", [node for node, _ in parts]), max(bits, 0)
        raise _Unhandled

    def word_sets(self, p: Plan) -> dict[int, int]:
        """Bit mask of typed words -> the posts matching them through ``p``'s terms, as
        ``ranking.word_sets`` finds them (bitsets here)."""
        if p[0] == "term":
            return {p[4]: self.bits[(p[1], p[2])]}
        parts = [self.word_sets(c) for c in p[1]]
        if p[0] == "or":
            out: dict[int, int] = {}
            for part in parts:
                for mask, docs in part.items():
                    out[mask] = out.get(mask, 0) | docs
            return out
        mask, docs = 0, None
        for part in parts:
            child = 0
            for m, b in part.items():
                child |= b
                mask |= m
            docs = child if docs is None else docs & child
        return {mask: docs or 0}

    def score(self, d: int) -> float | None:
        return _score(self.root, d)


class _Unhandled(Exception):
    pass


def _score(node, d: int) -> float | None:
    if node[0] == "and":
        total = None
        for child in node[1]:
            v = _score(child, d)
            if v is None:
                return None
            total = v if total is None else total + v
        return total
    total = None
    byte, bit = d >> 3, 1 << (d & 7)
    for ids, tfs, idf, norms, k1_plus_1, boost, present in node[1]:
        if byte < len(present) and present[byte] & bit:  # the term's bitset: its post numbers
            tf = tfs[bisect_left(ids, d)]
            v = idf * ((tf * k1_plus_1) / (tf + norms[d]))  # Impacts.impact
            if boost != 1.0:
                v = boost * v
            total = v if total is None else total + v
    for child in node[2]:
        v = _score(child, d)
        if v is not None:
            total = v if total is None else total + v
    return total


# --- tiers ----------------------------------------------------------------------------------


def _per_word(sets: dict[int, int], nwords: int) -> list[int]:
    """For each typed word, the posts having it through any term (``ranking.per_word``)."""
    out = [0] * nwords
    for mask, docs in sets.items():
        for i in range(nwords):
            if mask & (1 << i):
                out[i] |= docs
    return out


def _exact_counts(sets: list[int], universe: int) -> list[int]:
    """``exact[c]``: the posts of ``universe`` in exactly c of ``sets`` (bitwise adders)."""
    at_least = [universe] + [0] * len(sets)
    for k, s in enumerate(sets, 1):
        for c in range(k, 0, -1):
            at_least[c] |= at_least[c - 1] & s
    at_least.append(0)
    return [at_least[c] & ~at_least[c + 1] for c in range(len(sets) + 1)]


def _tiers(layers: list[list[int]], universe: int, counts: tuple = ()):
    """(counts, posts) of every non-empty tier, the best first."""
    if not layers:
        yield counts, universe
        return
    first, rest = layers[0], layers[1:]
    for c in range(len(first) - 1, -1, -1):
        docs = universe & first[c]
        if docs:
            yield from _tiers(rest, docs, counts + (c,))


# --- the best of one tier --------------------------------------------------------------------


def _best_of(scorer: Scorer, impacts: Impacts, searcher, docs: int, k: int,
             budget: list[float]) -> list[tuple[int, float]] | None:
    """The ``k`` best (post, score) of the posts in bitset ``docs``, best first (equal
    scores in index order); None when reading in impact order went past ``budget``."""
    if docs.bit_count() <= max(k, SCORE_WHOLE):
        scored = [(d, scorer.score(d)) for d in members(docs)]
        scored.sort(key=lambda ds: (-ds[1], ds[0]))
        return scored[:k]
    inside = docs.to_bytes((docs.bit_length() + 7) // 8, "little")
    size = len(inside)
    lists = []
    for leaf, boost, _ in scorer.weights:
        ids, values = impacts.impacts(searcher, leaf[0], leaf[1])
        order, whole = impacts.order(searcher, leaf[0], leaf[1])
        lists.append([ids, values, boost, order, whole, leaf])
    at = [0] * len(lists)
    heap: list[tuple[float, int]] = []  # (score, -post): the worst of the k best on top
    seen: set[int] = set()
    score = scorer.score
    while True:
        for j, entry in enumerate(lists):
            ids, _, _, order, whole, leaf = entry
            start = at[j]
            if not whole and start + ROUND >= len(order):
                # past the highest impacts: the whole order (it starts with the same posts)
                order, whole = entry[3], entry[4] = impacts.order(searcher, leaf[0], leaf[1], whole=True)
            if start >= len(order):
                continue
            for index in order[start:start + ROUND]:
                d = ids[index]
                if d in seen:
                    continue
                seen.add(d)
                byte = d >> 3
                if byte >= size or not (inside[byte] >> (d & 7)) & 1:
                    continue
                candidate = (score(d), -d)
                if len(heap) < k:
                    heapq.heappush(heap, candidate)
                elif candidate > heap[0]:
                    heapq.heapreplace(heap, candidate)
            at[j] = start + ROUND
            budget[0] -= ROUND
        bound = 0.0
        left = False
        for j, (_, values, boost, order, _, _) in enumerate(lists):
            if at[j] < len(order):
                left = True
                bound += boost * values[order[at[j]]]
        if not left:
            break
        if len(heap) == k and heap[0][0] > bound * (1 + MARGIN):
            break
        if budget[0] < 0:
            return None
    return [(-neg, s) for s, neg in sorted(heap, reverse=True)]
