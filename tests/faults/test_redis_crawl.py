"""A crawl spread over several processes through a real Redis (scrapy-redis): they share
one frontier, never fetch a URL twice, and a single writer indexes what they found; a
worker killed mid-crawl loses no URL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

from blogsite import BlogSite
from conftest import LOCAL_CRAWL_SETTINGS, ROOT, run_needle
from redisserver import RedisServer

from indexer.store import load_posts


def start_worker(urls: str | list[str], redis_url: str, out, *extra: str) -> subprocess.Popen:
    urls = [urls] if isinstance(urls, str) else urls
    args = [sys.executable, "-m", "cli", "crawl", *urls, "--redis", redis_url, "-o", str(out),
            "-s", "NEEDLE_REDIS_HEARTBEAT=0.5", "-s", "CONCURRENT_REQUESTS=4", *extra]
    for name, value in LOCAL_CRAWL_SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def post_lines(path) -> list[str]:
    if not path.exists():
        return []
    return [row["url"] for row in map(json.loads, path.read_text().splitlines()) if row["type"] == "post"]


def test_two_workers_share_one_frontier_and_one_writer_indexes_it_all(tmp_path):
    """Two clinics' blogs, two workers: no URL fetched twice, the records of a
    single-process crawl, and each clinic's search sees its own posts only."""
    index = tmp_path / "index"
    with RedisServer(tmp_path / "redis") as redis, BlogSite(posts=16) as north, BlogSite(posts=16) as south:
        # 32 posts, a second each, four at a time: the crawl lasts longer than the engine's
        # five-second wait between two looks at an empty queue, so the second worker joins in
        north.delay = south.delay = 1.0
        urls = [north.url, south.url]
        outs = [tmp_path / "worker1.jsonl", tmp_path / "worker2.jsonl"]
        workers = [start_worker(urls, redis.url, outs[0])]
        time.sleep(0.5)  # the first seeds the frontier; the second joins it
        workers.append(start_worker(urls, redis.url, outs[1]))
        indexed = run_needle("index", "--from-redis", redis.url, "--index", str(index), timeout=120)
        errors = [w.communicate(timeout=120)[1] for w in workers]
        fetched = [Counter(path for _, path in site.hits) for site in (north, south)]
        leftover = sorted(k.decode() for k in redis.client.keys("needle:*") if not k.endswith(b":items"))
        north.delay = south.delay = 0
        single = tmp_path / "single.jsonl"  # the same sites crawled by one process, no Redis
        args = ["crawl", *urls, "--no-index", "-o", str(single)]
        for name, value in LOCAL_CRAWL_SETTINGS.items():
            args += ["-s", f"{name}={value}"]
        run_needle(*args, timeout=180)
        every = sorted(site.post_url(n) for site in (north, south) for n in range(1, 17))
        searched = {site.root: json.loads(run_needle("search", "physiotherapy", "--index", str(index), "--json",
                                                     "--per-page", "50", "--site", site.root).stdout)
                    for site in (north, south)}

    assert [w.returncode for w in workers] == [0, 0], errors
    found = [post_lines(out) for out in outs]
    assert all(found), "both workers fetched posts"
    assert sorted(found[0] + found[1]) == every
    assert [path for hits in fetched for path, n in hits.items() if path.startswith("/blog/post-") and n > 1] == []
    assert sorted(p.url for p in load_posts(index)) == every
    assert "posts: 32 added" in indexed.stdout
    assert leftover == ["needle:frontiers"]  # the last worker out cleared the frontier
    # the records are a single-process crawl's: every post, with the same content hash
    shared = {p.url: p.content_hash for p in load_posts(index)}
    alone = {row["url"]: row["content_hash"] for row in map(json.loads, single.read_text().splitlines())
             if row["type"] == "post"}
    assert shared == alone
    for root, results in searched.items():
        assert results["total"] == 16 and {h["url"].split("/blog/")[0] for h in results["hits"]} == {root}


def test_a_worker_killed_mid_crawl_loses_no_url(tmp_path):
    index = tmp_path / "index"
    with RedisServer(tmp_path / "redis") as redis, BlogSite(posts=30) as site:
        site.delay = 0.2
        doomed = start_worker(site.url, redis.url, tmp_path / "doomed.jsonl")
        deadline = time.monotonic() + 60
        while sum(1 for _, p in site.hits if p.startswith("/blog/post-")) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(doomed.pid, signal.SIGKILL)  # with requests taken and not yet handled
        doomed.communicate(timeout=10)
        survivor = start_worker(site.url, redis.url, tmp_path / "survivor.jsonl", "-s", "LOG_LEVEL=WARNING")
        indexed = run_needle("index", "--from-redis", redis.url, "--index", str(index), timeout=180)
        stderr = survivor.communicate(timeout=180)[1]

    assert doomed.returncode == -signal.SIGKILL and survivor.returncode == 0, stderr
    # the requests the killed worker had taken went back to the queue, and were fetched
    assert "stopped answering" in stderr and "went back to the queue" in stderr
    assert sorted(p.url for p in load_posts(index)) == sorted(site.post_url(n) for n in range(1, 31)), indexed.stdout
