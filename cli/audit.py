"""`needle audit`: which posts need a refresh, and why."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from cli.common import (
    EXIT_INDEX, EXIT_USAGE, NO_INDEX, compare_options, compare_with_history, console, exit_help, fail,
    index_option, index_required, require_index, site_option,
)


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def thresholds_from_settings(**overrides: object):
    """The audit's thresholds: settings.py's NEEDLE_AUDIT_* values, then ``overrides``
    (the options given; None is not given)."""
    import settings
    from reports.audit_model import AuditThresholds

    values = {name: getattr(settings, f"NEEDLE_AUDIT_{name.upper()}")
              for name in AuditThresholds.model_fields
              if hasattr(settings, f"NEEDLE_AUDIT_{name.upper()}")}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return AuditThresholds(**values)


def link_options_from_settings(*, timeout: float | None = None,
                               phase_timeout: float | None = None,
                               max_links: int | None = None):
    """How to check links: settings.py's NEEDLE_AUDIT_LINK_* values, then the options given."""
    import settings
    from reports.links import LinkCheckOptions

    return LinkCheckOptions(
        timeout=timeout if timeout is not None else settings.NEEDLE_AUDIT_LINK_TIMEOUT,
        phase_timeout=(phase_timeout if phase_timeout is not None
                       else settings.NEEDLE_AUDIT_LINK_PHASE_TIMEOUT),
        max_links=max_links if max_links is not None else settings.NEEDLE_AUDIT_MAX_LINKS,
        per_host=settings.NEEDLE_AUDIT_LINK_PER_HOST,
        concurrency=settings.NEEDLE_AUDIT_LINK_CONCURRENCY,
        ttl_hours=settings.NEEDLE_AUDIT_LINK_CACHE_TTL_HOURS,
        allow_hosts=tuple(settings.NEEDLE_AUDIT_LINK_HOSTS),
        private_hosts=tuple(settings.NEEDLE_AUDIT_LINK_ALLOW_HOSTS),
        user_agent=settings.USER_AGENT)


def load_clinic_facts(path: Path | None):
    """The --clinic-facts file (else NEEDLE_AUDIT_CLINIC_FACTS's), or no override."""
    import settings
    from reports.audit_model import ClinicFacts

    path = path or (Path(settings.NEEDLE_AUDIT_CLINIC_FACTS) if settings.NEEDLE_AUDIT_CLINIC_FACTS
                    else None)
    if path is None:
        return ClinicFacts()
    try:
        return ClinicFacts.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"{path}: {str(exc).splitlines()[0]}",
                                 param_hint="--clinic-facts") from None


@click.command(epilog=exit_help({
    EXIT_USAGE: "usage error (a bad --as-of, a bad facts file)", EXIT_INDEX: NO_INDEX,
}))
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
@compare_options
@site_option
def audit(index: Path, fmt: str, output: Path | None, as_of: date, max_age_months: int | None,
          thin_words: int | None, duplicate_similarity: float | None,
          topic_similarity: float | None, copyright_years: int | None, check_links: bool | None,
          link_timeout: float | None, link_phase_timeout: float | None, max_links: int | None,
          clinic_facts: Path | None, limit: int | None, compare: int | None, no_compare: bool,
          site: str | None) -> None:
    """Rank the posts that most need a refresh, with each finding's evidence and a
    suggested action: age, dated wording, stale contact details and staff, broken and
    redirected links, near-duplicates, disagreeing dates, thin or undated posts, listing
    cards that disagree, and missing trust signals (byline, credentials, sources, review).

    Each run saves its findings in the crawl history; the next one marks each finding new
    or still open against the previous complete crawl's run (or --compare's), lists the
    fixed ones and shows the score's change (the share of posts with no finding).
    """
    import settings
    from reports import audit_render
    from reports.audit_job import audit_index
    from reports.crawl_facts import IndexUnreadable

    with index_required():
        require_index(index)
    facts = load_clinic_facts(clinic_facts)
    thresholds = thresholds_from_settings(
        max_age_months=max_age_months, thin_words=thin_words,
        duplicate_similarity=duplicate_similarity, topic_similarity=topic_similarity,
        copyright_years=copyright_years)
    links = None
    if check_links if check_links is not None else settings.NEEDLE_AUDIT_CHECK_LINKS:
        links = link_options_from_settings(timeout=link_timeout, phase_timeout=link_phase_timeout,
                                           max_links=max_links)
    try:
        report = audit_index(index, as_of=as_of, thresholds=thresholds, facts=facts, links=links, site=site)
    except IndexUnreadable as exc:
        fail(f"cannot read the index at {index}: {exc}", EXIT_INDEX)
    if site and not report.posts and not report.sites:
        fail(f"no post of site {site!r} in {index}: `needle sites` lists the sites", EXIT_USAGE)
    comparison = None if no_compare else compare_with_history(
        index, f"audit {site}" if site else "audit", findings=report.finding_rows(), score=report.health,
        as_of=as_of, against=compare)
    if comparison is not None:
        click.echo(comparison.line(), err=True)
    if fmt == "table":
        table = audit_render.to_table(report, limit, comparison)
        if output:
            from rich.console import Console

            with output.open("w", encoding="utf-8") as fh:
                Console(file=fh, width=160, color_system=None).print(table)
        else:
            console().print(table)
        return
    text = audit_render.render(report, fmt, limit, comparison)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{fmt} report: {output} ({len(report.flagged)} posts need attention)",
                   err=True)
    else:
        click.echo(text)

