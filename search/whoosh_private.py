"""Every private part of Whoosh (whoosh-reloaded 2.7.x) that search relies on, named here
and nowhere else: an upgrade of Whoosh is checked against this one module.

Each is used for speed (ranking and bitsets read postings a block at a time, a pattern's
words are expanded once) or to tell a query's kind; none changes what a search finds.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from array import array
from collections.abc import Iterable, Iterator
from itertools import accumulate

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
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


def term_postings(reader, fieldname: str, text: str):
    """(document frequency, postings matcher) of a term in one segment's ``reader``, the
    term looked up once: Whoosh's ``doc_frequency`` and ``postings`` each look it up
    (~12 us a look-up, in Python). None when the segment lacks the term. Deleted
    documents are left in: the caller filters them."""
    terms = getattr(reader, "_terms", None)
    if terms is None or not hasattr(terms, "_codec") or fieldname not in reader.schema:
        try:
            matcher = reader.postings(fieldname, text)
        except TermNotFound:
            return None
        return reader.doc_frequency(fieldname, text), matcher
    tbytes = reader._text_to_bytes(fieldname, text)
    try:
        info = terms.term_info(fieldname, tbytes)
    except (KeyError, TermNotFound):
        return None
    matcher = terms._codec.postings_reader(terms._postfile, info, reader.schema[fieldname].format,
                                           term=(fieldname, tbytes))
    return info.doc_frequency(), matcher


def posting_blocks(m):
    """(ids, term frequencies) of a posting list, a block at a time where the matcher
    is Whoosh 3's leaf matcher (``block_ids_weights``); deletions are filtered by the
    caller. Each block's ids are a new list, the caller's to change."""
    if isinstance(m, FilterMatcher):
        m = m.child
    if isinstance(m, W3LeafMatcher) and not m._byteids:
        while m.is_active():
            yield block_ids_weights(m)
            m._next_block()
        return
    ids, weights = [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    yield ids, weights


# A Whoosh 3 posting block is a zlib-compressed pickle (protocol 2) of the tuple (id
# deltas, weights, values). The values (each posting's positions) are most of its bytes
# and most of its decoding time: each is a call of codecs.encode, as protocol 2 pickles
# bytes. Ranking needs only ids and weights, which come first: the deltas tuple, memoised
# as object 0 ("t" "q\x00"), then the weights: a tuple of BINFLOATs (9 bytes each), a
# single float (all weights equal) or None (all 1.0).
_IDS_END = b"tq\x00"
_BINFLOAT = 9


def block_ids_weights(m) -> tuple:
    """The current block's (ids, weights) of a ``W3LeafMatcher``, as its ``_read_ids`` and
    ``_read_weights`` give them, without decompressing or unpickling the values: only the
    first bytes of the block are inflated (ids take at most 5 bytes each in the pickle,
    weights 9), and ids are the running sums of the deltas (``accumulate``, in C). A
    block laid out otherwise is decoded whole, by Whoosh."""
    n = m._blocklength
    raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
    if m._compression:
        raw = zlib.decompressobj().decompress(raw, 14 * n + 32)
    head = _ids_and_weights(raw, n)
    if head is None:
        if m._data is None:
            m._read_data()
        deltas, weights = m._data[0], m._data[1]
    else:
        deltas, weights = head
    if weights is None:
        weights = array("f", (1.0,)) * n
    elif isinstance(weights, float):
        weights = array("f", (weights,)) * n
    return list(accumulate(deltas)), weights


def _ids_and_weights(raw: bytes, n: int) -> tuple | None:
    """(id deltas, weights) read from the start of a block's pickle, or None when it is
    not laid out as expected (a block of up to three postings pickles its tuples
    without a MARK, for one)."""
    end = raw.find(_IDS_END)
    if end < 0:
        return None
    after = end + len(_IDS_END)
    kind = raw[after:after + 1]
    if kind == b"(":  # one float a posting
        stop = after + 1 + _BINFLOAT * n + 1
        if raw[stop - 1:stop + 2] != b"tq\x01" or raw[after + 1:after + 2] != b"G":
            return None
        head = pickle.loads(raw[:stop] + b"\x86.")
    elif kind == b"G":  # every weight the same
        head = (pickle.loads(raw[:end + 1] + b"."), struct.unpack(">d", raw[after + 1:after + 9])[0])
    elif kind == b"N":  # every weight 1.0
        head = (pickle.loads(raw[:end + 1] + b"."), None)
    else:
        return None
    deltas, weights = head
    if len(deltas) != n or (isinstance(weights, tuple) and len(weights) != n):
        return None
    return deltas, weights
