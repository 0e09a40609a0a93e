"""Options and helpers shared by every `needle` command."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import click


def default_index() -> Path:
    """--index, else $NEEDLE_INDEX, else settings.NEEDLE_INDEX."""
    import settings
    from indexer.location import resolve_index_dir

    return resolve_index_dir(None, settings.NEEDLE_INDEX)


# named the same on every command that reads or writes an index
index_option = click.option(
    "--index", "index", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
    default=default_index, show_default="$NEEDLE_INDEX, else .needle/index",
    help="The index folder.",
)


@lru_cache(maxsize=1)
def console() -> Any:
    from rich.console import Console

    return Console(stderr=False, highlight=False)


def parse_setting(item: str) -> tuple[str, Any]:
    """NAME=VALUE from -s; the value is read as JSON when it parses (numbers, booleans)."""
    if "=" not in item:
        raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="-s")
    name, raw = item.split("=", 1)
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return name.strip(), value
