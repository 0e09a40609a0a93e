"""The audit and the SEO report beside an earlier crawl: crawl a real blog, report, edit
the blog, crawl and report again; each finding is new, still open or fixed."""

from __future__ import annotations

import json
from datetime import date

from blogsite import BlogSite
from browser import chrome
from selenium.webdriver.common.by import By
from test_changes import crawl

from conftest import run_needle

AS_OF = "2026-06-01"


def audit(index, *args: str):
    proc = run_needle("audit", "--index", str(index), "--as-of", AS_OF, "--no-check-links", *args, timeout=120)
    return proc


def states(rows: list[dict]) -> dict[tuple[str, str], str]:
    """(url, signal) -> state of every finding in the audit's JSON (the fixed ones apart)."""
    return {(row["url"], f["signal"]): f.get("state") for row in rows if row["scope"] != "fixed"
            for f in row["findings"]}


def test_audit_and_seo_mark_findings_new_open_and_fixed_across_crawls(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=3) as site:
        first = crawl(site, index)
        before = json.loads(audit(index, "--format", "json").stdout)
        seo_before = json.loads(run_needle("seo", "--index", str(index), "--format", "json", timeout=120).stdout)

        site.dates[2] = date(2026, 3, 2)  # no longer old as of AS_OF: its old_post is fixed
        site.posts = 4  # a new post, with findings of its own
        site.titles[1] = "A very long title about knee and shoulder pain that goes on well past what a results page shows"
        second = crawl(site, index)
        after = audit(index, "--format", "json")
        seo_after = run_needle("seo", "--index", str(index), "--format", "json", timeout=120)
        third = crawl(site, index)  # nothing changed
        html = tmp_path / "audit.html"
        audit(index, "--format", "html", "-o", str(html))
        against_first = json.loads(audit(index, "--format", "json", "--compare", str(first["crawl_id"])).stdout)
        unknown = run_needle("audit", "--index", str(index), "--compare", "99", "--no-check-links",
                             check=False, timeout=120)

    assert all(state is None for state in states(before).values())  # nothing earlier to compare with
    rows = json.loads(after.stdout)
    found = states(rows)
    post2, post4 = site.post_url(2), site.post_url(4)
    assert (post2, "old_post") in states(before)
    assert found.get((post2, "old_post")) is None
    assert [f["state"] for row in rows if row["scope"] == "fixed" and row["url"] == post2
            for f in row["findings"] if f["signal"] == "old_post"] == ["fixed"]
    assert {s for (url, _), s in found.items() if url == post4} == {"new"}
    assert {s for (url, _), s in found.items() if url == site.post_url(3)} == {"open"}
    assert f"compared with crawl {first['crawl_id']}" in after.stderr

    seo = json.loads(seo_after.stdout)
    assert "compare" not in seo_before
    assert seo["compare"]["against"] == first["crawl_id"] and seo["compare"]["crawl"] == second["crawl_id"]
    long_title = [f for f in seo["findings"] if f["url"] == site.post_url(1) and f["check"].startswith("title_too_long")]
    assert long_title and {f["state"] for f in long_title} == {"new"}
    assert seo["compare"]["change"] == seo["summary"]["score"] - seo_before["summary"]["score"]

    # --compare picks the run saved for that crawl: the third run set beside the first
    assert {s for (url, _), s in states(against_first).items() if url == post4} == {"new"}
    assert [row["url"] for row in against_first if row["scope"] == "fixed"] == [post2]
    assert unknown.returncode == 2 and "no audit was saved for crawl 99" in unknown.stderr

    with chrome() as driver:  # the trend over the three saved runs, and the states, as a reader sees them
        driver.get(html.as_uri())
        points = [(p.get_attribute("data-label"), float(p.get_attribute("data-value")))
                  for p in driver.find_elements(By.CSS_SELECTOR, "#chart-trend g.point")]
        counts = {b.get_attribute("data-count"): b.text for b in driver.find_elements(By.CSS_SELECTOR, "#compare b")}
        shown_states = {li.get_attribute("data-state") for li in driver.find_elements(By.CSS_SELECTOR, "#ranked li")}
        visible = driver.find_element(By.ID, "chart-trend").is_displayed()
    assert [label for label, _ in points] == [f"crawl {n}" for n in (first["crawl_id"], second["crawl_id"], third["crawl_id"])]
    assert all(0 <= value <= 100 for _, value in points) and visible
    assert counts["new"] == "0" and counts["fixed"] == "0" and int(counts["open"]) > 0  # crawl 3 changed nothing
    assert shown_states == {"open"}
