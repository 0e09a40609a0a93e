"""`needle seo` end to end over the crawled sample site's index: formats, -o, thresholds,
exit codes."""

from __future__ import annotations

import csv
import io
import json

from conftest import CrawlResult, run_needle

FINDING_KEYS = {"url", "check", "value", "threshold", "severity", "why"}


def seo(site_crawl: CrawlResult, *args: str, check: bool = True):
    # response times on a shared loopback are noise; pin the threshold so runs compare
    return run_needle("seo", "--index", str(site_crawl.index), "-t", "max_response_ms=1e9",
                      *args, check=check, timeout=120)


def test_table_is_the_default_and_summarises(site_crawl):
    proc = seo(site_crawl)
    assert "SEO report" in proc.stdout and "site score" in proc.stdout
    assert "Findings by check" in proc.stdout and "title_missing" in proc.stdout


def test_json_and_csv_carry_the_same_findings(site_crawl, tmp_path):
    out = tmp_path / "seo.json"
    proc = seo(site_crawl, "--format", "json", "-o", str(out))
    assert f"Wrote json report to {out}" in proc.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["findings"] and all(set(f) == FINDING_KEYS for f in data["findings"])
    assert {f["severity"] for f in data["findings"]} == {"error", "warning", "opportunity"}
    pages = {p["url"]: p for p in data["pages"]}
    assert len([p for p in data["pages"] if p["kind"] == "post"]) == len(site_crawl.posts)
    assert all({"title_tag", "title_px", "word_count", "depth", "inlinks", "indexable"} <= set(p)
               for p in pages.values())
    assert 0 <= data["summary"]["score"] <= 100

    rows = list(csv.DictReader(io.StringIO(seo(site_crawl, "--format", "csv").stdout)))
    assert [(r["url"], r["check"], r["value"]) for r in rows] == \
        [(f["url"], f["check"], f["value"]) for f in data["findings"]]
    assert set(rows[0]) == FINDING_KEYS | {"state"}  # new/open/fixed beside an earlier crawl; none here
    assert {r["state"] for r in rows} == {""}


def test_html_is_written_to_a_file_and_self_contained(site_crawl, tmp_path):
    out = tmp_path / "seo.html"
    seo(site_crawl, "--format", "html", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    assert html.lower().startswith("<!doctype html>")  # one base template for both reports
    assert "<svg" in html and "<script>" in html
    assert "src=\"http" not in html and "href=\"http" not in html.split("<body>")[0]


def test_thresholds_are_settable(site_crawl):
    def count(check: str, *args: str) -> int:
        data = json.loads(seo(site_crawl, "--format", "json", *args).stdout)
        return sum(1 for f in data["findings"] if f["check"] == check)

    default = count("title_too_long")
    assert count("title_too_long", "-t", "title_max_chars=40") > default
    assert count("thin_content", "-t", "min_words=1000") == len(site_crawl.posts)


def test_exit_codes(site_crawl, tmp_path):
    assert seo(site_crawl, "--fail-on", "never").returncode == 0
    assert seo(site_crawl, "--fail-on", "error", check=False).returncode == 1
    bad = seo(site_crawl, "-t", "no_such_threshold=1", check=False)
    assert bad.returncode == 2 and "unknown SEO threshold" in bad.stderr
    assert seo(site_crawl, "-t", "title_max_chars", check=False).returncode == 2
    missing = run_needle("seo", "--index", str(tmp_path / "none"), check=False)
    assert missing.returncode == 3 and "no index" in missing.stderr
