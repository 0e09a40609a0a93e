"""`needle index`: build or update the index from a crawl's records."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path

import click

from cli.common import (
    EXIT_BREAKER, EXIT_EMPTY, EXIT_INDEX, check_redis, exit_help, fail, format_option, index_option,
    index_required,
)


@click.command(epilog=exit_help({
    EXIT_EMPTY: "some input lines were not records, or a rebuild refused or failed (the index "
                "untouched, --rebuild)",
    EXIT_INDEX: "another writer holds the index, or it is of an older version of Needle",
    EXIT_BREAKER: "the circuit breaker kept the index from shrinking (--complete)",
}))
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@index_option
@click.option("--from-redis", "redis_url", metavar="redis://HOST:PORT/DB",
              help="Read the records that `needle crawl --redis` workers push to this Redis, until "
                   "none is left and no worker has been alive for --wait seconds (the one writer of a "
                   "distributed crawl).")
@click.option("--wait", "wait_s", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="With --from-redis: seconds to wait for a worker before stopping.")
@click.option(
    "--complete",
    is_flag=True,
    help="The files are a complete crawl: remove indexed records they do not contain.",
)
@click.option(
    "--rebuild", is_flag=True, help="Replace the whole index (all cores), instead of updating it."
)
@format_option("text", "json", json_help="Print the counts as JSON")
def index(files: tuple[str, ...], index: Path, redis_url: str | None, wait_s: float, complete: bool,
          rebuild: bool, fmt: str) -> None:
    """Build or update the index from JSON Lines exports of a crawl (FILE may be -), or
    from the records a distributed crawl pushes to Redis (--from-redis).

    Unchanged posts are skipped, changed ones replaced by URL. Lines that are not
    records are reported and skipped (and then nothing is removed). With --complete,
    the files' sites are settled as after a complete crawl: posts they lack are marked
    missing, and removed once missing from NEEDLE_MISSING_CRAWLS such runs in a row.
    """
    from crawler.records import parse_record
    from indexer.writer import IndexWriter

    target = index
    bad: list[str] = []
    if not files and not redis_url:
        raise click.UsageError("give the JSON Lines files of a crawl (FILE ... or -), or --from-redis URL")
    if redis_url and rebuild:
        raise click.UsageError("--rebuild needs the whole crawl at once: index from files")
    if redis_url:
        check_redis(redis_url)

    def records():
        if redis_url:
            from crawler.frontier import drain

            for batch in drain(redis_url, grace_s=wait_s):
                for line in batch:
                    try:
                        yield parse_record(line)
                    except ValueError as exc:
                        bad.append(f"{redis_url}: {str(exc).splitlines()[0]}")
        for name in files:
            stream = sys.stdin if name == "-" else open(name, encoding="utf-8")
            # stdin stays open for whoever reads it next
            with stream if name != "-" else nullcontext(stream):
                for number, line in enumerate(stream, 1):
                    if not line.strip():
                        continue
                    try:
                        yield parse_record(line)
                    except ValueError as exc:
                        errors = getattr(exc, "errors", None)
                        first = errors()[0]["msg"] if errors else str(exc).splitlines()[0]
                        bad.append(f"{name}:{number}: {first}")

    with index_required():
        if rebuild:
            stats = _rebuild(target, files, records, bad)
        else:
            import settings as project

            with IndexWriter(target, batch_size=1000, missing_crawls=project.NEEDLE_MISSING_CRAWLS,
                             breaker_threshold=project.NEEDLE_BREAKER_THRESHOLD,
                             history_keep=project.NEEDLE_HISTORY_KEEP,
                             history_days=project.NEEDLE_HISTORY_DAYS,
                             crawl_settings={"source": "redis" if redis_url else "files",
                                             "files": list(files), "complete": complete}) as writer:
                writer.write_many(records())
                stats = writer.close(complete=complete and not bad)
    for line in bad:
        click.echo(f"skipped {line}", err=True)
    counts = {"index": str(target), **stats.as_dict(), "skipped": len(bad)}
    if fmt == "json":
        click.echo(json.dumps(counts))
    else:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(stats.by_kind.items())) or "no records"
        posts = counts["posts"]
        why = ", ".join(f"{n} {w}" for w, n in counts["removed_posts"].items())
        click.echo(
            f"{target}: {kinds} read; {stats.added} added, {stats.updated} updated, "
            f"{stats.unchanged} unchanged, {stats.removed} removed"
            + (f", {len(bad)} lines skipped" if bad else "")
            + f"\nposts: {posts['added']} added, {posts['updated']} updated, {posts['unchanged']} unchanged, "
            f"{posts['missing']} marked missing, {posts['removed']} removed" + (f" ({why})" if why else "")
        )
    for line in stats.breaker:
        click.echo(f"Circuit breaker: {line}", err=True)
    if bad:
        sys.exit(EXIT_EMPTY)
    if stats.breaker:
        sys.exit(EXIT_BREAKER)


MAX_BAD_LINES_SHOWN = 10


def _rebuild(target: Path, files: tuple[str, ...], records, bad: list[str]):
    """`index --rebuild`: replace the index only with a whole, valid input (any bad line,
    an unreadable file or no records at all: exit 1, the index untouched)."""
    from indexer.rebuild import RebuildError, rebuild

    untouched = f"the index at {target} was left untouched"
    try:
        read = list(records())
    except OSError as exc:
        fail(f"not rebuilding: cannot read the input ({exc}); {untouched}", EXIT_EMPTY)
    except UnicodeDecodeError as exc:
        fail(f"not rebuilding: the input is not UTF-8 text ({exc}); {untouched}", EXIT_EMPTY)
    if bad:
        for line in bad[:MAX_BAD_LINES_SHOWN]:
            click.echo(f"not a record: {line}", err=True)
        if len(bad) > MAX_BAD_LINES_SHOWN:
            click.echo(f"... and {len(bad) - MAX_BAD_LINES_SHOWN} more lines that are not records", err=True)
        if not read:
            fail(f"not rebuilding: none of the {len(bad)} lines of {', '.join(files)} is a record "
                  f"(a JSON Lines export of `needle crawl -o`); {untouched}", EXIT_EMPTY)
        fail(f"not rebuilding: {len(bad)} of {len(bad) + len(read)} lines are not records "
              f"(listed above); {untouched}", EXIT_EMPTY)
    if not read:
        fail(f"not rebuilding: no records in {', '.join(files)}; {untouched}", EXIT_EMPTY)
    try:
        return rebuild(target, read)
    except RebuildError as exc:
        fail(str(exc), EXIT_EMPTY)
