"""A clinic's delay holds across Redis workers: two `needle crawl --redis` processes take
turns for the host in Redis (crawler/polite.py), so the clinic sees the pace of its
setting, not twice it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from blogsite import BlogSite
from conftest import LOCAL_CRAWL_SETTINGS, ROOT, run_needle
from redisserver import RedisServer
from test_redis_crawl import post_lines

from indexer.store import load_posts

DELAY = 0.3
# what a busy machine may add between a worker's turn and the request reaching the server
# (an event-loop iteration, a new connection); without shared turns two workers' requests
# arrive milliseconds apart
TOLERANCE = 0.1


def start_worker(sites_file, redis_url: str, out, polite: bool) -> subprocess.Popen:
    args = [sys.executable, "-m", "cli", "crawl", "--sites", str(sites_file), "--redis", redis_url, "-o", str(out),
            "-s", "NEEDLE_REDIS_HEARTBEAT=0.5", "-s", "CONCURRENT_REQUESTS=4"]
    for name, value in LOCAL_CRAWL_SETTINGS.items():  # no AutoThrottle, no global delay: the site's own only
        args += ["-s", f"{name}={value}"]
    env = dict(os.environ, NEEDLE_POLITE="1" if polite else "0")
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class PaceKeys:
    """Whether a host's turn key ever showed in Redis while the crawl ran."""

    def __init__(self, client):
        self.client, self.seen, self._stop = client, set(), threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.seen.update(k.decode() for k in self.client.keys("needle:pace:*"))
            time.sleep(0.02)

    def __enter__(self) -> "PaceKeys":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)


def test_two_workers_keep_one_site_delay_between_them(tmp_path):
    index = tmp_path / "index"
    with RedisServer(tmp_path / "redis") as redis, BlogSite(posts=30) as site, PaceKeys(redis.client) as keys:
        sites_file = tmp_path / "sites.toml"
        sites_file.write_text(f'[[site]]\nstart = ["{site.url}"]\ndelay = {DELAY}\n', encoding="utf-8")
        outs = [tmp_path / "worker1.jsonl", tmp_path / "worker2.jsonl"]
        workers = [start_worker(sites_file, redis.url, outs[0], polite=True)]
        time.sleep(0.5)  # the first seeds the frontier; the second joins it
        workers.append(start_worker(sites_file, redis.url, outs[1], polite=True))
        indexed = run_needle("index", "--from-redis", redis.url, "--index", str(index), timeout=180)
        errors = [w.communicate(timeout=180)[1] for w in workers]
        starts = sorted(t for t, _ in site.starts)

    assert [w.returncode for w in workers] == [0, 0], errors
    found = [post_lines(out) for out in outs]
    assert all(found), "both workers fetched posts"
    every = sorted(site.post_url(n) for n in range(1, 31))
    assert sorted(found[0] + found[1]) == every
    assert sorted(p.url for p in load_posts(index)) == every, indexed.stdout
    assert keys.seen == {"needle:pace:127.0.0.1"}
    gaps = [round(b - a, 3) for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= DELAY - TOLERANCE, gaps


def test_polite_off_takes_no_turns(tmp_path):
    """NEEDLE_POLITE=0 (the local benchmarks): no key in Redis, no wait for one."""
    with RedisServer(tmp_path / "redis") as redis, BlogSite(posts=6) as site, PaceKeys(redis.client) as keys:
        sites_file = tmp_path / "sites.toml"
        sites_file.write_text(f'[[site]]\nstart = ["{site.url}"]\ndelay = {DELAY}\n', encoding="utf-8")
        worker = start_worker(sites_file, redis.url, tmp_path / "out.jsonl", polite=False)
        stderr = worker.communicate(timeout=120)[1]

    assert worker.returncode == 0, stderr
    assert len(post_lines(tmp_path / "out.jsonl")) == 6
    assert keys.seen == set()


def test_a_worker_killed_while_pacing_a_site_holds_it_back_one_delay_at_most(tmp_path):
    """SIGKILL one of two polite workers mid-crawl: its turn key expires by itself, the
    survivor goes on at the site's pace, and every post is indexed."""
    import signal

    index = tmp_path / "index"
    with RedisServer(tmp_path / "redis") as redis, BlogSite(posts=30) as site:
        sites_file = tmp_path / "sites.toml"
        sites_file.write_text(f'[[site]]\nstart = ["{site.url}"]\ndelay = {DELAY}\n', encoding="utf-8")
        doomed = start_worker(sites_file, redis.url, tmp_path / "doomed.jsonl", polite=True)
        survivor = start_worker(sites_file, redis.url, tmp_path / "survivor.jsonl", polite=True)
        deadline = time.monotonic() + 60
        while (redis.client.get("needle:pace:127.0.0.1") is None
               or sum(1 for _, p in site.hits if p.startswith("/blog/post-")) < 6) and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(doomed.pid, signal.SIGKILL)  # turns taken, requests in flight
        killed_at = time.monotonic()
        doomed.communicate(timeout=10)
        indexed = run_needle("index", "--from-redis", redis.url, "--index", str(index), timeout=180)
        stderr = survivor.communicate(timeout=180)[1]
        after = sorted(t for t, _ in site.starts if t > killed_at)
        leftover = redis.client.keys("needle:pace:*")

    assert doomed.returncode == -signal.SIGKILL and survivor.returncode == 0, stderr
    assert sorted(p.url for p in load_posts(index)) == sorted(site.post_url(n) for n in range(1, 31)), indexed.stdout
    assert after, "the survivor went on fetching after the kill"
    gaps = [round(b - a, 3) for a, b in zip(after, after[1:])]
    assert min(gaps) >= DELAY - TOLERANCE, gaps
    assert leftover == []  # nothing to unlock: every turn key expired
