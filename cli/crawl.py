"""`needle crawl`: crawl blogs into records and the index."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from cli.common import (
    EXIT_BREAKER, EXIT_EMPTY, EXIT_INDEX, check_redis, console, exit_help, fail, index_option, index_required,
    parse_setting,
)


@click.command(epilog=exit_help({
    EXIT_EMPTY: "no page could be fetched at all", EXIT_INDEX: "another writer holds the index",
    EXIT_BREAKER: "the circuit breaker kept the index from shrinking (nothing was removed or "
                  "marked missing)",
}))
@click.argument("urls", nargs=-1)
@click.option("--sites", "sites_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Crawl the sites of FILE: TOML ([[site]] tables: label, start, hosts, timezone, "
                   "max_pages, delay, concurrency, selectors) or one start URL a line.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every record (posts, teasers, errors, sitemap entries) as JSON Lines.")
@index_option
@click.option("--no-index", is_flag=True, help="Do not write the index; only the JSON Lines output.")
@click.option("--max-pages", type=int,
              help="Stop the whole crawl after this many pages (resumable with --jobdir); "
                   "the per-site limit is NEEDLE_MAX_PAGES_PER_SITE.")
@click.option("--jobdir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the crawl's state here so an interrupted crawl resumes where it stopped.")
@click.option("--timezone", "tz", help="The clinic's time zone for dates written without one.")
@click.option("--full", is_flag=True,
              help="Fetch and extract every page again; by default the pages the index holds are "
                   "asked for conditionally and skipped when unchanged (304, or the same bytes).")
@click.option("--redis", "redis_url", metavar="redis://HOST:PORT/DB",
              help="Share the crawl's frontier through this Redis (scrapy-redis): run the same "
                   "command in several terminals or machines and they split the work; records go "
                   "to Redis for `needle index --from-redis` instead of the index.")
@click.option("--summary-json", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the crawl summary as JSON to this file.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy or NEEDLE_* setting (repeatable).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
def crawl(urls: tuple[str, ...], sites_file: Path | None, output: Path | None, index: Path, no_index: bool,
          max_pages: int | None, jobdir: Path | None, tz: str | None, full: bool, redis_url: str | None,
          summary_json: Path | None, overrides: tuple[str, ...], verbose: bool) -> None:
    """Crawl the blogs at URLS (front page, listing page or sitemap), and those of a
    sites file, into records.

    Posts are indexed as they arrive (unless --no-index) and every record goes to
    --output as JSON Lines. A live progress line runs on a terminal; a summary follows.
    A post leaves the index only on proof that it is gone (README, "What Needle never
    deletes").

    Exit status: 0 when the crawl ran; 1 when no page could be fetched at all; 3 when
    another writer holds the index; 4 when the circuit breaker kept the index from
    shrinking (nothing was removed or marked missing).
    """
    import settings as project
    from crawler.run import run_crawl

    sites = _load_sites(sites_file) if sites_file else []
    urls = (*urls, *(url for site in sites for url in site.start))
    if not urls:
        raise click.UsageError("give the blogs' addresses (URLS), or a sites file (--sites FILE)")
    settings: dict[str, Any] = {
        "LOG_LEVEL": "INFO" if verbose else "CRITICAL",
        "NEEDLE_PROGRESS": "auto",
        # replaces settings.py's EXTENSIONS (Scrapy does not merge them): keep its entries
        "EXTENSIONS": {**project.EXTENSIONS, "crawler.extensions.ProgressLine": 500},
        "NEEDLE_INDEX": str(index),
        "NEEDLE_INDEX_ON_CRAWL": not no_index,
    }
    if output:
        # a resumed crawl adds to what the interrupted one wrote
        settings["FEEDS"] = {str(output): {"format": "jsonlines", "overwrite": jobdir is None}}
    if max_pages:
        settings["CLOSESPIDER_PAGECOUNT"] = max_pages
    if jobdir:
        settings["JOBDIR"] = str(jobdir)
    if tz:
        settings["NEEDLE_TIMEZONE"] = tz
    if full:
        settings["NEEDLE_RECRAWL_FULL"] = True
    if redis_url:
        if jobdir:
            raise click.UsageError("--redis keeps the frontier in Redis: --jobdir does not apply")
        check_redis(redis_url)
        from crawler.frontier import redis_settings

        settings.update(redis_settings(redis_url, list(urls)))
        no_index = True
    if sites:
        from crawler.sites import crawl_settings

        settings.update(crawl_settings(sites))
    for item in overrides:
        name, value = parse_setting(item)
        settings[name] = value
    if "NEEDLE_TIMEZONE" in settings:
        _check_zone(settings["NEEDLE_TIMEZONE"])

    if not no_index:
        from indexer.writer import check_unlocked

        with index_required():
            check_unlocked(index)
    summary = run_crawl(list(urls), settings)
    if summary.index_locked:  # another writer took the lock since the check above
        fail(summary.index_locked, EXIT_INDEX)
    if sites and not no_index:
        _label_sites(index, sites)
    show_summary(summary, output=output, index=None if no_index else index)
    if summary_json:
        summary_json.write_text(summary.model_dump_json(indent=2) + "\n", encoding="utf-8")
    for line in summary.index_breaker:
        click.echo(f"Circuit breaker: {line}", err=True)
    if summary.index_breaker:
        sys.exit(EXIT_BREAKER)
    if summary.pages == 0:
        sys.exit(EXIT_EMPTY)


def _load_sites(path: Path) -> list:
    from crawler.sites import SitesFileError, load_sites

    try:
        return load_sites(path)
    except SitesFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--sites") from None


def _label_sites(index: Path, sites: list) -> None:
    """Keep the sites file's labels with the crawl history, for `needle sites` and the reports."""
    import sqlite3

    from indexer.history import History

    labels = {f"{scheme}://{host}": site.label for site in sites if site.label
              for host in site.all_hosts() for scheme in ("http", "https")}
    try:
        with History(index) as history:
            history.label_sites(labels)
    except sqlite3.Error as exc:
        click.echo(f"warning: the site labels were not saved ({exc})", err=True)


def _check_zone(name: Any) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"{name!r} is not a time zone name (e.g. America/Edmonton)",
                                 param_hint="--timezone") from None


# why a post left the index, as the summary says it
REMOVED_WHY = {
    "http_404": "answered 404",
    "http_410": "answered 410",
    "redirected": "redirected to another post",
    "missing": "missing from consecutive complete crawls",
}


def show_summary(summary: Any, *, output: Path | None, index: Path | None) -> None:
    from rich.table import Table

    table = Table(title="Crawl summary", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("posts", str(summary.posts))
    table.add_row("teasers", str(summary.teasers))
    table.add_row("sitemap entries", str(summary.sitemap_entries))
    table.add_row("redirects", str(summary.redirects))
    table.add_row("other pages (home, contact, team)", str(summary.site_pages))
    table.add_row("crawl errors", str(summary.errors))
    for reason, count in summary.errors_by_reason.items():
        table.add_row(f"  {reason}", str(count))
    warnings = sum(summary.warnings_by_kind.values())
    table.add_row("warnings", str(warnings))
    for kind, count in summary.warnings_by_kind.items():
        table.add_row(f"  {kind}", str(count))
    if summary.robots_disallowed:
        table.add_row("skipped (robots.txt)", str(summary.robots_disallowed))
    if summary.skipped_at_site_limit:
        table.add_row("skipped (per-site page limit)", str(summary.skipped_at_site_limit))
    if summary.worker_restarts:
        table.add_row("extraction workers restarted", str(summary.worker_restarts))
    if summary.not_modified or summary.same_bytes:
        table.add_row("unchanged: 304 Not Modified / same bytes", f"{summary.not_modified} / {summary.same_bytes}")
    table.add_row("pages extracted", str(summary.extracted))
    table.add_row("pages fetched", str(summary.pages))
    table.add_row("pages/s", f"{summary.pages_per_s:.1f}")
    table.add_row("elapsed", f"{summary.elapsed_s:.1f} s")
    table.add_row("finished", summary.finish_reason or "?")
    if index is not None:
        posts = summary.index_posts
        table.add_row("index: posts added / updated / unchanged",
                      f"{posts.get('added', 0)} / {posts.get('updated', 0)} / {posts.get('unchanged', 0)}")
        table.add_row("index: posts marked missing", str(posts.get("missing", 0)))
        table.add_row("index: posts removed", str(sum(summary.index_removed.values())))
        for why, count in summary.index_removed.items():
            table.add_row(f"  {REMOVED_WHY.get(why, why)}", str(count))
        if summary.crawl_id is not None:
            table.add_row("crawl id (needle changes)", str(summary.crawl_id))
    console().print(table)
    if output:
        console().print(f"records: {output}")
    if index:
        console().print(f"index: {index}")
