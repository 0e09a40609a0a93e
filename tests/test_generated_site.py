"""The generated clinic blog (sample_site.generated), served statically, is crawled whole.

A small site (30 posts) is written to a temporary folder, served by the same static server
the crawl benchmark uses, and crawled by `needle crawl` in a child process: every generated
post must come back as a post record, URL by URL.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import run_needle

from sample_site.generated import BLOG, StaticServer, generate_site

POSTS = 30
SEED = 20261125  # bench/crawl.py's default


def test_generated_site_is_crawled_whole(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    output = tmp_path / "records.jsonl"
    env = {**os.environ, "NEEDLE_POLITE": "0", "NEEDLE_PROGRESS": "off"}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    with StaticServer(site) as server:  # its start is bounded (15 s), its stop kills it
        info, paths = generate_site(site, server.origin, POSTS, SEED)
        assert info.posts == len(paths) == POSTS
        run_needle("crawl", server.origin + BLOG, "--no-index", "-o", str(output),
                   "-s", "DOWNLOAD_TIMEOUT=10", timeout=120, env=env)

    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = {r["url"] for r in records if r.get("type") == "post"}
    for path in paths:
        assert server.origin + path in found, f"generated post {path} not in the crawl's output"
    assert found == info.post_urls
