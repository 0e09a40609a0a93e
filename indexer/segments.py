"""How Needle's writers drive Whoosh's segment writer (incremental commits and rebuilds
alike): the same index is written, with less Python work per posting."""

from __future__ import annotations

import functools
from collections import Counter
from pickle import dumps

from whoosh.codec.base import OutOfOrderError
from whoosh.codec.whoosh3 import W3FieldWriter
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from indexer.analysis import fast_stemming, preanalyse


def prepare(writer):
    """Tune ``writer`` (a Whoosh ``SegmentWriter``) for Needle's documents; returns the
    function that turns a document's texts into their terms (``preanalyse``)."""
    fast_stemming(writer.schema)
    _quick_lengths(writer)
    _quick_postings(writer)
    _quick_commit(writer)
    return preanalyse(writer.schema)


def _quick_commit(writer) -> None:
    """Whoosh's ``FieldWriter.add_postings`` (the commit's loop over the sorted postings)
    with ``W3PostingsWriter.add_posting`` done in the loop: the same blocks and bounds,
    without two calls and four type checks per posting."""
    fieldwriter = writer.fieldwriter
    if type(fieldwriter) is not W3FieldWriter:
        return

    def add_postings(schema, lengths, items):
        length_of = lengths.doc_field_length if lengths else (lambda docnum, fieldname: 0)
        lastfn = lasttext = None
        postwriter = None
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != lastfn:
                if lastfn is not None and fieldname < lastfn:
                    raise OutOfOrderError(f"Field {lastfn!r} .. {fieldname!r}")
                if lasttext is not None:
                    fieldwriter.finish_term()
                if lastfn is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, schema[fieldname])
                lastfn, lasttext = fieldname, None
            elif lasttext and btext < lasttext:
                raise OutOfOrderError(f"Term {lastfn}:{lasttext!r} .. {fieldname}:{btext!r}")
            if docnum == -1:  # Whoosh's mark of a spelling-only word: no posting
                continue
            if btext != lasttext:
                if lasttext is not None:
                    fieldwriter.finish_term()
                fieldwriter.start_term(btext)
                lasttext = btext
                postwriter = fieldwriter._postwriter
            length = length_of(docnum, fieldname)
            # W3PostingsWriter.add_posting
            if len(postwriter._ids) >= postwriter._blocklimit:
                postwriter._write_block()
            postwriter._ids.append(docnum)
            postwriter._weights.append(weight)
            if weight > postwriter._maxweight:
                postwriter._maxweight = weight
            if value:
                postwriter._values.append(value)
            if length:
                if postwriter._minlength is None or length < postwriter._minlength:
                    postwriter._minlength = length
                if length > postwriter._maxlength:
                    postwriter._maxlength = length
        if lasttext is not None:
            fieldwriter.finish_term()
        if lastfn is not None:
            fieldwriter.finish_field()

    fieldwriter.add_postings = add_postings


def _quick_postings(writer) -> None:
    """Whoosh's ``add_document``, the same postings, stored values, lengths and columns,
    but a field whose value is already a list of terms (``preanalyse``) is turned into
    its postings directly: Whoosh made a token object of each term and ran it through
    its format's generator, the largest share of the per-document work once the text
    was analysed. Left as it is for a schema with term vectors or separate spelling
    fields (Needle's has neither)."""
    schema = writer.schema
    if any(schema[name].vector or schema[name].separate_spelling() for name in schema.names()):
        return

    pool = writer.pool

    def add_document(**fields):
        writer._check_state()
        perdocwriter = writer.perdocwriter
        docnum = writer.docnum
        docboost = writer._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        writer._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = writer._field_boost(fields, fieldname, docboost)
                    if isinstance(value, list) and type(field.format) in _LISTED:
                        items = _LISTED[type(field.format)](field.format, value)
                    else:
                        items = list(field.index(value))
                    if field.scorable:
                        length = sum(item[1] for item in items)
                    _pool(pool, [(fieldname, tbytes, docnum, weight * fieldboost, vbytes)
                                 for tbytes, _, weight, vbytes in items])
                stored = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        writer._added = True
        writer.docnum += 1

    writer.add_document = add_document


def _pool(pool, postings: list[tuple]) -> None:
    """Add one field's postings of a document to Whoosh's posting pool, counting their
    size as ``PostingPool.add`` does one by one (a run is sorted and written out once
    the pool holds ``limitmb``; where runs end does not change what is merged)."""
    if not postings:
        return
    name = postings[0][0]
    pool.fieldnames.add(name)
    pool.current.extend(postings)
    pool.currentsize += (150 + len(name)) * len(postings) + sum(
        2 * len(item[1]) + len(item[4] or b"") for item in postings)
    if pool.currentsize > pool.limit:
        pool.save()


def _positions(format, terms: list[str]):
    """(term bytes, frequency, weight, value) of each distinct term, as
    ``Positions.word_values`` gives them for tokens numbered from 0."""
    at: dict[str, list[int]] = {}
    for pos, term in enumerate(terms):
        seen = at.get(term)
        if seen is None:
            at[term] = [pos]
        else:
            seen.append(pos)
    boost = format.field_boost
    return [(term.encode("utf-8"), len(poslist), float(len(poslist)) * boost, _encode_positions(poslist))
            for term, poslist in at.items()]


def _encode_positions(poslist: list[int]) -> bytes:
    """``Positions.encode``: the count, then the pickled gaps between positions."""
    if len(poslist) == 1:
        return _ONE + dumps(poslist, 2)
    return pack_uint(len(poslist)) + dumps([b - a for a, b in zip([0, *poslist], poslist)], 2)


def _frequencies(format, terms: list[str]):
    boost = format.field_boost
    return [(term.encode("utf-8"), freq, float(freq) * boost, pack_uint(freq))
            for term, freq in Counter(terms).items()]


_LISTED = {Positions: _positions, Frequency: _frequencies}
_ONE = pack_uint(1)


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
