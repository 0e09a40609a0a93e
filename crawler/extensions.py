"""Scrapy extensions: the live progress line shown by `needle crawl`, and AutoThrottle
kept at or above each site's own delay."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.throttle import AutoThrottle
from scrapy.utils.asyncio import create_looping_call

from crawler.sites import slot_delays


class ProgressLine:
    """Rewrites one status line on a terminal: pages fetched, posts, errors, rate.

    Enabled by NEEDLE_PROGRESS; off on a non-terminal unless forced, so logs and
    pipes stay clean.
    """

    def __init__(self, crawler: Crawler, stream: TextIO, interval: float):
        self.stats = crawler.stats
        self.stream = stream
        self.interval = interval
        self.started = time.monotonic()
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ProgressLine":
        mode = crawler.settings.get("NEEDLE_PROGRESS", "auto")
        stream = sys.stderr
        if mode in (False, "0", "false", "off") or (mode == "auto" and not stream.isatty()):
            raise NotConfigured
        ext = cls(crawler, stream, crawler.settings.getfloat("NEEDLE_PROGRESS_INTERVAL", 0.5))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self.started = time.monotonic()
        self.task = create_looping_call(self.show)
        self.task.start(self.interval)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.task and self.task.running:
            self.task.stop()
        self.show()
        self.stream.write("\n")
        self.stream.flush()

    def show(self) -> None:
        get = self.stats.get_value
        pages = get("response_received_count", 0)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.stream.write(
            f"\r  pages {pages:>6}  posts {get('needle/records/post', 0):>6}  "
            f"teasers {get('needle/records/teaser', 0):>6}  errors {get('needle/records/error', 0):>4}  "
            f"{pages / elapsed:6.1f} pages/s "
        )
        self.stream.flush()


class SiteAutoThrottle(AutoThrottle):
    """Scrapy's AutoThrottle, never below a host's own delay from the sites file.

    AutoThrottle's floor is DOWNLOAD_DELAY for every host: a clinic whose sites-file entry
    asks for 0.5 s between requests got the default 0.25 s after a few fast answers.
    """

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.site_delays = slot_delays(crawler.settings)
        self._key: str | None = None

    def _get_slot(self, request, spider):
        # the slot's key, for _adjust_delay (called right after, in the same signal handler)
        key, slot = super()._get_slot(request, spider)
        self._key = key
        return key, slot

    def _adjust_delay(self, slot, latency: float, response) -> None:
        super()._adjust_delay(slot, latency, response)
        floor = self.site_delays.get(self._key or "")
        if floor is not None and slot.delay < floor:
            slot.delay = floor
