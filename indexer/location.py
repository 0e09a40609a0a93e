"""Where the index lives: ``--index DIR`` beats the NEEDLE_INDEX environment variable,
which beats the default the caller passes (the NEEDLE_INDEX setting, ``.needle/index``,
relative to the current folder)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_INDEX = ".needle/index"


def resolve_index_dir(explicit: str | os.PathLike | None = None,
                      default: str | os.PathLike = DEFAULT_INDEX) -> Path:
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("NEEDLE_INDEX") or default)
