"""Querying the index: ranked, highlighted, faceted search; suggestions; related posts.

    from search import search, related, suggest
    results = search(".needle/index", "dry needling neck", year=2024)

Everything the web service and the CLI use is here, errors included. Each name is
imported when first asked for, so `needle search` loads what a search needs and no more
(related posts, for one, read whole records, and with them the crawler's models).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

# name -> the module that defines it
_EXPORTS = {
    "Budget": "search.budget",
    "IndexNotFoundError": "search.errors",
    "IndexOutdatedError": "search.errors",
    "PostNotFoundError": "search.errors",
    "QueryBudgetError": "search.errors",
    "QuerySyntaxError": "search.errors",
    "Explanation": "search.models",
    "RelatedPost": "search.models",
    "ScorePart": "search.models",
    "SearchHit": "search.models",
    "SearchResults": "search.models",
    "Sort": "search.models",
    "WordMatch": "search.models",
    "close_searchers": "search.query",
    "parser_cache_size": "search.query",
    "search": "search.query",
    "related": "search.related",
    "IndexStatus": "search.status",
    "index_status": "search.status",
    "suggest": "search.suggest",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        # not an export: `from search import warmup` goes on to import the submodule
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value) -> None:
        # Importing the submodule search.related (or search.suggest) binds it to the
        # package's attribute of that name, which is the function: the function stays.
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == f"{__name__}.{name}":
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:
    from search.budget import Budget
    from search.errors import (
        IndexNotFoundError,
        IndexOutdatedError,
        PostNotFoundError,
        QueryBudgetError,
        QuerySyntaxError,
    )
    from search.models import (
        Explanation,
        RelatedPost,
        ScorePart,
        SearchHit,
        SearchResults,
        Sort,
        WordMatch,
    )
    from search.query import close_searchers, parser_cache_size, search
    from search.related import related
    from search.status import IndexStatus, index_status
    from search.suggest import suggest
