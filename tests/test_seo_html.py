"""The HTML SEO report in a real headless Chromium: score, charts, sortable tables."""

from __future__ import annotations

import pytest

from browser import chrome
from conftest import CrawlResult
from indexer.store import load_records
from reports.seo import seo_report
from reports.seo_render import to_html


@pytest.fixture(scope="module")
def report_file(site_crawl: CrawlResult, tmp_path_factory):
    report = seo_report(load_records(site_crawl.index))
    path = tmp_path_factory.mktemp("seo-html") / "seo.html"
    path.write_text(to_html(report), encoding="utf-8")
    return report, path


def test_score_counts_and_charts_render(report_file):
    from selenium.webdriver.common.by import By

    report, path = report_file
    with chrome() as driver:
        driver.get(path.as_uri())
        assert driver.title == f"Needle SEO report: score {report.score}/100"
        score = driver.find_element(By.CSS_SELECTOR, "#score .score")
        assert score.is_displayed() and score.get_attribute("data-score") == str(report.score)
        counts = {e.get_attribute("data-severity"): int(e.text.split()[0])
                  for e in driver.find_elements(By.CSS_SELECTOR, "#score [data-severity]")}
        assert counts == {s: len(v) for s, v in report.by_severity().items()}

        charts = driver.find_elements(By.CSS_SELECTOR, "#charts svg.chart")
        titles = [c.get_attribute("aria-label") for c in charts]
        assert {"Findings by check", "Posts by word count"} <= set(titles)
        assert any(t.startswith("Posts by crawl depth") for t in titles)
        by_check = {g.get_attribute("data-label"): float(g.get_attribute("data-value"))
                    for g in charts[0].find_elements(By.CSS_SELECTOR, "g.bar")}
        assert by_check == {k: float(v) for k, v in report.counts_by_check().items()}
        # bars are drawn: the biggest count has the widest bar
        widths = [float(r.get_attribute("width")) for r in charts[0].find_elements(By.TAG_NAME, "rect")]
        assert widths and max(widths) > 100
        words = sum(float(g.get_attribute("data-value"))
                    for g in charts[1].find_elements(By.CSS_SELECTOR, "g.bar"))
        assert words == sum(1 for p in report.pages if p.kind == "post")

        rows = driver.find_elements(By.CSS_SELECTOR, "table.findings tbody tr")
        assert len(rows) == len(report.findings)


def test_clicking_a_header_sorts_the_pages_table(report_file):
    from selenium.webdriver.common.by import By

    report, path = report_file
    with chrome() as driver:
        driver.get(path.as_uri())

        def column(n: int) -> list[str]:
            return [r.find_elements(By.TAG_NAME, "td")[n].text
                    for r in driver.find_elements(By.CSS_SELECTOR, "#pages tbody tr")]

        headers = driver.find_elements(By.CSS_SELECTOR, "#pages thead th")
        words_col = [h.text for h in headers].index("Words")
        before = column(words_col)
        headers[words_col].click()
        ascending = [int(v) for v in column(words_col)]
        assert ascending == sorted(ascending) and ascending != [int(v) for v in before]
        assert headers[words_col].get_attribute("aria-sort") == "ascending"
        headers[words_col].click()
        assert [int(v) for v in column(words_col)] == sorted(ascending, reverse=True)

        url_col = 0
        headers[url_col].click()
        urls = column(url_col)
        assert urls == sorted(urls, key=str.lower)


def test_report_carries_a_policy_its_own_style_and_script_pass(report_file):
    from selenium.webdriver.common.by import By

    report, path = report_file
    head = path.read_text(encoding="utf-8").split("</head>")[0]
    assert '<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; ' in head
    assert "style-src &#39;sha256-" in head and "script-src &#39;sha256-" in head
    with chrome() as driver:
        driver.get(path.as_uri())
        score = driver.find_element(By.CSS_SELECTOR, "#score .score")
        assert score.value_of_css_property("display") == "inline-block"
        header = driver.find_element(By.CSS_SELECTOR, "#pages thead th")
        header.click()  # the sorting script ran: its hash is in the policy
        assert header.get_attribute("aria-sort") == "ascending"


def test_audit_and_seo_reports_share_one_stylesheet_and_layout(report_file, site_crawl, tmp_path):
    """Both reports look like one product: the same inline stylesheet (so the same style
    hash in their policies), the same header, and the same computed look in Chromium."""
    import re
    from datetime import date

    from selenium.webdriver.common.by import By

    from reports import audit_render
    from reports.audit import audit

    _, seo_path = report_file
    audit_path = tmp_path / "audit.html"
    audit_path.write_text(audit_render.to_html(audit(load_records(site_crawl.index), as_of=date(2026, 11, 25))),
                          encoding="utf-8")
    pages = {"audit": audit_path.read_text(encoding="utf-8"),
             "seo": seo_path.read_text(encoding="utf-8")}
    styles = {name: re.search(r"<style>(.*?)</style>", text, re.S).group(1)
              for name, text in pages.items()}
    assert styles["audit"] == styles["seo"]
    hashes = {name: re.search(r"style-src (&#39;sha256-[^&]+&#39;)", text).group(1)
              for name, text in pages.items()}
    assert hashes["audit"] == hashes["seo"]

    probes = {"body": ("font-family", "max-width", "color"),
              "header.report": ("border-bottom-color", "border-bottom-width"),
              "header.report .product": ("color", "text-transform"),
              "h1": ("font-size", "font-weight"), "h2": ("font-size", "border-bottom-color")}
    looks = {}
    with chrome() as driver:
        for name, path in (("audit", audit_path), ("seo", seo_path)):
            driver.get(path.as_uri())
            looks[name] = {(sel, prop): driver.find_element(By.CSS_SELECTOR, sel)
                           .value_of_css_property(prop)
                           for sel, props in probes.items() for prop in props}
            assert driver.find_element(By.CSS_SELECTOR, "header.report h1").is_displayed()
    assert looks["audit"] == looks["seo"]
    assert looks["seo"][("header.report", "border-bottom-width")] == "3px"  # styled at all
