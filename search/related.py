"""Posts most like a given one: its key terms (Bo1 weighting over the index) searched
for in the other posts' titles, headings and text."""

from __future__ import annotations

import json
import os
from datetime import datetime

from whoosh import query as wq

from indexer.documents import decode_record
from search.errors import PostNotFoundError
from search.models import RelatedPost
from search.handle import index_handle


def related(index_dir: str | os.PathLike, url: str, limit: int = 5, site: str | None = None) -> list[RelatedPost]:
    """Up to ``limit`` posts most like the post at ``url``, most similar first; with
    ``site``, of that site only (and ``url`` must be one of its posts).
    Raises ``PostNotFoundError`` when the index has no post at ``url``."""
    searcher = index_handle(index_dir).searcher
    docnum = searcher.document_number(key=url)
    if docnum is None or searcher.stored_fields(docnum).get("kind") != "post":
        raise PostNotFoundError(url)
    allowed = None
    if site:
        from search.query import site_filter

        allowed = site_filter(site)
        if docnum not in set(searcher.docs_for_query(allowed)):
            raise PostNotFoundError(url)
    post = decode_record(searcher.stored_fields(docnum)["record"])
    text = "\n".join(
        filter(None, [post.title, post.title, post.summary, *(h.text for h in post.headings), post.body])
    )
    terms = searcher.key_terms_from_text("text", text, numterms=12, normalize=True)
    if not terms:
        return []
    clauses = [
        wq.Term(field, word, boost=weight * boost)
        for word, weight in terms
        for field, boost in (("title", 2.0), ("headings", 1.5), ("text", 1.0))
    ]
    # Sharing a category or a tag is a strong sign of a shared topic.
    analyzer = searcher.schema["category"].analyzer
    for field, values in (("category", post.categories), ("tag", post.tags)):
        for value in values:
            words = [t.text for t in analyzer(value)]
            if words:
                clauses.append(wq.And([wq.Term(field, w) for w in words], boost=1.5))
    q = wq.Or(clauses)
    out = []
    for hit in searcher.search(q, limit=limit, mask={docnum}, filter=allowed):
        meta = json.loads(hit["hit"])
        out.append(
            RelatedPost(
                url=hit["url"],
                title=meta["title"],
                published=datetime.fromisoformat(meta["published"]) if meta["published"] else None,
                score=float(hit.score),
                categories=meta["categories"],
            )
        )
    return out
