"""``IndexPipeline``: the Scrapy item pipeline that indexes records as the crawl runs.

Enabled by the ``NEEDLE_INDEX_ON_CRAWL`` setting (``needle crawl`` sets it), writing into
``NEEDLE_INDEX``. Records are committed in batches (``NEEDLE_INDEX_BATCH``, default 200),
so the index is searchable while a long crawl runs.

What may be deleted is settled when the spider has closed (``IndexWriter.close``): a
crawl counts as complete for a site only when it finished by itself (close reason
``finished``), was not resumed from JOBDIR, and the site did not reach its page limit.
The outcome goes into the crawl stats (``needle/index/...``), which the summary reads.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import BaseModel
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.records import parse_record
from indexer.writer import DEFAULT_LOCK_TIMEOUT, IndexLockedError, IndexWriter

# What a crawl produces: a complete crawl may drop the site's stale records of each kind.
CRAWL_KINDS = {"post", "teaser", "error", "sitemap", "redirect", "page", "listing"}

logger = logging.getLogger(__name__)


class IndexPipeline:
    def __init__(self, crawler: Crawler, index_dir: str, batch_size: int, lock_timeout: float,
                 missing_crawls: int = 2, breaker_threshold: float = 0.5, history_keep: int = 50,
                 history_days: int = 0, crawl_settings: dict | None = None):
        self.crawler = crawler
        self.index_dir = index_dir
        self.batch_size = batch_size
        self.lock_timeout = lock_timeout
        self.missing_crawls = missing_crawls
        self.breaker_threshold = breaker_threshold
        self.history_keep = history_keep
        self.history_days = history_days
        self.crawl_settings = crawl_settings
        self.writer: IndexWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "IndexPipeline":
        settings = crawler.settings
        if not settings.getbool("NEEDLE_INDEX_ON_CRAWL", False):
            raise NotConfigured  # silent: indexing on crawl is opt-in
        index_dir = settings.get("NEEDLE_INDEX")
        if not index_dir:
            raise NotConfigured("NEEDLE_INDEX is not set")
        pipeline = cls(
            crawler,
            str(index_dir),
            batch_size=settings.getint("NEEDLE_INDEX_BATCH", 200),
            lock_timeout=settings.getfloat("NEEDLE_INDEX_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT),
            missing_crawls=settings.getint("NEEDLE_MISSING_CRAWLS", 2),
            breaker_threshold=settings.getfloat("NEEDLE_BREAKER_THRESHOLD", 0.5),
            history_keep=settings.getint("NEEDLE_HISTORY_KEEP", 50),
            history_days=settings.getint("NEEDLE_HISTORY_DAYS", 0),
            crawl_settings=_recorded_settings(settings),
        )
        # finish_reason is known only once the spider has closed, after pipelines
        # have closed; the removal of gone posts waits for that signal.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        try:
            self.writer = IndexWriter(
                self.index_dir, batch_size=self.batch_size, lock_timeout=self.lock_timeout,
                missing_crawls=self.missing_crawls, breaker_threshold=self.breaker_threshold,
                history_keep=self.history_keep, history_days=self.history_days,
                crawl_settings=self.crawl_settings,
            )
        except IndexLockedError as exc:
            # the summary reports it (exit 3); fail the crawl before it fetches anything
            self.crawler.stats.set_value("needle/index/locked", str(exc))
            raise
        # The posts the index holds: the spider asks for those no link or sitemap led
        # to, so a deleted post answers 404 (proof) and a live orphan is found again.
        spider = getattr(self.crawler, "spider", None)
        if spider is not None and hasattr(spider, "known_urls"):
            spider.known_urls = self.writer.known_posts()
            spider.validators = self.writer.validators()

    def process_item(self, item: Any) -> Any:
        if self.writer is None:
            return item
        record = _as_record(item)
        if record is not None:
            outcome = self.writer.write(record)
            self.crawler.stats.inc_value(f"needle/index/{outcome}")
        return item

    def close_spider(self) -> None:
        if self.writer is not None:
            self.writer.flush()

    def spider_closed(self, spider, reason: str) -> None:
        if self.writer is None:
            return
        # A crawl resumed from JOBDIR saw only part of the site in this run, so it
        # cannot tell which posts are missing; nor can a site at its page limit.
        complete = reason == "finished" and not self.crawler.settings.get("JOBDIR")
        stats = self.writer.close(
            complete=complete, partial_sites=getattr(spider, "sites_at_limit", ()), kinds=CRAWL_KINDS)
        self.writer = None
        put = self.crawler.stats.set_value
        put("needle/index/removed", stats.removed)
        if stats.crawl_id is not None:
            put("needle/index/crawl_id", stats.crawl_id)
        if stats.history_error:
            put("needle/index/history_error", stats.history_error)
            logger.error("The crawl history was not written: %s", stats.history_error)
        for outcome, count in stats.posts.items():
            put(f"needle/index/posts/{outcome}", count)
        put("needle/index/posts/missing", stats.missing)
        for why, count in stats.removed_posts.items():
            put(f"needle/index/posts/removed/{why}", count)
        if stats.breaker:
            put("needle/index/breaker", stats.breaker)
            for line in stats.breaker:
                logger.error("Circuit breaker: %s", line)
        if not complete:
            logger.info("Crawl ended with %r: nothing was marked missing", reason)


def _as_record(item: Any):
    if isinstance(item, BaseModel) and hasattr(item, "type"):
        return item
    if isinstance(item, dict) and "type" in item:
        return parse_record(json.dumps(item, default=str))
    return None


# what a crawl's history row says it ran with, beside the NEEDLE_* settings
RECORDED_SCRAPY_SETTINGS = ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY",
                            "AUTOTHROTTLE_ENABLED", "ROBOTSTXT_OBEY", "USER_AGENT", "CLOSESPIDER_PAGECOUNT",
                            "JOBDIR", "DOWNLOAD_TIMEOUT", "RETRY_TIMES")


def _recorded_settings(settings) -> dict:
    out = {}
    for name in sorted(settings.attributes):
        if name.startswith("NEEDLE_") or name in RECORDED_SCRAPY_SETTINGS:
            value = settings.get(name)
            if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
                out[name] = value
    return out
