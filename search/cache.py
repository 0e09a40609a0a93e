"""Caches shared by every thread of a process, one set per (index folder, generation).

A word's impacts, a query leaf's bitset, the year and category columns: all depend only
on the index generation, and building them is the slow part of the first query after a
commit (Whoosh decompresses and unpickles the word's postings). Whoosh searchers stay per
thread (``search.handle``), but what they compute is kept here, once per process:

- ``OnceLRU`` (``search.once``): key -> value, built by the first thread that asks;
  threads asking for the same key meanwhile wait for that build instead of repeating it;
  least recently used entries are evicted past a total size;
- ``Generation``: the caches of one index generation;
- ``generation(path, number, token)``: the current generation's caches of an index
  (the generation on disk replaces the previous one, also when the index was deleted and
  built again; a thread still on an older one gets its own, unshared, until it refreshes);
- ``busy()`` / ``idle()`` / ``queries_running()`` (``search.once``): how many searches are
  running, so the background warm-up (``search.warmup``) gives way to them.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Hashable

from search.docsets import DocSets
from search.once import OnceLRU
from search.ranking import Impacts

# --- per generation ------------------------------------------------------------------------


class Generation:
    """The shared caches of one index generation: term impacts (``search.ranking``),
    match bitsets (``search.docsets``) and columns. Their methods take the calling
    thread's searcher, which is only read from.

    A generation is its number and ``token``, the identity of its table of contents on
    disk (``toc_token``): an index deleted and built again starts its numbers anew, and may
    reach the number the old one had."""

    def __init__(self, path: str, number: int, token: Hashable = None):
        self.path = path
        self.number = number
        self.token = token
        self._lock = threading.RLock()
        self._impacts = None
        self._docsets = None
        self._columns = OnceLRU()
        self.warm = threading.Event()  # set when the warm-up of this generation finished

    def impacts(self, searcher):
        with self._lock:
            if self._impacts is None:
                self._impacts = Impacts(searcher)
            return self._impacts

    def docsets(self, searcher, scored: frozenset[str] = frozenset()):
        with self._lock:
            if self._docsets is None:
                self._docsets = DocSets(searcher, self.impacts(searcher), scored)
            return self._docsets

    def column(self, searcher, name: str, translate: bool = True) -> list:
        """A column as a list indexed by document number; ``translate=False``: the stored
        values (a date column's numbers, which an undated post's maximum cannot be turned
        into a date)."""

        def read() -> list:
            reader = searcher.reader()
            if not reader.has_column(name):
                return []
            return list(reader.column_reader(name, translate=translate))

        return self._columns.get(name if translate else (name, "raw"), read)

    def by_date(self, searcher, newest: bool) -> list[tuple[int, int]]:
        """Every post as (sort key, post number), in the order Whoosh's sorted search
        gives them (search.query: newest first with undated posts last, or oldest
        first): its (key, post number) pairs sorted, reversed for newest. Sorting every
        post again for each listing cost 7-9 ms at 2,000 posts."""

        def build() -> list[tuple[int, int]]:
            raw = self.column(searcher, "published", translate=False)
            if newest:
                items = [(-1 if v == UNDATED else v, d) for d, v in enumerate(raw)]
            else:
                items = [(v, d) for d, v in enumerate(raw)]
            items.sort(reverse=newest)
            return items

        return self._columns.get(("by date", newest), build)


_generations: dict[str, Generation] = {}
_generations_lock = threading.Lock()
# Called with each Generation the first time a process uses it (search.warmup's hook).
on_new_generation: list[Callable[[Generation], None]] = []

# A post without a date holds the published column's largest value.
UNDATED = 2**64 - 1

_TOC = re.compile(r"^_MAIN_(\d+)\.toc$")  # indexer.opening.INDEX_NAME's tables of contents


def toc_token(path: str, number: int) -> Hashable:
    """The identity of generation ``number``'s table of contents at ``path`` (None when it
    is gone): Whoosh writes each one anew, so a rebuilt index's has another."""
    try:
        st = os.stat(os.path.join(path, f"_MAIN_{number}.toc"))
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def latest_on_disk(path: str) -> int:
    """The newest generation number at ``path`` (-1: none)."""
    try:
        names = os.listdir(path)
    except OSError:
        return -1
    return max((int(m.group(1)) for m in map(_TOC.match, names) if m), default=-1)


def _is_live(path: str, number: int, token: Hashable) -> bool:
    return token is not None and latest_on_disk(path) == number and toc_token(path, number) == token


def generation(path: str, number: int, token: Hashable = None) -> Generation:
    """The shared caches of generation ``number`` (``token``: its ``toc_token``) of the
    index at ``path``. The first caller of the generation now on disk replaces the
    previous one; a caller whose searcher is older (it refreshes at its next search) or of
    a deleted index gets caches of its own, unshared."""
    with _generations_lock:
        current = _generations.get(path)
        if current is not None and current.number == number and current.token == token:
            return current
        if current is not None and not _is_live(path, number, token):
            return Generation(path, number, token)
        current = _generations[path] = Generation(path, number, token)
    for hook in list(on_new_generation):
        hook(current)
    return current


def current(path: str) -> Generation | None:
    with _generations_lock:
        return _generations.get(path)


def clear() -> None:
    """Forget every generation's caches (tests, benchmarks of cold queries)."""
    with _generations_lock:
        _generations.clear()
