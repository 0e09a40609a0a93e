"""Shared fixtures: the sample clinic site on 127.0.0.1 and one crawl of it."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from crawler.records import CrawlError, Post, SitemapEntry, Teaser, parse_record

ROOT = Path(__file__).resolve().parent.parent

# Settings for crawling the local sample site: no politeness delays (it is our own
# server on loopback), short timeouts so the planted slow page fails fast.
LOCAL_CRAWL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "false",
    "DOWNLOAD_DELAY": "0",
    "DOWNLOAD_TIMEOUT": "4",
    "RETRY_TIMES": "0",
}


@dataclass
class CrawlResult:
    records: list[Any]
    summary: dict[str, Any]
    stdout: str
    index: Path
    output: Path
    posts: dict[str, Post] = field(default_factory=dict)
    teasers: list[Teaser] = field(default_factory=list)
    errors: list[CrawlError] = field(default_factory=list)
    sitemap: list[SitemapEntry] = field(default_factory=list)

    def __post_init__(self) -> None:
        for record in self.records:
            if isinstance(record, Post):
                self.posts[record.url] = record
            elif isinstance(record, Teaser):
                self.teasers.append(record)
            elif isinstance(record, CrawlError):
                self.errors.append(record)
            elif isinstance(record, SitemapEntry):
                self.sitemap.append(record)


def run_needle(*args: str, timeout: float = 180, check: bool = True, **kwargs: Any) -> subprocess.CompletedProcess:
    """Run the `needle` CLI in a child process (Twisted's reactor runs once per process)."""
    proc = subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=kwargs.pop("cwd", ROOT), capture_output=True,
        text=True, timeout=timeout, **kwargs,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"needle {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def crawl(urls: list[str], workdir: Path, *extra: str, settings: dict[str, str] | None = None) -> CrawlResult:
    output = workdir / "records.jsonl"
    summary = workdir / "summary.json"
    index = workdir / "index"
    args = ["crawl", *urls, "-o", str(output), "--index", str(index), "--summary-json", str(summary)]
    for name, value in {**LOCAL_CRAWL_SETTINGS, **(settings or {})}.items():
        args += ["-s", f"{name}={value}"]
    proc = run_needle(*args, *extra)
    records = [parse_record(line) for line in output.read_text(encoding="utf-8").splitlines() if line.strip()]
    return CrawlResult(records=records, summary=json.loads(summary.read_text()), stdout=proc.stdout,
                       index=index, output=output)


@pytest.fixture(scope="session")
def sample_site() -> Any:
    from sample_site.server import SampleSite

    with SampleSite(mode="process", slow_seconds=9) as site:
        yield site


@pytest.fixture(scope="session")
def site_crawl(sample_site: Any, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    """One crawl of all three sample clinic blogs, shared by the tests that read it."""
    workdir = tmp_path_factory.mktemp("crawl")
    return crawl(list(sample_site.urls.values()), workdir)
