"""Where the index lives: ``--index DIR`` beats the NEEDLE_INDEX environment variable,
which beats the NEEDLE_INDEX setting (default ``.needle/index``, relative to the
current folder)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_INDEX = ".needle/index"


def resolve_index_dir(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("NEEDLE_INDEX")
    if env:
        return Path(env)
    try:
        import settings

        return Path(getattr(settings, "NEEDLE_INDEX", DEFAULT_INDEX))
    except ImportError:
        return Path(DEFAULT_INDEX)
