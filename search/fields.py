"""Which index fields a query may name, and what each kind of field is for in a search.

Shared by parsing (``search.parsing``), searching (``search.query``), the searcher handles
(``search.handle``) and the warm-up (``search.warmup``), which all need the same sets.
"""

from __future__ import annotations

from indexer.schema import TEXT_FIELDS

# Field names a query may use (aliases on the right map to the schema's names).
QUERY_FIELDS = tuple(
    dict.fromkeys((*TEXT_FIELDS, "text", "author", "language", "published", "year", "url"))
)
FIELD_ALIASES = {
    "text": ["body"],  # the body's words are indexed in the combined text
    "category": ["categories", "cat"],
    "tag": ["tags"],
    "published": ["date"],
    "language": ["lang"],
    "headings": ["heading"],
    "captions": ["caption", "alt"],
}
# Fields whose query words are marked in snippets.
HIGHLIGHT_FIELDS = frozenset(TEXT_FIELDS) | {"text", "author"}
# Fields ranked by BM25F (the others are filters or keys).
SCORED_FIELDS = frozenset(TEXT_FIELDS) | {"text", "author"}
# Fields only posts have: a query made of these alone cannot match other records.
POST_FIELDS = frozenset(QUERY_FIELDS) - {"url"} | {"category_key", "tag_key", "spell"}
# Fields that say which posts, not what about: "shockwave year:2023" means shockwave
# posts of 2023, not shockwave posts or posts of 2023.
FILTER_FIELDS = ("year", "published", "language")
