"""One part of a rebuild (indexer.rebuild): index documents into a new index folder, in
the rebuilding process or in a worker process.

Apart from indexer.rebuild so that a worker imports only Whoosh and the schema: the
rebuilding process turns the records into documents and sends those, so a worker needs
neither the record types (pydantic) nor the writer, its history and its site state, and
no record is parsed twice.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys
import threading
import traceback
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.opening import INDEX_NAME
from indexer.schema import build_schema
from indexer.segments import prepare


def write_part(part_dir: Path, documents: Iterable[dict], limitmb: int) -> int:
    """Write ``documents`` (indexer.documents.to_document's) into a new index in
    ``part_dir``; the number written."""
    part_dir.mkdir()
    ix = whoosh_index.create_in(str(part_dir), build_schema(), indexname=INDEX_NAME)
    writer = ix.writer(limitmb=limitmb)
    analysed = prepare(writer)
    count = 0
    try:
        for document in documents:
            writer.add_document(**analysed(document))
            count += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return count


def encode_documents(documents: list[dict]) -> bytes:
    """A chunk of documents as sent to a worker (only ever to this process's own
    children, through their pipes)."""
    return pickle.dumps(documents, protocol=pickle.HIGHEST_PROTOCOL)


def worker_main(spec: dict) -> None:
    """A worker process: index the documents read from its pipe into its part folder."""
    chunks = Connection(spec["records"], writable=False)
    results = Connection(spec["result"], readable=False)
    _die_with_parent(spec["parent"])

    def received() -> Iterator[dict]:
        while True:
            try:
                data = chunks.recv_bytes()
            except EOFError:
                raise RuntimeError("the rebuilding process went away") from None
            if not data:
                return
            yield from pickle.loads(data)

    try:
        count = write_part(Path(spec["part"]), received(), spec["limitmb"])
    except BaseException as exc:
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        try:
            results.send(("error", detail))
        except OSError:
            pass
        sys.exit(1)
    results.send(("ok", count))


def _die_with_parent(parent_pid: int) -> None:
    """Make this process end when ``parent_pid`` does, even by SIGKILL."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:
        def watch() -> None:
            while os.getppid() == parent_pid:
                threading.Event().wait(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True, name="needle-rebuild-watchdog").start()
