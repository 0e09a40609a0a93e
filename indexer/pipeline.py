"""``IndexPipeline``: the Scrapy item pipeline that indexes records as the crawl runs.

Enabled by the ``NEEDLE_INDEX_ON_CRAWL`` setting (``needle crawl`` sets it), writing into
``NEEDLE_INDEX``. Records are committed in batches (``NEEDLE_INDEX_BATCH``, default 200),
so the index is searchable while a long crawl runs.

Posts the crawl did not find are removed only when the crawl finished by itself
(close reason ``finished``); a crawl stopped by a page limit, a timeout, Ctrl-C or an
error only adds and updates.
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
from indexer.writer import DEFAULT_LOCK_TIMEOUT, IndexWriter

logger = logging.getLogger(__name__)


class IndexPipeline:
    def __init__(self, crawler: Crawler, index_dir: str, batch_size: int, lock_timeout: float):
        self.crawler = crawler
        self.index_dir = index_dir
        self.batch_size = batch_size
        self.lock_timeout = lock_timeout
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
        )
        # finish_reason is known only once the spider has closed, after pipelines
        # have closed; the removal of gone posts waits for that signal.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        # Fails the crawl at once (IndexLockedError) if another writer holds the index.
        self.writer = IndexWriter(
            self.index_dir, batch_size=self.batch_size, lock_timeout=self.lock_timeout
        )

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
        # cannot tell which posts are gone: it never removes any.
        # Nor can a crawl in which a site reached its page limit.
        complete = (
            reason == "finished"
            and not self.crawler.settings.get("JOBDIR")
            and not self.crawler.stats.get_value("needle/site_page_limit/skipped")
        )
        stats = self.writer.close(complete=complete)
        self.crawler.stats.set_value("needle/index/removed", stats.removed)
        if not complete:
            logger.info(
                "Crawl ended with %r: the index was updated, nothing was removed", reason
            )
        self.writer = None


def _as_record(item: Any):
    if isinstance(item, BaseModel) and hasattr(item, "type"):
        return item
    if isinstance(item, dict) and "type" in item:
        return parse_record(json.dumps(item, default=str))
    return None
