"""Reading records back: the store the audit, the SEO report and the web service share.

Every document keeps its whole record, so nothing here re-parses HTML.
"""

from __future__ import annotations

import os
from collections import Counter

from crawler.records import Post
from indexer.documents import Record, decode_record
from indexer.state import site_of_key
from indexer.writer import _stored_state, open_index

_KIND_ORDER = {"post": 0, "teaser": 1, "error": 2, "sitemap": 3, "redirect": 4, "page": 5, "listing": 6}


def load_records(index_dir: str | os.PathLike, kinds: set[str] | None = None) -> list[Record]:
    """Every record of the index (posts, teasers, crawl errors, sitemap entries,
    redirects, site pages, listing pages), posts first, each kind in key order; the sites'
    state documents are not records. ``kinds`` narrows to some of those kinds."""
    ix = open_index(index_dir)
    rows = []
    with ix.searcher() as searcher:
        for stored in searcher.all_stored_fields():
            if stored["kind"] in (kinds or _KIND_ORDER):
                rows.append((_KIND_ORDER.get(stored["kind"], 9), stored["key"], stored["record"]))
    rows.sort(key=lambda row: row[:2])
    return [decode_record(blob) for _, _, blob in rows]


def load_posts(index_dir: str | os.PathLike) -> list[Post]:
    """Every post of the index, in URL order."""
    return load_records(index_dir, kinds={"post"})  # type: ignore[return-value]


def get_post(index_dir: str | os.PathLike, url: str) -> Post | None:
    """The post stored for ``url``, or None."""
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        stored = searcher.document(key=url)
    if stored is None or stored["kind"] != "post":
        return None
    return decode_record(stored["record"])  # type: ignore[return-value]


def sites_overview(index_dir: str | os.PathLike) -> dict[str, dict]:
    """Per site (scheme://host) of the index: its posts, site pages and crawl errors, its
    last complete crawl and the posts marked missing (from its state document)."""
    ix = open_index(index_dir)
    _, kinds, states = _stored_state(ix)
    counts = Counter((site_of_key(key, kind), kind) for key, kind in kinds.items())
    sites = sorted({site for site, _ in counts} | set(states))
    out = {}
    for site in sites:
        state = states.get(site)
        out[site] = {"posts": counts[site, "post"], "pages": counts[site, "page"], "errors": counts[site, "error"],
                     "last_complete_crawl": state.last_complete_crawl.isoformat()
                     if state and state.last_complete_crawl else None,
                     "missing": len(state.missing) if state else 0}
    return out
