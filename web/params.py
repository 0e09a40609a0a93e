"""Search parameters shared by the API and the page: parsed and bounded once, so both
answer bad input with the same clear message."""

import os
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Query
from pydantic import BeforeValidator, Field

from search import Budget, SearchResults, Sort
from search import search as run_search

DEFAULT_MAX_QUERY_LENGTH = 200
DEFAULT_MAX_PER_PAGE = 50
MAX_PAGE = 1000  # deeper pages are a crawler's job, not a reader's


@dataclass(frozen=True)
class Limits:
    max_query_length: int = DEFAULT_MAX_QUERY_LENGTH
    max_per_page: int = DEFAULT_MAX_PER_PAGE
    max_page: int = MAX_PAGE
    site: str | None = None  # the one site this service searches (a clinic's own search box)


class BadRequest(ValueError):
    """Input the search cannot run with; the message is shown to the user as is."""


def _blank_is_none(value: Any) -> Any:
    # A plain HTML form sends its empty fields too ("year=&since="): they mean no filter.
    if isinstance(value, str) and not value.strip():
        return None
    return value


Optional = BeforeValidator(_blank_is_none)
# bounds on the int itself, so that a blank year (None) is not compared with them
Year = Annotated[int, Field(ge=1900, le=2999)]
Category = Annotated[str, Field(max_length=100)]


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    year: int | None = None
    since: date | None = None
    until: date | None = None
    category: str | None = None
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 10
    explain: bool = False
    recency: bool = False
    site: str | None = None

    def filters(self) -> dict[str, Any]:
        """The narrowing options as query parameters, without the query and the page."""
        out: dict[str, Any] = {}
        for name in ("year", "since", "until", "category", "site"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value.isoformat() if isinstance(value, date) else value
        if self.sort != "relevance":
            out["sort"] = self.sort
        return out


def search_params(limits: Limits):
    """A FastAPI dependency reading the search parameters within ``limits`` (the bounds
    also appear in the OpenAPI description)."""

    def dependency(
        q: Annotated[str, Query(max_length=limits.max_query_length,
                                description="The query: words, \"phrases\", AND/OR/NOT, field:word, "
                                            "word~ (fuzzy), prefix*. Empty lists every post.")] = "",
        year: Annotated[Year | None, Optional, Query(description="Only posts of this year.")] = None,
        since: Annotated[date | None, Optional, Query(description="Published on or after (YYYY-MM-DD).")] = None,
        until: Annotated[date | None, Optional, Query(description="Published on or before (YYYY-MM-DD).")] = None,
        category: Annotated[Category | None, Optional, Query(description="Exact category, any case, accents optional.")] = None,
        sort: Annotated[Sort, Query(description="relevance, newest or oldest.")] = "relevance",
        page: Annotated[int, Query(ge=1, le=limits.max_page)] = 1,
        per_page: Annotated[int, Query(ge=1, le=limits.max_per_page)] = 10,
        explain: Annotated[bool, Query(description="1: each hit also says why it ranks where it does "
                                                   "(ranking rules, matched words, score parts).")] = False,
        recency: Annotated[bool, Query(description="1: break near ties by date (of posts the ranking "
                                                   "rules put level, scores within ~10%: newest first).")] = False,
        site: Annotated[str | None, Optional, Query(max_length=300, description=(
            "Only this site's posts (a host, or scheme://host); a service locked to one site "
            "(`needle serve --site`) answers for that site only."))] = None,
    ) -> SearchParams:
        if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in q):
            raise BadRequest("q: the query contains control characters")
        if since and until and since > until:
            raise BadRequest(f"since ({since}) is after until ({until})")
        return SearchParams(q, year, since, until, category, sort, page, per_page, explain, recency,
                            locked_site(limits, site))

    return dependency


def locked_site(limits: Limits, site: str | None) -> str | None:
    """The site a request searches: the service's own when it is locked to one (asking for
    another is a bad request, so one clinic never sees another's posts), else the one asked."""
    if limits.site is None:
        return site
    if site is not None and _host(site) != _host(limits.site):
        raise BadRequest(f"site: this search serves {limits.site} only")
    return limits.site


def _host(site: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(site).netloc if "://" in site else site).strip().lower().rstrip("/")


def search_index(index_dir: str | os.PathLike, params: SearchParams,
                 budget: Budget | None = None) -> SearchResults:
    """Run the search within ``budget`` (default: ``Budget()``); a page past the last one is
    a bad request, not an empty page."""
    results = run_search(
        index_dir, params.q, year=params.year, since=params.since, until=params.until,
        category=params.category, sort=params.sort, page=params.page, per_page=params.per_page,
        budget=budget, explain=params.explain, recency=params.recency, site=params.site,
    )
    if params.page > results.pages:
        raise BadRequest(f"page {params.page} is past the last page ({results.pages}) of {results.total} results")
    return results
