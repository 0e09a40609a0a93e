"""The per-generation caches shared by a process's threads, and the background warm-up,
over a real on-disk index of the small clinic blog."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from dataclasses import asdict

import pytest

import search.query as sq
from indexer.writer import IndexWriter, open_index
from search import cache, once, search, warmup
from test_index import build, post

QUERIES = [
    "dry needling neck", "whiplash", "heel pain morning", "runner's knee",
    "pelvic floor after pregnancy", "neck pain", "physio", "knee OR hip", "year:2024 pain",
    "",
]


@pytest.fixture
def ix(tmp_path):
    path = build(tmp_path / "index")
    sq.close_searchers()
    yield path
    once.build_hook = None
    warmup.stop_all()
    sq.close_searchers()


def _run_all(ix, queries) -> dict[str, dict]:
    return {q: asdict(search(ix, q, per_page=20)) for q in queries}


def test_threads_share_one_cache_built_once_and_agree_with_one_thread(ix, monkeypatch):
    monkeypatch.setattr(sq, "_RESULTS_CACHE_SIZE", 0)  # every search does its full work
    alone = _run_all(ix, QUERIES)
    sq.close_searchers()  # and the generation's caches: the threads start cold

    builds: Counter = Counter()
    lock = threading.Lock()
    slow = threading.Event()

    def count(store, key) -> None:
        with lock:
            builds[(id(store), key)] += 1
        slow.wait(0.005)  # widen the window in which other threads ask for the same key

    once.build_hook = count
    start = threading.Barrier(6)
    out: dict[int, dict] = {}
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            start.wait()
            # each thread its own order, so they race for the same words
            order = QUERIES[n % len(QUERIES):] + QUERIES[:n % len(QUERIES)]
            out[n] = _run_all(ix, order)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(out) == 6 and all(results == alone for results in out.values())
    assert builds and max(builds.values()) == 1  # no key of any cache built twice
    # one generation, one set of caches for all six threads (each has its own searcher)
    shared = cache.current(os.path.abspath(ix))
    impacts = shared.impacts(sq.index_handle(ix).searcher)
    assert impacts.cached("text", "neck") and impacts.cached("title", "whiplash")
    term_builds = [key for (store, key) in builds if store == id(impacts.terms)]
    assert len(term_builds) == len(set(term_builds)) == len(impacts.terms)


def test_impacts_evict_least_recently_used_by_postings():
    lru = cache.OnceLRU(capacity=5, size=len)
    built = []

    def make(key, n):
        return lambda: built.append(key) or [0] * n

    lru.get("a", make("a", 2))
    lru.get("b", make("b", 2))
    lru.get("a", make("a", 2))  # a is now the most recent
    lru.get("c", make("c", 2))  # 6 > 5: b goes
    assert "a" in lru and "c" in lru and "b" not in lru and lru.total == 4
    lru.get("b", make("b", 2))
    assert built == ["a", "b", "c", "b"]


def test_a_failed_build_is_retried_not_cached():
    lru = cache.OnceLRU()

    def boom():
        raise OSError("gone")

    with pytest.raises(OSError):
        lru.get("k", boom)
    assert lru.get("k", lambda: 42) == 42


def _commit(ix, n: int) -> None:
    with IndexWriter(ix) as writer:
        writer.write(post(f"new-{n}", f"New Post {n}", "Neck pain and knee pain after running.",
                          published="2026-01-01T09:00"))


def test_warmup_warms_the_commonest_words(ix):
    warmer = warmup.Warmer(ix, terms=5, poll=0.05).start()
    try:
        assert warmer.wait(timeout=60)
    finally:
        warmer.stop()
    number = warmer.finished[-1]
    shared = cache.current(os.path.abspath(ix))
    assert shared.number == number and shared.warm.is_set()
    impacts = shared.impacts(sq.index_handle(ix).searcher)
    searcher = sq.index_handle(ix).searcher
    reader = searcher.reader()
    assert all(impacts.cached("text", w) for w in warmup._commonest(reader, "text", 5))
    assert all(impacts.cached("title", w) for w in warmup._commonest(reader, "title", 5))
    # a query then finds the ranking data ready: nothing of the warmed words is rebuilt
    builds: list = []
    once.build_hook = lambda store, key: builds.append(key)
    word = warmup._commonest(reader, "text", 1)[0]
    search(ix, f"text:{word}")
    assert ("text", word) not in builds and ("term", "text", word) not in builds


def test_warmup_stops_on_a_new_generation_and_warms_that_one(ix):
    seen: list[tuple[int, str, str]] = []
    committed = threading.Event()

    def on_term(generation: int, field: str, word: str) -> None:
        seen.append((generation, field, word))
        if not committed.is_set():
            committed.set()
            _commit(ix, 1)  # a crawl commits while the warm-up runs

    warmer = warmup.Warmer(ix, terms=4, poll=0.05, on_term=on_term).start()
    try:
        assert committed.wait(60)
        first = seen[0][0]
        assert warmer.wait(first + 1, timeout=60)
        # the old generation was left after its first word; the new one warmed whole
        assert warmer.started[:2] == [first, first + 1]
        assert first not in warmer.finished and warmer.finished == [first + 1]
        assert [g for g, _, _ in seen].count(first) == 1
        assert [g for g, _, _ in seen].count(first + 1) == 8  # 4 text + 4 title words

        # a commit while it idles: it wakes (a query sees the generation) and warms again
        _commit(ix, 2)
        search(ix, "knee")
        assert warmer.wait(first + 2, timeout=60)
        assert warmer.finished == [first + 1, first + 2]
    finally:
        warmer.stop()
    assert not warmer._thread.is_alive()


def test_no_warmup_when_disabled(ix):
    assert warmup.start(ix, terms=0) is None
    w = warmup.start(ix, terms=3)
    assert w is warmup.start(ix, terms=3)  # one warmer per index


def _recreate(ix, posts) -> None:
    """Delete the index folder and build a new index there (generation numbers start anew)."""
    import shutil

    shutil.rmtree(ix)
    build(ix, posts)


def test_warmup_settles_after_the_index_is_deleted_and_built_again(ix):
    from test_index import clinic_posts

    for n in range(4):  # the old index is a few generations ahead of the new one
        _commit(ix, n)
    warmer = warmup.Warmer(ix, terms=3, poll=0.05).start()
    try:
        assert warmer.wait(timeout=60)
        _recreate(ix, clinic_posts()[:6])
        search(ix, "knee")  # a search opens the new index (and wakes the warm-up)
        latest = open_index(ix).latest_generation()
        deadline = time.monotonic() + 60
        while not (warmer.finished and warmer.finished[-1] == latest
                   and cache.current(os.path.abspath(ix)).warm.is_set()):
            assert time.monotonic() < deadline, "the new index was never warmed"
            time.sleep(0.05)
        runs = len(warmer.started)
        time.sleep(0.6)  # a dozen polls: a warm-up that re-warms throw-away caches counts on
        assert len(warmer.started) == runs
        # and the warmed caches are the ones searches use
        assert sq.index_handle(ix).shared is cache.current(os.path.abspath(ix))
    finally:
        warmer.stop()


def test_an_index_built_again_with_the_same_generation_number_is_not_the_old_one(ix):
    from test_index import clinic_posts

    generation = sq.index_handle(ix).generation
    assert search(ix, "sciatica").total == 1
    others = [p for p in clinic_posts() if "sciatica" not in (p.title + p.body).lower()]
    _recreate(ix, others[:5])
    assert sq.index_handle(ix).generation == generation  # same number, another index
    assert search(ix, "sciatica").total == 0
    assert search(ix, "").total == 5
