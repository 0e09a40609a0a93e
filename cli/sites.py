"""`needle sites`: the sites the index holds, with their last crawl."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.common import EXIT_INDEX, NO_INDEX, console, exit_help, format_option, index_option, index_required


@click.command(epilog=exit_help({EXIT_INDEX: NO_INDEX}))
@index_option
@format_option("table", "json", "html")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE instead of standard output.")
def sites(index: Path, fmt: str, output: Path | None) -> None:
    """List the sites of the index: label (from a sites file), posts, site pages and crawl
    errors held, posts marked missing, the last crawl (when, complete or not) and the last
    complete one. --format html: every site side by side, with its content audit (no link
    checks) and SEO summaries: scores, findings and the most common ones."""
    from indexer.history import HISTORY_FILE, History
    from indexer.store import sites_overview

    with index_required():
        overview = sites_overview(index)
    labels, last = {}, {}
    if (index / HISTORY_FILE).is_file():
        with History(index) as history:
            labels, last = history.labels(), history.last_crawls()
    rows = [{"site": site, "label": labels.get(site), **facts, "last_crawl": last.get(site)}
            for site, facts in overview.items()]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if fmt == "html":
        from datetime import date

        from indexer.store import load_records
        from reports.agency import site_rows, to_html

        from cli.audit import thresholds_from_settings as audit_thresholds
        from cli.seo import thresholds_from_settings as seo_thresholds

        rows = site_rows(load_records(index), list(overview), as_of=date.today(),
                         thresholds=audit_thresholds(), seo_thresholds=seo_thresholds())
        text = to_html(rows, as_of=date.today(), labels=labels, last=last)
        if output:
            output.write_text(text, encoding="utf-8")
            click.echo(f"html: {output} ({len(overview)} sites)", err=True)
        else:
            click.echo(text, nl=False)
        return
    from rich.table import Table

    table = Table(title=f"Sites in {index}", title_justify="left")
    for name in ("site", "posts", "pages", "errors", "missing", "last crawl", "last complete crawl"):
        table.add_column(name, justify="right" if name in ("posts", "pages", "errors", "missing") else "left")
    for row in rows:
        crawl = row["last_crawl"]
        when = (f"#{crawl['id']} {crawl['started'][:16].replace('T', ' ')}"
                f"{'' if crawl['complete'] else ' (partial)'}") if crawl else "-"
        name = f"{row['label']}\n{row['site']}" if row["label"] else row["site"]
        table.add_row(name, str(row["posts"]), str(row["pages"]), str(row["errors"]), str(row["missing"]), when,
                      (row["last_complete_crawl"] or "-")[:16].replace("T", " "))
    console().print(table if rows else "No sites in the index yet.")
