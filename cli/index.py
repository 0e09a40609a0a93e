"""`needle index`, `needle search`, `needle related`: build and query the index.

Exit codes: 0 success; 1 nothing found (search, related), some input lines were not
records (index), or a rebuild refused or failed, the index untouched (index --rebuild);
2 usage error or malformed query; 3 no index, or another writer holds it; 4 the circuit
breaker kept the index from shrinking (index --complete).
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import click

from cli.common import index_option

EXIT_EMPTY, EXIT_USAGE, EXIT_INDEX, EXIT_BREAKER = 1, 2, 3, 4


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@index_option
@click.option(
    "--complete",
    is_flag=True,
    help="The files are a complete crawl: remove indexed records they do not contain.",
)
@click.option(
    "--rebuild", is_flag=True, help="Replace the whole index (all cores), instead of updating it."
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def index(files: tuple[str, ...], index: Path, complete: bool, rebuild: bool, as_json: bool) -> None:
    """Build or update the index from JSON Lines exports of a crawl (FILE may be -).

    Unchanged posts are skipped, changed ones replaced by URL. Lines that are not
    records are reported and skipped (and then nothing is removed). With --complete,
    the files' sites are settled as after a complete crawl: posts they lack are marked
    missing, and removed once missing from NEEDLE_MISSING_CRAWLS such runs in a row.
    """
    from crawler.records import parse_record
    from indexer.writer import IndexLockedError, IndexWriter

    target = index
    bad: list[str] = []

    def records():
        for name in files:
            stream = sys.stdin if name == "-" else open(name, encoding="utf-8")
            with stream if name != "-" else _nullcontext(stream):
                for number, line in enumerate(stream, 1):
                    if not line.strip():
                        continue
                    try:
                        yield parse_record(line)
                    except ValueError as exc:
                        errors = getattr(exc, "errors", None)
                        first = errors()[0]["msg"] if errors else str(exc).splitlines()[0]
                        bad.append(f"{name}:{number}: {first}")

    try:
        if rebuild:
            stats = _rebuild(target, files, records, bad)
        else:
            import settings as project

            with IndexWriter(target, batch_size=1000, missing_crawls=project.NEEDLE_MISSING_CRAWLS,
                             breaker_threshold=project.NEEDLE_BREAKER_THRESHOLD) as writer:
                writer.write_many(records())
                stats = writer.close(complete=complete and not bad)
    except IndexLockedError as exc:
        _fail(str(exc), EXIT_INDEX)
    for line in bad:
        click.echo(f"skipped {line}", err=True)
    counts = {"index": str(target), **stats.as_dict(), "skipped": len(bad)}
    if as_json:
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
        _fail(f"not rebuilding: cannot read the input ({exc}); {untouched}", EXIT_EMPTY)
    except UnicodeDecodeError as exc:
        _fail(f"not rebuilding: the input is not UTF-8 text ({exc}); {untouched}", EXIT_EMPTY)
    if bad:
        for line in bad[:MAX_BAD_LINES_SHOWN]:
            click.echo(f"not a record: {line}", err=True)
        if len(bad) > MAX_BAD_LINES_SHOWN:
            click.echo(f"... and {len(bad) - MAX_BAD_LINES_SHOWN} more lines that are not records", err=True)
        if not read:
            _fail(f"not rebuilding: none of the {len(bad)} lines of {', '.join(files)} is a record "
                  f"(a JSON Lines export of `needle crawl -o`); {untouched}", EXIT_EMPTY)
        _fail(f"not rebuilding: {len(bad)} of {len(bad) + len(read)} lines are not records "
              f"(listed above); {untouched}", EXIT_EMPTY)
    if not read:
        _fail(f"not rebuilding: no records in {', '.join(files)}; {untouched}", EXIT_EMPTY)
    try:
        return rebuild(target, read)
    except RebuildError as exc:
        _fail(str(exc), EXIT_EMPTY)


class _nullcontext:
    def __init__(self, value):
        self.value = value

    def __enter__(self):
        return self.value

    def __exit__(self, *exc):
        return False


@click.command()
@click.argument("query", default="")
@index_option
@click.option("--year", type=int, help="Only posts published that year.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Published on or after (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Published on or before (YYYY-MM-DD).")
@click.option("--category", help="Only posts in this category (any case, accents optional).")
@click.option(
    "--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True
)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
def search(
    query: str, index: Path, year: int | None, since: datetime | None,
    until: datetime | None, category: str | None, sort: str, page: int, per_page: int,
    as_json: bool,
) -> None:
    """Search the indexed posts: QUERY words, "phrases", AND/OR/NOT, title:word,
    category:knee, year:2024, published:[2023 to 2024], word~ (fuzzy), neck* (prefix).

    An empty QUERY lists every post (newest first with --sort newest).
    """
    from indexer.writer import IndexNotFoundError
    from search.query import QuerySyntaxError
    from search.query import search as run_search

    try:
        results = run_search(
            index, query, year=year, since=_day(since), until=_day(until),
            category=category, sort=sort, page=page, per_page=per_page,
        )
    except QuerySyntaxError as exc:
        _fail(f"{exc} (query: {query!r})", EXIT_USAGE)
    except IndexNotFoundError as exc:
        _fail(str(exc), EXIT_INDEX)
    if as_json:
        # the search module's own model, as GET /api/search answers it
        click.echo(json.dumps(results.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        _print_results(results)
    if not results.hits:
        sys.exit(EXIT_EMPTY)


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


@click.command()
@click.argument("url")
@index_option
@click.option("--limit", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
def related(url: str, index: Path, limit: int, as_json: bool) -> None:
    """List the posts most like the post at URL."""
    from indexer.writer import IndexNotFoundError
    from search.related import PostNotFoundError
    from search.related import related as find_related

    try:
        posts = find_related(index, url, limit=limit)
    except PostNotFoundError as exc:
        _fail(str(exc), EXIT_USAGE)
    except IndexNotFoundError as exc:
        _fail(str(exc), EXIT_INDEX)
    if as_json:
        click.echo(json.dumps([p.model_dump(mode="json") for p in posts], ensure_ascii=False, indent=2))
    else:
        from rich.table import Table

        table = Table(title=f"Posts like {url}", show_lines=False)
        table.add_column("#", justify="right")
        table.add_column("Title")
        table.add_column("Date")
        table.add_column("URL", overflow="fold")
        for i, p in enumerate(posts, 1):
            table.add_row(str(i), p.title or "(untitled)", _date(p.published), p.url)
        _console().print(table)
    if not posts:
        sys.exit(EXIT_EMPTY)


# --- rendering ------------------------------------------------------------------------

def _console():
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=120, highlight=False)
    return console


def _date(value) -> str:
    return value.date().isoformat() if value else "—"


def snippet_text(spans):
    """A rich Text of a hit's snippet spans: marked words bold."""
    from rich.text import Text

    text = Text()
    for piece, marked in spans:
        text.append(piece, style="bold yellow" if marked else None)
    return text


def _print_results(results) -> None:
    from rich.table import Table

    console = _console()
    if results.suggestion:
        if results.corrected:
            console.print(f"Showing results for [bold]{_esc(results.query_used)}[/bold] "
                          f"(no match for {_esc(results.query)})")
        else:
            console.print(f"Did you mean: [bold]{_esc(results.suggestion)}[/bold]?")
    if not results.hits:
        console.print(f"No posts match {_esc(results.query)!s}." if results.total == 0
                      else f"No results on page {results.page} of {results.pages}.")
        return
    first = (results.page - 1) * results.per_page + 1
    last = first + len(results.hits) - 1
    table = Table(
        title=f"{results.total} posts match — showing {first}-{last} (page {results.page} of {results.pages})",
        show_lines=True,
    )
    table.add_column("#", justify="right")
    table.add_column("Post", ratio=2, overflow="fold")
    table.add_column("Snippet", ratio=3)
    for hit in results.hits:
        from rich.text import Text

        post = Text()
        post.append(hit.title or "(untitled)", style="bold")
        post.append(f"\n{_date(hit.published)}")
        if results.sort == "relevance":
            post.append(f"  score {hit.score:.1f}")
        post.append(f"\n{hit.url}", style="cyan")
        table.add_row(str(hit.rank), post, snippet_text(hit.spans))
    console.print(table)
    years = ", ".join(f"{y}: {n}" for y, n in results.facets.get("year", {}).items())
    cats = ", ".join(f"{c}: {n}" for c, n in list(results.facets.get("category", {}).items())[:8])
    if years:
        console.print(f"By year: {years}", highlight=False)
    if cats:
        console.print(f"By category: {cats}", highlight=False)


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)
