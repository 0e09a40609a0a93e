"""`needle audit`: which posts need a refresh, and why.

Exit codes: 0 report written; 2 usage error (bad --as-of, bad facts file); 3 no index.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from cli.common import console, index_option

EXIT_USAGE, EXIT_INDEX = 2, 3


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _facts(path: Path | None):
    import settings
    from reports.audit import ClinicFacts

    path = path or (Path(settings.NEEDLE_AUDIT_CLINIC_FACTS) if settings.NEEDLE_AUDIT_CLINIC_FACTS
                    else None)
    if path is None:
        return ClinicFacts()
    try:
        return ClinicFacts.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"{path}: {str(exc).splitlines()[0]}",
                                 param_hint="--clinic-facts") from None


@click.command()
@index_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "html"]),
              default="table", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to FILE instead of standard output.")
@click.option("--as-of", "as_of", callback=_as_of, metavar="YYYY-MM-DD",
              help="Audit as of this day (default: today).")
@click.option("--max-age-months", type=click.IntRange(min=1), default=None,
              help="Older than this is old_post [setting NEEDLE_AUDIT_MAX_AGE_MONTHS, 24].")
@click.option("--thin-words", type=click.IntRange(min=0), default=None,
              help="Fewer words is thin [NEEDLE_AUDIT_THIN_WORDS, 150].")
@click.option("--duplicate-similarity", type=click.FloatRange(0, 1), default=None,
              help="Shared-text Jaccard for near_duplicate [NEEDLE_AUDIT_DUPLICATE_SIMILARITY, 0.5].")
@click.option("--topic-similarity", type=click.FloatRange(0, 1), default=None,
              help="Title-topic Jaccard for topic_overlap [NEEDLE_AUDIT_TOPIC_SIMILARITY, 0.75].")
@click.option("--copyright-years", type=click.IntRange(min=0), default=None,
              help="A footer year older than this is copyright_past [NEEDLE_AUDIT_COPYRIGHT_YEARS, 1].")
@click.option("--check-links/--no-check-links", default=None,
              help="Check links the crawl did not fetch [NEEDLE_AUDIT_CHECK_LINKS, on].")
@click.option("--link-timeout", type=click.FloatRange(min=0.1), default=None,
              help="Seconds for one link's whole check, redirects included "
                   "[NEEDLE_AUDIT_LINK_TIMEOUT, 10].")
@click.option("--link-phase-timeout", type=click.FloatRange(min=0.1), default=None,
              help="Seconds for all the link checks; the rest are reported as not checked "
                   "[NEEDLE_AUDIT_LINK_PHASE_TIMEOUT, 300].")
@click.option("--max-links", type=click.IntRange(min=0), default=None,
              help="Check at most this many links [NEEDLE_AUDIT_MAX_LINKS, 500].")
@click.option("--clinic-facts", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help='Optional override of the team page: JSON {"staff": [...], "former_staff": '
                   '[...]} [NEEDLE_AUDIT_CLINIC_FACTS].')
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Show only the N most urgent posts.")
def audit(index: Path, fmt: str, output: Path | None, as_of: date, max_age_months: int | None,
          thin_words: int | None, duplicate_similarity: float | None,
          topic_similarity: float | None, copyright_years: int | None, check_links: bool | None,
          link_timeout: float | None, link_phase_timeout: float | None, max_links: int | None,
          clinic_facts: Path | None, limit: int | None) -> None:
    """Rank the posts that most need a refresh, with each finding's evidence and a
    suggested action: age, dated wording, stale contact details and staff, broken and
    redirected links, near-duplicates, disagreeing dates, thin or undated posts, listing
    cards that disagree, and missing trust signals (byline, credentials, sources, review).
    """
    import settings
    from indexer.store import load_records
    from reports import audit_render
    from reports.audit import AuditThresholds, audit as run_audit, crawled_hosts, links_to_check

    if not Path(index).exists():
        click.echo(f"Error: no index at {index} (run `needle crawl --index {index}` first)",
                   err=True)
        sys.exit(EXIT_INDEX)
    try:
        records = load_records(index)
    except Exception as exc:  # Whoosh raises its own types for a folder that is no index
        click.echo(f"Error: cannot read the index at {index}: {exc}", err=True)
        sys.exit(EXIT_INDEX)
    facts = _facts(clinic_facts)
    thresholds = AuditThresholds.from_settings(
        max_age_months=max_age_months, thin_words=thin_words,
        duplicate_similarity=duplicate_similarity, topic_similarity=topic_similarity,
        copyright_years=copyright_years)

    link_results = None
    if check_links if check_links is not None else settings.NEEDLE_AUDIT_CHECK_LINKS:
        from reports.links import check_links as run_checks

        urls = links_to_check(records)
        if urls:
            # the crawled sites' own hosts may be on private addresses (an intranet)
            link_results = run_checks(urls, timeout=link_timeout, max_links=max_links,
                                      phase_timeout=link_phase_timeout,
                                      site_hosts=crawled_hosts(records),
                                      cache_path=Path(index) / "linkcache.json")

    report = run_audit(records, as_of=as_of, thresholds=thresholds, facts=facts,
                       link_results=link_results)
    if fmt == "table":
        table = audit_render.to_table(report, limit)
        if output:
            from rich.console import Console

            with output.open("w", encoding="utf-8") as fh:
                Console(file=fh, width=160, color_system=None).print(table)
        else:
            console().print(table)
        return
    text = audit_render.render(report, fmt, limit)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{fmt} report: {output} ({len(report.flagged)} posts need attention)",
                   err=True)
    else:
        click.echo(text)

