"""One pace per clinic across every Redis worker.

Scrapy keeps a download slot per host in each process, and a slot's delay spaces that
process's requests only: two `needle crawl --redis` workers would ask a clinic for pages
twice as often as its setting. In Redis mode the HTTP(S) download handler therefore takes
a turn for the host in Redis before each request goes out::

    SET needle:pace:<host> <worker> NX PX <delay in ms>

One request per host wins the key in every <delay>, on whichever worker; the others sleep
for the key's remaining life (PTTL) and try again.

Why the download handler and not a downloader middleware: a middleware's
``process_request`` runs before the request enters the local slot, whose own delay and
concurrency can hold it back afterwards, so the turn and the request's start would drift
apart (two turns a delay apart, two requests sent together). The handler is the last step
before the request leaves: the turn is taken just before the bytes are sent.

A host's delay is the larger of its slot's current delay (DOWNLOAD_DELAY, or AutoThrottle's
value for the host, never below DOWNLOAD_DELAY) and the sites file's ``delay`` for it
(DOWNLOAD_SLOTS), which AutoThrottle would otherwise bring down towards DOWNLOAD_DELAY after a
few fast answers. It is a floor between two request starts to the host, all workers
together; Scrapy's local jitter (0.5 to 1.5 times the delay) still spreads them above it.
The number of requests in flight to a host stays per worker (CONCURRENT_REQUESTS_PER_DOMAIN,
the site's ``concurrency``).

No lock is held and nothing waits on another worker: the key expires by itself, so a
killed worker holds a host back for one delay at most. A turn only delays a request, which
is then sent once. With NEEDLE_POLITE off, or a delay of 0, there is no key and no wait.

``PolitenessAddon`` makes NEEDLE_POLITE given with ``-s`` switch what it switches when set
in the environment (robots.txt, AutoThrottle, concurrency, delay).
"""

from __future__ import annotations

import asyncio
import os
import socket

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.sites import slot_delays

PACE_PREFIX = "needle:pace:"  # + host: shared by every Needle crawl on this Redis, as the host is


class SharedPace:
    """Turns per host, taken in the Redis of the crawl's frontier."""

    def __init__(self, crawler):
        import redis.asyncio

        self.crawler = crawler
        # asyncio's client: a worker's loop goes on with other pages while Redis answers
        # (a synchronous call waits for redis-server to be scheduled, tens of ms on a busy machine)
        self.server = redis.asyncio.Redis.from_url(crawler.settings["REDIS_URL"], socket_timeout=30,
                                                   socket_connect_timeout=30)
        self.worker = f"{socket.gethostname()}-{os.getpid()}"
        self.site_delays = slot_delays(crawler.settings)

    def delay(self, request) -> tuple[str, float]:
        """The request's host (its download slot) and that host's delay now, in seconds."""
        downloader = self.crawler.engine.downloader
        host = downloader.get_slot_key(request)
        slot = downloader.slots.get(host)
        current = slot.delay if slot is not None else self.crawler.settings.getfloat("DOWNLOAD_DELAY")
        return host, max(current, self.site_delays.get(host, 0.0))

    async def turn(self, request) -> None:
        host, delay = self.delay(request)
        if delay <= 0:
            return
        key, px = PACE_PREFIX + host, max(1, round(delay * 1000))
        stats = self.crawler.stats
        waited = 0.0
        while not await self.server.set(key, self.worker, nx=True, px=px):
            left = await self.server.pttl(key)
            if left == -1:  # a key without expiry (not one of ours) would stop the host for good
                await self.server.pexpire(key, px)
                left = px
            pause = max(left, 1) / 1000 if left > 0 else 0.001
            waited += pause
            await asyncio.sleep(pause)
        if waited:
            stats.inc_value("needle/pace/waits")
            stats.inc_value("needle/pace/wait_s", round(waited, 3))

    async def close(self) -> None:
        await self.server.aclose()


class PolitenessAddon:
    """Applies NEEDLE_POLITENESS's row for a NEEDLE_POLITE set above the project's settings
    (``-s NEEDLE_POLITE=0``). settings.py derives robots.txt obedience, AutoThrottle,
    concurrency and the delay from the environment's value when it is imported, before any
    ``-s`` is read; without this a crawl would run half polite. A setting given at the same
    priority or higher (``-s DOWNLOAD_DELAY=1`` beside it) keeps its value."""

    def update_settings(self, settings) -> None:
        priority = settings.getpriority("NEEDLE_POLITE")
        if priority is None or priority <= SETTINGS_PRIORITIES["project"]:
            return
        row = (settings.get("NEEDLE_POLITENESS") or {}).get(settings.getbool("NEEDLE_POLITE"), {})
        for name, value in row.items():
            if (settings.getpriority(name) or 0) < priority:
                settings.set(name, value, priority=priority)


class PacedHTTPDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, each request sent on its host's shared turn (Redis mode)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        polite = crawler.settings.getbool("NEEDLE_POLITE", True)
        self.pace = SharedPace(crawler) if polite and crawler.settings.get("REDIS_URL") else None

    async def download_request(self, request):
        if self.pace is not None:
            await self.pace.turn(request)
        return await super().download_request(request)

    async def close(self) -> None:
        if self.pace is not None:
            await self.pace.close()
        await super().close()
