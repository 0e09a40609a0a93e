"""`needle extract`: one saved page through the spider's extraction, as JSON."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from cli.common import exit_help


@click.command(epilog=exit_help({}))
@click.argument("file", type=click.File("rb"))
@click.option("--url", help="The address the page was saved from (default: its canonical link or og:url, "
                            "else the file's file:// URI).")
@click.option("--timezone", "tz", help="The clinic's time zone for dates written without one.")
@click.option("--fetched-at", help="When the page was fetched (ISO 8601), for relative dates.")
@click.option("--pretty", is_flag=True, help="Indent the JSON.")
def extract(file: Any, url: str | None, tz: str | None, fetched_at: str | None, pretty: bool) -> None:
    """Extract one saved page (FILE, or - for stdin) and print its Post record as JSON.

    This is exactly the extraction the spider runs on every post page. Without --url the
    page's own canonical link or og:url is its address; a page with neither is recorded
    at the file's URI (file:///...), with a warning on stderr, and its relative links
    resolve against that.
    """
    import settings as project

    from crawler.extract import extract_post
    from crawler.page import Page, declared_address, parse_page

    when = datetime.now(timezone.utc)
    if fetched_at:
        try:
            when = datetime.fromisoformat(fetched_at)
        except ValueError:
            raise click.BadParameter(f"not an ISO 8601 date: {fetched_at!r}", param_hint="--fetched-at")
        if when.tzinfo is None:
            raise click.BadParameter("give a time zone offset, e.g. 2025-07-18T10:00:00-06:00",
                                     param_hint="--fetched-at")
    html: Any = file.read()
    if not url:
        named = file.name and not file.name.startswith("<")  # click names stdin "<stdin>"
        where = Path(file.name).resolve() if named else Path("/dev/stdin")
        page = parse_page(html, where.as_uri())
        url = declared_address(page)
        if url is None:
            url = page.url
            click.echo(f"Warning: {file.name} has no canonical link or og:url and no --url was given; "
                       f"recording it at {url}", err=True)
        # parsed once: the same tree under the address found
        html = Page(url=url, tree=page.tree, warnings=page.warnings, parse_errors=page.parse_errors)
    post = extract_post(
        html, url, fetched_at=when, timezone=tz or project.NEEDLE_TIMEZONE,
        languages=project.NEEDLE_LANGUAGES, earliest_date=project.NEEDLE_EARLIEST_DATE,
    )
    click.echo(post.model_dump_json(indent=2 if pretty else None))
