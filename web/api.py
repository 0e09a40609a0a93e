"""The JSON API under /api: what a clinic website's search box calls.

Endpoints are plain ``def``: the search module is synchronous (Whoosh), so FastAPI runs
them in its thread pool, where each thread keeps its own refreshed searcher (what they
compute per index generation is shared, see search.cache).
"""

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from search import RelatedPost, SearchResults
from search import related as find_related
from search import suggest as find_suggestions
from search.query import index_handle
from web.params import Limits, SearchParams, search_index, search_params


class Health(BaseModel):
    status: str
    index: str
    posts: int
    size_bytes: int
    generation: int
    # when the last commit of the index was written (UTC)
    last_update: datetime | None


def make_router(limits: Limits) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["search"])
    params_dependency = search_params(limits)

    @router.get("/search", response_model=SearchResults)
    def search(request: Request, params: Annotated[SearchParams, Depends(params_dependency)]) -> SearchResults:
        """Posts matching ``q``: one page of hits with HTML snippets (text escaped,
        matches in ``<mark>``), facet counts over all matches, and the corrected query
        when the typed one had typos. The same JSON as ``needle search --json``."""
        return search_index(request.app.state.index_dir, params)

    @router.get("/facets", response_model=dict[str, dict[str, int]])
    def facets(request: Request, params: Annotated[SearchParams, Depends(params_dependency)]) -> dict:
        """Only the facet counts (year, category) of the posts matching ``q`` and the
        filters: for building filter menus."""
        return search_index(request.app.state.index_dir, params).facets

    @router.get("/suggest", response_model=list[str])
    def suggest(
        request: Request,
        q: Annotated[str, Query(max_length=limits.max_query_length, description="What the user has typed so far.")] = "",
        limit: Annotated[int, Query(ge=1, le=20)] = 8,
    ) -> list[str]:
        """Completions of the last word being typed, most common first, each as the
        whole query: ``neck pa`` -> ``["neck pain", ...]``."""
        return find_suggestions(request.app.state.index_dir, q, limit=limit)

    @router.get("/related", response_model=list[RelatedPost],
                responses={404: {"description": "No post with this URL in the index"}})
    def related(
        request: Request,
        url: Annotated[str, Query(min_length=1, max_length=2000, description="A post's URL, as indexed.")],
        limit: Annotated[int, Query(ge=1, le=20)] = 5,
    ) -> list[RelatedPost]:
        """The posts most like the post at ``url``, most similar first."""
        return find_related(request.app.state.index_dir, url, limit=limit)

    @router.get("/health", response_model=Health,
                responses={503: {"description": "No index at the configured folder"}})
    def health(request: Request) -> Health:
        """The service is up and can read its index: post count, size on disk and when
        the index was last committed."""
        index_dir = request.app.state.index_dir
        generation = index_handle(index_dir).generation
        posts = search_index(index_dir, SearchParams(per_page=1)).total
        size, last = _disk(Path(index_dir))
        return Health(status="ok", index=str(index_dir), posts=posts, size_bytes=size,
                      generation=generation, last_update=last)

    return router


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
