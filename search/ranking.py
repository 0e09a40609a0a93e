"""Top-N BM25F ranking from per-term impacts cached per index generation.

Whoosh scores a query by walking every posting of every term through a tree of Python
matcher objects (five method calls a posting), and its block-max skipping rarely skips
on clinic text, where the common words are in most posts: at 2,000 posts a three-word
query scored ~1,900 posts x 6 postings that way. Yet a term's BM25F contribution to a
post depends only on the term, the post and the index generation. So each term's
postings (post numbers, term frequencies) are read once per generation and its impact
in a post (score at weight 1, Whoosh's own formula: same idf, average field length, B
and K1) worked out from them: for the few posts a search ranks (``search.pruning``), or
for every post, kept, where all are read (impact order, full scoring: a sum of those
arrays). Queries made of words, ORs, ANDs and fuzzy words (what people type, synonyms
included) take this path; phrases, wildcards and NOT go through Whoosh.

Before BM25F, the ranking rules (``RULES``) order the posts: more of the query's words
first, then more of them in the title, then (among the best few) words standing
together; ``rank`` applies them, ``search.proximity`` reads the last.
"""

from __future__ import annotations

import heapq
from array import array
from math import log

from whoosh import query as wq
from whoosh.scoring import BM25F, WeightingModel
from whoosh.util.numeric import byte_to_length

from indexer.analysis import normalize_words
from search.once import OnceLRU
from search.whoosh_private import expanded_terms, field_b, length_bytes, term_blocks

# A term's cached postings are two arrays (12 bytes a posting), its impacts one more (8,
# the post numbers shared); this bounds each cache to 8M postings (~96 and ~64 MB).
CACHE_POSTINGS = 8_000_000
# The highest impacts of a term that pruning reads first (Impacts.order).
ORDER_PREFIX = 2048

Plan = tuple


def plan(q: wq.Query, scorable: frozenset[str], reader=None, text: str | None = None) -> Plan | None:
    """``q`` as nested ("term", field, text, boost, words, how) / ("or" | "and", [plans])
    tuples, or None when it holds anything this module does not rank.

    ``words`` is a bit mask of the query's typed words the term stands for (from the
    positions the parser gives each term: a synonym of a two-word run stands for both);
    ``how`` is "exact" (a typed word's own stem), "synonym" or "typo" (a fuzzy word's
    neighbour). With ``reader``, fuzzy words (``word~``) are ranked here too, as the OR of
    the index words they stand for. ``text`` is the query as typed, to tell exact words
    from synonyms (without it every term counts as exact)."""
    units = query_words(q)
    return _plan(q, scorable, reader, text, units, {})


def query_words(q: wq.Query) -> list[tuple]:
    """The query's distinct typed words, in order, as the (start, end) of each in the
    query text: the smallest ranges of its terms (a synonym of a run spans the run's
    words). A term without a position (built in code, not parsed) is its own word."""
    ranges = set()
    for node in _leaves(q):
        ranges.add(_range(node))
    spans = [r for r in ranges if r[0] != "text"]
    smallest = [r for r in spans if not any(o != r and r[0] <= o[0] and o[1] <= r[1] for o in spans)]
    return sorted(smallest) + sorted(r for r in ranges if r[0] == "text")


def _leaves(q: wq.Query):
    if q.is_leaf():
        yield q
    else:
        for child in q.children():
            yield from _leaves(child)


def _range(node: wq.Query) -> tuple:
    start, end = getattr(node, "startchar", None), getattr(node, "endchar", None)
    if start is None or end is None:
        return ("text", str(getattr(node, "text", "")))
    return (start, end)


def word_mask(node: wq.Query, units: list[tuple]) -> int:
    """Bit mask of the typed words (``query_words``) the term ``node`` stands for."""
    r = _range(node)
    if r[0] == "text":
        return 1 << units.index(r)
    return sum(1 << i for i, u in enumerate(units) if u[0] != "text" and r[0] <= u[0] and u[1] <= r[1])


def _how(node: wq.Query, text: str | None, stems: dict) -> str:
    r = _range(node)
    if text is None or r[0] == "text":
        return "exact"
    if r not in stems:
        stems[r] = set(normalize_words(text[r[0]:r[1]]))
    return "exact" if node.text in stems[r] else "synonym"


# A fuzzy word's neighbours weigh this much of the word itself: the word as typed ranks
# above what it might be a typo of.
TYPO_WEIGHT = 0.5


def _plan(q, scorable, reader, text, units, stems) -> Plan | None:
    if isinstance(q, wq.FuzzyTerm):
        if reader is None or q.fieldname not in scorable:
            return None
        mask = word_mask(q, units)
        words = [w.decode("utf-8") if isinstance(w, bytes) else w for w in expanded_terms(q, reader)]
        terms = [
            ("term", q.fieldname, w, q.boost * (1.0 if w == q.text else TYPO_WEIGHT), mask,
             "exact" if w == q.text else "typo")
            for w in words
        ]
        return ("or", terms)  # empty when no word of this field is near: nothing matches here
    if isinstance(q, wq.Term):
        if q.fieldname in scorable and isinstance(q.text, str):
            return ("term", q.fieldname, q.text, q.boost, word_mask(q, units), _how(q, text, stems))
        return None
    if isinstance(q, (wq.Or, wq.And)) and type(q) in (wq.Or, wq.And) and q.boost == 1.0:
        children = [_plan(sub, scorable, reader, text, units, stems) for sub in q.subqueries]
        if not children or any(c is None for c in children):
            return None
        return ("or" if isinstance(q, wq.Or) else "and", children)
    return None


class Scope:
    """The posts a search is narrowed to by its filters (a site's, a year's), when they
    are few: the terms' postings are then read only from the posting blocks that may
    hold one of them (``Impacts.postings_of``), bitsets and scores exact for those posts.
    ``bits`` is the set (and, an int, the key of what is read for it)."""

    __slots__ = ("bits", "within")

    def __init__(self, bits: int):
        self.bits = bits
        self.within = bits.to_bytes((bits.bit_length() + 7) // 8, "little")


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
        self.k1_plus_1 = weighting.K1 + 1
        self._lengths = OnceLRU()
        # each term's post numbers, term frequencies and idf (12 bytes a posting): its
        # bitset and the scores of the few posts a search ranks come from these
        self.postings = OnceLRU(CACHE_POSTINGS, size=lambda found: len(found[0]))
        # each term's impact in every post (8 bytes a posting more), for what reads them
        # all: impact order, full scoring, explanations, the warm-up
        self.terms = OnceLRU(CACHE_POSTINGS, size=lambda arrays: len(arrays[0]))
        # a term's postings of the blocks that may hold a post of a scope (Scope)
        self._scoped = OnceLRU(CACHE_POSTINGS // 4, size=lambda found: len(found[0]) or 1)
        # each term's postings in impact order (search.pruning), 4 bytes a posting; most
        # searches read only the start of it
        self._orders = OnceLRU(CACHE_POSTINGS, size=len)
        self._prefixes = OnceLRU(CACHE_POSTINGS // 8, size=lambda prefix: len(prefix) if prefix else 1)
        reader = searcher.reader()
        live = set(reader.all_doc_ids())
        self._deleted = frozenset(set(range(reader.doc_count_all())) - live)

    def cached(self, fieldname: str, text: str) -> bool:
        return (fieldname, text) in self.postings or (fieldname, text) in self.terms

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
            ((*self.impacts(searcher, field, text), boost) for _, field, text, boost, *_ in terms),
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

        def build() -> tuple[array, array]:
            ids, tfs, idf = self.postings_of(searcher, fieldname, text, pause)
            return ids, self._score(searcher, fieldname, ids, tfs, idf)

        return self.terms.get((fieldname, text), build)

    def postings_of(self, searcher, fieldname: str, text: str, pause=None,
                    scope: Scope | None = None) -> tuple[array, array, float]:
        """(post numbers, term frequencies, idf) of a term, read once: what its bitset
        needs, and ``impact`` of any of its posts; no post is scored until asked. With a
        ``scope``, only the postings of the blocks that may hold its posts are read (all
        of theirs are among them), unless the term's whole list is at hand."""
        key = (fieldname, text)
        if scope is None or key in self.postings:
            return self.postings.get(key, lambda: self._read(searcher, fieldname, text, pause))
        return self._scoped.get((fieldname, text, scope.bits),
                                lambda: self._read(searcher, fieldname, text, within=scope.within))

    def impact(self, tf: float, idf: float, norm: float) -> float:
        """A posting's BM25F impact (``norm``: ``_norms``' value for its post): the float
        ``_score`` computes for it."""
        return idf * ((tf * self.k1_plus_1) / (tf + norm))

    def order(self, searcher, fieldname: str, text: str, whole: bool = False) -> tuple[array, bool]:
        """The indices of a term's postings (in ``impacts``' arrays), highest impact first,
        equal impacts in index order, and whether that is all of them: by default only
        those reaching the ``ORDER_PREFIX``-th highest impact (pruning rarely reads
        further; finding them costs a third of sorting all), ``whole``: every one."""
        key = (fieldname, text)
        if not whole and key not in self._orders:
            prefix = self._prefixes.get(key, lambda: self._prefix(searcher, fieldname, text))
            if prefix is not None:
                return prefix, False

        def build() -> array:
            values = self.impacts(searcher, fieldname, text)[1]
            return array("i", sorted(range(len(values)), key=values.__getitem__, reverse=True))

        return self._orders.get(key, build), True

    def _prefix(self, searcher, fieldname: str, text: str) -> array | None:
        values = self.impacts(searcher, fieldname, text)[1]
        if len(values) <= 4 * ORDER_PREFIX:
            return None  # short enough to sort whole
        cut = heapq.nlargest(ORDER_PREFIX, values)[-1]
        # every posting reaching the cut, so that the rest are all below what was read
        indices = [i for i, v in enumerate(values) if v >= cut]
        indices.sort(key=values.__getitem__, reverse=True)
        return array("i", indices)

    def _compute(self, searcher, fieldname: str, text: str, pause=None) -> tuple[array, array]:
        """(post numbers, impacts) of a term, read and scored anew (uncached)."""
        ids, tfs, idf = self._read(searcher, fieldname, text, pause)
        return ids, self._score(searcher, fieldname, ids, tfs, idf)

    def _read(self, searcher, fieldname: str, text: str, pause=None,
              within: bytes | None = None) -> tuple[array, array, float]:
        ids, tfs = array("i"), array("d")
        subs = [(searcher, 0)] if searcher.is_atomic() else searcher.subsearchers
        # Each segment's postings and document frequency, the term looked up once in
        # each: Whoosh's doc_frequency, idf and postings looked it up again each time.
        found = []
        frequency = 0
        for sub, offset in subs:
            term = term_blocks(sub.reader(), fieldname, text, offset, within)
            if term is not None:
                frequency += term[0]
                found.append(term[1])
        if not found:
            return ids, tfs, 0.0
        if type(self.weighting).idf is WeightingModel.idf:
            # Whoosh's idf from the same counts (the sum over the segments is
            # searcher.doc_frequency), the same float
            idf = log(searcher.doc_count_all() / (frequency + 1)) + 1
        else:
            idf = searcher.idf(fieldname, text)
        deleted = self._deleted
        for blocks in found:
            for block_ids, block_weights in blocks:
                if pause is not None:
                    pause()
                if block_weights is None:  # every weight 1.0
                    block_weights = [1.0] * len(block_ids)
                if deleted:
                    kept = [(d, tf) for d, tf in zip(block_ids, block_weights) if d not in deleted]
                    block_ids = [d for d, _ in kept]
                    block_weights = [tf for _, tf in kept]
                ids.fromlist(block_ids)  # from a list: twice as fast as extend
                tfs.fromlist(block_weights if type(block_weights) is list else list(block_weights))
        return ids, tfs, idf

    def _score(self, searcher, fieldname: str, ids: array, tfs: array, idf: float) -> array:
        """Every posting's impact: whoosh.scoring.bm25, the length part precomputed."""
        norms = self._norms(searcher, fieldname)
        k1_plus_1 = self.k1_plus_1
        return array("d", [idf * ((tf * k1_plus_1) / (tf + norms[d])) for d, tf in zip(ids, tfs)])

    def _norms(self, searcher, fieldname: str) -> list[float]:
        """Per post, BM25's length normalisation K1 * ((1 - B) + B * length / average),
        from Whoosh's stored (byte-quantised) lengths: the ones its own scorer reads."""

        def build() -> list[float]:
            avgfl = searcher.avg_field_length(fieldname) or 1
            B = field_b(self.weighting, fieldname)
            K1 = self.weighting.K1
            lengths = document_length_bytes(searcher, fieldname)
            if lengths is not None:
                # a length is one of 256 bytes: the normalisation of each, then a look-up
                # a post (the same floats: doc_field_length gives byte_to_length of the
                # byte, None for 0, which counts as 1)
                by_byte = [K1 * ((1 - B) + B * ((byte_to_length(b) if b else None) or 1) / avgfl)
                           for b in range(256)]
                return list(map(by_byte.__getitem__, lengths))
            reader = searcher.reader()
            length = reader.doc_field_length
            # None: a segment where no document has the field (teasers only); such
            # documents have no posting to score anyway
            return [
                K1 * ((1 - B) + B * (length(d, fieldname, 1) or 1) / avgfl)
                for d in range(reader.doc_count_all())
            ]

        return self._lengths.get(fieldname, build)


def document_length_bytes(searcher, fieldname: str) -> bytes | None:
    """Every post's length byte in ``fieldname``, in post number order (each segment's,
    read at once), or None where a segment keeps them otherwise."""
    subs = [(searcher, 0)] if searcher.is_atomic() else searcher.subsearchers
    out = bytearray()
    for sub, offset in subs:
        segment = length_bytes(sub.reader(), fieldname) if offset == len(out) else None
        if segment is None:
            return None
        out += segment
    return bytes(out) if len(out) == searcher.doc_count_all() else None


def top(scores: dict[int, float], n: int, allowed=None, exact: bool = True) -> list[tuple[int, float]]:
    """The ``n`` best (post, score), best first; equal scores in index order, as Whoosh.
    ``exact=False``: every post whose score reaches the n-th best, unordered (n or more)."""
    if allowed is not None:
        scores = {d: s for d, s in scores.items() if d in allowed}
    if len(scores) > n:
        # the n-th best score, found in C; then every post reaching it, for exact ties
        cut = scores[heapq.nlargest(n, scores, key=scores.__getitem__)[-1]]
        best = [(d, s) for d, s in scores.items() if s >= cut]
    else:
        best = list(scores.items())
    if not exact:
        return best
    best.sort(key=lambda ds: (-ds[1], ds[0]))
    return best[:n]


# --- ranking rules ---------------------------------------------------------------------------

# Rules that can order posts before BM25F does (as Meilisearch's ranking rules, or
# Typesense dropping words only when too few posts have them all):
# "words" - posts matching more of the query's distinct typed words first (a synonym or
#   typo counts for the words it stands for);
# "attribute" - then more of the words in the title;
# "exactness" - then more of the words as typed (not through a synonym or typo);
# "proximity" - then more pairs of consecutive typed words standing together. It is read
#   from the stored text of the best few posts (search.proximity), so it always comes
#   after the other rules.
ALL_RULES = ("words", "attribute", "exactness", "proximity")
# The rules Needle applies, in that order; BM25F orders posts equal on all of them. Each
# was measured on judged queries (bench/relevance.py --ablation) and kept only if it
# helped: "exactness" did not (the weights of synonyms and typos inside BM25F already
# rank a word as typed above them).
RULES = ("words", "attribute", "proximity")


def only(p: Plan, keep) -> Plan | None:
    """The part of plan ``p`` made of the terms ``keep(term)`` accepts (an AND with a
    child left empty can match nothing)."""
    if p[0] == "term":
        return p if keep(p) else None
    children = [c for c in (only(c, keep) for c in p[1])]
    if p[0] == "and":
        return None if any(c is None for c in children) else ("and", children)
    children = [c for c in children if c is not None]
    return ("or", children) if children else None


def word_sets(impacts: "Impacts", p: Plan, searcher) -> dict[int, set]:
    """Bit mask of typed words -> the posts matching them through ``p``'s terms."""
    if p[0] == "term":
        return {p[4]: set(impacts.postings_of(searcher, p[1], p[2])[0])}
    parts = [word_sets(impacts, c, searcher) for c in p[1]]
    if p[0] == "or":
        out: dict[int, set] = {}
        for part in parts:
            for mask, docs in part.items():
                if mask in out:
                    out[mask] |= docs
                else:
                    out[mask] = set(docs)
        return out
    mask, docs = 0, None
    for part in parts:
        child = set().union(*part.values())
        docs = child if docs is None else docs & child
        for m in part:
            mask |= m
    return {mask: docs or set()}


def per_word(sets: dict[int, set], nwords: int) -> list[set]:
    """For each typed word, the posts matching it (through any term standing for it)."""
    out = []
    for i in range(nwords):
        bit = 1 << i
        docs = [s for m, s in sets.items() if m & bit]
        out.append(set().union(*docs) if docs else set())
    return out


def exact_words(p: Plan, nwords: int) -> list[str | None]:
    """Each typed word's own index term (None for a word only synonyms stand for)."""
    out: list[str | None] = [None] * nwords

    def visit(node):
        if node[0] == "term":
            if node[5] == "exact" and node[4] and node[4] & (node[4] - 1) == 0:
                i = node[4].bit_length() - 1
                if i < nwords and out[i] is None:
                    out[i] = node[2]
        else:
            for child in node[1]:
                visit(child)

    visit(p)
    return out


def rank(impacts: "Impacts", p: Plan, searcher, scores: dict[int, float], nwords: int, n: int,
         allowed=None, rules=None) -> tuple[list[tuple[int, float]], dict[int, int]]:
    """The ``n`` best posts of ``scores`` by the rules, then BM25F, then index order, as
    (post, score), and each one's tier: its count of words (then of title words, then of
    exact words) as one number, larger for a better tier (``tier_number``). Proximity is
    applied afterwards, to the best few (``reorder_window``). ``allowed``: the posts the
    filters keep (None: all). ``search.pruning`` finds the same posts without scoring
    every one."""
    rules = RULES if rules is None else rules
    layers = []
    for rule in rules if scores else ():
        if rule == "words":
            if nwords > 1:
                layers.append(per_word(word_sets(impacts, p, searcher), nwords))
        elif rule == "attribute":
            titled = only(p, lambda t: t[1] == "title")
            if titled is not None:
                layers.append(per_word(word_sets(impacts, titled, searcher), nwords))
        elif rule == "proximity":
            continue  # on the best few only: reorder_by_proximity
        elif rule == "exactness":
            exact = only(p, lambda t: t[5] == "exact")
            if exact is not None and exact != p:
                layers.append(per_word(word_sets(impacts, exact, searcher), nwords))
        else:
            raise ValueError(f"unknown ranking rule {rule!r}")
    if not layers:
        return top(scores, n, allowed), {}
    pool = scores
    if rules and rules[0] == "words" and nwords > 1:
        # When n posts have every word, only those can be among the n best: rank them
        # alone (sets intersected in C), not every post having any of the words.
        every = set.intersection(*layers[0])
        if allowed is not None:
            every &= allowed
        if len(every) >= n:
            pool, allowed = {d: scores[d] for d in every}, None
            layers = layers[1:]
    if not layers:
        return top(pool, n, allowed), {}
    keys = dict(pool)
    lowest = step = max(pool.values()) + 1.0
    get = keys.get
    # the last layer gets the smallest step: each step exceeds everything below it
    for layer in reversed(layers):
        for docs in layer:
            for d in docs:
                v = get(d)
                if v is not None:
                    keys[d] = v + step
        step *= nwords + 1
    # The float key (score + tier x step) selects the candidates in C. It never orders
    # two posts against their tiers and scores (a larger tier and score never give a
    # smaller key), so every post of the n best by (tier, score) has a key at least the
    # n-th largest; among those the tier and score decide exactly, as pruning does.
    candidates = top(keys, n, allowed, exact=False)
    tiers = {d: round((key - scores[d]) / lowest) for d, key in candidates}
    ordered = sorted(((d, scores[d]) for d, _ in candidates),
                     key=lambda ds: (tiers[ds[0]], ds[1], -ds[0]), reverse=True)
    return ordered[:n], tiers


def tier_number(counts: tuple[int, ...], nwords: int) -> int:
    """The tier of a post whose counts, rule by rule, are ``counts``, as ``rank`` numbers
    it: the first rule's count weighs most."""
    number = 0
    for count in counts:
        number = number * (nwords + 1) + count
    return number


# With the recency tie-break, posts whose BM25F scores are within this ratio of the best
# of their group count as equal, and the newer goes first among them.
RECENCY_RATIO = 1.1
_UNDATED = 2**64 - 1  # the published column's value for a post without a date


def reorder_window(best: list[tuple[int, float]], tiers: dict[int, int],
                   together=None, published=None) -> list[tuple[int, float]]:
    """``best`` ((post, score), best first) reordered: within posts of one tier of the rules
    before proximity (``tiers``: post -> tier, 0 when absent), more pairs of consecutive
    words standing together first (``together(post)`` counts them, when given), then
    BM25F. With ``published`` (post -> the published column's value), posts equal on the
    rules whose scores are within ``RECENCY_RATIO`` of the best of their group go newest
    first."""
    def level(d: int) -> tuple:
        return (-tiers.get(d, 0), -together(d) if together else 0)

    ordered = sorted(best, key=lambda ds: (level(ds[0]), -ds[1], ds[0]))
    if published is None:
        return ordered

    def newest_first(group):
        def when(ds):
            value = published(ds[0])
            return -1 if value == _UNDATED else value  # undated posts last
        return sorted(group, key=when, reverse=True)

    out, group = [], []
    for ds in ordered:
        if group and (level(ds[0]) != level(group[0][0])
                      or ds[1] * RECENCY_RATIO < group[0][1]):
            out += newest_first(group)
            group = []
        group.append(ds)
    return out + newest_first(group)
