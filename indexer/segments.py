"""How Needle's writers drive Whoosh's segment writer (incremental commits and rebuilds
alike): the same index is written, with less Python work per posting."""

from __future__ import annotations

import functools

from indexer.analysis import fast_stemming, preanalyse


def prepare(writer):
    """Tune ``writer`` (a Whoosh ``SegmentWriter``) for Needle's documents; returns the
    function that turns a document's texts into their terms (``preanalyse``)."""
    fast_stemming(writer.schema)
    _remember_columns(writer)
    return preanalyse(writer.schema)


def _remember_columns(writer) -> None:
    """At commit Whoosh asks, for every posting, whether its field has a length column,
    by looking for the column's file on disk; a field with none (keys, the spelling
    field, dates: unscored) never caches the answer, so each of their postings cost a
    stat() of the file system. The segment's files are all written by then, so the
    answer is remembered per field."""
    make = writer.per_document_reader

    def per_document_reader():
        reader = make()
        reader.has_column = functools.lru_cache(maxsize=None)(reader.has_column)
        return reader

    writer.per_document_reader = per_document_reader
