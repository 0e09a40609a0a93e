"""Whoosh's file storage, made durable: a commit survives power loss, not just a crash.

Whoosh commits by writing new segment files, then a new table of contents (TOC) under a
temporary name, then renaming it into place. The rename is atomic, but without fsync the
kernel may write the rename to disk before the data it points to: after a power cut the
TOC could name segments that were never written. So every file Whoosh writes is fsynced
when it is closed (segments and the TOC before the rename), and the folder is fsynced
after each rename (the rename itself).
"""

from __future__ import annotations

import os

from whoosh.filedb.filestore import FileStorage


def _fsync_file(structfile) -> None:
    f = structfile.file
    f.flush()
    os.fsync(f.fileno())


class DurableStorage(FileStorage):
    def create_file(self, name, excl=False, mode="wb", **kwargs):
        if "onclose" not in kwargs:
            kwargs["onclose"] = _fsync_file
        return super().create_file(name, excl=excl, mode=mode, **kwargs)

    def rename_file(self, oldname, newname, safe=False):
        super().rename_file(oldname, newname, safe=safe)
        fsync_path(self.folder)


def fsync_path(path: str | os.PathLike) -> None:
    """fsync a file or a folder by name (a folder: the names in it, i.e. renames)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

