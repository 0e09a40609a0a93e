"""What a search returns: plain pydantic models, the same for the CLI, the web API and
Python callers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Sort = Literal["relevance", "newest", "oldest"]


class SearchHit(BaseModel):
    url: str
    title: str | None = None
    published: datetime | None = None
    score: float  # BM25F score; 0.0 when sorted by date
    # HTML: the text is escaped, matched words are wrapped in <mark>...</mark>
    snippet: str = ""
    # The same excerpt as (text, marked) spans, plain text: for renderers (the page, the
    # CLI), which need not parse the HTML apart. Not in the JSON: its clients read snippet.
    spans: list[tuple[str, bool]] = Field(default_factory=list, exclude=True)
    categories: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    author: str | None = None
    language: str | None = None
    rank: int  # 1-based position in the whole result list


class SearchResults(BaseModel):
    query: str
    # the query actually run: the suggestion when the query as typed found nothing
    query_used: str
    total: int
    # "did you mean": the query with likely typos corrected, None when none found
    suggestion: str | None = None
    hits: list[SearchHit] = Field(default_factory=list)
    # facet -> value -> count over all matching posts: {"year": {"2024": 3}, "category": {...}}
    facets: dict[str, dict[str, int]] = Field(default_factory=dict)
    page: int = 1
    per_page: int = 10
    sort: Sort = "relevance"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def corrected(self) -> bool:
        return self.query_used != self.query


class RelatedPost(BaseModel):
    url: str
    title: str | None = None
    published: datetime | None = None
    score: float
    categories: list[str] = Field(default_factory=list)
