"""A crawl shared through Redis: one worker beside two, on the generated clinic blog.

    .venv/bin/python bench/redis_crawl.py [--posts 2000] [--runs 1]

Starts its own redis-server (Debian's, on a free loopback port), serves the generated blog
(bench/crawl.py's) and, with NEEDLE_POLITE=0, crawls it with one `needle crawl --redis`
worker, then with two started together, each time draining the records with
`needle index --from-redis`. Prints pages/s of each and their ratio, and checks that the
two workers fetched every post exactly once (the same posts and content hashes as the
single worker's crawl).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sample_site.generated import BLOG, StaticServer, generate_site  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is needed (apt install redis-server)")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
                             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("redis-server did not start")


def run_shared_crawl(worker_args: list[list[str]], redis_url: str, index: Path, env: dict) -> float:
    """Start the workers (``needle crawl ... --redis``, one argument list each) and the one
    index writer draining their records; wait for all. Returns the workers' wall time."""
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "cli", "crawl", *args, "--redis", redis_url],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for args in worker_args]
    writer = subprocess.Popen([sys.executable, "-m", "cli", "index", "--from-redis", redis_url, "--index",
                               str(index), "--wait", "5", "--json"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for proc in procs:
        _, err = proc.communicate(timeout=3600)
        if proc.returncode != 0:
            raise SystemExit(f"a worker exited {proc.returncode}: {err[-800:]}")
    wall = time.perf_counter() - start
    _, err = writer.communicate(timeout=3600)
    if writer.returncode != 0:
        raise SystemExit(f"the index writer exited {writer.returncode}: {err[-800:]}")
    return wall


def crawl(url: str, redis_url: str, work: Path, workers: int) -> dict:
    """Wall time, pages and the index's posts (url -> content hash) of one shared crawl."""
    env = dict(os.environ, NEEDLE_POLITE="0", NEEDLE_PROGRESS="off")
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    index = work / f"index-{workers}"
    summaries = [work / f"summary-{workers}-{n}.json" for n in range(workers)]
    crawled = run_shared_crawl([[url, "--summary-json", str(summary), "-s", "LOG_LEVEL=CRITICAL"]
                                for summary in summaries], redis_url, index, env)
    from indexer.store import load_posts

    pages = [json.loads(s.read_text())["pages"] for s in summaries]
    return {"wall_s": crawled, "pages": sum(pages), "per_worker": pages,
            "posts": {p.url: p.content_hash for p in load_posts(index)}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="needle-bench-redis-") as tmp:
        work = Path(tmp)
        redis, redis_url = start_redis(work)
        try:
            with StaticServer(work / "site") as server:
                info, _ = generate_site(work / "site", server.origin, args.posts, args.seed)
                url = server.origin + BLOG
                one = crawl(url, redis_url, work, 1)
                two = crawl(url, redis_url, work, 2)
        finally:
            redis.terminate()
            redis.wait(10)
    rate1, rate2 = one["pages"] / one["wall_s"], two["pages"] / two["wall_s"]
    same = one["posts"] == two["posts"]
    print(f"generated blog: {info.posts} posts; NEEDLE_POLITE=0; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f}")
    print("| workers | pages | wall s | pages/s |")
    print("|---|---|---|---|")
    print(f"| 1 | {one['pages']} | {one['wall_s']:.1f} | {rate1:.1f} |")
    print(f"| 2 | {two['pages']} ({' + '.join(map(str, two['per_worker']))}) | {two['wall_s']:.1f} | {rate2:.1f} |")
    print(f"\ntwo workers / one: {rate2 / rate1:.2f}x (target 1.6x); pages fetched: {two['pages']} vs "
          f"{one['pages']}; the same {len(two['posts'])} posts and content hashes: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
