"""A crawl frontier shared through Redis: scrapy-redis's scheduler and dupefilter, and the
little they lack for Needle.

``needle crawl URL --redis redis://HOST:PORT/DB`` may run in several processes, on one
machine or many: they share one queue of requests and one set of fingerprints
(scrapy-redis), so no URL is fetched twice, and each record goes to one Redis list that a
single index writer drains (``needle index --from-redis``). The frontier's keys are named
after the start URLs, so the same command run twice joins the same crawl.

scrapy-redis takes a request off the queue for good when a worker asks for it; a worker
killed before it handled the page would lose it. So this adapter keeps each request a
worker took under that worker's name until the page's callback (or errback) has finished
and its records and links are in Redis, and every worker keeps a heartbeat key alive. A
worker that finds another's heartbeat gone puts its requests back on the queue. The last
worker out clears the frontier, so the next crawl starts afresh.

The queue hands out requests by priority (depth), and within one priority host by host in
turn (``HostTurnQueue``): scrapy-redis orders equal priorities by the bytes of the encoded
request, which begin with the URL, so a crawl of many clinics worked through them one
after another and each worker's download slots filled with one clinic's polite waits.

"Finished" is the end of Scrapy's Scraper._scrape for the page (the one place that covers
callbacks and errbacks both, after the items went through the pipelines): that private
method is wrapped when the engine starts. Should a Scrapy release rename it, the frontier
says so in the log and marks a page done when its response arrives instead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

logger = logging.getLogger(__name__)

FP_META = "needle_frontier_fp"
HEARTBEAT_S = 5.0  # a worker is dead when its heartbeat key has not been renewed for 3 beats
FRONTIERS_KEY = "needle:frontiers"  # every frontier prefix: where `needle index --from-redis` looks
PACED_HANDLER = "crawler.polite.PacedHTTPDownloadHandler"

# The k-th request queued for a host at a priority gets the score -priority + 1 - 1/k: the
# hosts' first requests come first, then their second ones, and the fraction never reaches
# the next priority. One round trip, atomic across workers.
_PUSH_IN_TURN = """
local k = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('ZADD', KEYS[1], string.format('%.17g', tonumber(ARGV[2]) + 1 - 1 / k), ARGV[3])
return k
"""
# The same, for a request not seen before: its fingerprint joins the dupefilter's set in
# the same step (ARGV[4], '' for a request that is never filtered). Apart, a worker killed
# between the two left a URL seen and never queued, and lost it: the page that found it is
# handled again after the recovery, but its link is then filtered as seen.
_PUSH_UNSEEN = """
if ARGV[4] ~= '' and redis.call('SADD', KEYS[3], ARGV[4]) == 0 then
  return 0
end""" + _PUSH_IN_TURN
# The first request off the queue, kept under the worker's name in the same step (as the
# SHA-1 of its encoded form): apart, a worker killed between the two lost the request.
_TAKE = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0)
if #top == 0 then
  return false
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], redis.sha1hex(top[1]), top[1])
return top[1]
"""


def frontier_prefix(start_urls: list[str]) -> str:
    """The Redis key prefix of the crawl of these start URLs (the same command, the same crawl)."""
    digest = hashlib.sha1("\n".join(sorted(start_urls)).encode()).hexdigest()[:12]
    return f"needle:{digest}"


def redis_settings(url: str, start_urls: list[str]) -> dict[str, Any]:
    """The Scrapy settings of a crawl whose frontier is in the Redis at ``url``."""
    prefix = frontier_prefix(start_urls)
    return {
        "REDIS_URL": url,
        "SCHEDULER": "crawler.frontier.SharedFrontier",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,  # the frontier outlives a worker; the last one out clears it
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "SCHEDULER_QUEUE_CLASS": "crawler.frontier.HostTurnQueue",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        "NEEDLE_FRONTIER": prefix,
        "NEEDLE_INDEX_ON_CRAWL": False,  # one writer drains the records: no worker holds the lock
        # each host's delay holds across all workers, not per worker (crawler/polite.py)
        "DOWNLOAD_HANDLERS": {"http": PACED_HANDLER, "https": PACED_HANDLER},
    }


class HostTurnQueue(PriorityQueue):
    """scrapy-redis's priority queue, with the hosts of one priority taking turns."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.turns_key = f"{self.key}:turns"
        self._push_in_turn = self.server.register_script(_PUSH_IN_TURN)
        self._push_unseen = self.server.register_script(_PUSH_UNSEEN)
        self._take = self.server.register_script(_TAKE)

    def push(self, request):
        host = (urlsplit(request.url).hostname or "").encode()
        self._push_in_turn(keys=[self.key, self.turns_key],
                           args=[host, -request.priority, self._encode_request(request)])

    def push_unseen(self, request, seen_key: str, fingerprint: str) -> bool:
        """Queue ``request`` unless ``fingerprint`` is in the set at ``seen_key`` (then
        False), and add it there, in one step; an empty fingerprint is never filtered."""
        host = (urlsplit(request.url).hostname or "").encode()
        return bool(self._push_unseen(keys=[self.key, self.turns_key, seen_key],
                                      args=[host, -request.priority, self._encode_request(request), fingerprint]))

    def take(self, inflight_key: str) -> tuple[str, Any] | None:
        """Pop the first request and keep it in the hash at ``inflight_key`` under the
        SHA-1 of its encoded form, in one step: (that SHA-1, the request), or None."""
        data = self._take(keys=[self.key, inflight_key])
        if not data:
            return None
        return hashlib.sha1(data).hexdigest(), self._decode_request(data)

    def clear(self):
        self.server.delete(self.key, self.turns_key)


class SharedFrontier(Scheduler):
    """scrapy-redis's scheduler, with each taken request kept until its page is handled."""

    @classmethod
    def from_crawler(cls, crawler):
        instance = super().from_crawler(crawler)
        instance.crawler = crawler
        instance.prefix = crawler.settings.get("NEEDLE_FRONTIER")
        instance.worker = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        instance.heartbeat_s = crawler.settings.getfloat("NEEDLE_REDIS_HEARTBEAT", HEARTBEAT_S)
        instance._beat = None
        crawler.signals.connect(instance._engine_started, signal=signals.engine_started)
        crawler.signals.connect(instance._response_received, signal=signals.response_received)
        return instance

    # -- keys --------------------------------------------------------------------------

    def _inflight(self, worker: str | None = None) -> str:
        return f"{self.prefix}:inflight:{worker or self.worker}"

    def _alive(self, worker: str | None = None) -> str:
        return f"{self.prefix}:alive:{worker or self.worker}"

    # -- life --------------------------------------------------------------------------

    def open(self, spider):
        super().open(spider)
        self.server.sadd(FRONTIERS_KEY, self.prefix)
        self._heartbeat()
        self._beat = task.LoopingCall(self._heartbeat)
        self._beat.start(self.heartbeat_s, now=False)
        self._wrapped = False

    def close(self, reason):
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        # a clean exit handled every page it took
        self.server.delete(self._inflight(), self._alive())
        if not self._others_alive() and not len(self.queue):
            # the last worker out: the next crawl of these sites starts afresh
            self.queue.clear()
            self.server.delete(self.df.key)
        super().close(reason)

    def _heartbeat(self) -> None:
        self.server.set(self._alive(), self.worker, px=int(self.heartbeat_s * 3000))
        self._recover()

    def _workers(self) -> set[str]:
        """Workers with requests in flight (alive or not)."""
        start = len(f"{self.prefix}:inflight:")
        return {key.decode()[start:] for key in self.server.scan_iter(f"{self.prefix}:inflight:*")}

    def _others_alive(self) -> bool:
        start = len(f"{self.prefix}:alive:")
        return any(key.decode()[start:] != self.worker for key in self.server.scan_iter(f"{self.prefix}:alive:*"))

    def _recover(self) -> None:
        """Put back on the queue the requests of workers whose heartbeat stopped."""
        for worker in self._workers() - {self.worker}:
            if self.server.exists(self._alive(worker)):
                continue
            taken = self.server.hgetall(self._inflight(worker))
            for encoded in taken.values():
                # queued again with its own priority, past the dupefilter, which holds its fingerprint
                self.queue.push(self.queue._decode_request(encoded))
            self.server.delete(self._inflight(worker))
            if taken:
                logger.warning("worker %s stopped answering: %d of its requests went back to the queue",
                               worker, len(taken))
                if self.stats:
                    self.stats.inc_value("needle/frontier/recovered", len(taken))

    # -- requests ----------------------------------------------------------------------

    def enqueue_request(self, request):
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        queued = self.queue.push_unseen(request, self.df.key, fingerprint)
        parent = request.meta.get(FP_META)
        if parent:
            # a redirect or a retry of a request this worker took: that one is handled
            # now, its successor queued (or already seen)
            self.server.hdel(self._inflight(), parent)
        if not queued:
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis", spider=self.spider)
        return True

    def next_request(self):
        taken = self.queue.take(self._inflight())
        if taken is None:
            return None
        fp, request = taken
        request.meta[FP_META] = fp  # what done() removes from the worker's requests in flight
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis", spider=self.spider)
        return request

    def has_pending_requests(self) -> bool:
        # another worker's pages may still add links, and a dead one's come back
        return len(self) > 0 or bool(self._workers() - {self.worker})

    def done(self, request) -> None:
        fp = request.meta.get(FP_META)
        if fp:
            self.server.hdel(self._inflight(), fp)

    def _engine_started(self) -> None:
        scraper = getattr(self.crawler.engine, "scraper", None)
        original = getattr(scraper, "_scrape", None)
        if original is None:
            logger.warning("this Scrapy has no Scraper._scrape: pages are marked done when their "
                           "response arrives, so a worker killed while handling one loses it")
            return

        async def scrape_then_done(result, request):
            await original(result, request)
            self.done(request)  # its links are queued and its records pushed

        scraper._scrape = scrape_then_done
        self._wrapped = True

    def _response_received(self, response, request, spider) -> None:
        if not self._wrapped:
            self.done(request)


def drain(url: str, *, grace_s: float = 10.0, poll_s: float = 0.5, batch: int = 500):
    """The records of every Needle frontier in the Redis at ``url``, popped in batches of
    JSON texts, until every list is empty and no worker has been alive for ``grace_s``
    (so a writer started before its workers waits for them)."""
    import redis

    server = redis.Redis.from_url(url)
    quiet_since = time.monotonic()
    while True:
        prefixes = [p.decode() for p in server.smembers(FRONTIERS_KEY)]
        got = False
        for prefix in prefixes:
            texts = server.lpop(f"{prefix}:items", batch)
            if texts:
                got = True
                yield [t.decode() for t in texts]
        if got:
            quiet_since = time.monotonic()
            continue
        if any(True for prefix in prefixes for _ in server.scan_iter(f"{prefix}:alive:*", count=100)):
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= grace_s:
            return
        time.sleep(poll_s)
