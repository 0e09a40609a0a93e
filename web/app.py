"""The application factory: the JSON API, the search page and its static files over one
index folder.

    app = create_app(".needle/index", cors_origins=["https://clinic.example"])
    app = app_for(ServiceConfig(Path(".needle/index"), search_workers=2))

``needle serve`` makes the config from settings.py and NEEDLE_* variables.
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from search import Budget, close_searchers
from search.warmup import WARM_TERMS
from web import errors, pages
from web.api import make_router
from web.params import DEFAULT_MAX_PER_PAGE, DEFAULT_MAX_QUERY_LENGTH, Limits
from web.pool import DEFAULT_QUEUE, DEFAULT_TIMEOUT, SearchPool

STATIC = Path(__file__).parent / "static"


@asynccontextmanager
async def _lifespan(app: FastAPI):
    from concurrent.futures import ThreadPoolExecutor

    # Searches run in worker processes (web.pool), each warming the commonest words of the
    # index now and after each commit; this process answers HTTP, health and static files.
    config: ServiceConfig = app.state.config
    pool = SearchPool(config.index_dir, workers=config.search_workers, queue=config.search_queue,
                      timeout=config.search_timeout, warm_terms=config.warm_terms, budget=config.budget)
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


@dataclass(frozen=True)
class ServiceConfig:
    """Everything the service is configured with; the caller (``needle serve``: settings.py
    and NEEDLE_* variables) decides the values, the service reads no settings itself."""

    index_dir: Path
    # the sites whose pages may call the API from a browser (e.g. https://clinic.example)
    cors_origins: tuple[str, ...] = ()
    max_query_length: int = DEFAULT_MAX_QUERY_LENGTH
    max_per_page: int = DEFAULT_MAX_PER_PAGE
    # words per field whose ranking data a background thread prepares when the service
    # starts and after each commit (search.warmup; 0: none)
    warm_terms: int = WARM_TERMS
    # the search processes (None: one per core, at most 4), how many searches may wait for
    # one, and the seconds after which a search is stopped (web.pool)
    search_workers: int | None = None
    search_queue: int = DEFAULT_QUEUE
    search_timeout: float = DEFAULT_TIMEOUT
    budget: Budget = field(default_factory=Budget)  # what one query may cost (search.budget)
    site: str | None = None  # search this site's posts only (one clinic's search box)


def create_app(index_dir: str | os.PathLike, **options: Any) -> FastAPI:
    """The service on ``index_dir`` (read only); ``options`` are ``ServiceConfig``'s fields
    (a None value: the default)."""
    given = {name: value for name, value in options.items() if value is not None}
    if "cors_origins" in given:
        given["cors_origins"] = tuple(given["cors_origins"])
    return app_for(ServiceConfig(Path(index_dir), **given))


def app_for(config: ServiceConfig) -> FastAPI:
    """The service as ``config`` says."""
    limits = Limits(max_query_length=config.max_query_length, max_per_page=config.max_per_page,
                    site=config.site)
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
    app.state.config = config
    app.state.index_dir = config.index_dir
    app.state.limits = limits
    errors.install(app)
    app.include_router(make_router(limits))
    app.include_router(pages.make_router(limits))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if config.cors_origins:
        # Read-only GETs, no cookies: the API needs nothing more from a browser.
        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                           allow_methods=["GET"], allow_headers=["*"], max_age=3600)
    return app
