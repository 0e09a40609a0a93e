"""`needle changes`: what changed between crawls, from the crawl history."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from cli.common import EXIT_INDEX, EXIT_USAGE, console, exit_help, fail, format_option, index_option


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> int | date | None:
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: give a crawl id (e.g. 3) or a day (YYYY-MM-DD)") from None


@click.command(epilog=exit_help({EXIT_USAGE: "usage error", EXIT_INDEX: "no crawl history in the index folder"}))
@index_option
@click.option("--since", callback=_since, metavar="CRAWL_ID|DATE",
              help="Changes of the crawls after this crawl id, or since this day (YYYY-MM-DD); "
                   "default: the latest crawl's.")
@click.option("--site", help="Only this site (host, or scheme://host).")
@format_option("table", "json", "csv", "html")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE instead of standard output.")
def changes(index: Path, since: int | date | None, site: str | None, fmt: str, output: Path | None) -> None:
    """List the posts that are new, changed, missing, gone or back, and what changed in
    each: title, dates, body (share of words, with the first changed passage), images and
    captions, categories, tags, author, status; and the clinic's facts on its site pages
    (phones, emails, addresses, hours, the names on a team page). Every crawl and `needle
    index` run is recorded in history.sqlite in the index folder; `needle crawl` prints its
    crawl id."""
    from indexer.changes import summary
    from indexer.history import HISTORY_FILE, History

    if not (index / HISTORY_FILE).is_file():
        fail(f"no crawl history in {index}: crawl with `needle crawl URL --index {index}` first", EXIT_INDEX)
    with History(index) as history:
        rows = history.changes(since=since, site=site)
    if fmt == "table":
        _table(rows, summary)
        return
    if fmt == "json":
        text = json.dumps(rows, indent=2) + "\n"
    elif fmt == "csv":
        from reports.safe_output import csv_text

        text = csv_text(["crawl", "change", "kind", "url", "title", "what", "reason"], (
            {"crawl": r["crawl"], "change": r["change"], "kind": r["kind"], "url": r["url"], "title": r["title"] or "",
             "what": summary(r["fields"]), "reason": r["reason"] or ""} for r in rows))
    else:
        from reports.changes_render import to_html

        scope = ("the latest crawl" if since is None else
                 f"crawls after crawl {since}" if isinstance(since, int) else f"crawls since {since.isoformat()}")
        text = to_html(rows, scope=scope, site=site)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{fmt} changes: {output} ({len(rows)} rows)", err=True)
    else:
        click.echo(text, nl=False)


def _table(rows: list[dict], summary) -> None:
    from rich.table import Table

    if not rows:
        console().print("No changes.")
        return
    table = Table(title="Changes", title_justify="left")
    for name in ("crawl", "change", "post", "what changed"):
        table.add_column(name)
    for row in rows:
        what = summary(row["fields"]) or row["reason"] or ""
        excerpt = (row["fields"].get("body") or {}).get("excerpt")
        if excerpt:
            what += f"\n  - {excerpt['old']}\n  + {excerpt['new']}"
        change = row["change"] + ("\n(site page)" if row["kind"] == "page" else "")
        table.add_row(str(row["crawl"]), change, f"{row['title'] or ''}\n{row['url']}", what)
    console().print(table)
