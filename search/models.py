"""What a search returns: plain dataclasses, the same for the CLI, the web API and Python
callers.

Not pydantic: importing it and building the models cost `needle search` ~80 ms of a
~0.4 s run. The web API's response models (``web.models``) declare the same fields in
the same order, and ``to_json`` gives what they serialise to (a test checks both).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Literal

Sort = Literal["relevance", "newest", "oldest"]

# a field whose metadata says so stays out of the JSON (the web models exclude it too)
_NOT_IN_JSON = {"json": False}


@dataclass(kw_only=True)
class WordMatch:
    """How one typed word of the query matched a post."""

    word: str  # as typed
    # the best way it matched: the word's own stem, a synonym, or a typo's neighbour
    how: Literal["exact", "synonym", "typo"]
    terms: list[str] = field(default_factory=list)  # index terms found (stems)
    fields: list[str] = field(default_factory=list)  # title, text, ...


@dataclass(kw_only=True)
class ScorePart:
    """One term's share of a post's BM25F score."""

    field: str
    term: str
    how: Literal["exact", "synonym", "typo"]
    boost: float  # the field's weight times the synonym or typo weight
    score: float


@dataclass(kw_only=True)
class Explanation:
    """Why a hit ranks where it does (``search(..., explain=True)``).

    ``ranker`` "rules": ordered by the ranking rules (``rules``: each rule's value for this
    post, compared in order), then by the BM25F ``score`` (the sum of ``score_parts``).
    ``ranker`` "whoosh": a query the rules do not rank (a quoted phrase, a wildcard, NOT)
    or a date order: Whoosh's score only."""

    ranker: Literal["rules", "whoosh"]
    rules: dict[str, int] = field(default_factory=dict)
    words: list[WordMatch] = field(default_factory=list)  # the typed words this post matches
    missing: list[str] = field(default_factory=list)  # the typed words it does not
    phrase: bool = False  # every pair of consecutive typed words stands together in it
    synonym: bool = False  # some word matched only through a synonym
    typo: bool = False  # some word matched through a typo correction or fuzzy neighbour
    corrected_from: str | None = None  # the query as typed, when a corrected one ran
    score: float = 0.0
    score_parts: list[ScorePart] = field(default_factory=list)


@dataclass(kw_only=True)
class SearchHit:
    url: str
    title: str | None = None
    published: datetime | None = None
    score: float  # BM25F score; 0.0 when sorted by date
    # HTML: the text is escaped, matched words are wrapped in <mark>...</mark>
    snippet: str = ""
    # The same excerpt as (text, marked) spans, plain text: for renderers (the page, the
    # CLI), which need not parse the HTML apart. Not in the JSON: its clients read snippet.
    spans: list[tuple[str, bool]] = field(default_factory=list, metadata=_NOT_IN_JSON)
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    author: str | None = None
    language: str | None = None
    rank: int  # 1-based position in the whole result list
    # why it ranks there: only when asked for (search(..., explain=True)), else None
    explain: Explanation | None = None


@dataclass(kw_only=True)
class SearchResults:
    query: str
    # the query actually run: the suggestion when the query as typed found nothing
    query_used: str
    total: int
    # "did you mean": the query with likely typos corrected, None when none found
    suggestion: str | None = None
    hits: list[SearchHit] = field(default_factory=list)
    # facet -> value -> count over all matching posts: {"year": {"2024": 3}, "category": {...}}
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    page: int = 1
    per_page: int = 10
    sort: Sort = "relevance"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def corrected(self) -> bool:
        return self.query_used != self.query


@dataclass(kw_only=True)
class RelatedPost:
    url: str
    title: str | None = None
    published: datetime | None = None
    score: float
    categories: list[str] = field(default_factory=list)


def to_json(value):
    """``value`` (a result, a list of them, ...) as JSON types: what the web API answers
    and `needle search --json` prints. Dates as pydantic writes them (ISO 8601, "Z" for
    UTC, offsets to the minute), so both give the same text."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return {f.name: to_json(getattr(value, f.name)) for f in fields(value) if f.metadata.get("json", True)}


def _iso(value: datetime) -> str:
    offset = value.utcoffset()
    text = value.replace(tzinfo=None).isoformat()
    if offset is None:
        return text
    seconds = int(offset.total_seconds())
    if seconds == 0:
        return text + "Z"
    minutes = abs(seconds) // 60
    return f"{text}{'-' if seconds < 0 else '+'}{minutes // 60:02d}:{minutes % 60:02d}"
