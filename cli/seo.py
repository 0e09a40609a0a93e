"""`needle seo`: per-post and site-wide SEO checks over the index."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from cli.common import (
    EXIT_EMPTY, EXIT_INDEX, EXIT_USAGE, NO_INDEX, compare_options, compare_with_history, console, exit_help,
    index_option, index_required, name_value, site_option,
)


def thresholds_from_settings(pairs: dict[str, str] | None = None):
    """settings.py's NEEDLE_SEO_* thresholds, then ``pairs`` (name -> value)."""
    import settings
    from reports.seo_thresholds import from_settings

    return from_settings(settings).with_overrides(pairs or {})


def _thresholds(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]):
    pairs = dict(name_value(item) for item in values)
    try:
        return thresholds_from_settings(pairs)
    except (KeyError, ValueError) as exc:
        raise click.BadParameter(str(exc).strip("'\"")) from None


def _threshold_help() -> str:
    from reports.seo_thresholds import describe

    return ", ".join(f"{t['name']} ({t['default']})" for t in describe())


@click.command(epilog="Thresholds: " + _threshold_help() + "\n\n" + exit_help({
    EXIT_EMPTY: "a finding at or above --fail-on", EXIT_USAGE: "usage error (a bad threshold)",
    EXIT_INDEX: NO_INDEX,
}))
@index_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "html"]),
              default="table", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to FILE instead of standard output.")
@click.option("-t", "--threshold", "thresholds", multiple=True, metavar="NAME=VALUE",
              callback=_thresholds,
              help="Override a threshold, e.g. -t title_max_chars=65 (repeatable; defaults "
                   "from NEEDLE_SEO_* settings).")
@click.option("--fail-on", type=click.Choice(["never", "error", "warning", "opportunity"]),
              default="never", show_default=True,
              help="Exit 1 when a finding of this severity or worse is reported (for CI).")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Table format: show only the first N findings.")
@compare_options
@site_option
def seo(index: Path, fmt: str, output: Path | None, thresholds, fail_on: str,
        limit: int | None, compare: int | None, no_compare: bool, site: str | None) -> None:
    """Check every post for what hurts search ranking, and the site as a whole.

    Per post: title, meta description, headings, canonical, robots, status and
    speed, word count, image alt text, internal links in and out, broken and
    redirected links, structured data, Open Graph/Twitter, language and hreflang,
    URL hygiene. Site-wide: sitemap coverage and lastmod, duplicate titles and
    descriptions, crawl depth, posts per category, keyword cannibalisation.

    Each finding names the page, the check, the value found, the threshold and
    why it matters. Findings are grouped as errors, warnings and opportunities.

    Each run saves its findings in the crawl history; the next one marks each finding new
    or still open against the previous complete crawl's run (or --compare's), lists the
    fixed ones and shows the site score's change and trend.
    """
    from indexer.store import load_records
    from reports.seo import SEVERITIES, seo_report
    from reports.seo_render import print_summary, render

    with index_required():
        records = load_records(index)
    if site:
        from reports.crawl_facts import of_site

        records = of_site(records, site)
        if not records:
            click.echo(f"error: no record of site {site!r} in {index}: `needle sites` lists the sites", err=True)
            sys.exit(EXIT_USAGE)
    report = seo_report(records, thresholds=thresholds)
    comparison = None if no_compare else compare_with_history(
        index, f"seo {site}" if site else "seo", findings=[{"url": f.url, "check": f.check, "evidence": f.evidence} for f in report.findings],
        score=report.score, as_of=date.today(), against=compare)
    if comparison is not None:
        click.echo(comparison.line(), err=True)

    if fmt == "table":
        if output:
            from rich.console import Console

            with output.open("w", encoding="utf-8") as fh:
                print_summary(report, Console(file=fh, width=160, no_color=True, highlight=False),
                              limit=limit, comparison=comparison)
        else:
            print_summary(report, console(), limit=limit, comparison=comparison)
    else:
        text = render(report, fmt, comparison)
        if output:
            output.write_text(text, encoding="utf-8")
            print_summary(report, console(), findings=False)
            click.echo(f"Wrote {fmt} report to {output}")
        else:
            sys.stdout.write(text)

    if fail_on != "never":
        worst = SEVERITIES.index(fail_on)
        if any(SEVERITIES.index(f.severity) <= worst for f in report.findings):
            sys.exit(EXIT_EMPTY)
