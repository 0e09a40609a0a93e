"""Options and helpers shared by every `needle` command: the --index and output options,
the exit codes, the index's errors as messages, NAME=VALUE pairs."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

import click

# --- exit codes: the same number means the same thing in every command -------------------

EXIT_OK = 0
EXIT_EMPTY = 1  # nothing found, or input refused (what exactly: each command's --help)
EXIT_USAGE = 2  # usage error: a bad option, a malformed query
EXIT_INDEX = 3  # no index, an outdated one, or another writer holds it
EXIT_BREAKER = 4  # the circuit breaker kept the index from shrinking

NO_INDEX = "no index, an outdated one, or another writer holds it"


def exit_help(meanings: dict[int, str]) -> str:
    """A command's exit codes for its --help (shown after the options)."""
    codes = {EXIT_OK: "success", EXIT_USAGE: "usage error", **meanings}
    return "Exit codes: " + "; ".join(f"{code} {text}" for code, text in sorted(codes.items())) + "."


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@contextmanager
def index_required() -> Iterator[None]:
    """Around a command's use of the index: no index, an outdated one (a kind of
    IndexNotFoundError) or one another writer holds ends the command with the error's own
    message and EXIT_INDEX."""
    from indexer.opening import IndexLockedError, IndexNotFoundError

    try:
        yield
    except (IndexNotFoundError, IndexLockedError) as exc:
        fail(str(exc), EXIT_INDEX)


def require_index(index: Path) -> None:
    """Inside ``index_required()``: stop now when there is no index at ``index`` (for a
    command that would otherwise only find out later, in another process)."""
    from indexer.opening import IndexNotFoundError, index_exists

    if not index_exists(index):
        raise IndexNotFoundError(index)


# --- options ---------------------------------------------------------------------------------


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


def format_option(*formats: str, json_help: str | None = None):
    """``--format`` (the first of ``formats`` by default), passed to the command as ``fmt``.
    With ``json_help``, also ``--json``: the older spelling of ``--format json``, kept
    for the scripts that use it."""

    def decorate(command):
        if json_help is not None:
            inner = command

            @functools.wraps(inner)
            def command(*args, as_json: bool = False, **kwargs):
                if as_json:
                    kwargs["fmt"] = "json"
                return inner(*args, **kwargs)

            command = click.option("--json", "as_json", is_flag=True,
                                   help=f"{json_help} (same as --format json).")(command)
        return click.option("--format", "fmt", type=click.Choice(formats), default=formats[0],
                            show_default=True, help="Output format.")(command)

    return decorate


def query_budget():
    """The query budget of the NEEDLE_QUERY_* settings (search.budget.Budget), for the
    search module, which reads no settings itself."""
    from dataclasses import fields

    import settings
    from search import Budget

    return Budget(**{f.name: int(getattr(settings, f"NEEDLE_QUERY_{f.name.upper()}")) for f in fields(Budget)})


@lru_cache(maxsize=1)
def console() -> Any:
    from rich.console import Console

    return Console(stderr=False, highlight=False)


# --- NAME=VALUE ----------------------------------------------------------------------------


def name_value(item: str, param_hint: str | None = None) -> tuple[str, str]:
    """NAME=VALUE as (NAME, VALUE), or a usage error naming the option."""
    if "=" not in item:
        raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint=param_hint)
    name, value = item.split("=", 1)
    return name.strip(), value


def parse_setting(item: str) -> tuple[str, Any]:
    """NAME=VALUE from -s; the value is read as JSON when it parses (numbers, booleans)."""
    name, raw = name_value(item, "-s")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return name, value


def compare_options(command):
    """``--compare CRAWL_ID`` and ``--no-compare``: what the audit and the SEO report set
    their findings beside."""
    command = click.option("--no-compare", is_flag=True,
                           help="Neither compare with an earlier crawl nor show the trend "
                                "(the run is still saved in the crawl history).")(command)
    return click.option("--compare", type=click.IntRange(min=1), metavar="CRAWL_ID", default=None,
                        help="Compare with this crawl's saved run (default: the previous complete "
                             "crawl's): each finding new, still open or fixed, and the score's change.")(command)


def compare_with_history(index: Path, kind: str, **run):
    """Save this report run in the crawl history and compare it (reports.compare); a
    --compare with no saved run is a usage error, an unreadable history only a warning."""
    import sqlite3

    from reports.compare import CompareError, save_and_compare

    try:
        return save_and_compare(index, kind, **run)
    except CompareError as exc:
        fail(str(exc), EXIT_USAGE)
    except sqlite3.Error as exc:
        click.echo(f"warning: the crawl history could not be read ({exc}); no comparison", err=True)
    return None


def site_option(command):
    """``--site HOST``: one site of an index that holds several."""
    return click.option("--site", metavar="HOST",
                        help="Only this site (a host such as www.clinic.example, or scheme://host); "
                             "`needle sites` lists them.")(command)


def check_redis(url: str) -> None:
    """A Redis that answers at ``url``, or a usage error before any work starts."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except (redis.RedisError, ValueError) as exc:
        raise click.BadParameter(f"{url}: {exc}", param_hint="--redis / --from-redis") from None
