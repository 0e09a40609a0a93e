"""Searches narrowed to a few posts by their filters (one site of a shared index) read the
words' postings only where those posts may be (ranking.Scope); they find what reading
every posting finds."""

from __future__ import annotations

import math
from dataclasses import asdict

import pytest

import search.query as sq
from search import ranking, whoosh_private

QUERIES = ["knee pain", "neck pain exercise", "physio", "physical therapy back", "car crash", "sciatica",
           "dry needling", "fasciitus~ heel", "title:knee pain", "knee OR hip", "pain", "ice bath",
           "shoulder NOT surgery", '"low back"', "zzzz knee", "patient senior", "plantar fasciitus",
           "kneee painn", "physiotherapis"]


def _site_posts(sites: int, per_site: int) -> list:
    from test_index import generated_posts

    posts = generated_posts(sites * per_site)
    out = []
    for i, post in enumerate(posts):
        site = f"https://clinic-{i // per_site:02d}.example"  # a site's posts together, as a crawl writes them
        url = post.url.replace("https://clinic.example", site)
        out.append(post.model_copy(update={"url": url, "site": site}).with_hash())
    return out


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    from indexer.writer import IndexWriter
    from test_index import build

    posts = _site_posts(12, 30)
    ix = build(tmp_path_factory.mktemp("sites") / "index", posts[:250])
    with IndexWriter(ix) as writer:  # a second segment, replaced (deleted) posts in the first
        writer.write_many(posts[250:])
        for p in posts[:6]:
            writer.write(p.model_copy(update={"title": p.title + " (updated)"}).with_hash())
    return ix


def _run(ix) -> list:
    sq.close_searchers()
    out = []
    for q in QUERIES:
        for options in ({"site": "clinic-03.example"}, {"site": "https://clinic-07.example", "page": 2, "per_page": 3},
                        {"site": "clinic-00.example", "explain": True, "recency": True},
                        {"site": "clinic-05.example", "year": 2024}, {"category": "Sports Injuries"},
                        {"site": "nowhere.example"}, {}):
            results = sq.search(ix, q, **options)
            out.append((q, options, asdict(results)))
    return out


def test_a_search_within_few_posts_finds_what_reading_every_posting_finds(shared, monkeypatch):
    scoped = []
    real = whoosh_private._overlapping

    def spy(spans, offset, within):
        kept = real(spans, offset, within)
        scoped.append((len(spans), len(kept)))
        return kept

    monkeypatch.setattr(whoosh_private, "_overlapping", spy)
    narrowed = _run(shared)
    assert scoped and sum(kept for _, kept in scoped) < sum(n for n, _ in scoped)  # blocks were skipped
    scoped.clear()
    sq.close_searchers()
    sq.search(shared, "knee pain physio", site="clinic-03.example")
    # a site with posts: the blocks of the other sites' posts skipped (not only a site of none)
    assert scoped and sum(kept for _, kept in scoped) < sum(n for n, _ in scoped)
    monkeypatch.setattr(sq, "SCOPE_SHARE", 0)  # never narrowed
    scoped.clear()
    plain = _run(shared)
    assert not scoped
    # the same hits, order, totals, facets and snippets; a score may differ in its last bits:
    # a query's terms are summed in the order of their postings' counts, here read for the scope
    assert len(narrowed) == len(plain)
    for (q, options, got), (_, _, expected) in zip(narrowed, plain):
        assert _same(got, expected), (q, options)
    sq.close_searchers()


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def test_a_term_read_for_a_scope_holds_every_posting_of_its_posts(shared):
    from search.docsets import members

    sq.close_searchers()
    try:
        handle = sq.index_handle(shared)
        searcher, impacts, docsets = handle.searcher, handle.impacts, handle.docsets
        site = docsets.of(sq.site_filter("clinic-04.example"), searcher)
        scope = ranking.Scope(site)
        reader = searcher.reader()
        checked = 0
        for field in ("text", "title"):
            for text in list(reader.field_terms(field))[::11]:
                ids, tfs, idf = impacts._read(searcher, field, text)
                part_ids, part_tfs, part_idf = impacts._read(searcher, field, text, within=scope.within)
                assert part_idf == idf
                whole = {d: tf for d, tf in zip(ids, tfs) if d in set(members(site))}
                part = dict(zip(part_ids, part_tfs))
                assert {d: part[d] for d in whole} == whole and set(part) <= set(ids)
                assert docsets.term_bits(field, text, searcher, scope) & site == docsets.term_bits(
                    field, text, searcher) & site
                checked += 1
        assert checked > 100
    finally:
        sq.close_searchers()


def test_sparse_bitsets_and_their_members_are_the_plain_ones():
    import random

    from search.docsets import members, to_bits

    rng = random.Random(15)
    for size in (1, 9, 64, 4096, 50_001):
        for count in (0, 1, 2, 5, 40, size // 33, size // 31, size // 2):
            ids = sorted(rng.sample(range(size), min(count, size)))
            bits = 0
            for n in ids:
                bits |= 1 << n
            assert to_bits(ids, size) == bits
            assert to_bits(iter(ids), size) == bits
            assert members(bits) == ids


def test_a_sites_word_counts_read_within_the_site_are_exact(shared):
    from search.suggest import site_counter

    sq.close_searchers()
    try:
        handle = sq.index_handle(shared)
        searcher, docsets = handle.searcher, handle.docsets
        posts = docsets.of(sq.site_filter("clinic-09.example"), searcher)
        assert 0 < posts.bit_count() * sq.SCOPE_SHARE < docsets.size  # the site is read narrowed
        count = site_counter(handle, "clinic-09.example")
        reader = searcher.reader()
        checked = 0
        for field in ("spell", "text", "title"):
            for tbytes in list(reader.lexicon(field))[::9]:
                word = reader.schema[field].from_bytes(tbytes)
                whole = set(searcher.docs_for_query(wq_term(field, word)))
                expected = sum(1 for d in whole if (posts >> d) & 1)
                assert count(field, word) == expected, (field, word)
                checked += 1
        assert checked > 200
    finally:
        sq.close_searchers()


def wq_term(field, word):
    from whoosh import query as wq

    return wq.Term(field, word)
