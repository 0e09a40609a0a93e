"""What the service's health check says about an index: its post count and generation,
read with this thread's searcher (``search.handle``)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from whoosh import query as wq

from search.handle import index_handle


@dataclass(frozen=True)
class IndexStatus:
    posts: int  # live documents of kind post
    generation: int  # the index's commit number


_posts_cache: dict[tuple, int] = {}
_posts_lock = threading.Lock()


def index_status(index_dir: str | os.PathLike) -> IndexStatus:
    """The post count (computed once per index generation) and the generation of the
    index at ``index_dir``. Raises ``IndexNotFoundError`` when there is none."""
    handle = index_handle(index_dir)
    key = (handle.path, handle.generation, handle.token)
    with _posts_lock:
        posts = _posts_cache.get(key)
    if posts is None:
        posts = sum(1 for _ in handle.searcher.docs_for_query(wq.Term("kind", "post")))
        with _posts_lock:
            _posts_cache.clear()  # one index generation at a time
            _posts_cache[key] = posts
    return IndexStatus(posts=posts, generation=handle.generation)
