"""`needle extract`: one saved page through the spider's extraction, as JSON."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import click

from cli.common import exit_help


@click.command(epilog=exit_help({}))
@click.argument("file", type=click.File("rb"))
@click.option("--url", required=True, help="The address the page was saved from.")
@click.option("--timezone", "tz", help="The clinic's time zone for dates written without one.")
@click.option("--fetched-at", help="When the page was fetched (ISO 8601), for relative dates.")
@click.option("--pretty", is_flag=True, help="Indent the JSON.")
def extract(file: Any, url: str, tz: str | None, fetched_at: str | None, pretty: bool) -> None:
    """Extract one saved page (FILE, or - for stdin) and print its Post record as JSON.

    This is exactly the extraction the spider runs on every post page.
    """
    import settings as project

    from crawler.extract import extract_post

    when = datetime.now(timezone.utc)
    if fetched_at:
        try:
            when = datetime.fromisoformat(fetched_at)
        except ValueError:
            raise click.BadParameter(f"not an ISO 8601 date: {fetched_at!r}", param_hint="--fetched-at")
        if when.tzinfo is None:
            raise click.BadParameter("give a time zone offset, e.g. 2025-07-18T10:00:00-06:00",
                                     param_hint="--fetched-at")
    post = extract_post(
        file.read(), url, fetched_at=when, timezone=tz or project.NEEDLE_TIMEZONE,
        languages=project.NEEDLE_LANGUAGES, earliest_date=project.NEEDLE_EARLIEST_DATE,
    )
    click.echo(post.model_dump_json(indent=2 if pretty else None))
