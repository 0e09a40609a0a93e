"""Item pipelines: dedupe by canonical URL, count what the crawl found. (Records need no
validation pipeline: each is built by its strict constructor, in extraction.)

The index pipeline lives in indexer/ (the crawler imports nothing downstream) and is
wired after these by dotted path in settings.py.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.records import CrawlError, Post, Teaser


class DedupePipeline:
    """One record per canonical URL (and per listing card, per sitemap entry).

    The same post reached through a redirect, a tracking-parameter link or the
    sitemap is kept once; the first one reached wins, which in a breadth-first crawl
    is the one with the shortest link path.
    """

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.seen: set[tuple[str, ...]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "DedupePipeline":
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        key = _dedupe_key(item)
        if key is None:
            return item
        if key in self.seen:
            self.stats.inc_value(f"needle/duplicates/{key[0]}")
            raise DropItem(f"duplicate {key[0]}: {key[1]}")
        self.seen.add(key)
        return item


def _dedupe_key(item: Any) -> tuple[str, ...] | None:
    if isinstance(item, Teaser):
        return ("teaser", item.url, item.listing_url, str(item.position))
    kind, url = getattr(item, "type", None), getattr(item, "url", None)
    return (kind, url) if kind and url is not None else None


class CrawlStatsPipeline:
    """Counts records by type and warnings by kind into the crawl stats."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CrawlStatsPipeline":
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        kind = getattr(item, "type", None)
        if kind:
            self.stats.inc_value(f"needle/records/{kind}")
        if isinstance(item, Post):
            for warning in item.warnings:
                self.stats.inc_value(f"needle/warnings/{warning.kind.value}")
        elif isinstance(item, CrawlError):
            self.stats.inc_value(f"needle/errors/{item.reason}")
        return item


class RecordsToRedis:
    """Every record onto the frontier's Redis list, for the one index writer (a crawl
    without --redis has no frontier, and Scrapy leaves this pipeline out)."""

    def __init__(self, crawler):
        if not crawler.settings.get("NEEDLE_FRONTIER"):
            raise NotConfigured("no shared frontier")
        from scrapy_redis.connection import get_redis_from_settings

        self.server = get_redis_from_settings(crawler.settings)
        self.key = f"{crawler.settings.get('NEEDLE_FRONTIER')}:items"

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not hasattr(item, "model_dump_json"):
            raise DropItem(f"not a record: {type(item).__name__}")
        self.server.rpush(self.key, item.model_dump_json())
        return item
