"""Searches run in worker processes, so that the service's event loop never waits for one.

Whoosh searches are pure Python: in threads of the server's own process they hold the GIL,
and with four of them running, `/api/health` and the static files waited in line behind
them (hundreds of ms; seconds behind an expensive query). Here each search is sent to one
of ``workers`` child processes (``python -m web.pool``), each with its own searcher,
caches and background warm-up (``search.warmup``); the event loop only waits on pipes.

- At most ``workers`` searches run and ``queue`` more wait; past that a search is refused
  at once with ``PoolBusy`` (HTTP 503, Retry-After), instead of piling up.
- A search still running after ``timeout`` seconds is stopped: its worker is killed and
  replaced, and the request gets ``SearchTimeout`` (503). The query budget
  (``search.budget``) keeps allowed queries far below that.
- A worker that dies is replaced; its request gets ``WorkerFailed`` (503).

Each reply carries the worker's counters (parser cache size, warm-up runs, searches),
shown by ``/api/health`` under ``search_pool``.

Frames on the pipes are a 4-byte length and a pickle; the worker's stdout is the reply
pipe (anything it prints goes to stderr instead).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from search import Budget

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0  # seconds a new worker may take to import and open the index


class PoolBusy(RuntimeError):
    """Every worker is busy and the queue is full: try again in a moment."""


class SearchTimeout(RuntimeError):
    """A search ran past the time limit and was stopped."""


class WorkerFailed(RuntimeError):
    """The worker running the search died."""


DEFAULT_QUEUE = 16
DEFAULT_TIMEOUT = 10.0


def default_workers() -> int:
    """The number of cores, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


# --- frames ---------------------------------------------------------------------------------


def _send(stream, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("!I", len(data)) + data)
    stream.flush()


def _receive(stream) -> Any:
    header = stream.read(4)
    if len(header) < 4:
        raise EOFError("the worker closed its pipe")
    (size,) = struct.unpack("!I", header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the worker closed its pipe")
    return pickle.loads(data)


# --- the parent's side ------------------------------------------------------------------------


class _Worker:
    def __init__(self, index_dir: Path, warm_terms: int, budget: Budget):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "web.pool", str(index_dir), str(warm_terms),
             json.dumps(dataclasses.asdict(budget))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=ROOT,
        )
        self.pid = self.proc.pid
        self._lock = threading.Lock()

    def wait_ready(self) -> None:
        reply = _receive(self.proc.stdout)
        if reply != "ready":
            raise WorkerFailed(f"search worker {self.pid} did not start: {reply!r}")

    def call(self, name: str, args: tuple) -> tuple:
        """Blocking: send one call and read its reply (in one of the pool's I/O threads)."""
        with self._lock:
            _send(self.proc.stdin, (name, args))
            return _receive(self.proc.stdout)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass

    def close(self, timeout: float = 5.0) -> None:
        """End of input: the worker exits; killed if it has not after ``timeout``."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        self.kill()


class SearchPool:
    """``workers`` search processes on ``index_dir`` (None or 0: ``default_workers()``);
    ``await call(name, *args)`` runs ``name`` (see ``_functions``) in one of them, searches
    within ``budget``."""

    def __init__(self, index_dir: str | os.PathLike, *, workers: int | None = None,
                 queue: int | None = None, timeout: float | None = None, warm_terms: int = 0,
                 budget: Budget | None = None):
        self.index_dir = Path(index_dir)
        self.workers = workers if workers else default_workers()
        self.queue = int(queue if queue is not None else DEFAULT_QUEUE)
        self.timeout = float(timeout if timeout is not None else DEFAULT_TIMEOUT)
        self.warm_terms = warm_terms
        self.budget = budget if budget is not None else Budget()
        self.running = 0
        self.waiting = 0
        self.rejected = 0
        self.timed_out = 0
        self.replaced = 0
        self.worker_stats: dict[int, dict] = {}
        self._all: list[_Worker] = []
        self._idle: asyncio.Queue[_Worker] | None = None
        self._io: ThreadPoolExecutor | None = None
        self._closed = False

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        # one thread per worker waits on its pipe, plus room for replacements starting
        self._io = ThreadPoolExecutor(max_workers=2 * self.workers + 1, thread_name_prefix="needle-pool")
        started = await asyncio.gather(
            *(loop.run_in_executor(self._io, self._spawn) for _ in range(self.workers)))
        for worker in started:
            self._idle.put_nowait(worker)

    def _spawn(self) -> _Worker:
        worker = _Worker(self.index_dir, self.warm_terms, self.budget)
        self._all.append(worker)
        timer = threading.Timer(START_TIMEOUT, worker.kill)
        timer.start()
        try:
            worker.wait_ready()
        except BaseException:
            worker.kill()
            self._all.remove(worker)
            raise
        finally:
            timer.cancel()
        return worker

    async def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and put a new one in its place (in the background)."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._io, worker.kill)
        if worker in self._all:
            self._all.remove(worker)
        self.worker_stats.pop(worker.pid, None)
        self.replaced += 1
        for attempt in range(3):
            if self._closed:
                return
            try:
                new = await loop.run_in_executor(self._io, self._spawn)
            except Exception:
                log.exception("could not start a search worker (attempt %d)", attempt + 1)
                await asyncio.sleep(1.0)
                continue
            if self._closed:
                await loop.run_in_executor(self._io, new.close)
                return
            self._idle.put_nowait(new)
            return

    async def call(self, name: str, *args: Any) -> Any:
        if self._idle is None or self._closed:
            raise PoolBusy("the search service is not running")
        if self.running + self.waiting >= self.workers + self.queue:
            self.rejected += 1
            raise PoolBusy(
                f"the search service is busy ({self.running} searches running, {self.waiting} "
                f"waiting): try again in a moment")
        self.waiting += 1
        try:
            worker = await self._idle.get()
        finally:
            self.waiting -= 1
        self.running += 1
        loop = asyncio.get_running_loop()
        healthy = False
        try:
            future = loop.run_in_executor(self._io, worker.call, name, args)
            try:
                reply = await asyncio.wait_for(future, self.timeout)
            except asyncio.TimeoutError:
                self.timed_out += 1
                log.warning("search %s%r ran past %.0f s: worker %d stopped", name, args,
                            self.timeout, worker.pid)
                raise SearchTimeout(
                    f"the search took longer than {self.timeout:g} s and was stopped: "
                    f"simplify the query") from None
            except (EOFError, OSError, pickle.UnpicklingError) as exc:
                log.error("search worker %d failed: %s", worker.pid, exc)
                raise WorkerFailed("the search failed (its worker stopped): try again") from None
            healthy = True
        finally:
            self.running -= 1
            if healthy:
                self._idle.put_nowait(worker)
            elif not self._closed:
                asyncio.ensure_future(self._replace(worker))
        status, value, stats = reply
        self.worker_stats[worker.pid] = stats
        if status == "ok":
            return value
        raise _rebuild_error(value)

    def status(self) -> dict:
        stats = list(self.worker_stats.values())
        return {
            "workers": self.workers,
            "running": self.running,
            "waiting": self.waiting,
            "queue_limit": self.queue,
            "timeout_seconds": self.timeout,
            "rejected": self.rejected,
            "timed_out": self.timed_out,
            "replaced": self.replaced,
            # as of each worker's last reply
            "parser_cache": max((s["parser_cache"] for s in stats), default=0),
            "warmups": sum(s["warmups"] for s in stats),
            "warmed": sum(s.get("warmed", 0) for s in stats),
            "searches": sum(s["searches"] for s in stats),
        }

    async def stop(self) -> None:
        self._closed = True
        loop = asyncio.get_running_loop()
        workers = list(self._all)
        self._all.clear()
        if workers:
            await asyncio.gather(*(loop.run_in_executor(self._io, w.close) for w in workers))
        if self._io is not None:
            self._io.shutdown(wait=False)


def _rebuild_error(value: tuple) -> BaseException:
    kind, payload = value
    if kind == "exception":
        return payload
    if kind == "no_index":
        from search import IndexNotFoundError

        return IndexNotFoundError(Path(payload))
    return RuntimeError(f"the search failed in its worker: {payload}")


# --- the worker's side --------------------------------------------------------------------------


def _functions(budget: Budget) -> dict:
    from search import related, suggest
    from web.params import search_index

    def search(index_dir, params):
        return search_index(index_dir, params, budget)

    return {"search": search, "suggest": suggest, "related": related}


def _describe(exc: BaseException) -> tuple:
    from search import IndexNotFoundError

    if isinstance(exc, IndexNotFoundError):
        return ("no_index", str(exc.index_dir))
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return ("internal", f"{type(exc).__name__}: {exc}")
    return ("exception", exc)


def worker_main(index_dir: str, warm_terms: int, budget: Budget) -> None:
    # replies go to the real stdout; anything else printed goes to stderr
    with os.fdopen(os.dup(1), "wb") as replies:
        os.dup2(2, 1)
        _serve(index_dir, warm_terms, budget, replies)


def _serve(index_dir: str, warm_terms: int, budget: Budget, replies) -> None:
    requests = sys.stdin.buffer
    from search import parser_cache_size, warmup

    functions = _functions(budget)
    warmer = warmup.start(index_dir, terms=warm_terms) if warm_terms > 0 else None
    searches = 0

    def stats() -> dict:
        return {"pid": os.getpid(), "parser_cache": parser_cache_size(), "searches": searches,
                "warmups": warmer.runs if warmer is not None else 0,
                "warmed": warmer.runs_finished if warmer is not None else 0}

    _send(replies, "ready")
    while True:
        try:
            name, args = _receive(requests)
        except EOFError:
            break
        searches += 1
        try:
            value = functions[name](index_dir, *args)
        except Exception as exc:
            kind = _describe(exc)
            if kind[0] == "internal":
                log.exception("search %s%r failed", name, args)
            _send(replies, ("error", kind, stats()))
        else:
            _send(replies, ("ok", value, stats()))
    if warmer is not None:
        warmer.stop(timeout=2)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    worker_main(sys.argv[1], int(sys.argv[2]), Budget(**json.loads(sys.argv[3])))
    sys.stdout.flush()
    os._exit(0)  # no interpreter teardown: the warm-up thread may still be in Whoosh
