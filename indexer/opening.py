"""Opening the index, and the errors of a missing, outdated or locked one.

Apart from ``indexer.writer`` so that reading the index (`needle search`, the web service)
does not import the writer, its history and its site state at start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.schema import build_schema
from indexer.storage import DurableStorage

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
        ix = DurableStorage(str(path)).open_index(INDEX_NAME)
        if not is_current(ix):
            raise IndexOutdatedError(path)
        return ix
    if not create:
        raise IndexNotFoundError(path)
    path.mkdir(parents=True, exist_ok=True)
    return DurableStorage(str(path)).create_index(build_schema(), indexname=INDEX_NAME)
