"""What the index remembers about each site between crawls, to decide what it may delete.

One stored-only document per site (kind ``state``), committed in the same atomic commit
as the deletions it justifies: the posts marked missing (and for how many complete
crawls), and how many posts the last complete crawl saw (the circuit breaker's baseline).
"""

from __future__ import annotations

import zlib
from datetime import datetime
from urllib.parse import urlsplit

from pydantic import AwareDatetime, BaseModel, Field

STATE_KIND = "state"


class Missing(BaseModel):
    """A post absent from the site's latest complete crawls, not (yet) proven gone."""

    since: AwareDatetime  # the first complete crawl that did not find it
    crawls: int = 1  # consecutive complete crawls that did not find it


class SiteState(BaseModel):
    site: str  # scheme://host[:port]
    last_complete_crawl: AwareDatetime | None = None
    last_complete_posts: int = 0  # posts seen by that crawl: the breaker's baseline
    missing: dict[str, Missing] = Field(default_factory=dict)  # post URL -> since when
    last_breaker: str | None = None  # why the latest crawl changed nothing destructive


def state_key(site: str) -> str:
    return f"{STATE_KIND} {site}"


def to_state_document(state: SiteState) -> dict:
    blob = state.model_dump_json().encode("utf-8")
    return {
        "key": state_key(state.site),
        "kind": STATE_KIND,
        "hash": zlib.crc32(blob).to_bytes(4, "big").hex(),
        "url": state.site,
        "record": zlib.compress(blob, 6),
    }


def decode_state(blob: bytes) -> SiteState:
    return SiteState.model_validate_json(zlib.decompress(blob))


def site_of(url: str) -> str:
    """scheme://host[:port] of ``url``: the unit a crawl is complete or partial for."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an error record may carry text that is no URL at all
        return url.split("/", 3)[2].lower() if url.count("/") >= 2 else ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def site_of_key(key: str, kind: str) -> str:
    """The site of a stored document, from its key (see ``indexer.documents.record_key``)."""
    if kind != "post" and key.startswith(kind + " "):
        key = key[len(kind) + 1:]
    return site_of(key)


def now() -> datetime:
    from datetime import timezone

    return datetime.now(timezone.utc)
