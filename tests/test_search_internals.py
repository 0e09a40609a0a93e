"""Faster forms of search internals give exactly what the plain forms gave."""

from __future__ import annotations

import random
from array import array

import pytest

from search import docsets, snippets


def test_to_bits_sets_the_same_bits_as_bit_by_bit():
    rng = random.Random(15)
    assert docsets.to_bits([], 0) == 0
    for size in (1, 7, 8, 9, 64, 100, 2001):
        for _ in range(20):
            ids = sorted(rng.sample(range(size), rng.randint(0, size)))
            buf = bytearray((size + 7) // 8)
            for n in ids:
                buf[n >> 3] |= 1 << (n & 7)
            bits = docsets.to_bits(ids, size)
            assert bits == int.from_bytes(buf, "little")
            assert docsets.members(bits) == ids


def _alternation(lowered: str, folded: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Candidate words as one alternation of the stem prefixes finds them."""
    return [(m.start(), m.end()) for m in snippets._candidates_lower(terms).finditer(lowered)
            if not m.start() or not snippets._WORD_BEFORE.match(folded, m.start() - 1)]


def test_per_prefix_scans_find_the_candidates_the_alternation_finds():
    rng = random.Random(15)
    words = ["pain", "painful", "paint", "knee", "kneel", "e.g", "e.g.", "u.s.a", "x-ray", "physio",
             "physiotherapy", "therapist", "repaint", "spain", "a", "ab", "abc", "dry", "dri", "_x",
             "knee.pain", "pain2", "2pain", ".pain", "pain.", "é", "né", "knée", "e", "e.", "k.n"]
    seps = [" ", "  ", ", ", ". ", "-", "/", "\n", "(", ")", ".", "_", "'", "…"]
    for _ in range(3000):
        text = "".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randint(1, 12)))
        folded = text.translate(snippets.fold_table())
        lowered = folded.lower()
        terms = frozenset(rng.sample(["pain", "knee", "e.g", "e.g.", "u.s.a", "physio", "therapi", "dri",
                                      "ab", "x", "pai", "kneel", "e", "k"], rng.randint(1, 4)))
        if snippets._prefixes(terms) is None:
            continue
        assert snippets._word_starts(lowered, folded, terms) == _alternation(lowered, folded, terms), (text, terms)
    # where two prefixes start the same word, the longer decides where it ends
    terms = frozenset({"e", "e.g"})
    assert snippets._word_starts("e. g", "e. g", terms) == _alternation("e. g", "e. g", terms) == [(0, 2)]


def test_a_prefix_beyond_word_characters_takes_the_alternation():
    terms = frozenset({"o'neil", "knee"})
    assert snippets._prefixes(terms) is None
    text = "O'Neil's knee"
    assert snippets._word_starts(text.lower(), text, terms) == _alternation(text.lower(), text, terms)


def test_impacts_read_each_segment_once_and_equal_whooshs_own_reading(tmp_path):
    """A word's impacts (one term look-up a segment, Whoosh's idf from the summed counts)
    are the floats read through Whoosh's public calls: postings of the whole index, with
    deleted posts skipped, and searcher.idf."""
    from indexer.writer import IndexWriter
    from search.query import close_searchers, index_handle
    from test_index import build, clinic_posts, post

    ix = build(tmp_path / "index")
    with IndexWriter(ix) as writer:  # a second segment, and a post replaced (deleted) in the first
        first = clinic_posts()[0]
        writer.write(post("new-1", "Neck pain", "Neck pain and knee pain after running.", published="2026-01-01T09:00"))
        writer.write(first.model_copy(update={"title": first.title + " (updated)"}).with_hash())
    close_searchers()
    try:
        handle = index_handle(ix)
        searcher, impacts = handle.searcher, handle.impacts
        assert not searcher.is_atomic() and searcher.reader().has_deletions()
        reader = searcher.reader()
        checked = 0
        for field in ("title", "text"):
            norms = impacts._norms(searcher, field)
            k1_plus_1 = impacts.weighting.K1 + 1
            for text in reader.field_terms(field):
                m = reader.postings(field, text)
                idf = searcher.idf(field, text)
                ids, weights = [], []
                while m.is_active():
                    ids.append(m.id())
                    weights.append(m.weight())
                    m.next()
                expected = [idf * ((tf * k1_plus_1) / (tf + norms[d])) for d, tf in zip(ids, weights)]
                got_ids, got = impacts._compute(searcher, field, text)
                assert (list(got_ids), list(got)) == (ids, expected), (field, text)
                checked += 1
        assert checked > 100
        assert impacts._compute(searcher, "text", "nosuchword") == (array("i"), array("d"))
    finally:
        close_searchers()


def _shape(q):
    """A query tree with everything the search reads from it: types, fields, words,
    boosts, and the positions of the typed text each node stands for."""
    return (type(q).__name__, getattr(q, "fieldname", None), getattr(q, "text", None), q.boost,
            getattr(q, "startchar", None), getattr(q, "endchar", None),
            tuple(_shape(child) for child in q.children()))


def test_the_plain_parser_parses_words_as_the_full_parser_does(tmp_path):
    """Texts of words alone take a parser without the query-syntax plugins; its query is
    the full parser's, node for node and position for position."""
    from indexer.analysis import load_synonyms
    from search import parsing
    from search.query import close_searchers, index_handle
    from test_index import build

    ix = build(tmp_path / "index")
    try:
        schema = index_handle(ix).searcher.schema
        synonyms = load_synonyms()
        full, plain = parsing.make_parser(schema, synonyms), parsing.make_plain_parser(schema, synonyms)
        rng = random.Random(15)
        words = ["neck", "pain", "Knee", "physio", "physical", "therapy", "car", "crash", "motor", "vehicle",
                 "accident", "dry", "needling", "the", "a", "and", "or", "not", "to", "is", "runner's",
                 "physiothérapie", "épaule", "2024", "covid-19", "x-ray", "e.g.", "u.s.", "acl", "tmj", "ice",
                 "bath", "back", "low", "plantar", "fasciitis", "fasciitus", "whiplash", "pelvic", "floor",
                 "Physiotherapist", "DRY", "l'épaule", "it’s", "co-op", "50%", "#1", "$", "&", "@clinic"]
        seps = [" ", "  ", ", ", ". ", "-", "/", "\t", " - ", "!", ";"]
        texts = ["", " ", "car crash", "physical therapy knee", "motor vehicle accident neck", "does dry needling hurt",
                 "runner's knee", "Low back pain", "neck  pain ", "épaule gelée"]
        for _ in range(1500):
            texts.append("".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randint(1, 6))))
        tried = 0
        for text in texts:
            if not parsing.is_plain(text):
                continue
            tried += 1
            assert _shape(plain.parse(text)) == _shape(full.parse(text)), text
        assert tried > 1000
    finally:
        close_searchers()


@pytest.mark.parametrize("text", ['"neck pain"', "title:knee", "neck AND pain", "NOT neck", "(neck)", "neck^2",
                                  "fasciitis~", "ne*k", "ne?k", "year:>2020", "[a TO b]", "'neck pain'",
                                  "physio OR massage", "knee REQUIRE pain", "x=1", "a<b"])
def test_query_syntax_takes_the_full_parser(text):
    from search import parsing

    assert not parsing.is_plain(text)


def test_did_you_mean_looks_each_word_up_once_per_reader(tmp_path):
    from search.query import close_searchers, index_handle
    from search.suggest import did_you_mean
    from test_index import build

    ix = build(tmp_path / "index")
    try:
        searcher = index_handle(ix).searcher
        reader = searcher.reader()
        calls = []
        real = reader.doc_frequency
        reader.doc_frequency = lambda *args: calls.append(args) or real(*args)
        assert did_you_mean(searcher, "plantar fasciitus neck") == "plantar fasciitis neck"
        assert calls
        calls.clear()
        assert did_you_mean(searcher, "neck plantar fasciitus") == "neck plantar fasciitis"
        # the known words answered from memory; only the unknown one's neighbours looked up
        assert not any(args[1] in ("neck", "plantar") for args in calls)
    finally:
        close_searchers()
