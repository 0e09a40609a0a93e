"""Every private part of Whoosh (whoosh-reloaded 2.7.x) that search relies on, named here
and nowhere else: an upgrade of Whoosh is checked against this one module.

Each is used for speed (ranking and bitsets read postings a block at a time, a pattern's
words are expanded once) or to tell a query's kind; none changes what a search finds.
"""

from __future__ import annotations

import pickle
import struct
from hashlib import md5
import zlib
from array import array
from collections.abc import Iterable, Iterator
from itertools import accumulate, repeat

from whoosh import query as wq
from whoosh.codec.whoosh3 import (LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3LeafMatcher, W3PerDocReader,
                                  W3TermInfo, W3TermsReader, _lenfield)
from whoosh.columns import NumericColumn
from whoosh.filedb.filetables import md5_hash
from whoosh.filedb.structfile import BufferFile
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import MultiReader, SegmentReader, TermNotFound
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


def term_blocks(reader, fieldname: str, text: str, offset: int = 0, within: bytes | None = None):
    """(document frequency, blocks) of a term in one segment's ``reader``, or None when
    the segment lacks it. The blocks are (ids, weights) pairs, as ``posting_blocks``
    gives them, but a block's weights may be None (all 1.0) and its ids are ``offset``
    plus the segment's (the segment's first post number in a searcher of several).
    Deleted documents are left in (the caller filters them). ``within`` (post numbers
    as bits, eight a byte, lowest first): only blocks whose range of ids may hold one of
    those posts are read; every posting of those posts is among them (and others).

    Where the term's postings are Whoosh 3 blocks on the postings file, they are read
    from its term info, as one byte string split into blocks here (``_block_spans``),
    each block's ids and weights read from the start of its pickle (``_head``): Whoosh's
    matcher read each block's header through its file object, in Python, and unpickled
    ids and weights a posting at a time. Anything laid out otherwise is read by Whoosh."""
    terms = getattr(reader, "_terms", None)
    if type(terms) is not W3TermsReader or fieldname not in reader.schema:
        found = term_postings(reader, fieldname, text)
        if found is None:
            return None
        return found[0], _offset(posting_blocks(found[1]), offset)
    tbytes = reader._text_to_bytes(fieldname, text)
    found = _term_extent(terms, fieldname, tbytes)
    if found is None:
        return None
    frequency, start, length = found
    if start is not None:
        spans = _block_spans(terms._postfile, start, length)
        if spans is not None:
            if within is not None:
                spans = _overlapping(spans, offset, within)
            return frequency, map(_decode_block, spans, repeat(offset))
    try:
        info = terms.term_info(fieldname, tbytes)
    except (KeyError, TermNotFound):
        return None
    matcher = terms._codec.postings_reader(terms._postfile, info, reader.schema[fieldname].format,
                                           term=(fieldname, tbytes))
    return info.doc_frequency(), _offset(posting_blocks(matcher), offset)


_POINTER = struct.Struct("!Iq")  # a hash slot: the key's hash, the key's position
_LENGTHS = struct.Struct("!ii")  # before a key: its length and its value's
_FIELD = struct.Struct("!H")  # a term's key: its field's number, then its bytes
_TERM_INFO = W3TermInfo._struct
_EXTENT = struct.Struct("!qi")  # after it, where the postings are and their length


def _term_extent(terms, fieldname: str, tbytes: bytes) -> tuple | None:
    """(document frequency, postings offset, postings length) of a term in a Whoosh 3
    terms table, offset and length None when the postings are inlined; None when the
    table lacks the term. ``W3TermsReader.term_info``'s look-up (an md5 hash, then the
    hash table's slots) read straight from the table's buffer (its generators, file
    reads and term info object cost ~20 us a look-up, two or more a word)."""
    tindex = terms._tindex
    dbfile = tindex.dbfile
    buf = getattr(dbfile, "_buf", None)
    if type(dbfile) is not BufferFile or buf is None or tindex.hashfn is not md5_hash:
        try:
            info = terms.term_info(fieldname, tbytes)
        except (KeyError, TermNotFound):
            return None
        return (info.doc_frequency(), None, None) if info.is_inlined() else (info.doc_frequency(), *info.extent())
    key = _FIELD.pack(terms._fieldmap.get(fieldname, 65535)) + tbytes
    keyhash = int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")  # md5_hash
    tablestart, slots = tindex.tables[keyhash & 255]
    if not slots:
        return None
    size = _POINTER.size
    slot = tablestart + ((keyhash >> 8) % slots) * size
    end = tablestart + slots * size
    for _ in range(slots):
        slothash, itempos = _POINTER.unpack_from(buf, slot)
        if not itempos:
            return None
        if slothash == keyhash:
            keylen, datalen = _LENGTHS.unpack_from(buf, itempos)
            keystart = itempos + _LENGTHS.size
            if keylen == len(key) and buf[keystart:keystart + keylen] == key:
                at = keystart + keylen
                values = _TERM_INFO.unpack_from(buf, at)
                if values[0] or datalen != _TERM_INFO.size + _EXTENT.size:  # inlined postings
                    return values[2], None, None
                start, length = _EXTENT.unpack_from(buf, at + _TERM_INFO.size)
                return values[2], start, length
        slot += size
        if slot == end:
            slot = tablestart
    return None


def _offset(blocks, offset: int):
    if not offset:
        return blocks
    return (([d + offset for d in ids], weights) for ids, weights in blocks)


def _block_spans(postfile, start: int, length) -> list | None:
    """The (posting count, compression, data, last id) of each block of the posting list at
    ``start`` of ``postfile``, ``length`` bytes long, read in one piece: after a 4-byte
    tag, a block is its length (4 bytes, negative for the last block), its pickled header
    (count, last id, max weight, compression, min and max length bytes) and its data.
    None when the bytes are not laid out so: each header must pickle back to its bytes,
    and the last block must end the list."""
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves it as struct.unpack's tuple
        length = length[0] if len(length) == 1 else None
    if not isinstance(length, int) or not isinstance(start, int) or length < 8:
        return None
    raw = postfile.get(start, length)
    if len(raw) != length or raw[:4] != WHOOSH3_HEADER_MAGIC:
        return None
    view = memoryview(raw)
    spans = []
    pos = 4
    while pos + 4 <= length:
        size = int.from_bytes(raw[pos:pos + 4], "big", signed=True)
        last = size < 0
        head_at, block_end = pos + 4, pos + 4 + abs(size)
        if block_end > length:
            return None
        try:
            info = pickle.loads(view[head_at:block_end])
        except Exception:
            return None
        if type(info) is not tuple or len(info) != 6 or type(info[0]) is not int or info[0] < 1:
            return None
        header = pickle.dumps(info, 2)
        if not raw.startswith(header, head_at):
            return None
        spans.append((info[0], info[3], view[head_at + len(header):block_end], info[1]))
        if last:
            return spans if block_end == length else None
        pos = block_end
    return None


def _overlapping(spans: list, offset: int, within: bytes) -> list:
    """The blocks whose ids (after the last block's last id, up to their own last id,
    ``offset`` added) may include a post of ``within``: a byte of it not zero in their
    range."""
    kept = []
    low = offset
    for span in spans:
        high = offset + span[3]
        chunk = within[low >> 3:(high >> 3) + 1]
        if chunk and chunk.count(0) != len(chunk):
            kept.append(span)
        low = high + 1
    return kept


def _decode_block(span, offset: int) -> tuple:
    """(ids, weights) of one block from ``_block_spans``, as ``block_ids_weights`` gives
    them but for weights all 1.0, which are None."""
    n, compression, data, _ = span
    if compression:
        inflate = zlib.decompressobj()
        head = _head(inflate, data, n, offset)
    else:
        head = _head(None, data, n, offset)
    if head is None:  # laid out otherwise: the whole pickle
        deltas, weights = pickle.loads(zlib.decompress(data) if compression else data)[:2]
        if len(deltas) != n:
            raise ValueError("posting block count mismatch")
        ids = list(accumulate(deltas, initial=offset))[1:]
    else:
        ids, weights = head
    if isinstance(weights, float):
        weights = array("f", (weights,)) * n
    return ids, weights


# The pickle of a block's data starts with protocol 2's header and the ids' deltas as a
# tuple: the first (the block's first id) an int of 1, 2 or 4 bytes ("K", "M" or "J"),
# the others, in the common case, one byte each ("K" b: ids a few apart); the tuple is
# memoised as object 0 ("tq\x00"); then the weights (see _BINFLOAT below).
_START = b"\x80\x02("
_FIRST = {0x4B: 1, 0x4D: 2, 0x4A: 4}  # "K", "M", "J": bytes of the int that follows
_WEIGHTS = {}  # posting count -> the Struct reading that many BINFLOATs


def _head(inflate, data, n: int, offset: int) -> tuple | None:
    """(ids, weights) from the start of a block's pickle, inflating (``inflate``, or None
    for an uncompressed block) no more of it than they take; None when laid out
    otherwise. Weights are None (all 1.0), one float (all equal) or a tuple."""
    want = 3 + 5 + 2 * (n - 1) + 4  # the deltas at most, "tq\x00", the weights' opcode
    raw = bytes(data) if inflate is None else inflate.decompress(data, want)
    size = _FIRST.get(raw[3]) if len(raw) > 3 and raw.startswith(_START) else None
    if size is not None:
        rest = 4 + size  # the other deltas: "K" b each
        ids_end = rest + 2 * (n - 1)
    if (size is None or len(raw) < ids_end + 4 or raw[ids_end:ids_end + 3] != _IDS_END
            or raw[rest:ids_end:2] != b"K" * (n - 1)):
        if inflate is not None:  # wider ids: as much as they can take
            raw += inflate.decompress(inflate.unconsumed_tail, 14 * n + 32 - len(raw))
        head = _ids_and_weights(raw, n)
        return None if head is None else (list(accumulate(head[0], initial=offset))[1:], head[1])
    first = int.from_bytes(raw[4:rest], "little", signed=size == 4)
    ids = list(accumulate(raw[rest + 1:ids_end:2], initial=first + offset))
    at = ids_end + 4  # after the weights' opcode
    kind = raw[at - 1]
    if kind == 0x4E:  # "N": every weight 1.0
        return ids, None
    if kind == 0x47:  # "G": one float for every posting
        if inflate is not None and len(raw) < at + 8:
            raw += inflate.decompress(inflate.unconsumed_tail, at + 8 - len(raw))
        if len(raw) < at + 8:
            return None
        return ids, struct.unpack_from(">d", raw, at)[0]
    if kind != 0x28:  # "(": a float a posting
        return None
    stop = at + _BINFLOAT * n + 3
    if inflate is not None and len(raw) < stop:
        raw += inflate.decompress(inflate.unconsumed_tail, stop - len(raw))
    if len(raw) < stop or raw[stop - 3:stop] != b"tq\x01" or raw[at:stop - 3:_BINFLOAT] != b"G" * n:
        return None
    unpack = _WEIGHTS.get(n)
    if unpack is None:
        unpack = _WEIGHTS[n] = struct.Struct(">" + "xd" * n).unpack_from
    return ids, unpack(raw, at)


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


def length_bytes(reader, fieldname: str) -> bytes | None:
    """Every document's length byte in ``fieldname`` (Whoosh's ``length_to_byte``; 0 for
    none) of one segment's ``reader``, read from its lengths column at once, or None
    where the segment keeps lengths otherwise. ``doc_field_length`` reads one document's
    (a seek and an unpack each)."""
    perdoc = getattr(reader, "_perdoc", None)
    if not isinstance(perdoc, W3PerDocReader):
        return None
    n = reader.doc_count_all()
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return bytes(n)  # no document has the field: each reads as having none
    if (type(column) is not NumericColumn.Reader or column._fixedlen != 1 or column._default != 0
            or column._typecode != "B"):
        return None
    count = min(column._count, n)
    raw = column._dbfile.get(column._basepos, count)
    if len(raw) != count:
        return None
    return raw + bytes(n - count)  # documents past the column's end read its default, 0


def doc_frequency(reader, fieldname: str, text: str) -> int:
    """``reader.doc_frequency(fieldname, text)`` (the sum over segments for a reader of
    several), each segment's term looked up by ``_term_extent``."""
    readers = reader.readers if type(reader) is MultiReader else [reader]
    total = 0
    for segment in readers:
        terms = getattr(segment, "_terms", None)
        if (type(segment) is not SegmentReader or type(terms) is not W3TermsReader or segment.is_closed
                or fieldname not in segment.schema or segment.schema[fieldname].format is None):
            return reader.doc_frequency(fieldname, text)
        found = _term_extent(terms, fieldname, segment._text_to_bytes(fieldname, text))
        if found is not None:
            total += found[0]
    return total
