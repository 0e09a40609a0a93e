"""How a record becomes an index document, and a stored record becomes a record again.

Apart from the schema (indexer/schema.py) so that opening an index for search does not
import the record types (pydantic) at start-up.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timezone

from crawler.records import CrawlError, FetchInfo, Post, SitemapEntry, Teaser, content_hash, parse_record
from indexer.schema import LIST_SEP, TEXT_PARTS

Record = Post | Teaser | CrawlError | SitemapEntry


def record_key(record: Record) -> str:
    """The document's unique key: one post per URL, one teaser per listing slot."""
    if isinstance(record, Post):
        return record.url
    if isinstance(record, Teaser):
        return f"teaser {record.listing_url}#{record.position}"
    # every other kind: one record per URL and kind (a page can be both in the sitemap
    # and a redirect or a site page)
    return f"{record.type} {record.url}"


# Fetch facts that change on every fetch of an unchanged page (the referrer: whichever of
# the pages that link to it was fetched first); the rest (status, depth, found via,
# redirects, Last-Modified, ...) are read by the reports and must stay fresh.
VOLATILE_FETCH_FACTS = {"fetched_at", "response_time_ms", "referrer"}


def record_hash(record: Record) -> str:
    """What decides whether a stored document is rewritten: for a post, its content hash
    and its lasting fetch facts, so a post whose depth or status changed is rewritten
    even when its text did not."""
    if isinstance(record, Post):
        facts = record.fetch.model_dump_json(exclude=VOLATILE_FETCH_FACTS).encode()
        return (record.content_hash or content_hash(record)) + zlib.crc32(facts).to_bytes(4, "big").hex()
    # a listing or site page fetched again unchanged is not rewritten for its fetch time
    exclude = {"fetch": VOLATILE_FETCH_FACTS} if isinstance(getattr(record, "fetch", None), FetchInfo) else None
    return zlib.crc32(record.model_dump_json(exclude=exclude).encode()).to_bytes(4, "big").hex()


def encode_record(record: Record) -> bytes:
    """The record's JSON, uncompressed: Whoosh compresses each document's stored fields
    together, so the body stored beside it for snippets costs a back-reference, where a
    record compressed here first cost a second compression of its own and the body's
    bytes twice."""
    return record.model_dump_json().encode("utf-8")


def record_json(blob: bytes) -> bytes:
    """The JSON of a stored record: as written, or zlib-compressed (written before
    2026-11-30; a zlib stream never starts with "{")."""
    return blob if blob[:1] == b"{" else zlib.decompress(blob)


def decode_record(blob: bytes) -> Record:
    return parse_record(record_json(blob))


def _utc_naive(value: datetime) -> datetime:
    # Whoosh's DATETIME takes naive datetimes; UTC keeps ranges comparable.
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def to_document(record: Record) -> dict:
    """The index document of ``record`` (field name -> value)."""
    key = record_key(record)
    doc: dict = {
        "key": key,
        "kind": record.type,
        "hash": record_hash(record),
        "url": record.url,
        "record": encode_record(record),
    }
    if not isinstance(record, Post):
        return doc
    headings = "\n".join(h.text for h in record.headings)
    captions = "\n".join(
        t for img in record.images for t in (img.alt, img.caption) if t
    )
    sections = {
        "headings": headings,
        "category": ", ".join(record.categories),
        "tag": ", ".join(record.tags),
        "summary": record.summary or "",
        "captions": captions,
        "body": record.body,
    }
    doc.update(
        title=record.title or "",
        text="\n".join(
            value for name, times in TEXT_PARTS.items() if (value := sections[name])
            for _ in range(times)
        ),
        summary=sections["summary"],
        headings=headings,
        captions=captions,
        body=record.body,
        spell="\n".join(filter(None, (record.title, record.summary, headings, *record.categories,
                                      *record.tags))),
        category=sections["category"],
        tag=sections["tag"],
        category_key=",".join(record.categories),
        tag_key=",".join(record.tags),
        categories=LIST_SEP.join(record.categories).encode("utf-8"),
        hit=json.dumps(
            {
                "title": record.title,
                "published": record.published.isoformat() if record.published else None,
                "categories": record.categories,
                "tags": record.tags,
                "author": record.author,
                "language": record.language,
                "word_count": record.word_count,
            }
        ),
    )
    if record.language:
        doc["language"] = record.language
    if record.author:
        doc["author"] = record.author
    if record.published:
        doc["published"] = _utc_naive(record.published)
        # The year the clinic dated the post, in its own time zone.
        doc["year"] = record.published.year
    return doc
