"""Errors of the search module that the person who typed the query should read."""

from __future__ import annotations


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
