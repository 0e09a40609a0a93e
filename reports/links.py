"""A polite link checker for the audit: HEAD first, GET where HEAD is refused, a few
requests per host at a time, a timeout, a cap on links, and a cache on disk with a TTL so
a second audit re-checks nothing that is still fresh.

The crawl already knows about the internal links it followed (its CrawlError and Redirect
records); ``reports.audit.links_to_check`` leaves only the rest for this module.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from reports.audit import LinkState

# Servers that refuse HEAD say so with these; the GET that follows reads no body.
HEAD_REFUSED = {403, 405, 501}


def _reason_for(exc: Exception) -> str:
    import httpx

    if isinstance(exc, httpx.TooManyRedirects):
        return "redirect_loop"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if any(s in text for s in ("name or service", "nodename", "getaddrinfo", "name resolution")):
            return "dns"
        return "connect_error"
    return type(exc).__name__.lower()


class LinkCache:
    """URL -> LinkState (with checked_at) in one JSON file; entries past the TTL are ignored."""

    def __init__(self, path: Path | None, ttl: timedelta):
        self.path, self.ttl = path, ttl
        self.entries: dict[str, dict] = {}
        if path and path.exists():
            try:
                self.entries = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                self.entries = {}  # a damaged cache is only a cold cache

    def get(self, url: str, now: datetime) -> LinkState | None:
        entry = self.entries.get(url)
        if not entry:
            return None
        checked = datetime.fromisoformat(entry["checked_at"])
        if now - checked > self.ttl:
            return None
        return LinkState.model_validate(entry["state"])

    def put(self, state: LinkState, now: datetime) -> None:
        self.entries[state.url] = {"checked_at": now.isoformat(), "state": state.model_dump()}

    def save(self) -> None:
        if not self.path:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # write then rename: an interrupted audit never leaves half a cache
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".linkcache-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.entries, fh, indent=0, sort_keys=True)
        os.replace(tmp, self.path)


async def _check_one(client, url: str, timeout: float) -> LinkState:
    import httpx

    try:
        response = await client.head(url, timeout=timeout)
        if response.status_code in HEAD_REFUSED:
            async with client.stream("GET", url, timeout=timeout) as response:
                pass
    except (httpx.HTTPError, OSError) as exc:
        return LinkState(url=url, ok=False, reason=_reason_for(exc))
    final = str(response.url)
    status = response.status_code
    redirected = final if response.history and final != url else None
    if status >= 400:
        return LinkState(url=url, ok=False, status=status, reason=f"http_{status}",
                         final_url=redirected)
    first = response.history[0].status_code if response.history else status
    return LinkState(url=url, ok=True, status=first, final_url=redirected)


async def _check_all(urls: list[str], *, timeout: float, per_host: int, concurrency: int,
                     user_agent: str) -> dict[str, LinkState]:
    import httpx

    hosts: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(per_host))
    overall = asyncio.Semaphore(concurrency)
    out: dict[str, LinkState] = {}

    async with httpx.AsyncClient(follow_redirects=True, max_redirects=10,
                                 headers={"User-Agent": user_agent}) as client:
        async def run(url: str) -> None:
            async with overall, hosts[urlsplit(url).netloc]:
                out[url] = await _check_one(client, url, timeout)

        await asyncio.gather(*(run(u) for u in urls))
    return out


def check_links(urls: Iterable[str], *, timeout: float | None = None, per_host: int | None = None,
                concurrency: int | None = None, max_links: int | None = None,
                cache_path: Path | None = None, ttl_hours: int | None = None,
                allow_hosts: Iterable[str] | None = None,
                user_agent: str | None = None) -> dict[str, LinkState]:
    """Check ``urls`` (deduplicated, http/https only, at most ``max_links``), reusing fresh
    cache entries. Every argument left None is read from settings (NEEDLE_AUDIT_LINK_*)."""
    import settings

    timeout = timeout if timeout is not None else settings.NEEDLE_AUDIT_LINK_TIMEOUT
    per_host = per_host or settings.NEEDLE_AUDIT_LINK_PER_HOST
    concurrency = concurrency or settings.NEEDLE_AUDIT_LINK_CONCURRENCY
    max_links = max_links if max_links is not None else settings.NEEDLE_AUDIT_MAX_LINKS
    ttl = timedelta(hours=ttl_hours if ttl_hours is not None else
                    settings.NEEDLE_AUDIT_LINK_CACHE_TTL_HOURS)
    allowed = set(allow_hosts if allow_hosts is not None else settings.NEEDLE_AUDIT_LINK_HOSTS)

    wanted = []
    for url in dict.fromkeys(urls):
        parts = urlsplit(url)
        # an allowed entry is a host name or a host:port
        if parts.scheme in ("http", "https") and (
                not allowed or parts.hostname in allowed or parts.netloc in allowed):
            wanted.append(url)
    wanted = wanted[:max_links]

    now = datetime.now(timezone.utc)
    cache = LinkCache(cache_path, ttl)
    results = {u: s for u in wanted if (s := cache.get(u, now)) is not None}
    todo = [u for u in wanted if u not in results]
    if todo:
        fresh = asyncio.run(_check_all(todo, timeout=timeout, per_host=per_host,
                                       concurrency=concurrency,
                                       user_agent=user_agent or settings.USER_AGENT))
        for state in fresh.values():
            cache.put(state, now)
        results.update(fresh)
        cache.save()
    return results
