"""Errors of the search module that the person who typed the query should read, and the
index's own errors a search can raise (re-exported, so callers need not know the indexer)."""

from __future__ import annotations

from indexer.opening import IndexNotFoundError, IndexOutdatedError  # noqa: F401 - re-exported


class QuerySyntaxError(ValueError):
    """The query cannot be understood; the message says why, for the person who typed it."""

    def __init__(self, message: str, query: str):
        self.query = query
        super().__init__(message)

    def __reduce__(self):
        # picklable with its query (the web service's search workers send it back)
        return (type(self), (str(self), self.query))


class QueryBudgetError(QuerySyntaxError):
    """The query is well formed but would cost more than a search may (``search.budget``):
    the message says which limit it passed and what to type instead."""


class PostNotFoundError(LookupError):
    """``related``: the index has no post at this URL."""

    def __init__(self, url: str):
        self.url = url
        super().__init__(f"no post with URL {url} in the index")

    def __reduce__(self):
        return (type(self), (self.url,))
