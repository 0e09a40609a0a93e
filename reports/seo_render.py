"""The SEO report as CSV, JSON, self-contained HTML and a coloured terminal summary."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

from reports.charts import PALETTE, bar_chart_svg
from reports.compare import Comparison, trend_chart
from reports.seo import (
    CHECKS, SCORE_PENALTY, SEVERITIES, WORD_BANDS, SeoReport, depth_counts, histogram,
)
from reports.findings import BAND_STYLES, plural, score_band
from reports.render import render_page
from reports.safe_output import csv_text
from reports.seo_thresholds import describe

CSV_COLUMNS = ("severity", "check", "url", "value", "threshold", "why", "state")
# the terminal's colour of each severity (reports.findings keeps them with the bands)
SEVERITY_COLOURS = {s: BAND_STYLES[s] for s in SEVERITIES}


def summary(report: SeoReport) -> dict[str, Any]:
    by_sev = report.by_severity()
    return {
        "score": report.score,
        "pages": len(report.pages),
        "posts": sum(1 for p in report.pages if p.kind == "post"),
        "findings": len(report.findings),
        "by_severity": {s: len(by_sev[s]) for s in SEVERITIES},
        "by_check": dict(sorted(report.counts_by_check().items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def _rows(report: SeoReport, comparison: Comparison | None) -> list[dict]:
    """Each finding's row, with its ``state`` (new, open) when compared with an earlier crawl."""
    rows = [f.seo_row(CHECKS[f.check].why) for f in report.findings]
    if comparison is not None:
        for row in rows:
            row["state"] = comparison.state(row["url"], row["check"])
    return rows


def to_json(report: SeoReport, generated: datetime | None = None, comparison: Comparison | None = None) -> str:
    generated = generated or datetime.now(timezone.utc)
    payload = {
        "generated": generated.isoformat(timespec="seconds"),
        "summary": summary(report),
        "thresholds": asdict(report.thresholds),
        "findings": _rows(report, comparison),
        "pages": [p.as_dict() for p in report.pages],
        "categories": report.categories,
    }
    if comparison is not None:
        payload["compare"] = comparison.as_dict()
    return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"


def to_csv(report: SeoReport, generated: datetime | None = None, comparison: Comparison | None = None) -> str:
    """One row per finding (then the fixed ones when compared), formula-like text
    neutralised (reports.safe_output)."""
    rows = _rows(report, comparison)
    if comparison is not None:
        rows += [{"check": f["check"], "url": f["url"], "value": f["evidence"], "state": "fixed"}
                 for f in comparison.fixed]
    return csv_text(CSV_COLUMNS, ({k: v for k, v in row.items() if k in CSV_COLUMNS} for row in rows))


def to_html(report: SeoReport, generated: datetime | None = None, comparison: Comparison | None = None) -> str:
    from markupsafe import Markup

    generated = generated or datetime.now(timezone.utc)
    by_check = summary(report)["by_check"]
    posts = [p for p in report.pages if p.kind == "post"]
    charts = [
        # bar_chart_svg escapes its own text, so its SVG is safe to inline as is
        Markup(bar_chart_svg(list(by_check.items()), "Findings by check", color=PALETTE[3])),
        Markup(bar_chart_svg(histogram((p.word_count for p in posts), WORD_BANDS),
                             "Posts by word count", color=PALETTE[1])),
        Markup(bar_chart_svg(depth_counts(report), "Posts by crawl depth (clicks from the blog)",
                             color=PALETTE[0])),
        Markup(bar_chart_svg([(s, len(v)) for s, v in report.by_severity().items()],
                             "Findings by severity", color=PALETTE[2])),
    ]
    return render_page(
        "seo.html", script="sortable.js", report=report, summary=summary(report),
        checks=CHECKS, charts=charts, penalty=SCORE_PENALTY, severities=SEVERITIES,
        thresholds=describe(), current=asdict(report.thresholds),
        generated=generated.isoformat(timespec="seconds"), comparison=comparison,
        trend_chart=trend_chart(comparison, "Site score over the last crawls"),
    )


def render(report: SeoReport, fmt: str, comparison: Comparison | None = None) -> str:
    return {"json": to_json, "csv": to_csv, "html": to_html}[fmt](report, None, comparison)


def print_summary(report: SeoReport, console: Any, *, findings: bool = True,
                  limit: int | None = None, comparison: Comparison | None = None) -> None:
    """The coloured terminal report: score, counts by severity and check, then findings."""
    from rich.table import Table

    s = summary(report)
    colour = BAND_STYLES[score_band(report.score)]
    console.print(f"[bold]SEO report[/bold]: site score [bold {colour}]{report.score}/100[/] "
                  f"over {s['posts']} posts, {s['findings']} findings "
                  + ", ".join(f"[{SEVERITY_COLOURS[k]}]{v} {plural(k, v)}[/]"
                              for k, v in s["by_severity"].items()))
    checks = Table(title="Findings by check", title_justify="left")
    checks.add_column("check")
    checks.add_column("severity")
    checks.add_column("findings", justify="right")
    for name, count in s["by_check"].items():
        sev = CHECKS[name].severity
        checks.add_row(name, f"[{SEVERITY_COLOURS[sev]}]{sev}[/]", str(count))
    console.print(checks)
    if not findings:
        return
    shown = report.findings[:limit] if limit else report.findings
    table = Table(title="Findings", title_justify="left", show_lines=False)
    columns = ("severity", "check", "page", "value", "threshold") + (("state",) if comparison else ())
    for col in columns:
        table.add_column(col, overflow="fold")
    for f in shown:
        state = (comparison.state(f.url, f.check),) if comparison else ()
        table.add_row(f"[{SEVERITY_COLOURS[f.severity]}]{f.severity}[/]", f.check,
                      _path(f.url), f.evidence, f.threshold, *state)
    console.print(table)
    if limit and len(report.findings) > limit:
        console.print(f"... {len(report.findings) - limit} more (use --format csv or json for all)")


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.netloc + parts.path + (f"?{parts.query}" if parts.query else "")
