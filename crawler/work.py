"""Extraction of one fetched page as a single picklable call, in this process or a worker.

Scrapy runs in one process; extraction is most of a crawl's CPU time. On a machine with
a spare core the spider hands each page to a worker process, so fetching and extracting
overlap (NEEDLE_EXTRACT_WORKERS). The result is the same either way: the same pure
functions run on the same bytes.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from functools import partial
from typing import Any

from crawler.extract import Listing, extract_listing, extract_post, page_kind, parse_page
from crawler.pages import extract_site_page
from crawler.records import FetchInfo, Post, SitePage

Extracted = tuple[str, "Post | Listing | SitePage"]


def extract_any(body: bytes, url: str, *, encoding: str | None, selectors: dict[str, str] | None,
                fetched_at: datetime, timezone: str, languages: list[str] | None,
                fetch: FetchInfo) -> Extracted:
    """Parse once, decide what the page is, and extract it: ("post" | "listing" | "other", record)."""
    page = parse_page(body, url, encoding=encoding, selectors=selectors)
    kind = page_kind(page, url)
    if kind == "listing":
        return kind, extract_listing(page, url, fetched_at=fetched_at, timezone=timezone,
                                     languages=languages)
    if kind == "post":
        return kind, extract_post(page, url, fetched_at=fetched_at, timezone=timezone,
                                  languages=languages, fetch=fetch, encoding=encoding)
    return kind, extract_site_page(page, url, fetched_at=fetched_at, timezone=timezone,
                                   languages=languages, fetch=fetch, encoding=encoding)


def worker_count(setting: Any) -> int:
    """NEEDLE_EXTRACT_WORKERS: a number, or "auto" (one worker when there is a core to spare)."""
    if setting in (None, "", "auto"):
        return 1 if (os.cpu_count() or 1) >= 2 else 0
    return max(int(setting), 0)


def _warm_up() -> None:
    # import-time work (dateparser's data, trafilatura) happens once per worker, up front
    import crawler.extract  # noqa: F401


class Extractor:
    """Runs extract_any inline (workers=0) or in a pool of worker processes."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        if workers:
            # forkserver: never fork the crawler's process, whose reactor and threads
            # a forked child would inherit half-alive
            self._pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("forkserver"), initializer=_warm_up)

    async def run(self, body: bytes, url: str, **options: Any) -> Extracted:
        if self._pool is None:
            return extract_any(body, url, **options)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(extract_any, body, url, **options))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
