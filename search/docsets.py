"""Every document a query matches, as a bitset (a Python int), for exact totals and facets.

Whoosh's exact total (``len(results)``) and its facets walk every matching document in
Python, for each query, on top of the top-N scoring. Here each leaf of the query
(a term, a phrase, a range) becomes a bitset once per index generation and is cached;
a query's set is the leaves combined with ``|``, ``&`` and ``~`` (C loops over machine
words), its total is a popcount, and a facet count is a popcount of the set ``&`` the
facet value's set (also built once per generation, from the columns).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from whoosh import query as wq

from indexer.schema import LIST_SEP
from search.once import OnceLRU
from search.whoosh_private import term_blocks

LEAF_CACHE_SIZE = 4096  # bitsets of 50k documents are ~6 KB each


# a byte per document, 0 or 1 -> the digits "0" and "1"
_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def to_bits(docnums: Iterable[int], size: int) -> int:
    """The bitset of ``docnums`` (each below ``size``): a byte set per document, read
    as a binary number in C; a third of the time of setting bits one by one in Python.
    A few posts of many (a sized collection under 1/32 of ``size``): their bits set in
    a byte a eight posts, not ``size`` bytes turned into a number."""
    if size <= 0:
        return 0
    if hasattr(docnums, "__len__") and len(docnums) * 32 < size:
        buf = bytearray((size + 7) // 8)
        for n in docnums:
            buf[n >> 3] |= 1 << (n & 7)
        return int.from_bytes(buf, "little")
    flags = bytearray(size)
    for n in docnums:
        flags[n] = 1
    return int(flags.translate(_DIGITS)[::-1], 2)


# runs of bytes holding some post
_NONZERO = re.compile(rb"[^\x00]+")


def members(bits: int) -> list[int]:
    """The document numbers in ``bits``, ascending (the empty stretches of a sparse set
    skipped in C)."""
    out = []
    raw = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for run in _NONZERO.finditer(raw):
        for i in range(run.start(), run.end()):
            byte = raw[i]
            while byte:
                low = byte & -byte
                out.append(i * 8 + low.bit_length() - 1)
                byte ^= low
    return out


class DocSets:
    """Bitsets of one searcher (one index generation): query -> matching documents."""

    def __init__(self, searcher, impacts=None, scored: frozenset[str] = frozenset()):
        reader = searcher.reader()
        self.size = reader.doc_count_all()
        self.live = to_bits(reader.all_doc_ids(), self.size)
        # a word of a ranked field: its bitset comes from its cached impacts' post
        # numbers, so its postings are decoded once for both
        self._impacts = impacts
        self._scored = scored
        self._leaves = OnceLRU(LEAF_CACHE_SIZE)
        self._scoped = OnceLRU(LEAF_CACHE_SIZE // 4)  # words' bitsets within a scope
        self._facets: dict[str, dict[str, int]] | None = None
        self._lock = threading.Lock()

    def of(self, q: wq.Query, searcher, scope=None) -> int:
        """The live documents matching ``q`` (scores and boosts aside), read with the
        calling thread's ``searcher`` where not cached yet. With a ``scope``
        (``ranking.Scope``), exact only within ``scope.bits``: the words of ranked fields
        are read from the posting blocks that may hold those posts (the caller keeps
        those posts alone)."""
        return self._eval(q, searcher, scope) & self.live

    def _eval(self, q: wq.Query, searcher, scope=None) -> int:
        _eval = self._eval
        if isinstance(q, (wq.Or, wq.DisjunctionMax)):
            bits = 0
            for sub in q.subqueries:
                bits |= _eval(sub, searcher, scope)
            return bits
        if isinstance(q, wq.And):
            bits = self.live
            for sub in q.subqueries:
                bits &= _eval(sub, searcher, scope)
                if not bits:
                    break
            return bits
        if isinstance(q, wq.AndNot):
            return _eval(q.a, searcher, scope) & ~_eval(q.b, searcher, scope)
        if isinstance(q, wq.Require):
            return _eval(q.a, searcher, scope) & _eval(q.b, searcher, scope)
        if isinstance(q, wq.AndMaybe):
            return _eval(q.a, searcher, scope)
        if isinstance(q, wq.Not):
            return self.live & ~_eval(q.query, searcher, scope)
        if isinstance(q, wq.Every) and not q.fieldname:
            return self.live
        if q is wq.NullQuery or isinstance(q, wq.qcore._NullQuery):
            return 0
        return self._leaf(q, searcher, scope)

    def term_bits(self, fieldname: str, text: str, searcher, scope=None) -> int:
        """The posts holding a word of a ranked field (cached, as a query leaf's)."""
        return self._leaf(wq.Term(fieldname, text), searcher, scope)

    def _leaf(self, q: wq.Query, searcher, scope=None) -> int:
        if isinstance(q, wq.Term):
            key: tuple = ("term", q.fieldname, q.text)
            if self._impacts is not None and q.fieldname in self._scored and isinstance(q.text, str):
                impacts = self._impacts
                if scope is not None and key not in self._leaves:
                    return self._scoped.get((key, scope.bits), lambda: to_bits(
                        impacts.postings_of(searcher, q.fieldname, q.text, scope=scope)[0], self.size))
                return self._leaves.get(key, lambda: to_bits(
                    impacts.postings_of(searcher, q.fieldname, q.text)[0], self.size))
            if type(q) is wq.Term and isinstance(q.text, str):
                if scope is not None and key not in self._leaves:
                    return self._scoped.get((key, scope.bits), lambda: self._term(q, searcher, scope.within))
                return self._leaves.get(key, lambda: self._term(q, searcher))
        else:
            key = (type(q).__name__, str(q.with_boost(1.0)))
        return self._leaves.get(key, lambda: to_bits(searcher.docs_for_query(q), self.size))

    def _term(self, q: wq.Term, searcher, within: bytes | None = None) -> int:
        """A word's posts (of a field not ranked: a filter, a key), from its posting
        blocks' ids (``term_blocks``), without Whoosh's matcher a post at a time; with
        ``within`` (``ranking.Scope.within``), exact for those posts only."""
        subs = [(searcher, 0)] if searcher.is_atomic() else searcher.subsearchers
        ids: list[int] = []
        for sub, offset in subs:
            reader = sub.reader()
            try:
                found = (term_blocks(reader, q.fieldname, q.text, offset, within)
                         if q.fieldname in reader.schema else None)
            except ValueError:  # not a value of the field: Whoosh matches nothing either
                found = None
            if found is not None:
                for block_ids, _ in found[1]:
                    ids += block_ids
        # deleted posts are in the blocks: only live ones count
        return to_bits(ids, self.size) & self.live

    # --- facets ---------------------------------------------------------------------

    def facets(self, bits: int, years: list, categories: list) -> dict[str, dict[str, int]]:
        """Counts by year and by category of the documents in ``bits``."""
        with self._lock:
            if self._facets is None:
                self._facets = _facet_sets(years, categories, self.size)
        year_counts = {}
        for value, mask in self._facets["year"].items():
            if count := (bits & mask).bit_count():
                year_counts[value] = count
        category_counts = {}
        for value, mask in self._facets["category"].items():
            if count := (bits & mask).bit_count():
                category_counts[value] = count
        return {
            "year": dict(sorted(year_counts.items(), reverse=True)),
            "category": dict(sorted(category_counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


def _facet_sets(years: list, categories: list, size: int) -> dict[str, dict[str, int]]:
    by_year: dict[str, list[int]] = {}
    by_category: dict[str, list[int]] = {}
    for n, y in enumerate(years):
        if 1900 < y < 3000:  # documents without a date hold the column's default
            by_year.setdefault(str(y), []).append(n)
    for n, blob in enumerate(categories):
        if blob:
            for name in set(blob.decode("utf-8").split(LIST_SEP)):
                by_category.setdefault(name, []).append(n)
    return {
        "year": {v: to_bits(ns, size) for v, ns in by_year.items()},
        "category": {v: to_bits(ns, size) for v, ns in by_category.items()},
    }
