"""`needle serve`: the search API and search page over an index, with uvicorn."""

from __future__ import annotations

import os

import click

from cli.common import index_option


@click.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="A site whose pages may call the API from the browser, e.g. "
                   "https://www.clinic.example (repeatable).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (searching is CPU-bound: up to one per core).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              default="info", show_default=True)
def serve(index, host: str, port: int, cors_origins: tuple[str, ...], workers: int, log_level: str) -> None:
    """Serve search over the index: a JSON API under /api (described at /openapi.json)
    and a search page at /. Reads the index only; a crawl may update it meanwhile and
    the next request sees the new commit."""
    import uvicorn

    from indexer.writer import index_exists

    if not index_exists(index):
        click.echo(f"Error: no index at {index}: build one with `needle crawl URL` or `needle index FILE`",
                   err=True)
        raise SystemExit(3)
    # Worker processes build the app themselves (web.app:app_from_env), so the settings
    # travel in the environment.
    os.environ["NEEDLE_INDEX"] = str(index)
    os.environ["NEEDLE_CORS_ORIGINS"] = ",".join(cors_origins)
    uvicorn.run("web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, ws="none", proxy_headers=False)
