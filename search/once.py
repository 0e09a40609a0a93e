"""Build once, share by every thread: ``OnceLRU``, and the count of searches running.

A module of its own because both sides use it: ``search.cache`` keeps its per-generation
caches in ``OnceLRU``s, and so do ``search.ranking`` and ``search.docsets``, which the
cache builds.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

# --- searches in progress ----------------------------------------------------------------

_active = 0  # searches running (not waiting for another thread's build)
_waiting = 0  # searches waiting for another thread's build
_active_lock = threading.Lock()


@contextmanager
def busy():
    """Count the caller as a running search."""
    global _active
    with _active_lock:
        _active += 1
    try:
        yield
    finally:
        with _active_lock:
            _active -= 1


@contextmanager
def idle():
    """Inside ``busy()``: the caller waits (for another thread's build), it does not search."""
    global _active, _waiting
    with _active_lock:
        _active -= 1
        _waiting += 1
    try:
        yield
    finally:
        with _active_lock:
            _active += 1
            _waiting -= 1


def queries_running() -> bool:
    """Should background work give way? Yes while a search runs, unless a search is
    waiting for a build (maybe the background's own: stalling it would stall that search
    for as long as the others keep coming)."""
    return _active > 0 and _waiting == 0


# --- build once, evict by size -------------------------------------------------------------

# Called with (cache, key) before every build of every OnceLRU, when set (tests count builds).
build_hook: Callable[[OnceLRU, Hashable], None] | None = None


class OnceLRU:
    """A thread-safe LRU map whose values are built once per key.

    ``get(key, build)`` returns the cached value, or waits for the thread already
    building it, or calls ``build()`` itself. ``size(value)`` weighs an entry; the least
    recently used entries go once the total passes ``capacity`` (the newest stays).
    ``on_build(key)``, when set, is called before each build (tests count builds).
    """

    def __init__(self, capacity: float = math.inf, size: Callable[[Any], int] = lambda v: 1):
        self.capacity = capacity
        self._size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, Future] = {}
        self._total = 0
        self._lock = threading.Lock()
        self.on_build: Callable[[Hashable], None] | None = None

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    def __len__(self) -> int:
        return len(self._values)

    @property
    def total(self) -> int:
        return self._total

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            pending = self._pending.get(key)
            owner = pending is None
            if owner:
                pending = self._pending[key] = Future()
        if not owner:
            with idle():
                return pending.result()
        try:
            if self.on_build is not None:
                self.on_build(key)
            if build_hook is not None:
                build_hook(self, key)
            value = build()
        except BaseException as exc:
            with self._lock:
                del self._pending[key]
            pending.set_exception(exc)
            raise
        with self._lock:
            self._values[key] = value
            self._total += self._size(value)
            while self._total > self.capacity and len(self._values) > 1:
                _, old = self._values.popitem(last=False)
                self._total -= self._size(old)
            del self._pending[key]
        pending.set_result(value)
        return value
