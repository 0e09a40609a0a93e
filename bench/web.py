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

Hostile mode (``--hostile``): does `/api/health` stay responsive while searches run?

    .venv/bin/python bench/web.py --posts 1200 --hostile

One client polls `GET /api/health` (every 20 ms) for ``--seconds`` on the idle server,
then again while 8 clients send, back to back, queries over the query budget (``*a*``,
``a*``, ``*``, ``text:[a to z]``: refused with 400) and expensive queries within it (four
fuzzy words, four 3-letter prefixes: never the same query twice, so no result cache
helps). It prints health p50/p95/max on the idle server and under that load, and what the
8 clients got (status codes, search latency).
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
    from indexer.rebuild import rebuild
    from indexer.writer import IndexNotFoundError, open_index

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


def wait_for_warm_up(base: str, query: str, warm: int, timeout: float = 300) -> float | None:
    """Wait until every search worker has finished its warm-up (``warmed`` in
    /api/health, as of each worker's last reply: a cached search refreshes it), so that
    cold requests measure searches, not searches beside the warm-up; its seconds."""
    import httpx

    if not warm:
        return None
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        drive(base, [query] * 8, 8)  # at once, so that every worker replies
        pool = httpx.get(f"{base}/api/health", timeout=60).json().get("search_pool") or {}
        if pool.get("warmed", 0) >= pool.get("workers", 1):
            return time.perf_counter() - started
        time.sleep(0.5)
    return None


def tree_cpu_s(root: int) -> float:
    """CPU seconds used so far by process ``root`` and every live process under it (the
    server and its search workers), from /proc; 0 where /proc is not there."""
    try:
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    except OSError:
        return 0.0
    inside, total = {root}, 0
    for _ in range(4):  # the tree is shallow: server, its pool, the pool's workers
        inside |= {pid for pid, (ppid, _) in stats.items() if ppid in inside}
    total = sum(stats[pid][1] for pid in inside if pid in stats)
    return total / os.sysconf("SC_CLK_TCK")


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


# --- hostile mode ------------------------------------------------------------------------

OVER_BUDGET = ["*a*", "*e*", "a*", "*", "?", "text:[a to z]", "url:[a to z]", "title:*",
               "ne~ kn~ pa~ ba~ hi~", "*ing"]
HOSTILE_CLIENTS = 8


def expensive_queries(count: int, seed: int = 5) -> list[str]:
    """Distinct queries within the budget that cost the most it allows: four fuzzy words
    (two edits), or four prefixes of three letters."""
    import random

    from corpus import CLINIC

    rng = random.Random(seed)
    words = [w for w in CLINIC if w.isalpha() and len(w) >= 5]
    out: dict[str, None] = {}
    while len(out) < count:
        picked = rng.sample(words, 4)
        if rng.random() < 0.5:
            out.setdefault(" ".join(f"{w}~2" for w in picked), None)
        else:
            out.setdefault(" ".join(f"{w[:3]}*" for w in picked), None)
    return list(out)


def poll_health(base: str, seconds: float, interval: float = 0.02) -> dict:
    """``GET /api/health`` every ``interval`` s for ``seconds``; latencies in ms (a request
    that fails or takes over 15 s counts as an error, at 15,000 ms)."""
    import httpx

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    with httpx.Client(base_url=base, timeout=15) as http:
        while time.perf_counter() < deadline:
            t = time.perf_counter()
            try:
                ok = http.get("/api/health").status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - t) * 1000 if ok else 15_000.0)
            errors += not ok
            time.sleep(interval)
    result = summarise(latencies, seconds, errors)
    result["max"] = max(latencies)
    return result


def hostile(base: str, seconds: float) -> tuple[dict, dict, dict]:
    """Health on the idle server, then under 8 clients of hostile queries."""
    import httpx
    from collections import Counter

    idle = poll_health(base, seconds)
    stop = threading.Event()
    lock = threading.Lock()
    statuses: Counter = Counter()
    search_ms: list[float] = []
    expensive = iter(expensive_queries(100_000))

    def client(n: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            i = 0
            while not stop.is_set():
                # a third over budget, the rest expensive within it
                q = OVER_BUDGET[(n + i) % len(OVER_BUDGET)] if i % 3 == 0 else next(expensive)
                i += 1
                t = time.perf_counter()
                try:
                    code = http.get("/api/search", params={"q": q}).status_code
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                with lock:
                    statuses[code] += 1
                    search_ms.append((time.perf_counter() - t) * 1000)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(HOSTILE_CLIENTS)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)  # the load is on
        loaded = poll_health(base, seconds)
    finally:
        stop.set()
        for t in threads:
            t.join()
    load = summarise(search_ms, seconds + 1.0, 0)
    load["statuses"] = dict(sorted(statuses.items(), key=str))
    return idle, loaded, load


def main_hostile(args, index: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(index, port, args.workers, args.warm_terms)
    try:
        import httpx

        # let the workers' warm-up finish before measuring the idle server
        httpx.get(f"{base}/api/search", params={"q": "neck pain"}, timeout=60)
        time.sleep(args.settle)
        idle, loaded, load = hostile(base, args.seconds)
        pool = httpx.get(f"{base}/api/health", timeout=15).json().get("search_pool")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"\nGET /api/health every 20 ms for {args.seconds:g} s")
    print(f"{'':40} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>6}")
    for name, r in ((f"idle server", idle),
                    (f"under {HOSTILE_CLIENTS} clients of hostile queries", loaded)):
        print(f"{name:40} {r['requests']:>8} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['max']:>8.1f} {r['errors']:>6}")
    print(f"\nthe {HOSTILE_CLIENTS} clients: {load['requests']} searches, p50 {load['p50']:.0f} ms, "
          f"p95 {load['p95']:.0f} ms; status codes {load['statuses']}")
    if pool:
        print(f"search pool at the end: {pool}")


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
    parser.add_argument("--clients", default=",".join(map(str, CONCURRENCY)),
                        help="concurrency levels, comma-separated (default 1,8,32)")
    parser.add_argument("--warm-terms", type=int, default=None,
                        help="the server's background warm-up (words per field; 0: off; default: "
                             "needle serve's)")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--hostile", action="store_true",
                        help="health latency, idle and under 8 clients of hostile queries")
    parser.add_argument("--seconds", type=float, default=20.0, help="hostile mode: seconds per phase")
    parser.add_argument("--settle", type=float, default=5.0,
                        help="hostile mode: seconds for the server's warm-up before measuring")
    args = parser.parse_args()

    index = args.index or build_index(args.posts)
    if args.build_only:
        return
    if args.hostile:
        main_hostile(args, index)
        return
    from search import search

    total = search(index, "", per_page=1).total
    from search.warmup import WARM_TERMS

    warm = WARM_TERMS if args.warm_terms is None else args.warm_terms
    print(f"index {index}: {total} posts, {size_mb(index):.0f} MB; "
          f"{os.cpu_count()} cores; server workers: {args.workers}; "
          f"warm-up: {f'{warm} words per field' if warm else 'off'}")

    levels = [int(c) for c in args.clients.split(",")]
    per_level = [max(args.requests, 2 * c) for c in levels]
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
        warmed = wait_for_warm_up(base, cached_list[0], warm)
        print(f"cold requests start {time.perf_counter() - started:.1f} s after the server answered"
              f"{f' (its warm-up took {warmed:.1f} s)' if warmed is not None else ''}")
        offset = 0

        def measured(queries, clients) -> dict:
            # the server's CPU per request (its search workers included) moves far less
            # with other jobs' load than the latencies do
            cpu = tree_cpu_s(server.pid)
            r = drive(base, queries, clients)
            r["cpu_ms"] = (tree_cpu_s(server.pid) - cpu) * 1000 / max(1, r["requests"])
            r["load"] = os.getloadavg()[0]
            return r

        for clients, n in zip(levels, per_level):
            rows.append((f"http cold, {clients} clients", measured(cold[offset:offset + n], clients)))
            offset += n
        for clients in levels:
            # the cold runs pushed the cached list out of the server's LRU: ask it again first
            drive(base, cached_list, 8)
            rows.append((f"http cached, {clients} clients", measured(cached_list * 4, clients)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    in_process(index, cached_list)  # warm this process's searcher and cache
    rows.append(("in-process cold", in_process(index, cold[offset:offset + args.requests])))
    rows.append(("in-process cached", in_process(index, cached_list * 4)))

    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"\n{'':28} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}"
          f" {'server CPU ms/req':>18} {'load avg':>9}")
    for name, r in rows:
        extra = f" {r['cpu_ms']:>18.1f} {r['load']:>9.2f}" if "cpu_ms" in r else ""
        print(f"{name:28} {r['requests']:>8} {r['rps']:>8.1f} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['errors']:>6}{extra}")


if __name__ == "__main__":
    main()
