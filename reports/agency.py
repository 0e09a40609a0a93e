"""Every site of an index side by side: the audit's and the SEO report's summaries per
site in one page, for whoever looks after many clinics' blogs."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from reports.audit import audit
from reports.audit_model import AuditThresholds
from reports.crawl_facts import of_site
from reports.render import render_page
from reports.seo import seo_report
from reports.seo_render import summary as seo_summary
from reports.seo_thresholds import SeoThresholds

TOP_SIGNALS = 3


def site_rows(records: list, sites: list[str], *, as_of: date, thresholds: AuditThresholds | None = None,
              seo_thresholds: SeoThresholds | None = None) -> list[dict]:
    """One row per site: its audit (no link checks) and SEO summaries."""
    rows = []
    for site in sites:
        mine = of_site(records, site)
        report = audit(mine, as_of=as_of, thresholds=thresholds)
        seo = seo_summary(seo_report(mine, thresholds=seo_thresholds))
        signals: dict[str, int] = defaultdict(int)
        for entry in report.posts + report.sites:
            for check in entry.signals:
                signals[check] += 1
        rows.append({
            "site": site, "posts": len(report.posts), "flagged": len(report.flagged),
            "audit_score": report.health,
            "top_signals": sorted(signals.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_SIGNALS],
            "seo_score": seo["score"], "seo": seo["by_severity"],
            "top_checks": list(seo["by_check"].items())[:TOP_SIGNALS],
        })
    return rows


def to_html(rows: list[dict], *, as_of: date, labels: dict[str, str], last: dict[str, dict]) -> str:
    return render_page("agency.html", rows=rows, as_of=as_of.isoformat(), labels=labels, last=last)
