"""Warm the commonest words of a new index generation in the background.

The first query to use a word after a commit pays for decoding the word's postings
(~0.5 µs a posting with its impact, bitset and impact order: ~25 ms for a word in most of
50,000 posts). A ``Warmer`` thread computes, for the current generation, the impacts, match
bitsets and impact orders (``search.cache``) of the ``terms`` words in most posts of each
ranked field, plus
the columns and facet sets, so that the queries people type find them ready:

    warmer = warmup.start(".needle/index", terms=100)   # needle serve does this
    ...
    warmer.stop()

It never blocks a query: a query needing a word the warmer is decoding waits only for that
word (which it needed anyway), and while any search runs the warmer sleeps between posting
blocks, so it takes the GIL only when no search needs it. It checks for a newer
generation before each word and, when one appears (a crawl committed), drops the old one
and starts on the new; it also looks for new commits every ``poll`` seconds when idle and
when any thread of the process first opens a generation.
"""

from __future__ import annotations

import heapq
import logging
import os
import threading
import time
from collections.abc import Callable

from search import cache, once
from search.fields import SCORED_FIELDS

log = logging.getLogger(__name__)

# Words warmed per field. At 50,000 generated posts the 100 commonest words of the text
# field take ~2-4 s on an idle core (~25 ms each, 12 bytes a posting: ~40 MB of impacts,
# within ranking.CACHE_POSTINGS); title words are in far fewer posts.
WARM_TERMS = 100
WARM_FIELDS = ("text", "title")
POLL_SECONDS = 2.0
PAUSE_SECONDS = 0.002  # sleep between posting blocks while a search runs


class Warmer:
    """A daemon thread warming the latest generation of the index at ``path``."""

    def __init__(self, path: str | os.PathLike, *, terms: int = WARM_TERMS,
                 fields: tuple[str, ...] = WARM_FIELDS, poll: float = POLL_SECONDS,
                 on_term: Callable[[int, str, str], None] | None = None):
        self.path = os.path.abspath(path)
        self.terms = terms
        self.fields = fields
        self.poll = poll
        # called before each word is warmed, with (generation, field, word): tests use it
        self.on_term = on_term
        # generations whose warm-up began, and those fully warmed (the last KEEP of each),
        # and how many of each there were: a warm-up that settles stops counting
        self.started: list[int] = []
        self.finished: list[int] = []
        self.runs = 0
        self.runs_finished = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ix = None

    # --- control ------------------------------------------------------------------------

    def start(self) -> Warmer:
        if self._thread is None:
            cache.on_new_generation.append(self._on_generation)
            self._thread = threading.Thread(target=self._run, name="needle-warmup", daemon=True)
            self._thread.start()
        return self

    def notify(self) -> None:
        """Look for a new generation now."""
        self._wake.set()

    def stop(self, timeout: float | None = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._on_generation in cache.on_new_generation:
            cache.on_new_generation.remove(self._on_generation)
        if self._thread is not None:
            self._thread.join(timeout)

    def wait(self, generation: int | None = None, timeout: float | None = None) -> bool:
        """Wait until ``generation`` (or the latest seen) is warm; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stop.is_set():
            done = self.finished and (generation is None or generation in self.finished)
            if done and (generation is not None or self.finished[-1] == self._latest()):
                return True
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return False

    def _on_generation(self, shared: cache.Generation) -> None:
        if shared.path == self.path:
            self._wake.set()

    # --- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                again = self._warm_latest()
            except Exception:  # no index yet, or one removed under us: try again later
                log.debug("warm-up of %s failed", self.path, exc_info=True)
                self._ix = None
                again = False
            if not again:
                self._wake.wait(self.poll)

    def _index(self):
        if self._ix is None:
            from whoosh.filedb.filestore import FileStorage

            from indexer.opening import INDEX_NAME

            # Plain reads, not mmap: the words are read once, and the search threads'
            # searchers already map the files (a second mapping would count again in RSS).
            storage = FileStorage(self.path, supports_mmap=False, readonly=True)
            self._ix = storage.open_index(INDEX_NAME)
        return self._ix

    def _latest(self) -> int | None:
        try:
            return self._index().latest_generation()
        except Exception:
            return None

    def _warm_latest(self) -> bool:
        """Warm the latest generation unless done; True if a newer one interrupted it."""
        ix = self._index()
        latest = ix.latest_generation()
        done = cache.current(self.path)
        if (done is not None and done.number == latest and done.warm.is_set()
                and done.token == cache.toc_token(self.path, latest)):
            return False
        searcher = ix.searcher()
        try:
            number = searcher.reader().generation()
            shared = cache.generation(self.path, number, cache.toc_token(self.path, number))
            if shared.warm.is_set():
                return False
            if shared is not cache.current(self.path):
                # not the generation on disk (a commit meanwhile, or the index was deleted):
                # caches nobody would use; look again at the next commit or poll
                return False
            _keep(self.started, number)
            self.runs += 1
            # what every query needs first (a query arriving meanwhile waits for the part
            # being built, which it would have built itself), then the words
            _pause()
            docsets = shared.docsets(searcher, SCORED_FIELDS)
            _pause()
            docsets.facets(0, shared.column(searcher, "year"), shared.column(searcher, "categories"))
            _pause()
            impacts = shared.impacts(searcher)
            reader = searcher.reader()
            for fieldname in self.fields:
                if fieldname not in searcher.schema:
                    continue
                for text in _commonest(reader, fieldname, self.terms):
                    if self._stop.is_set():
                        return False
                    if ix.latest_generation() != number:
                        return True  # a newer commit: warm that one instead
                    if self.on_term is not None:
                        self.on_term(number, fieldname, text)
                    impacts.impacts(searcher, fieldname, text, pause=_pause)
                    docsets.of(_term(fieldname, text), searcher)
                    _pause()
                    impacts.order(searcher, fieldname, text)  # search.pruning reads it
            shared.warm.set()
            _keep(self.finished, number)
            self.runs_finished += 1
            return False
        finally:
            searcher.close()


KEEP = 100


def _keep(numbers: list[int], number: int) -> None:
    numbers.append(number)
    if len(numbers) > 2 * KEEP:
        del numbers[:-KEEP]


def _pause() -> None:
    """Give running searches the GIL: wherever the warm-up can stop, it sleeps until no
    search runs (a search waiting for a word the warm-up is decoding does not count, so
    that word goes on). Under constant load it stalls, and the searches build what they
    need themselves, as without warm-up."""
    while once.queries_running():
        time.sleep(PAUSE_SECONDS)


def _term(fieldname: str, text: str):
    from whoosh import query as wq

    return wq.Term(fieldname, text)


def _commonest(reader, fieldname: str, n: int) -> list[str]:
    """The ``n`` words of ``fieldname`` in most posts, most first."""
    if n <= 0:
        return []
    def frequencies():
        for i, (text, info) in enumerate(reader.iter_field(fieldname)):
            if not i % 512:
                _pause()
            yield info.doc_frequency(), text

    best = heapq.nlargest(n, frequencies())
    return [t.decode("utf-8") if isinstance(t, bytes) else t for _, t in best]


_warmers: dict[str, Warmer] = {}
_warmers_lock = threading.Lock()


def start(path: str | os.PathLike, *, terms: int = WARM_TERMS, **options) -> Warmer | None:
    """The running warmer of ``path`` (started now if there is none); None if ``terms`` is 0."""
    if terms <= 0:
        return None
    key = os.path.abspath(path)
    with _warmers_lock:
        warmer = _warmers.get(key)
        if warmer is None:
            warmer = _warmers[key] = Warmer(key, terms=terms, **options).start()
        return warmer


def stop_all() -> None:
    with _warmers_lock:
        warmers = list(_warmers.values())
        _warmers.clear()
    for warmer in warmers:
        warmer.stop()
