"""Every private part of Whoosh (whoosh-reloaded 2.7.x) that search relies on, named here
and nowhere else: an upgrade of Whoosh is checked against this one module.

Each is used for speed (ranking and bitsets read postings a block at a time, a pattern's
words are expanded once) or to tell a query's kind; none changes what a search finds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query.qcore import _NullQuery


def is_null_query(q: wq.Query) -> bool:
    """Does ``q`` match nothing (what the parser makes of an empty or all-stop-word query)?
    ``wq.NullQuery`` is an instance of the private ``_NullQuery`` class."""
    return q is wq.NullQuery or isinstance(q, _NullQuery)


def expanded_terms(node: wq.MultiTerm, reader) -> Iterator:
    """The index words (bytes) a pattern query (fuzzy, prefix, wildcard, range) stands for:
    ``MultiTerm._btexts``."""
    return node._btexts(reader)


def fix_expansion(node: wq.MultiTerm, words: Iterable) -> None:
    """Make ``node`` stand for ``words`` from now on, so the search (bitsets, scoring,
    snippets) does not expand it again for each use: replaces ``_btexts`` on the node."""
    node._btexts = _Expanded(tuple(words))


class _Expanded:
    """Stands in for a pattern query's ``_btexts(reader)``: the words found for it."""

    def __init__(self, words: tuple):
        self.words = words

    def __call__(self, reader=None):
        return iter(self.words)


def wildcard_pattern(node: wq.Query) -> str:
    """The regular expression Whoosh matches a wildcard's words with: ``_get_pattern``."""
    return node._get_pattern()


def skip_blocks(node: wq.Or) -> None:
    """Whoosh preloads and scores every match of an OR on small indexes (under 5,000
    documents); its union tree (``DEFAULT_MATCHER``) skips blocks that cannot reach the
    top N. ``matcher_type`` is an undocumented attribute."""
    node.matcher_type = wq.Or.DEFAULT_MATCHER


def field_b(weighting, fieldname: str) -> float:
    """BM25F's B of ``fieldname`` (its per-field ``_field_B``, else the default)."""
    return weighting._field_B.get(fieldname, weighting.B)


def posting_blocks(m):
    """(ids, term frequencies) of a posting list, a block at a time where the matcher
    is Whoosh 3's leaf matcher (its private block reads); deletions are filtered by the
    caller."""
    if isinstance(m, FilterMatcher):
        m = m.child
    if isinstance(m, W3LeafMatcher):
        while m.is_active():
            if m._ids is None:
                m._read_ids()
            if m._weights is None:
                m._read_weights()
            yield m._ids, m._weights
            m._next_block()
        return
    ids, weights = [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    yield ids, weights
