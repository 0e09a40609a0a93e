"""Crawls that meet a fault: a bad sitemap entry, a dead extraction worker.

Each test runs `needle crawl` in a child process against a BlogSite on 127.0.0.1 and
checks the JSON Lines output and the index of that one crawl into a fresh index: every
real post is in both, and the fault is recorded where it happened.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import crawled
from blogsite import BlogSite
from conftest import LOCAL_CRAWL_SETTINGS, ROOT

from crawler.records import CrawlError
from crawler.work import Extractor, WorkerDied, WorkersFailed

pytestmark = pytest.mark.timeout(240)


class Crawl(crawled.Crawl):
    def errors_for(self, reason: str) -> list[CrawlError]:
        return [e for e in self.errors if e.reason == reason]


def crawl_args(site: BlogSite, workdir: Path, settings: dict[str, str] | None = None) -> list[str]:
    args = [sys.executable, "-m", "cli", "crawl", site.url, "-o", str(workdir / "records.jsonl"),
            "--index", str(workdir / "index"), "--summary-json", str(workdir / "summary.json")]
    for name, value in {**LOCAL_CRAWL_SETTINGS, **(settings or {})}.items():
        args += ["-s", f"{name}={value}"]
    return args


def run_crawl(site: BlogSite, workdir: Path, settings: dict[str, str] | None = None) -> Crawl:
    proc = subprocess.run(crawl_args(site, workdir, settings), cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    return Crawl(proc.returncode, workdir, proc.stdout + proc.stderr)


def assert_every_post(crawl: Crawl, site: BlogSite) -> None:
    """Exit 0, and every post of the site is in the output and in the index, URL by URL."""
    assert crawl.returncode == 0, crawl.stdout
    expected = {site.post_url(n) for n in range(1, site.posts + 1)}
    missing_output = sorted(expected - set(crawl.posts))
    assert not missing_output, f"posts missing from the output: {missing_output}\n{crawl.told()}"
    missing_index = sorted(expected - crawl.indexed_posts())
    assert not missing_index, f"posts missing from the index: {missing_index}"


# -- bad sitemap entries -------------------------------------------------------------


def test_a_loc_with_an_impossible_port_is_an_error_and_the_crawl_goes_on(tmp_path: Path) -> None:
    with BlogSite(posts=8) as site:
        site.sitemap_extra.append("http://127.0.0.1:99999/x/")
        crawl = run_crawl(site, tmp_path)
    assert_every_post(crawl, site)
    bad = crawl.errors_for("bad_sitemap_entry")
    assert [e.url for e in bad] == ["http://127.0.0.1:99999/x/"], crawl.told()
    assert bad[0].referrer == f"{site.root}/sitemap.xml"
    # the good entries of the same sitemap were kept
    assert {e.url for e in crawl.sitemap} == {site.post_url(n) for n in range(1, 9)}


def test_a_bad_loc_first_in_the_sitemap_does_not_hide_the_rest(tmp_path: Path) -> None:
    with BlogSite(posts=6) as site:
        site.unlisted.add(6)  # only the sitemap knows post 6
        site.sitemap_extra.append(site.post_url(6))
        site.sitemap_index = ["http://127.0.0.1:99999/sitemap-a.xml"]
        crawl = run_crawl(site, tmp_path)
    assert_every_post(crawl, site)
    assert crawl.posts[site.post_url(6)].fetch.found_via == "sitemap"
    assert [e.url for e in crawl.errors_for("bad_sitemap_entry")] == ["http://127.0.0.1:99999/sitemap-a.xml"]


def test_a_relative_url_in_a_sitemap_index_is_an_error_and_the_crawl_goes_on(tmp_path: Path) -> None:
    with BlogSite(posts=8) as site:
        site.sitemap_index = ["sitemap-more.xml"]
        crawl = run_crawl(site, tmp_path)
    assert_every_post(crawl, site)
    bad = crawl.errors_for("bad_sitemap_entry")
    assert len(bad) == 1, crawl.told()
    assert "sitemap-more.xml" in bad[0].url and "sitemap-more.xml" in bad[0].message
    assert bad[0].referrer == f"{site.root}/sitemap.xml"
    # the index's other sitemap was read
    assert {e.url for e in crawl.sitemap} == {site.post_url(n) for n in range(1, 9)}
    assert not any(path.startswith("/sitemap-more") for path in site.served)


def test_a_date_only_lastmod_with_a_mistyped_time_zone_keeps_the_entries(tmp_path: Path) -> None:
    # `needle crawl` refuses a mistyped zone before it starts (test_hostile_settings); the
    # spider itself, run as `scrapy crawl` with the setting, must still not lose the sitemap
    with BlogSite(posts=8) as site:
        site.lastmod = "2024-05-01"
        args = [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"start_url={site.url}",
                "-O", str(tmp_path / "records.jsonl"), "-s", "NEEDLE_TIMEZONE=Europe/Pariss",
                "-s", "LOG_LEVEL=ERROR"]
        for name, value in LOCAL_CRAWL_SETTINGS.items():
            args += ["-s", f"{name}={value}"]
        proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
        crawl = Crawl(proc.returncode, tmp_path, proc.stdout + proc.stderr)
    assert crawl.returncode == 0, crawl.stdout
    assert set(crawl.posts) == {site.post_url(n) for n in range(1, 9)}, crawl.told()
    assert {e.url for e in crawl.sitemap} == {site.post_url(n) for n in range(1, 9)}
    assert {e.lastmod for e in crawl.sitemap} == {datetime(2024, 5, 1, tzinfo=timezone.utc)}
    # the problem is recorded once, not once per entry
    bad_zone = [e for e in crawl.errors if "Europe/Pariss" in e.message]
    assert len(bad_zone) == 1, crawl.told()
    assert bad_zone[0].reason == "bad_timezone"
    assert not crawl.errors_for("bad_sitemap_entry")


def test_garbage_sitemap_lines_in_robots_txt_are_errors_and_the_crawl_goes_on(tmp_path: Path) -> None:
    with BlogSite(posts=8) as site:
        site.robots_extra += [
            "Sitemap: http://[oops/sitemap.xml",
            "Sitemap: http://127.0.0.1:99999/sitemap.xml",
            "Sitemap:",
            "Sitemap: mailto:webmaster@example.org",
        ]
        crawl = run_crawl(site, tmp_path)
    assert_every_post(crawl, site)
    bad = crawl.errors_for("bad_sitemap_entry")
    texts = " | ".join(f"{e.url} {e.message}" for e in bad)
    assert len(bad) == 4, crawl.told()
    for garbage in ("http://[oops/sitemap.xml", "http://127.0.0.1:99999/sitemap.xml", "mailto:webmaster"):
        assert garbage in texts
    assert all(e.referrer == f"{site.root}/robots.txt" for e in bad)
    assert {e.url for e in crawl.sitemap} == {site.post_url(n) for n in range(1, 9)}


# -- a dead extraction worker ----------------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                found += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except (FileNotFoundError, ProcessLookupError):
        return ""


def extraction_workers(crawl_pid: int) -> list[int]:
    """The crawl's extraction workers: the children of its forkserver process (the
    crawl process -> the forkserver -> the workers). The forkserver itself is left alone."""
    workers: list[int] = []
    for child in _children(crawl_pid):
        if "forkserver" in _cmdline(child):
            workers += _children(child)
    return workers


def test_a_killed_extraction_worker_is_replaced_and_no_page_is_lost(tmp_path: Path) -> None:
    with BlogSite(posts=60) as site:
        proc = subprocess.Popen(crawl_args(site, tmp_path, {"NEEDLE_EXTRACT_WORKERS": "1"}), cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        killed: list[int] = []
        try:
            deadline = time.monotonic() + 60
            while not killed and time.monotonic() < deadline and proc.poll() is None:
                with site.lock:
                    posts_served = sum(1 for p in site.served if p.startswith("/blog/post-"))
                workers = extraction_workers(proc.pid)
                if workers and posts_served >= 5:
                    for worker in workers:
                        os.kill(worker, signal.SIGKILL)
                    killed = workers
                    still_running = proc.poll() is None
                    served_at_kill = posts_served
                    break
                time.sleep(0.01)
            stdout, _ = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert killed, f"no extraction worker found to kill\n{stdout}"
    assert still_running and served_at_kill < 60, "the crawl ended before its worker was killed"
    crawl = Crawl(proc.returncode, tmp_path, stdout)
    assert_every_post(crawl, site)
    assert crawl.summary["worker_restarts"] >= 1, crawl.summary
    # the pages in the dead worker were extracted again, not replaced by error records
    assert not crawl.errors_for("extraction_error"), crawl.told()


def fake_extract(body: bytes, url: str, **options: Any) -> tuple[str, Any]:
    """Stands in for extract_any in a worker: b"die" kills its worker as the OOM killer
    would, b"slow" takes a moment (so that other pages queue behind it)."""
    if body == b"die":
        os.kill(os.getpid(), signal.SIGKILL)
    if body == b"slow":
        time.sleep(0.5)
    return "other", url


def test_a_page_that_kills_its_worker_twice_is_an_error_and_the_pages_beside_it_are_extracted() -> None:
    async def extract() -> tuple[list[Any], int]:
        restarts: list[int] = []
        extractor = Extractor(1, function=fake_extract, on_restart=lambda: restarts.append(1))
        try:
            results = await asyncio.gather(
                *(extractor.run(body, url) for body, url in
                  [(b"slow", "a"), (b"die", "poison"), (b"ok", "b"), (b"ok", "c")]),
                return_exceptions=True)
        finally:
            extractor.close()
        return results, len(restarts)

    results, restarts = asyncio.run(asyncio.wait_for(extract(), 120))
    assert results[0] == ("other", "a")
    assert isinstance(results[1], WorkerDied) and "died on this page twice" in str(results[1])
    # b and c died with the poison page's worker, and were extracted again beside nothing
    assert results[2:] == [("other", "b"), ("other", "c")]
    assert restarts == 2  # the first death, and the poison page's retry


def test_two_workers_hand_pages_back_in_the_order_they_were_given() -> None:
    """The first page is slow and the second worker finishes the others first: they are
    still handed back after it, so the spider claims links in fetch order (referrers and
    depths do not depend on which worker was quicker)."""
    async def extract() -> list[str]:
        extractor = Extractor(2, function=fake_extract)
        handed_back: list[str] = []

        async def one(body: bytes, url: str) -> None:
            kind, found = await extractor.run(body, url)
            handed_back.append(found)

        try:
            await asyncio.gather(*(one(body, url) for body, url in
                                   [(b"slow", "a"), (b"ok", "b"), (b"ok", "c"), (b"ok", "d")]))
        finally:
            extractor.close()
        return handed_back

    assert asyncio.run(asyncio.wait_for(extract(), 120)) == ["a", "b", "c", "d"]


def test_extraction_stops_after_too_many_worker_restarts() -> None:
    async def extract() -> tuple[Extractor, BaseException | None, BaseException | None]:
        extractor = Extractor(1, function=fake_extract, max_restarts=1)
        try:
            died = (await asyncio.gather(extractor.run(b"die", "poison"), return_exceptions=True))[0]
            after = (await asyncio.gather(extractor.run(b"ok", "a"), return_exceptions=True))[0]
        finally:
            extractor.close()
        return extractor, died, after

    extractor, died, after = asyncio.run(asyncio.wait_for(extract(), 120))
    assert isinstance(died, WorkerDied)
    assert isinstance(after, WorkersFailed) and "NEEDLE_EXTRACT_MAX_RESTARTS=1" in str(after)
    assert extractor.restarts == 1


def test_a_killed_crawl_leaves_no_extraction_worker_behind(tmp_path: Path) -> None:
    """SIGKILL gives the crawl no chance to stop its pool: the pool's processes notice the
    crawl is gone and end, so nothing keeps running (nor holds the crawl's output pipes)."""
    from crawler.work import _running

    with BlogSite(posts=20) as site:
        site.delay = 0.3
        args = [sys.executable, "-m", "cli", "crawl", site.url, "--no-index", "-s", "NEEDLE_EXTRACT_WORKERS=1"]
        for name, value in LOCAL_CRAWL_SETTINGS.items():
            args += ["-s", f"{name}={value}"]
        proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while sum(1 for _, p in site.hits if p.startswith("/blog/post-")) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        descendants = _descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)  # returns only once no process holds its pipes
    assert descendants, "the crawl had started its extraction pool"
    deadline = time.monotonic() + 15
    while any(_running(pid) for pid in descendants) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in descendants if _running(pid)] == []


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        parent = todo.pop()
        children = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout.split()
        out += [int(c) for c in children]
        todo += [int(c) for c in children]
    return out
