"""The web API's answers as pydantic models, for FastAPI's validation and the OpenAPI
schema: the search module's results (``search.models``, plain dataclasses) field for field,
in the same order, with the same defaults (a test checks). An endpoint returns the search
module's dataclass; FastAPI reads it into these by attribute."""

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
    # why it ranks there: only when asked for (search(..., explain=True)), else null
    explain: "Explanation | None" = None


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


class RelatedPost(BaseModel):
    url: str
    title: str | None = None
    published: datetime | None = None
    score: float
    categories: list[str] = Field(default_factory=list)


class WordMatch(BaseModel):
    """How one typed word of the query matched a post."""

    word: str  # as typed
    # the best way it matched: the word's own stem, a synonym, or a typo's neighbour
    how: Literal["exact", "synonym", "typo"]
    terms: list[str] = Field(default_factory=list)  # index terms found (stems)
    fields: list[str] = Field(default_factory=list)  # title, text, ...


class ScorePart(BaseModel):
    """One term's share of a post's BM25F score."""

    field: str
    term: str
    how: Literal["exact", "synonym", "typo"]
    boost: float  # the field's weight times the synonym or typo weight
    score: float


class Explanation(BaseModel):
    """Why a hit ranks where it does (``search(..., explain=True)``).

    ``ranker`` "rules": ordered by the ranking rules (``rules``: each rule's value for this
    post, compared in order), then by the BM25F ``score`` (the sum of ``score_parts``).
    ``ranker`` "whoosh": a query the rules do not rank (a quoted phrase, a wildcard, NOT)
    or a date order: Whoosh's score only."""

    ranker: Literal["rules", "whoosh"]
    rules: dict[str, int] = Field(default_factory=dict)
    words: list[WordMatch] = Field(default_factory=list)  # the typed words this post matches
    missing: list[str] = Field(default_factory=list)  # the typed words it does not
    phrase: bool = False  # every pair of consecutive typed words stands together in it
    synonym: bool = False  # some word matched only through a synonym
    typo: bool = False  # some word matched through a typo correction or fuzzy neighbour
    corrected_from: str | None = None  # the query as typed, when a corrected one ran
    score: float = 0.0
    score_parts: list[ScorePart] = Field(default_factory=list)


SearchHit.model_rebuild()
