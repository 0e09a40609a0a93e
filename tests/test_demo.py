"""The README's main command, `needle demo`, end to end: serve, crawl, search, audit, SEO."""

from __future__ import annotations

from conftest import run_needle

from crawler.records import Post, parse_record
from sample_site.description import SITES


def test_demo_runs_the_whole_job_offline(tmp_path):
    workdir = tmp_path / "demo"
    proc = run_needle("demo", "--dir", str(workdir), timeout=300)
    out = proc.stdout
    for step in ("1. Crawl", "2. Search", "3. Content audit", "4. SEO report"):
        assert step in out
    records = [parse_record(line) for line in (workdir / "records.jsonl").read_text().splitlines()]
    posts = [r for r in records if isinstance(r, Post)]
    assert len(posts) == sum(len(site.posts) for site in SITES.values())
    # the French post answers the French query, accents or not
    assert "La douleur lombaire et la chiropratique" in out
    for report in ("audit.html", "seo.html"):
        html = (workdir / report).read_text()
        assert html.startswith("<!DOCTYPE html>") or html.lstrip().lower().startswith("<!doctype html>")
    assert "needle serve --index" in out
