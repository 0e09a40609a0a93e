"""Writing records into the index, incrementally and safely.

- Upsert by key (a post's URL): a record whose hash is unchanged is not rewritten; a
  changed one replaces the old document.
- Records the crawl no longer found are removed only by ``close(complete=True)``, i.e.
  after a complete crawl, never after a partial one.
- Every commit is atomic (Whoosh writes the new segments, then swaps the table of
  contents by rename): a crash mid-write leaves the last committed index readable.
- One writing session at a time: a second one fails fast with ``IndexLockedError``
  naming the lock file, instead of waiting for the first to finish.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.util.filelock import FileLock, try_for
from whoosh.writing import CLEAR

from crawler.records import CrawlError, Post
from indexer.schema import Record, build_schema, record_hash, record_key, to_document

SESSION_LOCK = "needle-writer.lock"
DEFAULT_LOCK_TIMEOUT = 2.0  # seconds; long enough for a commit, short enough to not hang
INDEX_NAME = "MAIN"


class IndexLockedError(RuntimeError):
    """Another process is writing to the index."""

    def __init__(self, lock_path: Path):
        self.lock_path = lock_path
        super().__init__(
            f"the index is locked by another writer (lock file {lock_path}); "
            "wait for the other crawl or index command to finish"
        )


class IndexNotFoundError(FileNotFoundError):
    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        super().__init__(
            f"no index at {index_dir}: build one with `needle crawl URL` or `needle index FILE`"
        )


def index_exists(index_dir: str | os.PathLike) -> bool:
    return whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME)


class IndexOutdatedError(IndexNotFoundError):
    """The index was built by an older Needle with a different field layout.

    A kind of "no index" (no usable one), so every caller that handles a missing index
    (the CLI's exit code 3, the web service) says this instead of failing on a field.
    """

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        FileNotFoundError.__init__(
            self,
            f"the index at {index_dir} was built by an older version of Needle: "
            "rebuild it with `needle index FILE --rebuild` or a new `needle crawl`"
        )


def is_current(ix) -> bool:
    return set(build_schema().names()) <= set(ix.schema.names())


def open_index(index_dir: str | os.PathLike, *, create: bool = False):
    """The Whoosh index in ``index_dir``; created (with its folders) when ``create``.
    Raises ``IndexOutdatedError`` for an index of an older field layout."""
    path = Path(index_dir)
    if index_exists(path):
        ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
        if not is_current(ix):
            raise IndexOutdatedError(path)
        return ix
    if not create:
        raise IndexNotFoundError(path)
    path.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(path), build_schema(), indexname=INDEX_NAME)


@dataclass
class WriteStats:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def written(self) -> int:
        return self.added + self.updated


class IndexWriter:
    """A writing session: ``write`` records, then ``close(complete=...)``.

    Writes are buffered and committed every ``batch_size`` records, so a long crawl
    makes its progress searchable and a crash loses at most one batch.

        with IndexWriter(".needle/index") as writer:
            for record in records:
                writer.write(record)
            writer.close(complete=True)
    """

    def __init__(
        self,
        index_dir: str | os.PathLike,
        *,
        batch_size: int = 500,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        limitmb: int = 128,
    ):
        self.index_dir = Path(index_dir)
        self.batch_size = batch_size
        self.lock_timeout = lock_timeout
        self.limitmb = limitmb
        self.stats = WriteStats()
        self.index_dir.mkdir(parents=True, exist_ok=True)
        self._lock = _acquire(self.index_dir / SESSION_LOCK, lock_timeout)
        try:
            self.ix = open_index(self.index_dir, create=True)
            self._hashes = _stored_hashes(self.ix)
        except BaseException:
            self._lock.release()
            raise
        self._seen: set[str] = set()
        self._seen_posts = 0
        self._pending: list[tuple[bool, dict]] = []  # (replaces an existing doc, document)
        self._doomed: list[str] = []  # keys to delete in the next commit
        self._closed = False

    # -- writing ----------------------------------------------------------------------

    def write(self, record: Record) -> str:
        """Queue ``record``; returns "added", "updated" or "unchanged"."""
        if self._closed:
            raise RuntimeError("the index writer is closed")
        key = record_key(record)
        digest = record_hash(record)
        self._seen.add(key)
        self.stats.by_kind[record.type] = self.stats.by_kind.get(record.type, 0) + 1
        if isinstance(record, Post):
            self._seen_posts += 1
            # A page that now yields a post is no longer a crawl error.
            error_key = record_key(CrawlError(url=record.url, reason="-"))
            if error_key in self._hashes and error_key not in self._seen:
                self._doomed.append(error_key)
                del self._hashes[error_key]
        old = self._hashes.get(key)
        if old == digest:
            self.stats.unchanged += 1
            return "unchanged"
        self._pending.append((old is not None, to_document(record)))
        self._hashes[key] = digest
        if old is None:
            self.stats.added += 1
            outcome = "added"
        else:
            self.stats.updated += 1
            outcome = "updated"
        if len(self._pending) >= self.batch_size:
            self.flush()
        return outcome

    def write_many(self, records: Iterable[Record]) -> WriteStats:
        for record in records:
            self.write(record)
        return self.stats

    def flush(self) -> None:
        """Commit what is queued (one atomic commit)."""
        if self._pending or self._doomed:
            self._commit(self._pending, self._doomed)
        self._pending, self._doomed = [], []

    def close(self, *, complete: bool = False) -> WriteStats:
        """Commit, and when the crawl was ``complete`` remove what it did not find.

        A "complete" crawl that found no post at all is treated as partial: an empty
        result is far likelier a broken site or network than a blog deleted overnight.
        """
        if self._closed:
            return self.stats
        try:
            if complete and self._seen_posts:
                gone = [k for k in self._hashes if k not in self._seen]
                for key in gone:
                    del self._hashes[key]
                self._doomed.extend(gone)
                self.stats.removed += len(gone)
            self.flush()
        finally:
            self._release()
        return self.stats

    def abort(self) -> None:
        """Drop what is queued; the index keeps its last commit."""
        self._pending, self._doomed = [], []
        self._release()

    def __enter__(self) -> "IndexWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close(complete=False)
        else:
            self.abort()

    # -- internals --------------------------------------------------------------------

    def _commit(self, pending: list[tuple[bool, dict]], doomed: list[str]) -> None:
        writer = _whoosh_writer(self.ix, self.index_dir, self.lock_timeout, limitmb=self.limitmb)
        try:
            for key in doomed:
                writer.delete_by_term("key", key)
            for replaces, doc in pending:
                if replaces:
                    writer.update_document(**doc)
                else:
                    writer.add_document(**doc)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def _release(self) -> None:
        if not self._closed:
            self._closed = True
            self._lock.release()


def rebuild(
    index_dir: str | os.PathLike,
    records: Iterable[Record],
    *,
    procs: int | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    limitmb: int = 256,
) -> WriteStats:
    """Replace the whole index with ``records`` in one commit, on all cores.

    Readers keep seeing the old index until the commit; a crash leaves it in place.
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    procs = procs or min(os.cpu_count() or 1, 4)
    stats = WriteStats()
    lock = _acquire(index_dir / SESSION_LOCK, lock_timeout)
    try:
        try:
            ix = open_index(index_dir, create=True)
        except IndexOutdatedError:
            # a rebuild replaces everything anyway; the new layout starts empty
            ix = whoosh_index.create_in(str(index_dir), build_schema(), indexname=INDEX_NAME)
        kwargs = {"procs": procs, "multisegment": True} if procs > 1 else {}
        writer = _whoosh_writer(ix, index_dir, lock_timeout, limitmb=limitmb, **kwargs)
        seen: dict[str, Record] = {}
        try:
            for record in records:
                stats.by_kind[record.type] = stats.by_kind.get(record.type, 0) + 1
                # the last of duplicate keys wins, as with upserts
                seen[record_key(record)] = record
            # documents made one at a time: holding 50k of them at once cost ~0.5 GB
            for record in seen.values():
                writer.add_document(**to_document(record))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=CLEAR)
        stats.added = len(seen)
    finally:
        lock.release()
    return stats


def _whoosh_writer(ix, index_dir: Path, timeout: float, **kwargs):
    try:
        return ix.writer(timeout=timeout, delay=0.05, **kwargs)
    except whoosh_index.LockError:
        raise IndexLockedError(index_dir / f"{INDEX_NAME}_WRITELOCK") from None


def _acquire(path: Path, timeout: float) -> FileLock:
    lock = FileLock(str(path))
    if not try_for(lock.acquire, timeout=timeout, delay=0.05):
        raise IndexLockedError(path)
    return lock


def _stored_hashes(ix) -> dict[str, str]:
    """key -> content hash of every live document, read from columns (no documents
    are unpickled, so opening a large index for an update stays fast)."""
    with ix.reader() as reader:
        if reader.doc_count() == 0:
            return {}
        keys = reader.column_reader("key")
        hashes = reader.column_reader("hash")
        return {keys[n]: hashes[n] for n in reader.all_doc_ids()}
