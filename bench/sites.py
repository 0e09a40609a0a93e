"""One shared index with a site filter, or one index per site? Measured side by side.

    .venv/bin/python bench/sites.py                     # 100 sites x 500 posts
    .venv/bin/python bench/sites.py --sites 10 --posts 100

Builds both layouts from the same generated posts (bench/corpus.py, a different seed per
site) and prints, for each: build time, disk, the p50/p95 of a query on one site (shared:
``search(..., site=HOST)``; per site: that site's index) and of a query over every site
(shared: no filter; per site: every index searched and the top 10 merged by score), and
what two sites crawled at once cost (two writer processes, 500 posts each: on one index
the second waits for the first's lock; on two they write side by side).
"""

from __future__ import annotations

import argparse
import heapq
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus import generate_posts, generate_queries  # noqa: E402


def site_posts(sites: int, per_site: int) -> dict[str, list]:
    out = {}
    for n in range(sites):
        site = f"https://clinic-{n:03d}.example"
        posts = []
        for post in generate_posts(per_site, seed=1000 + n):
            url = post.url.replace("https://clinic.example", site)
            posts.append(post.model_copy(update={"url": url, "site": site}).with_hash())
        out[site] = posts
    return out


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def build(path: Path, posts: list) -> None:
    """A fresh index, as `needle index --rebuild` builds one (both cores)."""
    from indexer.rebuild import rebuild

    rebuild(path, posts, procs=2)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p / 100 * len(values)))], 2)


def time_queries(run, queries: list[str]) -> dict:
    run(queries[0])  # open the index (and its caches), as a service would have
    times = []
    for q in queries:
        t = time.perf_counter()
        run(q)
        times.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": pct(times, 50), "p95_ms": pct(times, 95)}


def contention(root: Path, posts: dict[str, list], shared: bool) -> tuple[float, int]:
    """(seconds until two sites' `needle index` runs started together are both done,
    runs refused for the lock and run again once the other finished)."""
    two = list(posts)[:2]
    files = []
    for site in two:
        f = root / f"{site.split('//')[1]}.jsonl"
        f.write_text("\n".join(p.model_dump_json() for p in posts[site]) + "\n", encoding="utf-8")
        files.append(f)
    targets = [root / "contention-shared"] * 2 if shared else [root / f"contention-{i}" for i in range(2)]
    cwd = Path(__file__).resolve().parent.parent

    def start(f: Path, ix: Path) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "cli", "index", str(f), "--index", str(ix), "--json"],
                                cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    t = time.perf_counter()
    procs = [start(f, ix) for f, ix in zip(files, targets)]
    codes = [(p.communicate(timeout=1800), p.returncode)[1] for p in procs]
    refused = 0
    for (f, ix), code in zip(zip(files, targets), codes):
        if code == 3:  # another writer held the lock: what a second crawl meets, run again
            refused += 1
            again = start(f, ix)
            again.communicate(timeout=1800)
            code = again.returncode
        if code != 0:
            raise SystemExit(f"a writer failed with exit {code}")
    return round(time.perf_counter() - t, 2), refused


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--posts", type=int, default=500, help="posts per site")
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()

    from search import search

    load_before = os.getloadavg()
    posts = site_posts(args.sites, args.posts)
    everything = [p for group in posts.values() for p in group]
    queries = generate_queries(args.queries)
    sites = list(posts)
    with tempfile.TemporaryDirectory(prefix="needle-bench-sites-") as tmp:
        root = Path(tmp)
        shared = root / "shared"
        t = time.perf_counter()
        build(shared, everything)
        shared_build = time.perf_counter() - t
        per_site_dirs = {site: root / "per-site" / site.split("//")[1] for site in sites}
        t = time.perf_counter()
        for site, path in per_site_dirs.items():
            build(path, posts[site])
        per_site_build = time.perf_counter() - t

        # one site's search box: the same site for every query (its caches warm, as in service)
        one = sites[len(sites) // 2]
        shared_one = time_queries(lambda q: search(shared, q, site=one, facets=True), queries)
        per_one = time_queries(lambda q: search(per_site_dirs[one], q, facets=True), queries)
        # every site: the shared index unfiltered; per site, each index and a merge by score
        shared_all = time_queries(lambda q: search(shared, q, facets=False), queries)

        def across(q: str):
            tops = []
            for path in per_site_dirs.values():
                tops.extend((hit.score or 0.0, hit.url) for hit in search(path, q, facets=False).hits)
            return heapq.nlargest(10, tops)

        per_all = time_queries(across, queries[: max(10, len(queries) // 5)])
        shared_two, shared_refused = contention(root, posts, shared=True)
        per_two, per_refused = contention(root, posts, shared=False)

        rows = [
            ("build (all posts)", f"{shared_build:.1f} s", f"{per_site_build:.1f} s"),
            ("disk", f"{size_mb(shared):.1f} MB", f"{sum(size_mb(p) for p in per_site_dirs.values()):.1f} MB"),
            ("query, one site, p50 / p95", f"{shared_one['p50_ms']} / {shared_one['p95_ms']} ms",
             f"{per_one['p50_ms']} / {per_one['p95_ms']} ms"),
            ("query, every site, p50 / p95", f"{shared_all['p50_ms']} / {shared_all['p95_ms']} ms",
             f"{per_all['p50_ms']} / {per_all['p95_ms']} ms"),
            (f"two sites indexed at once ({args.posts} posts each)",
             f"{shared_two} s, {shared_refused} refused for the lock and run again",
             f"{per_two} s, {per_refused} refused"),
        ]
    print(f"{args.sites} sites x {args.posts} posts = {len(everything)} posts; {len(queries)} queries; "
          f"load average (1, 5, 15 min) at the start {' '.join(f'{x:.1f}' for x in load_before)}, "
          f"at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print()
    print("| | one shared index, site filter | one index per site |")
    print("|---|---|---|")
    for name, a, b in rows:
        print(f"| {name} | {a} | {b} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
