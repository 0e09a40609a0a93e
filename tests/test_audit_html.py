"""The HTML audit report in a real headless Chromium: it renders, with its charts and rows."""

from __future__ import annotations

from datetime import date

import pytest

from browser import chrome
from conftest import CrawlResult
from indexer.store import load_records
from reports.audit import audit
from reports.audit_render import to_html


@pytest.fixture(scope="module")
def report_file(site_crawl: CrawlResult, tmp_path_factory):
    report = audit(load_records(site_crawl.index), as_of=date(2026, 11, 25))
    path = tmp_path_factory.mktemp("html") / "audit.html"
    path.write_text(to_html(report), encoding="utf-8")
    return report, path


def test_report_renders_with_charts_and_ranked_rows(report_file):
    from selenium.webdriver.common.by import By

    report, path = report_file
    with chrome() as driver:
        driver.get(path.as_uri())
        assert driver.title.startswith("Content audit")
        charts = driver.find_elements(By.CSS_SELECTOR, "svg.chart")
        assert len(charts) == 3
        assert all(c.size["width"] > 100 and c.size["height"] > 30 for c in charts)
        years = {g.get_attribute("data-label"): float(g.get_attribute("data-value"))
                 for g in driver.find_elements(By.CSS_SELECTOR, "#chart-year g.bar")}
        assert years == {k: float(v) for k, v in report.by_year().items()}
        assert sum(years.values()) == len(report.posts)
        bars = driver.find_elements(By.CSS_SELECTOR, "#chart-year rect")
        assert max(b.size["width"] for b in bars) > 50  # drawn, not just present

        rows = driver.find_elements(By.CSS_SELECTOR, "#ranked tr.post-row")
        assert len(rows) == len(report.flagged)
        assert [r.get_attribute("data-url") for r in rows[:3]] == [p.url for p in report.flagged[:3]]
        first = rows[0]
        assert first.is_displayed()
        assert report.flagged[0].title in first.text
        assert report.flagged[0].findings[0].evidence[:40] in first.text
        assert first.find_elements(By.CSS_SELECTOR, "li[data-signal]")
        counts = {b.get_attribute("data-count"): int(b.text)
                  for b in driver.find_elements(By.CSS_SELECTOR, "#summary b")}
        assert counts["posts"] == len(report.posts)
        assert counts["flagged"] == len(report.flagged)
        signals = {r.get_attribute("data-signal")
                   for r in driver.find_elements(By.CSS_SELECTOR, "#signals tr[data-signal]")}
        assert {"old_post", "past_time_reference", "copyright_past"} <= signals
        assert driver.find_elements(By.CSS_SELECTOR, "#sites tr.site-row")


def test_report_carries_a_policy_its_own_style_passes(report_file):
    from selenium.webdriver.common.by import By

    report, path = report_file
    head = path.read_text(encoding="utf-8").split("</head>")[0]
    assert '<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; ' \
           'style-src &#39;sha256-' in head
    assert "script-src" not in head  # the audit report runs no script at all
    with chrome() as driver:
        driver.get(path.as_uri())
        # styled: the inline style matched its hash (a blocked style leaves inline spans)
        signal = driver.find_element(By.CSS_SELECTOR, "#ranked span.signal")
        assert signal.value_of_css_property("display") == "inline-block"
        hrefs = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a[href]")]
        assert hrefs and all(h.startswith("http://") for h in hrefs)
