"""Extraction of one fetched page as a single picklable call, in this process or a worker.

Scrapy runs in one process; extraction is most of a crawl's CPU time. On a machine with
two cores or more the spider hands each page to a pool of worker processes, so fetching
and extracting overlap and every core is used (NEEDLE_EXTRACT_WORKERS). The result is the same either way: the same pure
functions run on the same bytes.

A worker can die under a page (the OOM killer, a crash in lxml). The pool is then
broken for every page in it: it is replaced once, and each of those pages is extracted
again, alone in the new pool, so that a second death is that page's own doing. Such a
page is given up (WorkerDied), never extracted in the crawler's own process, which it
would kill. After NEEDLE_EXTRACT_MAX_RESTARTS replacements something is wrong beyond one
page, and extraction stops (WorkersFailed): the crawl ends early rather than run on.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from functools import partial
from typing import Any

from pydantic import ValidationError

from crawler.dates import EARLIEST_DATE
from crawler.extract import Listing, extract_listing, extract_post, page_kind, parse_page
from crawler.pages import extract_site_page
from crawler.records import FetchInfo, Post, SitePage, hashed_json

Extracted = tuple[str, "Post | Listing | SitePage"]

logger = logging.getLogger(__name__)


class WorkerDied(RuntimeError):
    """The extraction worker died with this page in it, and again with it alone."""


class WorkersFailed(RuntimeError):
    """Extraction workers died more often than the crawl allows: extraction has stopped."""


def extract_any(body: bytes, url: str, *, encoding: str | None, selectors: dict[str, str] | None,
                fetched_at: datetime, timezone: str, languages: list[str] | None,
                fetch: FetchInfo, x_robots_tag: list[str] = (),
                earliest_date: str = EARLIEST_DATE, hashed: bool = True) -> Extracted:
    """Parse once, decide what the page is, and extract it: ("post" | "listing" | "other", record).

    A record that fails validation raises ``InvalidRecord`` naming the fields at fault.
    ``hashed=False``: a post's ``content_hash`` is left for ``hashed_json`` to set."""
    try:
        return _extract_any(body, url, encoding=encoding, selectors=selectors, fetched_at=fetched_at,
                            timezone=timezone, languages=languages, fetch=fetch, x_robots_tag=x_robots_tag,
                            earliest_date=earliest_date, hashed=hashed)
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
        raise InvalidRecord(f"{exc.title} failed validation: {fields}") from None


class InvalidRecord(ValueError):
    """A record extraction built failed validation (a plain exception: it crosses from the
    worker process, where pydantic's own may not pickle)."""


_BY_JSON = {"Post": Post, "SitePage": SitePage}


def extract_packed(body: bytes, url: str, **options: Any) -> tuple[str, Any]:
    """``extract_any`` in a worker: a post or site page comes back as its JSON. A post's
    160-odd links, images and dates are nested models, which pickle field by field: its
    JSON costs a quarter of that to write and half to read back (bench/extract_profile.py
    --stages), and reads back as the same record."""
    kind, record = extract_any(body, url, hashed=False, **options)
    if isinstance(record, Post):  # hashed as its JSON is written: one serialisation
        return kind, ("Post", hashed_json(record))
    if type(record).__name__ in _BY_JSON:
        return kind, (type(record).__name__, record.model_dump_json())
    return kind, record


def unpack(result: tuple[str, Any]) -> Extracted:
    kind, record = result
    if isinstance(record, tuple):
        name, data = record
        return kind, _BY_JSON[name].model_validate_json(data)
    return kind, record


def _extract_any(body: bytes, url: str, *, encoding: str | None, selectors: dict[str, str] | None,
                 fetched_at: datetime, timezone: str, languages: list[str] | None,
                 fetch: FetchInfo, x_robots_tag: list[str], earliest_date: str, hashed: bool) -> Extracted:
    page = parse_page(body, url, encoding=encoding, selectors=selectors)
    kind = page_kind(page, url)
    if kind == "listing":
        return kind, extract_listing(page, url, fetched_at=fetched_at, timezone=timezone,
                                     languages=languages)
    if kind == "post":
        return kind, extract_post(page, url, fetched_at=fetched_at, timezone=timezone,
                                  languages=languages, fetch=fetch, encoding=encoding, x_robots_tag=x_robots_tag,
                                  earliest_date=earliest_date, hashed=hashed)
    return kind, extract_site_page(page, url, fetched_at=fetched_at, timezone=timezone,
                                   languages=languages, fetch=fetch, encoding=encoding, x_robots_tag=x_robots_tag,
                                   earliest_date=earliest_date)


# A page costs the crawl's own process about a third of what it costs a worker
# (bench/crawl.py: 5.7 against 16 ms of CPU), so one Scrapy process keeps up with three
MAX_AUTO_WORKERS = 3


def worker_count(setting: Any) -> int:
    """NEEDLE_EXTRACT_WORKERS: a number, or "auto": one worker per core, up to three, on a
    machine with two cores or more. One worker alone would leave the crawl process's core
    two-thirds idle; workers beside it share the cores with it."""
    if setting in (None, "", "auto"):
        cores = os.cpu_count() or 1
        return min(cores, MAX_AUTO_WORKERS) if cores >= 2 else 0
    return max(int(setting), 0)


PARENT_CHECK_S = 1.0


def _warm_up(crawler_pid: int | None = None) -> None:
    # import-time work (dateparser's data, trafilatura) happens once per worker, up front
    import crawler.extract  # noqa: F401

    if crawler_pid is not None:
        import threading

        threading.Thread(target=_exit_with, args=(crawler_pid,), daemon=True, name="parent-watch").start()


def _exit_with(crawler_pid: int) -> None:
    """End this worker when the crawl's process is gone. A pool's workers hold both ends
    of its task pipe, so a crawl killed with SIGKILL never closes it for them: without
    this they would wait for tasks forever (and keep the forkserver alive)."""
    import time

    while True:
        time.sleep(PARENT_CHECK_S)
        if not _running(crawler_pid):
            os._exit(0)


def _running(pid: int) -> bool:
    """``pid`` is a live process (a killed one stays a zombie until its parent reaps it)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True


class Extractor:
    """Runs extract_any inline (workers=0) or in a pool of worker processes.

    Pool mode: a page whose worker died is extracted once more, with the new pool to
    itself (first attempts wait while retries are pending). on_restart is called at
    each restart (the spider counts them in its stats).

    Results come back in the order the pages were handed over, as from one worker: a
    page's result waits for the pages before it, so which page links first to another
    (its referrer, its depth) never depends on which worker finished first. A page that
    fails waits for nothing (it leads nowhere).
    """

    def __init__(self, workers: int, *, max_restarts: int = 10,
                 on_restart: Callable[[], None] | None = None,
                 function: Callable[..., Extracted] = extract_any):
        self.workers = workers
        self.function = function  # picklable by name: extract_any, or a test's stand-in
        self.on_restart = on_restart
        self.max_restarts = max_restarts
        self.restarts = 0
        self.failed: str | None = None  # why extraction stopped, once it has
        self._generation = 0  # which pool: several pages see one death, it is replaced once
        self._pool: ProcessPoolExecutor | None = self._new_pool() if workers else None
        self._closed = False
        self._gate = asyncio.Condition()
        self._in_pool = 0  # first attempts submitted and not finished
        self._retries = 0  # retries waiting or running
        self._retry_lock = asyncio.Lock()
        self._issued = 0  # tickets: the order pages were handed over
        self._next = 0  # the ticket whose result is handed back next
        self._finished: set[int] = set()  # tickets handed back (or failed) out of turn
        self._turns: dict[int, asyncio.Future] = {}  # ticket -> its wait for its turn

    def _new_pool(self) -> ProcessPoolExecutor:
        # forkserver: never fork the crawler's process, whose reactor and threads
        # a forked child would inherit half-alive. The forkserver imports extraction
        # (trafilatura, dateparser's data: about 1.5 s of CPU) once, so every worker it
        # forks, a replacement for a dead one included, starts with it loaded.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["__main__", "crawler.work"])
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_warm_up, initargs=(os.getpid(),))

    async def run(self, body: bytes, url: str, **options: Any) -> Extracted:
        if not self.workers:
            return self.function(body, url, **options)
        ticket, self._issued = self._issued, self._issued + 1
        try:
            if self.function is extract_any:  # records cross from the worker as JSON
                result = unpack(await self._pooled(partial(extract_packed, body, url, **options)))
            else:
                result = await self._pooled(partial(self.function, body, url, **options))
        except BaseException:
            self._done(ticket)
            raise
        await self._turn(ticket)
        return result

    async def _turn(self, ticket: int) -> None:
        """Return when every page handed over before this one has been handed back. The
        caller runs on without awaiting until its next yield, so the next page's turn
        begins after it."""
        if ticket != self._next:
            waiting = self._turns[ticket] = asyncio.get_running_loop().create_future()
            try:
                await waiting
            except BaseException:  # cancelled (the crawl is closing): the pages after it go on
                self._turns.pop(ticket, None)
                self._done(ticket)
                raise
            self._turns.pop(ticket, None)
        self._done(ticket)

    def _done(self, ticket: int) -> None:
        self._finished.add(ticket)
        while self._next in self._finished:
            self._finished.discard(self._next)
            self._next += 1
        waiting = self._turns.get(self._next)
        if waiting is not None and not waiting.done():
            waiting.set_result(None)

    async def _pooled(self, call: Callable[[], Any]) -> Any:
        try:
            return await self._first_attempt(call)
        except BrokenProcessPool:
            pass
        try:
            return await self._retry(call)
        except BrokenProcessPool as exc:
            raise WorkerDied(
                "the extraction worker died on this page twice (killed or crashed), the second "
                "time with the page alone in a fresh worker; not extracted in the crawler's own process"
            ) from exc

    async def _first_attempt(self, call: Callable[[], Extracted]) -> Extracted:
        async with self._gate:
            await self._gate.wait_for(lambda: not self._retries)
            self._in_pool += 1
        try:
            return await self._submit(call)
        finally:
            async with self._gate:
                self._in_pool -= 1
                self._gate.notify_all()

    async def _retry(self, call: Callable[[], Extracted]) -> Extracted:
        async with self._gate:
            self._retries += 1
        try:
            async with self._retry_lock:  # one retry at a time, with no first attempt beside it
                async with self._gate:
                    await self._gate.wait_for(lambda: not self._in_pool)
                return await self._submit(call)
        finally:
            async with self._gate:
                self._retries -= 1
                self._gate.notify_all()

    async def _submit(self, call: Callable[[], Extracted]) -> Extracted:
        if self.failed:
            raise WorkersFailed(self.failed)
        if self._pool is None or self._closed:
            raise RuntimeError("the extractor is closed")
        pool, generation = self._pool, self._generation
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, call)
        except BrokenProcessPool:
            self._replace(generation)
            raise

    def _replace(self, generation: int) -> None:
        """The pool of this generation is broken: replace it, unless that is done already."""
        if generation != self._generation or self._pool is None or self._closed:
            return
        broken, self._pool = self._pool, None
        self._generation += 1
        broken.shutdown(wait=False, cancel_futures=True)
        if self.restarts >= self.max_restarts:
            self.failed = (f"extraction workers died {self.restarts + 1} times in this crawl "
                           f"(NEEDLE_EXTRACT_MAX_RESTARTS={self.max_restarts})")
            logger.error("%s: extraction stops", self.failed)
            return
        self.restarts += 1
        if self.on_restart is not None:
            self.on_restart()
        self._pool = self._new_pool()
        logger.warning("an extraction worker died (killed or crashed): new worker pool started "
                       "(restart %d of at most %d); its pages are extracted again",
                       self.restarts, self.max_restarts)

    def close(self) -> None:
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
