"""Postings read a block at a time (search.whoosh_private.term_blocks) and the lengths read
a column at once give the ids, weights and impacts Whoosh's own reading gives."""

from __future__ import annotations

import pickle
import random
import zlib
from itertools import accumulate

import pytest

from search import whoosh_private


def _block(deltas, weights, values, compress: bool = True):
    """A block's data as Whoosh 3's posting writer lays it out (W3PostingsWriter._write_block)."""
    data = pickle.dumps((tuple(deltas), weights, tuple(values)), 2)
    return zlib.compress(data, 3) if compress else data


def _expected(deltas, weights, offset):
    ids = [d + offset for d in accumulate(deltas)]
    n = len(deltas)
    if weights is None:
        return ids, None
    if isinstance(weights, float):
        return ids, [weights] * n
    return ids, list(weights)


@pytest.mark.parametrize("compress", [True, False])
def test_a_block_reads_as_its_pickle_says(compress):
    """Every layout a block's start can take: few postings (tuples without a mark), ids
    of one, two and four bytes first and later, weights all 1.0, all equal, or each its
    own; positions of every size after them."""
    rng = random.Random(15)
    tried = set()
    for _ in range(3000):
        n = rng.choice([1, 2, 3, 4, 5, 17, 127, 128])
        first = rng.choice([0, 1, 200, 255, 256, 70_000, 2**31 - 10_000])
        wide = rng.random() < 0.3  # some later ids more than 255 apart
        deltas = [first] + [rng.choice([1, 2, 7, 255] + ([256, 1000, 70_000] if wide else [])) for _ in range(n - 1)]
        kind = rng.choice(["none", "one", "each"])
        weights = None if kind == "none" else float(rng.randint(2, 9)) if kind == "one" else tuple(
            float(rng.choice([1, 2, 3, 0.5, 17, 300])) for _ in range(n))
        values = [bytes(rng.randrange(256) for _ in range(rng.randint(0, 40))) for _ in range(n)]
        offset = rng.choice([0, 912])
        span = (n, 3 if compress else 0, memoryview(_block(deltas, weights, values, compress)), sum(deltas))
        ids, got = whoosh_private._decode_block(span, offset)
        exp_ids, exp_weights = _expected(deltas, weights, offset)
        assert ids == exp_ids
        assert (None if got is None else list(got)) == exp_weights
        tried.add((n > 3, first > 255, wide, kind))
    assert len(tried) >= 20


def test_every_term_reads_as_whooshs_matcher_reads_it(tmp_path):
    """On generated posts (common words fill several blocks) in two segments, one with a
    deleted post: each term's blocks are the matcher's ids and weights, read through the
    blocks (not the fallback) wherever the term has a posting list of its own."""
    from indexer.writer import IndexWriter
    from search.query import close_searchers, index_handle
    from test_index import build, generated_posts

    posts = generated_posts(300)
    ix = build(tmp_path / "index", posts[:200])
    with IndexWriter(ix) as writer:  # a second segment; the first post replaced (deleted)
        writer.write_many(posts[200:])
        writer.write(posts[0].model_copy(update={"title": posts[0].title + " (updated)"}).with_hash())
    close_searchers()
    try:
        searcher = index_handle(ix).searcher
        assert not searcher.is_atomic() and searcher.reader().has_deletions()
        fast = checked = 0
        for sub, offset in searcher.subsearchers:
            reader = sub.reader()
            for field in ("title", "text"):
                for text in reader.field_terms(field):
                    m = reader.postings(field, text)
                    ids, weights = [], []
                    while m.is_active():  # deleted posts skipped
                        ids.append(m.id() + offset)
                        weights.append(m.weight())
                        m.next()
                    found = whoosh_private.term_blocks(reader, field, text, offset)
                    got_ids, got_weights = [], []
                    for block_ids, block_weights in found[1]:
                        block_weights = [1.0] * len(block_ids) if block_weights is None else block_weights
                        for d, w in zip(block_ids, block_weights):
                            if not reader.is_deleted(d - offset):  # left in for the caller
                                got_ids.append(d)
                                got_weights.append(w)
                    assert (got_ids, got_weights) == (ids, weights), (field, text)
                    assert found[0] == reader.doc_frequency(field, text)
                    checked += 1
                    info = reader._terms.term_info(field, reader._text_to_bytes(field, text))
                    fast += whoosh_private._block_spans(reader._terms._postfile, *info.extent()) is not None
        assert checked > 1000 and fast == checked
        assert whoosh_private.term_blocks(searcher.subsearchers[0][0].reader(), "text", "nosuchword") is None
    finally:
        close_searchers()


def test_a_term_is_looked_up_as_whooshs_terms_table_finds_it(tmp_path):
    """The hash table look-up read from the table's buffer finds what term_info finds,
    for every term of every field, and nothing for terms absent from a segment."""
    from whoosh.reading import TermNotFound

    from search.query import close_searchers, index_handle
    from test_index import build, generated_posts

    ix = build(tmp_path / "index", generated_posts(120))
    close_searchers()
    try:
        reader = index_handle(ix).searcher.reader()
        terms = reader._terms
        assert whoosh_private._term_extent.__doc__ and type(terms._tindex.dbfile).__name__ == "BufferFile"
        checked = missing = 0
        for field in reader.schema.names():
            if not reader.schema[field].indexed:
                continue
            words = list(reader.lexicon(field))
            for tbytes in words + [w + b"zz" for w in words[:50]] + [b"", b"nosuchword"]:
                try:
                    info = terms.term_info(field, tbytes)
                    expected = (info.doc_frequency(), *info.extent()) if not info.is_inlined() else (
                        info.doc_frequency(), None, None)
                    expected = tuple(v[0] if isinstance(v, tuple) else v for v in expected)
                except TermNotFound:
                    expected = None
                    missing += 1
                assert whoosh_private._term_extent(terms, field, tbytes) == expected, (field, tbytes)
                checked += 1
        assert checked > 3000 and missing > 50
        assert whoosh_private._term_extent(terms, "nosuchfield", b"knee") is None
    finally:
        close_searchers()


def test_document_frequencies_equal_the_readers(tmp_path):
    from indexer.writer import IndexWriter
    from search.query import close_searchers, index_handle
    from test_index import build, generated_posts

    posts = generated_posts(90)
    ix = build(tmp_path / "index", posts[:60])
    with IndexWriter(ix) as writer:  # two segments
        writer.write_many(posts[60:])
    close_searchers()
    try:
        reader = index_handle(ix).searcher.reader()
        assert len(reader.readers) == 2
        checked = 0
        for field in ("spell", "text", "title"):
            words = [reader.schema[field].from_bytes(t) for t in reader.lexicon(field)][::3]
            for word in words + [w + "zq" for w in words[:40]] + ["nosuchword"]:
                assert whoosh_private.doc_frequency(reader, field, word) == reader.doc_frequency(field, word)
                checked += 1
        assert checked > 1000
        one = reader.readers[0]
        assert whoosh_private.doc_frequency(one, "text", words[0]) == one.doc_frequency("text", words[0])
    finally:
        close_searchers()


def test_impacts_and_lengths_equal_the_formula_over_whooshs_public_reading(tmp_path):
    """Every term's impacts are BM25F's formula over Whoosh's postings, with each post's
    length read through doc_field_length, one post at a time (the lengths column read
    whole, and the normalisation looked up by length byte, give the same floats)."""
    from whoosh.util.numeric import length_to_byte

    from indexer.writer import IndexWriter
    from search import ranking
    from search.query import close_searchers, index_handle
    from test_index import build, generated_posts

    posts = generated_posts(260)
    ix = build(tmp_path / "index", posts[:180])
    with IndexWriter(ix) as writer:
        writer.write_many(posts[180:])
        writer.write(posts[3].model_copy(update={"title": "Knee pain, again"}).with_hash())
    close_searchers()
    try:
        handle = index_handle(ix)
        searcher, impacts = handle.searcher, handle.impacts
        reader = searcher.reader()
        weighting = impacts.weighting
        checked = 0
        for field in ("title", "text"):
            lengths = [reader.doc_field_length(d, field, 1) for d in range(reader.doc_count_all())]
            assert ranking.document_length_bytes(searcher, field) == bytes(
                length_to_byte(n) if n else 0 for n in lengths)
            avgfl = searcher.avg_field_length(field) or 1
            B, K1 = ranking.field_b(weighting, field), weighting.K1
            norms = [K1 * ((1 - B) + B * (n or 1) / avgfl) for n in lengths]
            assert impacts._norms(searcher, field) == norms
            for text in reader.field_terms(field):
                m = reader.postings(field, text)  # deleted posts skipped
                idf = searcher.idf(field, text)
                ids, expected = [], []
                while m.is_active():
                    tf = m.weight()
                    ids.append(m.id())
                    expected.append(idf * ((tf * (K1 + 1)) / (tf + norms[m.id()])))
                    m.next()
                got_ids, got = impacts._compute(searcher, field, text)
                assert (list(got_ids), list(got)) == (ids, expected), (field, text)
                checked += 1
        assert checked > 1000
    finally:
        close_searchers()


def test_lengths_of_a_segment_without_the_column_read_as_none():
    class Perdoc:
        pass

    class Reader:
        _perdoc = Perdoc()

    # not Whoosh 3's per-document reader: the caller reads each length itself
    assert whoosh_private.length_bytes(Reader(), "text") is None


def test_a_filter_words_posts_equal_whooshs_docs_for_query(tmp_path):
    """A word of a field not ranked (kind, category, URL, key...) becomes the bitset of
    its posting blocks' live ids: Whoosh's docs_for_query, in two segments with deletions."""
    from whoosh import query as wq

    from indexer.writer import IndexWriter
    from search.docsets import to_bits
    from search.query import close_searchers, index_handle
    from test_index import build, generated_posts

    posts = generated_posts(150)
    ix = build(tmp_path / "index", posts[:100])
    with IndexWriter(ix) as writer:
        writer.write_many(posts[100:])
        for p in posts[:4]:
            writer.write(p.model_copy(update={"title": p.title + " (updated)"}).with_hash())
    close_searchers()
    try:
        handle = index_handle(ix)
        searcher, docsets = handle.searcher, handle.docsets
        reader = searcher.reader()
        assert reader.has_deletions()
        checked = 0
        for field in ("kind", "category_key", "url", "key", "tag_key", "language", "year"):
            if field not in reader.schema:
                continue
            for tbytes in list(reader.lexicon(field))[:300]:
                text = reader.schema[field].from_bytes(tbytes)
                if not isinstance(text, str):
                    continue
                q = wq.Term(field, text)
                expected = to_bits(searcher.docs_for_query(q), docsets.size)
                assert docsets._term(q, searcher) == expected, (field, text)
                assert docsets.of(q, searcher) == expected
                checked += 1
        assert checked > 200
        assert docsets._term(wq.Term("kind", "nosuchkind"), searcher) == 0
    finally:
        close_searchers()


def test_a_posts_impact_worked_out_when_scored_equals_the_terms_impacts(tmp_path):
    """Pruning and explanations work out a post's impact from the term's frequencies
    (Impacts.postings_of, Impacts.impact); every one equals the impact Impacts.impacts
    computes for the whole term, and a one-term plan scores each post at it."""
    from indexer.writer import IndexWriter
    from search import explain, pruning
    from search.query import close_searchers, index_handle
    from test_index import build, generated_posts

    posts = generated_posts(160)
    ix = build(tmp_path / "index", posts[:110])
    with IndexWriter(ix) as writer:
        writer.write_many(posts[110:])
        writer.write(posts[1].model_copy(update={"title": "Neck pain at the desk"}).with_hash())
    close_searchers()
    try:
        handle = index_handle(ix)
        searcher, impacts, docsets = handle.searcher, handle.impacts, handle.docsets
        reader = searcher.reader()
        checked = 0
        for field in ("title", "text"):
            norms = impacts._norms(searcher, field)
            for text in list(reader.field_terms(field))[::7]:
                ids, tfs, idf = impacts.postings_of(searcher, field, text)
                got_ids, values = impacts.impacts(searcher, field, text)
                assert list(got_ids) == list(ids)
                assert [impacts.impact(tf, idf, norms[d]) for d, tf in zip(ids, tfs)] == list(values)
                for boost in (1.0, 0.8):
                    plan = ("term", field, text, boost, 1, "exact")
                    scorer = pruning.Scorer.of(impacts, searcher, plan, docsets)
                    assert [scorer.score(d) for d in ids] == [v if boost == 1.0 else boost * v for v in values]
                    assert [explain._contributions(impacts, plan, searcher, d)[0][1] for d in ids[:20]] == [
                        v * boost for v in values[:20]]
                checked += 1
        assert checked > 300
    finally:
        close_searchers()
