"""Listings by date (an empty or stop-word query, sort=newest/oldest) read from the
generation's order of every post give what Whoosh's sorted search gives."""

from __future__ import annotations

import random

import pytest

import search.query as sq
from search.models import to_json


def _posts():
    from test_index import post

    rng = random.Random(15)
    words = ["knee", "pain", "neck", "physio", "ice", "bath", "running", "desk", "posture", "sciatica"]
    days = ["2024-01-05T09:00", "2024-01-05T09:00", "2023-06-30T12:00", None, "2025-02-01T08:30", "2022-11-11T10:00"]
    out = []
    for i in range(90):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(5, 40)))
        out.append(post(f"p{i}", f"Post {i} {rng.choice(words)}", body, published=rng.choice(days),
                        categories=[rng.choice(["Sport", "Rehab", "News"])]))
    return out


ASKED = [
    ("", {}), ("it", {}), ("the and", {}), ("", {"sort": "oldest"}), ("", {"page": 3}),
    ("", {"sort": "oldest", "page": 2, "per_page": 7}), ("knee", {"sort": "newest"}),
    ("knee", {"sort": "oldest", "page": 2, "per_page": 5}), ("sciatica desk", {"sort": "newest"}),
    ("", {"year": 2024}), ("", {"category": "Sport", "sort": "oldest"}), ("it", {"page": 9}),
    ("pain", {"sort": "newest", "site": "clinic.example"}), ("", {"site": "elsewhere.example"}),
    ("nosuchword", {"sort": "newest"}), ("", {"per_page": 100}),
]


def _run_all(index) -> list:
    out = []
    for text, options in ASKED:
        sq._results_cache.clear()
        results = sq.search(index, text, **options)
        out.append((to_json(results), [hit.spans for hit in results.hits]))
    return out


@pytest.mark.parametrize("few", [0, 16, 10**9])  # scan the order / the rule / always sort alone
def test_listings_from_the_cached_order_equal_whooshs_sorted_search(tmp_path, monkeypatch, few):
    from indexer.writer import IndexWriter
    from test_index import build

    posts = _posts()
    ix = build(tmp_path / "index", posts[:60])
    with IndexWriter(ix) as writer:  # a second segment, and replaced (deleted) posts in the first
        writer.write_many(posts[60:])
        for p in posts[:5]:
            writer.write(p.model_copy(update={"title": p.title + " (updated)"}).with_hash())
    sq.close_searchers()
    try:
        monkeypatch.setattr(sq, "_FEW_DATED", few)
        cached = _run_all(ix)
        used = []
        real = sq._by_date
        monkeypatch.setattr(sq, "_by_date", lambda *a: used.append(1) and None)
        whoosh = _run_all(ix)
        assert used  # the plain path ran
        assert cached == whoosh
        monkeypatch.setattr(sq, "_by_date", real)
        # undated posts last both ways; ties of one date in post order, reversed for newest
        newest = sq.search(ix, "", per_page=100)
        dates = [hit.published for hit in newest.hits]
        assert dates[-1] is None and dates[0] is not None
    finally:
        sq.close_searchers()


def test_the_order_is_cached_per_generation(tmp_path):
    from indexer.writer import IndexWriter
    from search.handle import index_handle
    from test_index import build, post

    ix = build(tmp_path / "index", _posts()[:20])
    sq.close_searchers()
    try:
        first = sq.search(ix, "", per_page=100).total
        order = index_handle(ix).shared.by_date(index_handle(ix).searcher, True)
        assert index_handle(ix).shared.by_date(index_handle(ix).searcher, True) is order
        with IndexWriter(ix) as writer:
            writer.write(post("late", "A late post", "knee", published="2030-01-01T00:00"))
        results = sq.search(ix, "", per_page=100)
        assert results.total == first + 1
        assert results.hits[0].url.endswith("/late/")  # the new generation's order, not the old
    finally:
        sq.close_searchers()
