"""The Whoosh schema (how a record becomes a document: indexer/documents.py).

One index holds every record of the crawl. Posts are searchable documents; teasers,
crawl errors and sitemap entries are stored-only documents (``kind`` tells them apart)
with no text fields, so no text query can match them, and they commit atomically with
the posts they describe.

The title's weight against the text is applied at query time (``FIELD_BOOSTS``); the
weights of the sections inside the combined text (``TEXT_PARTS``) are set at index time.
"""

from __future__ import annotations

from whoosh import columns
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer.analysis import keyword_analyzer, spelling_analyzer, text_analyzer

# A query that names no field searches these two, weighted: BM25F over the title and
# the combined text of the post.
FIELD_BOOSTS = {"title": 4.0, "text": 1.0}
# What the combined ``text`` field holds, and how many times: repeating a section is
# BM25F's weighted term frequency (a heading word counts twice, and the post's length
# grows with it), in one field instead of one posting list per section per query word.
TEXT_PARTS = {"headings": 2, "category": 2, "tag": 2, "summary": 1, "captions": 1, "body": 1}
# Fields a query may name (``body:`` searches the combined text: the body is most of it).
TEXT_FIELDS = ("title", "headings", "category", "tag", "summary", "captions", "body")
# Separator of the categories column (a byte no category contains).
LIST_SEP = "\x1f"


def build_schema() -> Schema:
    text = text_analyzer()
    return Schema(
        # identity and bookkeeping
        key=ID(unique=True, stored=True, sortable=True),
        kind=ID(stored=True),
        hash=ID(sortable=True),
        url=ID(stored=True),
        # searchable text (posts only)
        title=TEXT(analyzer=text, stored=True),
        # every section of the post, weighted (TEXT_PARTS): what unfielded words search
        text=TEXT(analyzer=text),
        summary=TEXT(analyzer=text, stored=True),
        headings=TEXT(analyzer=text),
        captions=TEXT(analyzer=text),
        # stored for snippets; its words are indexed in ``text`` (one analysis, not two)
        body=STORED,
        # words worth suggesting (titles, headings, summaries, topics), unstemmed;
        # unscored: no field lengths to write, it only feeds the corrector
        spell=KEYWORD(analyzer=spelling_analyzer(), scorable=False),
        # field queries and filters
        category=TEXT(analyzer=text),
        tag=TEXT(analyzer=text),
        category_key=KEYWORD(analyzer=keyword_analyzer()),
        tag_key=KEYWORD(analyzer=keyword_analyzer()),
        language=ID,
        author=TEXT(analyzer=text),
        published=DATETIME(sortable=True),
        year=NUMERIC(int, bits=32, sortable=True),
        # facets read from columns, without loading stored documents
        categories=COLUMN(columns.VarBytesColumn()),
        # what a hit shows, and the whole record (JSON; see encode_record)
        hit=STORED,
        record=STORED,
    )
