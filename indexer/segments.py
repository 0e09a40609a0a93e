"""How Needle's writers drive Whoosh's segment writer (incremental commits and rebuilds
alike): the same index is written, with less Python work per posting."""

from __future__ import annotations

import functools

from indexer.analysis import fast_stemming, preanalyse


def prepare(writer):
    """Tune ``writer`` (a Whoosh ``SegmentWriter``) for Needle's documents; returns the
    function that turns a document's texts into their terms (``preanalyse``)."""
    fast_stemming(writer.schema)
    _quick_lengths(writer)
    return preanalyse(writer.schema)


def _quick_lengths(writer) -> None:
    """At commit Whoosh writes each posting with its document's length in the field, read
    back from the segment's length column one posting at a time (a file seek and an
    unpack each), and for a field with no length column (keys, the spelling field,
    dates: unscored) it looked for the column's file on disk for every posting. The
    segment's files are all written by then: each field's lengths are read once, whole,
    and answered from a list."""
    make = writer.per_document_reader

    def per_document_reader():
        reader = make()
        reader.has_column = functools.lru_cache(maxsize=None)(reader.has_column)
        read = reader.doc_field_length
        count = reader.doc_count_all()
        tables: dict = {}

        def doc_field_length(docnum, fieldname, default=0):
            table = tables.get((fieldname, default))
            if table is None:
                # the same answers, asked once a document; one past the last as Whoosh allows
                table = tables[fieldname, default] = [read(n, fieldname, default) for n in range(count + 1)]
            return table[docnum]

        reader.doc_field_length = doc_field_length
        return reader

    writer.per_document_reader = per_document_reader
