"""Searchers, opened once per index and thread and reused.

Each call of ``index_handle`` checks the index generation (a directory listing) and
refreshes when a writer has committed. What is computed from a generation (term impacts,
match bitsets, columns) is shared by every thread of the process (``search.cache``).
A module of its own so that searching, suggestions, related posts and the service's
health all open the index the same way without importing one another.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

from indexer.opening import open_index
from search import cache, ranking
from search.docsets import DocSets
from search.fields import SCORED_FIELDS


@dataclass
class Handle:
    """One thread's searcher on an index, and the process-wide caches of its generation."""

    path: str
    ix: Any
    searcher: Any
    generation: int
    token: Any = None  # the generation's table of contents on disk (cache.toc_token)
    shared: cache.Generation = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.shared is None:
            self.shared = cache.generation(self.path, self.generation, self.token)

    @property
    def impacts(self) -> ranking.Impacts:
        """Per-term BM25F impacts of this generation (see search.ranking)."""
        return self.shared.impacts(self.searcher)

    @property
    def docsets(self) -> DocSets:
        """Matching-document bitsets of this generation (see search.docsets)."""
        return self.shared.docsets(self.searcher, SCORED_FIELDS)

    def column(self, name: str, translate: bool = True) -> list:
        """A column as a list indexed by document number (read once per generation)."""
        return self.shared.column(self.searcher, name, translate)


_local = threading.local()
_all_handles: list[Handle] = []
_handles_lock = threading.Lock()


def index_handle(index_dir: str | os.PathLike) -> Handle:
    """This thread's searcher on ``index_dir``, refreshed if the index changed."""
    path = os.path.abspath(index_dir)
    handles = _local.__dict__.setdefault("handles", {})
    handle = handles.get(path)
    if handle is not None:
        try:
            # the same generation number from an index deleted and built again is not
            # up to date: its table of contents is another file
            if handle.searcher.up_to_date() and cache.toc_token(path, handle.generation) == handle.token:
                return handle
            # Not searcher.refresh(): whoosh-reloaded's reuse of segment readers keeps the
            # segments a merge replaced, so the refreshed searcher counts their posts twice.
            searcher = handle.ix.searcher()
            old, handle.searcher = handle.searcher, searcher
            old.close()
            handle.generation = searcher.reader().generation()
            handle.token = cache.toc_token(path, handle.generation)
            handle.shared = cache.generation(path, handle.generation, handle.token)
            return handle
        except (OSError, ValueError):
            # the index was removed or rebuilt from scratch under us: open it anew
            _forget(handle)
            del handles[path]
    for attempt in range(5):
        try:
            ix = open_index(path)
            searcher = ix.searcher()
            break
        except FileNotFoundError:
            # a writer committed while Whoosh read the table of contents it had just
            # listed, and removed it: read the newer one
            if attempt == 4 or not os.path.isdir(path):
                raise
    number = searcher.reader().generation()
    handle = Handle(path, ix, searcher, number, cache.toc_token(path, number))
    handles[path] = handle
    with _handles_lock:
        _all_handles.append(handle)
    return handle


def close_handles() -> None:
    """Close every cached searcher and forget the generations' caches."""
    with _handles_lock:
        for handle in _all_handles:
            handle.searcher.close()
        _all_handles.clear()
    _local.__dict__.pop("handles", None)
    cache.clear()


def _forget(handle: Handle) -> None:
    with _handles_lock:
        if handle in _all_handles:
            _all_handles.remove(handle)
    try:
        handle.searcher.close()
    except Exception:  # already gone with its files
        pass
