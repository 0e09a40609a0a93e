"""The application factory: the JSON API, the search page and its static files over one
index folder.

    uvicorn --factory "web.app:app_from_env"     # or: needle serve --index DIR
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from search import close_searchers
from web import errors, pages
from web.api import make_router
from web.params import DEFAULT_MAX_PER_PAGE, DEFAULT_MAX_QUERY_LENGTH, Limits

STATIC = Path(__file__).parent / "static"


@asynccontextmanager
async def _lifespan(app: FastAPI):
    from concurrent.futures import ThreadPoolExecutor

    from web.pool import SearchPool

    # Searches run in worker processes (web.pool), each warming the commonest words of the
    # index now and after each commit; this process answers HTTP, health and static files.
    pool = SearchPool(app.state.index_dir, warm_terms=app.state.warm_terms, **app.state.pool_options)
    app.state.pool = pool
    # /api/health reads the index in a thread of its own, never behind a search
    app.state.health_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="needle-health")
    await pool.start()
    try:
        yield
    finally:
        await pool.stop()
        app.state.health_executor.shutdown(wait=False)
        close_searchers()


def create_app(
    index_dir: str | os.PathLike,
    *,
    cors_origins: Iterable[str] = (),
    max_query_length: int = DEFAULT_MAX_QUERY_LENGTH,
    max_per_page: int = DEFAULT_MAX_PER_PAGE,
    warm_terms: int | None = None,
    search_workers: int | None = None,
    search_queue: int | None = None,
    search_timeout: float | None = None,
) -> FastAPI:
    """The service on ``index_dir`` (read only). ``cors_origins`` are the sites whose
    pages may call the API from a browser (e.g. the clinic's own https://clinic.example).
    ``warm_terms``: words per field whose ranking data a background thread prepares when
    the service starts and after each commit (``search.warmup``; 0: none).
    ``search_workers``, ``search_queue``, ``search_timeout``: the search processes, how many
    searches may wait for one, and the seconds after which a search is stopped (``web.pool``;
    default: the NEEDLE_SEARCH_* settings)."""
    from search.warmup import WARM_TERMS

    limits = Limits(max_query_length=max_query_length, max_per_page=max_per_page)
    app = FastAPI(
        title="Needle search API",
        summary="Search a clinic blog's posts: highlighted snippets, filters, facets, suggestions, related posts.",
        version="1",
        openapi_url="/openapi.json",
        # Swagger UI and ReDoc load their scripts from a CDN; the service uses none.
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.index_dir = Path(index_dir)
    app.state.limits = limits
    app.state.warm_terms = WARM_TERMS if warm_terms is None else warm_terms
    app.state.pool_options = {"workers": search_workers, "queue": search_queue, "timeout": search_timeout}
    errors.install(app)
    app.include_router(make_router(limits))
    app.include_router(pages.make_router(limits))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    origins = list(cors_origins)
    if origins:
        # Read-only GETs, no cookies: the API needs nothing more from a browser.
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET"],
                           allow_headers=["*"], max_age=3600)
    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory`` and worker processes: settings from NEEDLE_* variables."""
    from indexer.location import resolve_index_dir

    origins = [o for o in os.environ.get("NEEDLE_CORS_ORIGINS", "").split(",") if o.strip()]
    return create_app(
        resolve_index_dir(),
        cors_origins=[o.strip() for o in origins],
        max_query_length=int(os.environ.get("NEEDLE_MAX_QUERY_LENGTH", DEFAULT_MAX_QUERY_LENGTH)),
        max_per_page=int(os.environ.get("NEEDLE_MAX_PER_PAGE", DEFAULT_MAX_PER_PAGE)),
        warm_terms=int(os.environ["NEEDLE_WARM_TERMS"]) if os.environ.get("NEEDLE_WARM_TERMS") else None,
    )
