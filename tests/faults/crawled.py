"""What one finished `needle crawl` left behind, read back for a fault test: its exit
status and output, the JSON Lines records by kind, the summary and the index's posts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crawler.records import CrawlError, Post, Redirect, SitemapEntry, parse_record
from indexer.store import load_posts


class Crawl:
    def __init__(self, returncode: int | None, workdir: Path, stdout: str):
        self.returncode = returncode
        self.stdout = stdout
        output = workdir / "records.jsonl"
        text = output.read_text(encoding="utf-8") if output.exists() else ""
        self.records = [parse_record(line) for line in text.splitlines() if line.strip()]
        summary = workdir / "summary.json"
        self.summary: dict[str, Any] = json.loads(summary.read_text()) if summary.exists() else {}
        self.index = workdir / "index"
        self.posts = {r.url: r for r in self.records if isinstance(r, Post)}
        self.errors = [r for r in self.records if isinstance(r, CrawlError)]
        self.redirects = [r for r in self.records if isinstance(r, Redirect)]
        self.sitemap = [r for r in self.records if isinstance(r, SitemapEntry)]

    def told(self) -> str:
        """The crawl's error records, one a line, for assertion messages."""
        return "\n".join(f"{e.reason} {e.url} ({e.message}) from {e.referrer}" for e in self.errors)

    def indexed_posts(self) -> set[str]:
        return {post.url for post in load_posts(self.index)}
