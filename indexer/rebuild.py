"""Rebuilding the whole index: built aside, checked, then swapped in one step.

``rebuild(index_dir, records)`` never touches the live index until the new one is known
to be whole:

1. It takes the session lock (one writer at a time) and removes build-aside folders a
   killed earlier rebuild left behind.
2. It builds the new index aside, in ``index_dir/.rebuild-<pid>-<random>/part-<n>``:
   with several processes, each part in its own worker process, fed the records'
   documents in chunks through a pipe (this process turns records into documents, a
   worker only indexes them: ``indexer.parts``); with one process, or few records, in
   this process. A worker is a fresh interpreter (fork and exec, as multiprocessing's
   "spawn" does, but without re-running the caller's main module): it inherits no file
   descriptor but its two pipes, so never the session lock's.
3. It checks every part: the worker exited cleanly, reported success, and the part
   holds exactly the documents sent to it. Any failure (a worker killed, one that
   raised, a part short of documents), or no records at all, removes the aside folder
   and raises ``RebuildError``; the live index is left as it was.
4. It swaps: the parts' segment files move into ``index_dir`` (their names carry random
   ids) and a new table of contents (generation + 1) names them; writing it is a
   rename, hence atomic. Readers of the old generation keep their open files; the old
   generation's files are then removed. An index of an older field layout is replaced
   the same way. The swap is durable (``indexer.storage``): the moved files, the new
   table of contents and the folder are fsynced before the rebuild reports success.

Workers die with the rebuilding process: a SIGKILLed parent takes them down at once
(Linux's parent-death signal, or a watchdog elsewhere), and a worker waiting for
documents gets end-of-file when the parent's end of its pipe closes.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files
from whoosh.util.filelock import try_for

from indexer.documents import Record, record_key, to_document
from indexer.parts import encode_documents, write_part
from indexer.storage import DurableStorage, fsync_path
from indexer.writer import (
    DEFAULT_LOCK_TIMEOUT,
    INDEX_NAME,
    SESSION_LOCK,
    IndexLockedError,
    WriteStats,
    _acquire,
)

ASIDE_PREFIX = ".rebuild-"
CHUNK = 16  # records per message to a worker (a few dozen kB of JSON)
MIN_PER_WORKER = 200  # fewer records than this per worker: build in this process
EXIT_TIMEOUT = 60.0  # seconds a worker may take to exit once it has reported


class RebuildError(RuntimeError):
    """The rebuild failed; the live index was left untouched."""

    def __init__(self, index_dir: Path, reason: str):
        self.index_dir = index_dir
        self.reason = reason
        super().__init__(f"rebuild failed: {reason}; the index at {index_dir} was left untouched")


def rebuild(
    index_dir: str | os.PathLike,
    records: Iterable[Record],
    *,
    procs: int | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    limitmb: int = 256,
) -> WriteStats:
    """Replace the whole index with ``records`` (the last of duplicate keys wins).

    Raises ``RebuildError`` when there are no records or any part of the build failed
    (the live index is then untouched), ``IndexLockedError`` when another writer holds
    the index.
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    procs = procs or min(os.cpu_count() or 1, 4)
    stats = WriteStats()
    lock = _acquire(index_dir / SESSION_LOCK, lock_timeout)
    try:
        remove_stale_aside(index_dir)
        seen: dict[str, Record] = {}
        for record in records:
            stats.by_kind[record.type] = stats.by_kind.get(record.type, 0) + 1
            # the last of duplicate keys wins, as with upserts
            seen[record_key(record)] = record
        if not seen:
            raise RebuildError(index_dir, "no records to index")
        unique = list(seen.values())
        del seen
        aside = Path(tempfile.mkdtemp(prefix=f"{ASIDE_PREFIX}{os.getpid()}-", dir=index_dir))
        try:
            workers = max(1, min(procs, len(unique) // MIN_PER_WORKER))
            dirs = [aside / f"part-{n}" for n in range(workers)]
            if workers == 1:
                counts = [_build_here(index_dir, dirs[0], unique, limitmb)]
            else:
                counts = _build_in_workers(index_dir, dirs, unique, limitmb)
            for part_dir, count in zip(dirs, counts):
                _check_part(index_dir, part_dir, count)
            _swap(index_dir, dirs, len(unique), lock_timeout)
        finally:
            shutil.rmtree(aside, ignore_errors=True)
        stats.added = len(unique)
        stats.posts["added"] = sum(1 for record in unique if record.type == "post")
    finally:
        lock.release()
    return stats


def remove_stale_aside(index_dir: Path) -> None:
    """Remove build-aside folders of earlier rebuilds (call with the session lock
    held: no other rebuild can be running)."""
    for path in index_dir.glob(f"{ASIDE_PREFIX}*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


# --- building the parts ------------------------------------------------------------------


def _build_here(index_dir: Path, part_dir: Path, part: list[Record], limitmb: int) -> int:
    try:
        return write_part(part_dir, map(to_document, part), limitmb)
    except Exception as exc:
        raise RebuildError(index_dir, f"building the new index failed ({type(exc).__name__}: {exc})") from exc


class _Worker:
    """A worker process: a fresh interpreter (fork and exec, nothing inherited but its
    two pipes), indexing the records it reads into one part."""

    def __init__(self, part_dir: Path, limitmb: int):
        self.name = part_dir.name
        records_r, records_w = os.pipe()
        result_r, result_w = os.pipe()
        spec = {"path": [str(p) for p in sys.path], "part": str(part_dir), "records": records_r,
                "result": result_w, "parent": os.getpid(), "limitmb": limitmb}
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _WORKER_MAIN, json.dumps(spec)],
                pass_fds=(records_r, result_w), stdin=subprocess.DEVNULL,
            )
        except BaseException:
            os.close(records_w)
            os.close(result_r)
            raise
        finally:
            # only the worker keeps its ends: its death, or ours, is then seen as EOF
            os.close(records_r)
            os.close(result_w)
        self.records = Connection(records_w, readable=False)
        self.results = Connection(result_r, writable=False)
        self.message = None  # what it reported: ("ok", documents) or ("error", why)
        self.sent = 0  # records sent to it
        self.feed_error: str | None = None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        self.records.close()
        self.results.close()


# A worker's whole program: the parent's import path, then indexer.parts.worker_main.
_WORKER_MAIN = (
    "import json, sys; spec = json.loads(sys.argv[1]); "
    "sys.path[:] = spec['path'] + [p for p in sys.path if p not in spec['path']]; "
    "from indexer.parts import worker_main; worker_main(spec)"
)


def _build_in_workers(index_dir: Path, dirs: list[Path], records: list[Record], limitmb: int) -> list[int]:
    """Build one part per folder of ``dirs``, each in a worker process, from chunks of
    ``records`` handed to whichever worker is ready (a worker slowed down by a busy core
    takes fewer). The number of records each part was sent."""
    chunks: queue.SimpleQueue[list[Record]] = queue.SimpleQueue()
    for start in range(0, len(records), CHUNK):
        chunks.put(records[start:start + CHUNK])
    workers: list[_Worker] = []
    feeders: list[threading.Thread] = []
    try:
        for part_dir in dirs:
            workers.append(_Worker(part_dir, limitmb))
        for worker in workers:
            feeder = threading.Thread(target=_feed, args=(worker, chunks), daemon=True,
                                      name=f"needle-rebuild-feed-{worker.name}")
            feeder.start()
            feeders.append(feeder)
        _collect(index_dir, workers)
    finally:
        for worker in workers:
            worker.stop()
        for feeder in feeders:
            feeder.join()  # a dead worker's pipe fails the send at once
        for worker in workers:
            worker.close()
    sent = [worker.sent for worker in workers]
    if sum(sent) != len(records):
        raise RebuildError(index_dir, f"only {sum(sent)} of the {len(records)} records reached a worker")
    return sent


def _feed(worker: _Worker, chunks: queue.SimpleQueue) -> None:
    """Send chunks of documents to ``worker`` while there are any, then an empty
    message; a send waits until the worker reads, so a busy worker takes no more."""
    conn = worker.records
    try:
        while True:
            try:
                chunk = chunks.get_nowait()
            except queue.Empty:
                break
            conn.send_bytes(encode_documents([to_document(record) for record in chunk]))
            worker.sent += len(chunk)
        conn.send_bytes(b"")
    except OSError:
        pass  # the worker died: its exit is what _collect reports
    except BaseException as exc:
        worker.feed_error = f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()  # without the empty message, the worker sees the end of its input and fails


def _collect(index_dir: Path, workers: list[_Worker]) -> None:
    """Wait until every worker has said how it went, or died; raise at the first failure
    (the caller then stops the others)."""
    waiting = {worker.results: worker for worker in workers}
    while waiting:
        for conn in wait_for(list(waiting)):
            worker = waiting.pop(conn)
            try:
                worker.message = conn.recv()
            except (EOFError, OSError):
                worker.message = None  # it died without a word
            try:
                code = worker.proc.wait(timeout=EXIT_TIMEOUT)
            except subprocess.TimeoutExpired:
                worker.stop()
                raise RebuildError(index_dir, f"worker {worker.name} (pid {worker.proc.pid}) "
                                              "did not exit after its part") from None
            _check_worker(index_dir, worker, code)


def _check_worker(index_dir: Path, worker: _Worker, code: int) -> None:
    who = f"worker {worker.name} (pid {worker.proc.pid})"
    message = worker.message
    if worker.feed_error:
        raise RebuildError(index_dir, f"sending records to {who} failed: {worker.feed_error}")
    if isinstance(message, tuple) and message[0] == "error":
        raise RebuildError(index_dir, f"{who} failed: {message[1]}")
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        raise RebuildError(index_dir, f"{who} was killed by {name}")
    if code != 0:
        raise RebuildError(index_dir, f"{who} exited with code {code}")
    if not (isinstance(message, tuple) and message[0] == "ok"):
        raise RebuildError(index_dir, f"{who} exited without reporting its part")
    if message[1] != worker.sent:
        raise RebuildError(index_dir, f"{who} wrote {message[1]} documents of the {worker.sent} sent to it")


# --- checking and swapping ---------------------------------------------------------------


def _check_part(index_dir: Path, part_dir: Path, expected: int) -> None:
    """The part in ``part_dir`` holds exactly ``expected`` live documents (read from its
    table of contents: opening its segments here would only cost memory, the swapped
    index is opened and counted anyway)."""
    try:
        segments = TOC.read(FileStorage(str(part_dir)), INDEX_NAME).segments
        total = sum(s.doc_count_all() for s in segments)
        live = sum(s.doc_count() for s in segments)
    except Exception as exc:
        raise RebuildError(index_dir, f"{part_dir.name} is unreadable ({type(exc).__name__}: {exc})") from exc
    if total != expected or live != expected:
        raise RebuildError(index_dir, f"{part_dir.name} holds {live} documents of the {expected} sent to it")


def _swap(index_dir: Path, dirs: list[Path], expected: int, lock_timeout: float) -> None:
    """Make the parts in ``dirs`` the live index in one atomic step."""
    storage = DurableStorage(str(index_dir))
    writelock = storage.lock(f"{INDEX_NAME}_WRITELOCK")
    if not try_for(writelock.acquire, timeout=lock_timeout, delay=0.05):
        raise IndexLockedError(index_dir / f"{INDEX_NAME}_WRITELOCK")
    try:
        generation = TOC._latest_generation(storage, INDEX_NAME)
        schema, segments, moved = None, [], []
        try:
            for part_dir in dirs:
                part_storage = FileStorage(str(part_dir))
                toc = TOC.read(part_storage, INDEX_NAME)
                schema = schema or toc.schema
                for segment in toc.segments:
                    for name in segment.list_files(part_storage):
                        target = index_dir / name
                        if target.exists():
                            raise RebuildError(index_dir, f"segment file {name} already exists")
                        fsync_path(part_dir / name)
                        os.replace(part_dir / name, target)
                        moved.append(target)
                    segments.append(segment)
            fsync_path(index_dir)
            TOC(schema, segments, generation + 1).write(storage, INDEX_NAME)
        except BaseException:
            _roll_back(storage, generation + 1, moved)
            raise
        new = generation + 1
        try:
            # without mmap Whoosh reads compound segments in place instead of copying
            # them into memory: the check costs no memory at 50,000 posts either
            check = FileStorage(str(index_dir), supports_mmap=False).open_index(INDEX_NAME)
            with check.reader() as reader:
                count = reader.doc_count()
        except Exception as exc:
            count, problem = -1, f"{type(exc).__name__}: {exc}"
        else:
            problem = f"it holds {count} documents, not {expected}"
        if count != expected:
            _roll_back(storage, new, moved)
            raise RebuildError(index_dir, f"the new index failed its check ({problem})")
        # the old generation's files; a reader still holding one keeps it until it closes
        clean_files(storage, INDEX_NAME, new, segments)
    finally:
        writelock.release()


def _roll_back(storage: FileStorage, new: int, moved: list[Path]) -> None:
    """Make the generation before ``new`` current again, as it was."""
    try:
        storage.delete_file(TOC._filename(INDEX_NAME, new))
    except FileNotFoundError:
        pass
    for path in moved:
        path.unlink(missing_ok=True)
