"""The JSON API under /api: what a clinic website's search box calls.

Searches, suggestions and related posts run in the search worker processes
(``web.pool``): the endpoints only await them, so the event loop is free for other
requests meanwhile. ``/api/health`` never goes through them: it reads the index in a
thread of its own and answers even while every worker is busy.
"""

import asyncio
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from search import index_status
from web.models import RelatedPost, SearchResults
from web.params import Limits, SearchParams, locked_site, search_params


class SearchPoolStatus(BaseModel):
    """The search workers (web.pool): for operators and tests."""

    workers: int
    running: int
    waiting: int
    queue_limit: int
    timeout_seconds: float
    # searches refused because every worker was busy and the queue full (503)
    rejected: int
    # searches stopped at the time limit (503), and workers replaced (stopped or died)
    timed_out: int
    replaced: int
    # as of each worker's last reply: its query-parser cache (bounded), its warm-up runs
    # (one per index generation it warmed) and searches, summed over the workers
    parser_cache: int
    warmups: int
    # warm-ups that ran to the end (a worker's warm-up of a generation, once finished)
    warmed: int = 0
    searches: int


class Health(BaseModel):
    status: str
    index: str
    posts: int
    size_bytes: int
    generation: int
    # when the last commit of the index was written (UTC)
    last_update: datetime | None
    search_pool: SearchPoolStatus | None = None


_ERRORS = {
    400: {"description": "A malformed query, or one over the query budget: {\"error\": \"...\"}"},
    503: {"description": "No index, or every search worker busy (Retry-After), or the search "
                         "ran past the time limit"},
}


def make_router(limits: Limits) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["search"])
    params_dependency = search_params(limits)

    @router.get("/search", response_model=SearchResults, responses=_ERRORS)
    async def search(request: Request, params: Annotated[SearchParams, Depends(params_dependency)]) -> SearchResults:
        """Posts matching ``q``: one page of hits with HTML snippets (text escaped,
        matches in ``<mark>``), facet counts over all matches, and the corrected query
        when the typed one had typos. The same JSON as ``needle search --json``; with
        ``explain=1`` each hit's ``explain`` says why it ranks there (``needle search
        --explain``), else it is null."""
        return await request.app.state.pool.call("search", params)

    @router.get("/facets", response_model=dict[str, dict[str, int]], responses=_ERRORS)
    async def facets(request: Request, params: Annotated[SearchParams, Depends(params_dependency)]) -> dict:
        """Only the facet counts (year, category) of the posts matching ``q`` and the
        filters: for building filter menus."""
        return (await request.app.state.pool.call("search", params)).facets

    @router.get("/suggest", response_model=list[str], responses=_ERRORS)
    async def suggest(
        request: Request,
        q: Annotated[str, Query(max_length=limits.max_query_length, description="What the user has typed so far.")] = "",
        limit: Annotated[int, Query(ge=1, le=20)] = 8,
        site: Annotated[str | None, Query(max_length=300, description="Only words of this site's posts.")] = None,
    ) -> list[str]:
        """Completions of the last word being typed, most common first, each as the
        whole query: ``neck pa`` -> ``["neck pain", ...]``; of one site's posts when
        ``site`` is given or the service is locked to one."""
        return await request.app.state.pool.call("suggest", q, limit, locked_site(limits, site))

    @router.get("/related", response_model=list[RelatedPost],
                responses={404: {"description": "No post with this URL in the index"}, **_ERRORS})
    async def related(
        request: Request,
        url: Annotated[str, Query(min_length=1, max_length=2000, description="A post's URL, as indexed.")],
        limit: Annotated[int, Query(ge=1, le=20)] = 5,
        site: Annotated[str | None, Query(max_length=300, description="Only this site's posts.")] = None,
    ) -> list[RelatedPost]:
        """The posts most like the post at ``url``, most similar first (of one site when
        asked, or when the service is locked to one)."""
        return await request.app.state.pool.call("related", url, limit, locked_site(limits, site))

    @router.get("/health", response_model=Health,
                responses={503: {"description": "No index at the configured folder"}})
    async def health(request: Request) -> Health:
        """The service is up and can read its index: post count, size on disk and when
        the index was last committed; and the state of the search workers."""
        state = request.app.state
        loop = asyncio.get_running_loop()
        data = await loop.run_in_executor(state.health_executor, _read_health, state.index_dir)
        pool = getattr(state, "pool", None)
        if pool is not None:
            data.search_pool = SearchPoolStatus(**pool.status())
        return data

    return router


def _read_health(index_dir: Path) -> Health:
    """Health from this process's own searcher (the post count is computed once per index
    generation, by the search module); the rest is a directory listing."""
    status = index_status(index_dir)
    size, last = _disk(Path(index_dir))
    return Health(status="ok", index=str(index_dir), posts=status.posts, size_bytes=size,
                  generation=status.generation, last_update=last)


def _disk(path: Path) -> tuple[int, datetime | None]:
    """Bytes on disk, and the time of the newest table of contents (one per commit)."""
    size, newest = 0, None
    with os.scandir(path) as entries:
        for entry in entries:
            try:
                stat = entry.stat()
            except FileNotFoundError:  # a segment merged away while we looked
                continue
            if not entry.is_file():
                continue
            size += stat.st_size
            if entry.name.endswith(".toc") and (newest is None or stat.st_mtime > newest):
                newest = stat.st_mtime
    last = datetime.fromtimestamp(newest, tz=timezone.utc) if newest is not None else None
    return size, last
