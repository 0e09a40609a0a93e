"""Run the blog spider in this process and summarise what it found."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field


class CrawlSummary(BaseModel):
    """What a crawl found, read from Scrapy's stats at the end of the crawl."""

    start_urls: list[str]
    posts: int = 0
    teasers: int = 0
    errors: int = 0
    sitemap_entries: int = 0
    redirects: int = 0
    site_pages: int = 0
    pages: int = 0
    elapsed_s: float = 0.0
    pages_per_s: float = 0.0
    finish_reason: str | None = None
    errors_by_reason: dict[str, int] = Field(default_factory=dict)
    warnings_by_kind: dict[str, int] = Field(default_factory=dict)
    duplicates: dict[str, int] = Field(default_factory=dict)
    robots_disallowed: int = 0
    skipped_at_site_limit: int = 0
    worker_restarts: int = 0  # extraction worker pools replaced after a worker died
    peak_rss_mb: float | None = None
    # what the crawl did to the index (README, "What Needle never deletes")
    index_posts: dict[str, int] = Field(default_factory=dict)  # added, updated, unchanged, missing
    index_removed: dict[str, int] = Field(default_factory=dict)  # posts removed, by proof
    index_breaker: list[str] = Field(default_factory=list)  # sites where nothing was deleted, why
    index_locked: str | None = None  # another writer held the index: nothing was crawled
    crawl_id: int | None = None  # this crawl's id in the history (`needle changes --since`)
    # a recrawl: pages the site said were unchanged (304), pages whose bytes were the same,
    # and pages extracted (posts, listings and other pages)
    not_modified: int = 0
    bytes_downloaded: int = 0  # response bytes as received (Scrapy's downloader/response_bytes)
    same_bytes: int = 0
    extracted: int = 0

    @property
    def complete(self) -> bool:
        """True when the crawl ran out of pages rather than being cut short."""
        return self.finish_reason == "finished" and not self.skipped_at_site_limit

    @classmethod
    def from_stats(cls, start_urls: Sequence[str], stats: dict[str, Any]) -> "CrawlSummary":
        def prefixed(prefix: str) -> dict[str, int]:
            return {k[len(prefix):]: v for k, v in sorted(stats.items()) if k.startswith(prefix)}

        start, end = stats.get("start_time"), stats.get("finish_time")
        elapsed = (end - start).total_seconds() if start and end else float(stats.get("elapsed_time_seconds", 0))
        pages = int(stats.get("response_received_count", 0))
        return cls(
            start_urls=list(start_urls),
            posts=stats.get("needle/records/post", 0),
            teasers=stats.get("needle/records/teaser", 0),
            errors=stats.get("needle/records/error", 0),
            sitemap_entries=stats.get("needle/records/sitemap", 0),
            redirects=stats.get("needle/records/redirect", 0),
            site_pages=stats.get("needle/records/page", 0),
            pages=pages,
            elapsed_s=round(elapsed, 3),
            pages_per_s=round(pages / elapsed, 1) if elapsed else 0.0,
            finish_reason=stats.get("finish_reason"),
            errors_by_reason=prefixed("needle/errors/"),
            warnings_by_kind=prefixed("needle/warnings/"),
            duplicates=prefixed("needle/duplicates/"),
            robots_disallowed=stats.get("needle/robots_disallowed", 0),
            skipped_at_site_limit=stats.get("needle/site_page_limit/skipped", 0),
            worker_restarts=stats.get("needle/extract/worker_restarts", 0),
            peak_rss_mb=round(stats["memusage/max"] / 2**20, 1) if stats.get("memusage/max") else None,
            index_posts={k: v for k, v in prefixed("needle/index/posts/").items() if "/" not in k},
            index_removed=prefixed("needle/index/posts/removed/"),
            index_breaker=list(stats.get("needle/index/breaker", [])),
            index_locked=stats.get("needle/index/locked"),
            crawl_id=stats.get("needle/index/crawl_id"),
            not_modified=stats.get("needle/recrawl/not_modified", 0),
            bytes_downloaded=stats.get("downloader/response_bytes", 0),
            same_bytes=stats.get("needle/recrawl/same_bytes", 0),
            extracted=sum(prefixed("needle/pages/").values()),
        )


def project_settings(overrides: dict[str, Any] | None = None) -> Any:
    """Scrapy settings from settings.py (as `scrapy crawl` would read them) plus overrides."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(start_urls: Sequence[str], overrides: dict[str, Any] | None = None) -> CrawlSummary:
    """Crawl the blogs at start_urls with the project settings; block until done.

    Runs Twisted's reactor, which can start once per process: call it once.
    """
    from scrapy.crawler import CrawlerProcess

    from crawler.spiders.blog import BlogSpider

    settings = project_settings(overrides)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BlogSpider)
    process.crawl(crawler, start_urls=list(start_urls))
    process.start()
    return CrawlSummary.from_stats(start_urls, crawler.stats.get_stats())
