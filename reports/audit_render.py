"""The audit report as a terminal table, CSV, JSON and a self-contained HTML page.

Machines get CSV (one row per finding) and JSON (a list of posts, each with ``url``,
``title``, ``score`` and ``findings``); people get the colour table or the HTML report.
"""

from __future__ import annotations

import json

from reports.audit_model import SIGNALS, AuditReport, PostAudit
from reports.charts import PALETTE, bar_chart_svg
from reports.compare import Comparison, trend_chart
from reports.findings import BAND_STYLES, weight_band
from reports.render import render_page
from reports.safe_output import csv_text
CSV_FIELDS = ("rank", "scope", "url", "title", "published", "score", "signal", "weight",
              "evidence", "action", "state")


def _entries(report: AuditReport, limit: int | None) -> list[PostAudit]:
    flagged = report.flagged
    return (flagged[:limit] if limit else flagged) + report.sites


def to_json(report: AuditReport, limit: int | None = None, comparison: Comparison | None = None) -> str:
    """A list of posts (ranked), then one entry per site with site-wide findings. Compared
    with an earlier crawl, each finding has a ``state`` (new, open), and the findings fixed
    since follow in entries of scope "fixed" (one per page, findings with state fixed)."""
    rows = []
    for rank, entry in enumerate(_entries(report, limit), 1):
        row = entry.model_dump(mode="json", include={"url", "title", "score", "scope",
                                                      "published", "word_count"})
        row["rank"] = rank if entry.scope == "post" else None
        row["findings"] = [_stated(f.audit_row(), comparison, entry.url, f.check) for f in entry.findings]
        rows.append(row)
    if comparison is not None:
        fixed: dict[str, list[dict]] = {}
        for f in comparison.fixed:
            fixed.setdefault(f["url"], []).append({"signal": f["check"], "evidence": f["evidence"], "state": "fixed"})
        rows += [{"url": url, "scope": "fixed", "rank": None, "findings": found} for url, found in fixed.items()]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _stated(row: dict, comparison: Comparison | None, url: str, check: str) -> dict:
    return row if comparison is None else {**row, "state": comparison.state(url, check)}


def to_csv(report: AuditReport, limit: int | None = None, comparison: Comparison | None = None) -> str:
    """One row per finding (``state`` new or open when compared with an earlier crawl, then
    the fixed ones); text cells that a spreadsheet would run as a formula (a post titled
    "=HYPERLINK(...)") are neutralised by reports.safe_output."""
    rows = [
        {"rank": rank if entry.scope == "post" else "", "scope": entry.scope,
         "url": entry.url, "title": entry.title or "",
         "published": entry.published.isoformat() if entry.published else "",
         "score": entry.score, "signal": finding.check, "weight": finding.weight,
         "evidence": finding.evidence, "action": finding.action,
         "state": comparison.state(entry.url, finding.check) if comparison else ""}
        for rank, entry in enumerate(_entries(report, limit), 1)
        for finding in entry.findings]
    if comparison is not None:
        rows += [{"scope": "fixed", "url": f["url"], "signal": f["check"], "evidence": f["evidence"],
                  "state": "fixed"} for f in comparison.fixed]
    return csv_text(CSV_FIELDS, rows)


def _style(weight: float) -> str:
    return BAND_STYLES[weight_band(weight)]


def to_table(report: AuditReport, limit: int | None = None, comparison: Comparison | None = None):
    """A rich Table (the caller prints it): rank, score, post, findings in colour (each
    marked new or open when compared with an earlier crawl)."""
    from rich.table import Table
    from rich.text import Text

    flagged = report.flagged
    table = Table(title=f"Content audit as of {report.as_of.isoformat()}: "
                        f"{len(flagged)} of {len(report.posts)} posts need attention",
                  show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Post", ratio=2)
    table.add_column("Findings: evidence → action", ratio=5)
    for rank, entry in enumerate(_entries(report, limit), 1):
        post = Text(entry.title or entry.url, style="bold")
        post.append(f"\n{entry.url}", style="dim")
        if entry.published:
            post.append(f"\n{entry.published.isoformat()}", style="dim")
        findings = Text()
        for i, f in enumerate(entry.findings):
            if i:
                findings.append("\n")
            findings.append(f.check, style=_style(f.weight))
            if comparison is not None:
                findings.append(f" [{comparison.state(entry.url, f.check)}]", style="dim")
            findings.append(f": {f.evidence}\n")
            findings.append(f"  → {f.action}", style="green")
        table.add_row(str(rank) if entry.scope == "post" else "site", f"{entry.score:g}", post,
                      findings)
    return table


def to_html(report: AuditReport, limit: int | None = None, comparison: Comparison | None = None) -> str:
    from markupsafe import Markup

    by_signal = report.by_signal()
    charts = {
        "year": bar_chart_svg(list(report.by_year().items()), "Posts by year", color=PALETTE[0]),
        "age": bar_chart_svg(list(report.by_age_band().items()), "Posts by age",
                             color=PALETTE[1]),
        "signal": bar_chart_svg(list(by_signal.items()), "Findings by signal",
                                color=PALETTE[3]),
    }
    flagged = report.flagged
    return render_page(
        "audit.html",
        report=report, entries=flagged[:limit] if limit else flagged, sites=report.sites,
        # bar_chart_svg escapes its own text, so its SVG is safe to inline as is
        charts={k: Markup(v) for k, v in charts.items()},
        by_signal=by_signal, signals=SIGNALS, comparison=comparison,
        trend_chart=trend_chart(comparison, "Score over the last crawls (out of 100)"),
        summary={"posts": len(report.posts), "flagged": len(flagged), "score": report.health,
                 "clean": len(report.posts) - len(flagged),
                 "findings": sum(len(p.findings) for p in flagged),
                 "sites": len({p.site for p in report.posts})},
    )


def render(report: AuditReport, fmt: str, limit: int | None = None, comparison: Comparison | None = None) -> str:
    """Text output for csv, json and html (the table goes through rich instead)."""
    return {"csv": to_csv, "json": to_json, "html": to_html}[fmt](report, limit, comparison)
