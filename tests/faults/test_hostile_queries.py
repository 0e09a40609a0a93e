"""Hostile queries against a real `needle serve` (a child process on 127.0.0.1) over real
indexes on disk: queries over the query budget are a 400 saying what to do, expensive
ones never keep /api/health from answering, a search past the time limit is stopped and
its worker replaced, and neither commits nor an index deleted and built again make the
server's caches or its warm-up grow or spin."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from indexer.rebuild import rebuild
from indexer.writer import IndexWriter
from test_index import ROOT, build, clinic_posts, post



def generate_posts(count: int):
    """The benchmarks' generated clinic posts (bench/corpus.py), loaded by path: bench/ on
    sys.path would shadow the web package with bench/web.py."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate_posts(count)

HEALTH_TIMEOUT = 5.0  # generous: the figures belong in bench/web.py --hostile


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def needle_serve(index: Path, **env: str):
    """`needle serve` on ``index`` in a child process; yields an httpx client on it."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--index", str(index), "--port", str(port),
         "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONWARNINGS": "error", **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read()
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "needle serve did not answer"
            time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=60) as client:
            yield client
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        output = proc.stdout.read()
        proc.stdout.close()
        assert "Traceback" not in output, output


@pytest.fixture(scope="module")
def big_index(tmp_path_factory) -> Path:
    """A thousand generated clinic posts: `*a*` stands for tens of thousands of terms."""
    path = tmp_path_factory.mktemp("hostile") / "index"
    rebuild(path, generate_posts(1000))
    return path


@pytest.fixture(scope="module")
def server(big_index):
    with needle_serve(big_index) as client:
        yield client


# --- over budget: 400 with the message --------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("*a*", "`*a*`: a wildcard needs at least 2 letters before the first *"),
        ("a*", "`a*`: a wildcard needs at least 2 letters before the first *"),
        ("*", "`*`: a wildcard needs at least 2 letters before the first *"),
        ("neck ?ain", "`?ain`: a wildcard needs at least 2 letters before the first ?"),
        ("text:[a to z]", "stands for more than 256 words of the index (in text): narrow the range"),
        ("pa*", "`pa*` stands for more than 256 words of the index (in text): put more letters"),
        ("neck~ knee~ hip~ pain~ back~", "5 wildcard, fuzzy or range terms"),
        (" ".join(f"w{i}" for i in range(40)), "the query has 40 words, more than the 32"),
    ],
)
def test_a_query_over_budget_is_a_400_saying_why(server, query, message):
    response = server.get("/api/search", params={"q": query})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert message in response.json()["error"]
    assert "Traceback" not in response.text
    page = server.get("/", params={"q": query})
    assert page.status_code == 400 and "<form" in page.text
    assert "Traceback" not in page.text


def test_malformed_and_hostile_queries_are_a_400_on_every_route_and_expensive_ones_answer(server):
    for query in ('"neck pain', "colour:red", "(neck", "*a*", "text:*e*"):
        for route in ("/api/search", "/api/facets", "/"):
            response = server.get(route, params={"q": query})
            assert response.status_code == 400, (route, query, response.status_code)
            assert "Traceback" not in response.text
            if route != "/":
                assert response.json()["error"]
    for query in ("neck~2 pain~2 knee~2 shoulder~2", "pai* nec* kne* sho*", "physio*", "ne?k"):
        response = server.get("/api/search", params={"q": query})
        assert response.status_code == 200, response.text
        assert response.json()["total"] > 0


# --- health keeps answering ---------------------------------------------------------------------

HOSTILE = ["*a*", "*e*", "*", "a*", "text:*o*", "neck~2 pain~2 knee~2 back~2",
           "pai* nec* kne* sho*", "therapy~2 posture~2 massage~2 exercise~2"]


def test_health_answers_while_eight_clients_send_expensive_queries(server):
    stop = threading.Event()
    statuses: Counter = Counter()
    lock = threading.Lock()

    def client(n: int) -> None:
        with httpx.Client(base_url=str(server.base_url), timeout=60) as http:
            i = n
            while not stop.is_set():
                try:
                    code = http.get("/api/search", params={"q": HOSTILE[i % len(HOSTILE)] + f" x{i}"}).status_code
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                with lock:
                    statuses[code] += 1
                i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    answered = []
    try:
        time.sleep(1.0)
        with httpx.Client(base_url=str(server.base_url), timeout=HEALTH_TIMEOUT) as health:
            for _ in range(10):
                response = health.get("/api/health")  # a timeout here fails the test
                answered.append(response.status_code)
                assert response.json()["posts"] == 1000
                assert health.get("/static/search.css").status_code == 200
                time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert answered == [200] * 10
    assert statuses and set(statuses) <= {200, 400, 503}, statuses  # never a 500 nor a client timeout
    assert statuses[400] > 0 and statuses[200] > 0


# --- a search past the time limit is stopped ------------------------------------------------------


def test_a_search_past_the_time_limit_is_stopped_and_its_worker_replaced(big_index):
    # a budget that lets `*a*` run (seconds of work) and a one-second limit
    relaxed = {"NEEDLE_QUERY_WILDCARD_PREFIX": "0", "NEEDLE_QUERY_MAX_EXPANSION": "1000000",
               "NEEDLE_QUERY_MAX_SCAN": "1000000", "NEEDLE_SEARCH_TIMEOUT": "1",
               "NEEDLE_SEARCH_WORKERS": "1", "NEEDLE_WARM_TERMS": "0"}
    with needle_serve(big_index, **relaxed) as client:
        slow = client.get("/api/search", params={"q": "*a*"})
        assert slow.status_code == 503
        assert "took longer than 1 s and was stopped" in slow.json()["error"]
        assert slow.headers["retry-after"] == "1"
        # the worker was replaced: searches go on
        deadline = time.monotonic() + 60
        while (response := client.get("/api/search", params={"q": "neck"})).status_code == 503:
            assert time.monotonic() < deadline, response.text
            time.sleep(0.2)
        assert response.status_code == 200 and response.json()["total"] > 0
        pool = client.get("/api/health").json()["search_pool"]
        assert pool["timed_out"] == 1 and pool["replaced"] == 1 and pool["workers"] == 1


# --- caches under commits, and the warm-up ---------------------------------------------------------


def _commit(index: Path, n: int) -> None:
    with IndexWriter(index) as writer:
        writer.write(post(f"crawl-{n}", f"Crawled Post {n}", "Neck pain and knee pain after running.",
                          published="2026-01-01T09:00"))


def _pool(client: httpx.Client, searches: int = 4) -> dict:
    """The search pool's counters after ``searches`` searches (each worker's are as of
    its last reply, and the workers take turns)."""
    for i in range(searches):
        assert client.get("/api/search", params={"q": f"knee pain {i}"}).status_code == 200
    return client.get("/api/health").json()["search_pool"]


def test_the_parser_cache_stays_bounded_while_a_crawl_commits(tmp_path):
    index = build(tmp_path / "index", clinic_posts())
    with needle_serve(index) as client:
        first = client.get("/api/health").json()["generation"]
        for n in range(50):
            _commit(index, n)
            for q in ("neck pain", f"crawled {n}"):
                assert client.get("/api/search", params={"q": q}).status_code == 200
        health = client.get("/api/health").json()
        pool = _pool(client)
    assert health["generation"] >= first + 50 and health["posts"] == 70
    assert pool["searches"] >= 100
    # one parser per schema and synonym map: not one per thread and commit (50+ before)
    assert 1 <= pool["parser_cache"] <= 8


def test_the_warm_up_settles_after_the_index_is_deleted_and_built_again(tmp_path):
    index = build(tmp_path / "index", clinic_posts())
    for n in range(5):  # the old index is some generations ahead of the new one
        _commit(index, n)
    with needle_serve(index, NEEDLE_SEARCH_WORKERS="2") as client:
        assert client.get("/api/search", params={"q": "neck"}).json()["total"] > 0
        shutil.rmtree(index)
        build(index, clinic_posts()[:8])
        assert client.get("/api/search", params={"q": ""}).json()["total"] == 8
        time.sleep(3.0)  # the workers notice and warm the new index (they poll every 2 s)
        settled = _pool(client)
        time.sleep(5.0)  # two more polls: a warm-up that spins counts on
        later = _pool(client)
        assert client.get("/api/health").json()["posts"] == 8
    assert settled["warmups"] >= 2  # each worker warmed the first index and the new one
    assert later["warmups"] == settled["warmups"]


# --- the command line ------------------------------------------------------------------------------


def test_needle_search_over_budget_or_malformed_exits_2_with_the_message(big_index):
    for query, message in (("*a*", "`*a*`: a wildcard needs at least 2 letters before the first *"),
                           ('"neck pain', "unbalanced quote")):
        proc = subprocess.run(
            [sys.executable, "-m", "cli", "search", query, "--index", str(big_index)],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
        assert proc.returncode == 2, (query, proc.returncode, proc.stdout[-500:], proc.stderr[-500:])
        assert message in proc.stderr + proc.stdout
        assert "Traceback" not in proc.stderr + proc.stdout
