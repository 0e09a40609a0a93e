"""Querying the index: ranked, highlighted, faceted search; suggestions; related posts.

    from search import search, related, suggest
    results = search(".needle/index", "dry needling neck", year=2024)

Everything the web service and the CLI use is here, errors included.
"""

from search.budget import Budget
from search.errors import (
    IndexNotFoundError,
    IndexOutdatedError,
    PostNotFoundError,
    QueryBudgetError,
    QuerySyntaxError,
)
from search.models import RelatedPost, SearchHit, SearchResults, Sort
from search.query import close_searchers, parser_cache_size, search
from search.related import related
from search.status import IndexStatus, index_status
from search.suggest import suggest

__all__ = [
    "Budget",
    "IndexNotFoundError",
    "IndexOutdatedError",
    "IndexStatus",
    "PostNotFoundError",
    "QueryBudgetError",
    "QuerySyntaxError",
    "RelatedPost",
    "SearchHit",
    "SearchResults",
    "Sort",
    "close_searchers",
    "index_status",
    "parser_cache_size",
    "related",
    "search",
    "suggest",
]
