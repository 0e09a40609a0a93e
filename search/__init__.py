"""Querying the index: ranked, highlighted, faceted search; suggestions; related posts.

    from search import search, related, suggest
    results = search(".needle/index", "dry needling neck", year=2024)
"""

from search.models import RelatedPost, SearchHit, SearchResults
from search.query import QueryBudgetError, QuerySyntaxError, search
from search.related import related
from search.suggest import suggest

__all__ = [
    "QueryBudgetError",
    "QuerySyntaxError",
    "RelatedPost",
    "SearchHit",
    "SearchResults",
    "related",
    "search",
    "suggest",
]
