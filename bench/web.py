"""The web service under load: requests/s and p50/p95 latency of `GET /api/search` with
1, 8 and 32 concurrent clients on 127.0.0.1, beside the same queries run in-process.

    .venv/bin/python bench/web.py --posts 2000          # quick
    .venv/bin/python bench/web.py                       # 50,000 posts (index cached in bench/out/)
    .venv/bin/python bench/web.py --index PATH          # an existing index
    .venv/bin/python bench/web.py --warm-terms 0        # the server without its warm-up

The index is built once per post count from bench/corpus.py's generated posts and kept
under bench/out/web-index-N. `needle serve` runs in a child process; the clients are
threads with one keep-alive httpx connection each, in this process.

Two kinds of request, because the search module caches results per index generation:

- cold: every request is a query not asked before (distinct 1-3 word clinic queries),
  so each one parses, ranks, counts facets and highlights;
- cached: a fixed list of 100 queries asked before, so the search itself is a dictionary
  lookup and what remains is the service's own cost (HTTP, validation, JSON).

"in-process" is ``search.search`` called in a loop in this process with the same kind of
queries: the gap to the 1-client line is the service's overhead.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

OUT = ROOT / "bench" / "out"
CONCURRENCY = (1, 8, 32)


def build_index(posts: int) -> Path:
    from indexer.writer import IndexNotFoundError, open_index, rebuild

    path = OUT / f"web-index-{posts}"
    try:
        open_index(path)
        return path
    except IndexNotFoundError:  # none yet, or one of an older field layout: (re)build
        pass
    from corpus import generate_posts

    started = time.perf_counter()
    print(f"building an index of {posts} generated posts in {path} ...", flush=True)
    rebuild(path, generate_posts(posts))
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def distinct_queries(count: int) -> list[str]:
    from corpus import generate_queries

    seen: dict[str, None] = {}
    for q in generate_queries(count * 4, seed=11):
        seen.setdefault(q, None)
    queries = list(seen)
    if len(queries) < count:
        raise SystemExit(f"only {len(queries)} distinct queries; ask for fewer requests")
    return queries[:count]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: Path, port: int, workers: int, warm_terms: int | None = None) -> subprocess.Popen:
    import httpx

    warm = ["--warm-terms", str(warm_terms)] if warm_terms is not None else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--index", str(index), "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", *warm],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"needle serve exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("needle serve did not answer within 60 s")


def drive(base: str, queries: list[str], clients: int) -> dict:
    """Send every query once, ``clients`` at a time; latencies in ms."""
    import httpx

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    todo = iter(queries)

    def client() -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        # generous: a cold query on a large index waits behind every other client's
        with httpx.Client(base_url=base, timeout=600) as http:
            while True:
                with lock:
                    q = next(todo, None)
                if q is None:
                    break
                t = time.perf_counter()
                try:
                    ok = http.get("/api/search", params={"q": q}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                mine.append((time.perf_counter() - t) * 1000)
                bad += not ok
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return summarise(latencies, elapsed, errors)


def in_process(index: Path, queries: list[str]) -> dict:
    from search import search

    latencies = []
    started = time.perf_counter()
    for q in queries:
        t = time.perf_counter()
        search(index, q)
        latencies.append((time.perf_counter() - t) * 1000)
    return summarise(latencies, time.perf_counter() - started, 0)


def summarise(latencies: list[float], elapsed: float, errors: int) -> dict:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(ordered),
        "p95": pct(0.95),
        "errors": errors,
    }


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=50_000, help="generated posts to index")
    parser.add_argument("--index", type=Path, help="use this index instead of building one")
    parser.add_argument("--requests", type=int, default=400,
                        help="cold requests per concurrency level (at least 2 per client)")
    parser.add_argument("--cached", type=int, default=100, help="size of the repeated query list")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--warm-terms", type=int, default=None,
                        help="the server's background warm-up (words per field; 0: off; default: "
                             "needle serve's)")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()

    index = args.index or build_index(args.posts)
    if args.build_only:
        return
    from search import search

    total = search(index, "", per_page=1).total
    from search.warmup import WARM_TERMS

    warm = WARM_TERMS if args.warm_terms is None else args.warm_terms
    print(f"index {index}: {total} posts, {size_mb(index):.0f} MB; "
          f"{os.cpu_count()} cores; server workers: {args.workers}; "
          f"warm-up: {f'{warm} words per field' if warm else 'off'}")

    per_level = [max(args.requests, 2 * c) for c in CONCURRENCY]
    cached_list = distinct_queries(args.cached)
    cold = distinct_queries(args.cached + sum(per_level) + args.requests)[args.cached:]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(index, port, args.workers, args.warm_terms)
    started = time.perf_counter()
    rows = []
    try:
        # Warm-up: every pool thread opens its searcher; the cached list enters the cache
        # (meanwhile the server's own warm-up, if on, runs in the background).
        drive(base, cached_list, 8)
        print(f"cold requests start {time.perf_counter() - started:.1f} s after the server answered")
        offset = 0
        for clients, n in zip(CONCURRENCY, per_level):
            rows.append((f"http cold, {clients} clients", drive(base, cold[offset:offset + n], clients)))
            offset += n
        for clients in CONCURRENCY:
            # the cold runs pushed the cached list out of the server's LRU: ask it again first
            drive(base, cached_list, 8)
            rows.append((f"http cached, {clients} clients", drive(base, cached_list * 4, clients)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    in_process(index, cached_list)  # warm this process's searcher and cache
    rows.append(("in-process cold", in_process(index, cold[offset:offset + args.requests])))
    rows.append(("in-process cached", in_process(index, cached_list * 4)))

    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"\n{'':28} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
    for name, r in rows:
        print(f"{name:28} {r['requests']:>8} {r['rps']:>8.1f} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['errors']:>6}")


if __name__ == "__main__":
    main()
