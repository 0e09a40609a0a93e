"""`needle serve`: the search API and search page over an index, with uvicorn."""

from __future__ import annotations

import os
import socket

import click
import uvicorn

from cli.common import EXIT_INDEX, exit_help, index_option, index_required, query_budget, require_index


class _Config(uvicorn.Config):
    """uvicorn's settings, with TCP_NODELAY on the socket shared by worker processes."""

    def bind_socket(self) -> socket.socket:
        # uvicorn opens the workers' shared socket without naming TCP as its protocol, so
        # asyncio does not set TCP_NODELAY on its connections and every keep-alive
        # response waits ~40 ms for a delayed ACK. Accepted sockets inherit it from here.
        sock = super().bind_socket()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


@click.command(epilog=exit_help({EXIT_INDEX: "no index"}))
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="A site whose pages may call the API from the browser, e.g. "
                   "https://www.clinic.example (repeatable).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (searching is CPU-bound: up to one per core).")
@click.option("--warm-terms", type=click.IntRange(0), default=None,
              help="Words per field whose ranking data is prepared in the background at start "
                   "and after each commit (default 100; 0: none).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              default="info", show_default=True)
@click.option("--site", metavar="HOST",
              help="Lock the service to one site of the index: the page and the API search its "
                   "posts only, and a request for another site is refused (one clinic's search box).")
def serve(index, host: str, port: int, cors_origins: tuple[str, ...], workers: int,
          warm_terms: int | None, log_level: str, site: str | None) -> None:
    """Serve search over the index: a JSON API under /api (described at /openapi.json)
    and a search page at /. Reads the index only; a crawl may update it meanwhile and
    the next request sees the new commit."""
    with index_required():
        require_index(index)
    # uvicorn's worker processes build the app themselves (app_from_settings), so the
    # options travel in the environment.
    os.environ["NEEDLE_INDEX"] = str(index)
    os.environ["NEEDLE_CORS_ORIGINS"] = ",".join(cors_origins)
    if warm_terms is not None:
        os.environ["NEEDLE_WARM_TERMS"] = str(warm_terms)
    if site:
        os.environ["NEEDLE_SERVE_SITE"] = site
    config = _Config("cli.serve:app_from_settings", factory=True, host=host, port=port, workers=workers,
                     log_level=log_level, ws="none", proxy_headers=False)
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()


def app_from_settings():
    """The service as settings.py and the NEEDLE_* variables configure it (uvicorn's
    factory, in each of its worker processes): the web package reads no settings itself."""
    import settings
    from indexer.location import resolve_index_dir
    from web.app import ServiceConfig, app_for
    from web.params import DEFAULT_MAX_PER_PAGE, DEFAULT_MAX_QUERY_LENGTH

    env = os.environ
    return app_for(ServiceConfig(
        resolve_index_dir(None, settings.NEEDLE_INDEX),
        cors_origins=tuple(o.strip() for o in env.get("NEEDLE_CORS_ORIGINS", "").split(",") if o.strip()),
        max_query_length=int(env.get("NEEDLE_MAX_QUERY_LENGTH", DEFAULT_MAX_QUERY_LENGTH)),
        max_per_page=int(env.get("NEEDLE_MAX_PER_PAGE", DEFAULT_MAX_PER_PAGE)),
        **({"warm_terms": int(env["NEEDLE_WARM_TERMS"])} if env.get("NEEDLE_WARM_TERMS") else {}),
        search_workers=settings.NEEDLE_SEARCH_WORKERS or None,
        search_queue=settings.NEEDLE_SEARCH_QUEUE,
        search_timeout=settings.NEEDLE_SEARCH_TIMEOUT,
        budget=query_budget(),
        site=env.get("NEEDLE_SERVE_SITE") or None,
    ))
