"""`needle search` and `needle related`: query the index, and the printers of their results
(the demo prints its searches with ``print_results`` too)."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import click

from cli.common import (
    EXIT_EMPTY, EXIT_INDEX, EXIT_USAGE, NO_INDEX, exit_help, fail, format_option, index_option,
    index_required, query_budget, site_option,
)


@click.command(epilog=exit_help({
    EXIT_EMPTY: "nothing found", EXIT_USAGE: "usage error, or a malformed query or one over the query budget",
    EXIT_INDEX: NO_INDEX,
}))
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
@click.option("--explain", is_flag=True,
              help="Show why each post ranks where it does: the ranking rules' values, the words "
                   "it matches (exact, synonym or typo) and where, and the parts of its score.")
@click.option("--recency", is_flag=True,
              help="Break near ties by date: of posts the ranking rules put level whose scores are "
                   "within ~10%, the newest first.")
@site_option
@format_option("table", "json", json_help="Print results as JSON")
def search(
    query: str, index: Path, year: int | None, since: datetime | None,
    until: datetime | None, category: str | None, sort: str, page: int, per_page: int,
    explain: bool, recency: bool, site: str | None, fmt: str,
) -> None:
    """Search the indexed posts: QUERY words, "phrases", AND/OR/NOT, title:word,
    category:knee, year:2024, published:[2023 to 2024], word~ (fuzzy), neck* (prefix).

    An empty QUERY lists every post (newest first with --sort newest).
    """
    from search import QuerySyntaxError
    from search import search as run_search

    with index_required():
        try:
            results = run_search(
                index, query, year=year, since=_day(since), until=_day(until),
                category=category, sort=sort, page=page, per_page=per_page, budget=query_budget(),
                explain=explain, recency=recency, site=site,
            )
        except QuerySyntaxError as exc:
            fail(f"{exc} (query: {query!r})", EXIT_USAGE)
        except ValueError as exc:  # a --site that is no host
            fail(str(exc), EXIT_USAGE)
    if fmt == "json":
        from search.models import to_json

        # the search module's results as GET /api/search answers them
        click.echo(json.dumps(to_json(results), ensure_ascii=False, indent=2))
    else:
        print_results(results)
    if not results.hits:
        sys.exit(EXIT_EMPTY)


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


@click.command(epilog=exit_help({
    EXIT_EMPTY: "no related posts", EXIT_USAGE: "usage error, or no post at URL", EXIT_INDEX: NO_INDEX,
}))
@click.argument("url")
@index_option
@click.option("--limit", type=click.IntRange(1, 50), default=5, show_default=True)
@site_option
@format_option("table", "json", json_help="Print results as JSON")
def related(url: str, index: Path, limit: int, site: str | None, fmt: str) -> None:
    """List the posts most like the post at URL."""
    from search import PostNotFoundError
    from search import related as find_related

    with index_required():
        try:
            posts = find_related(index, url, limit=limit, site=site)
        except PostNotFoundError as exc:
            fail(str(exc), EXIT_USAGE)
    if fmt == "json":
        from search.models import to_json

        click.echo(json.dumps(to_json(posts), ensure_ascii=False, indent=2))
    else:
        print_related(url, posts)
    if not posts:
        sys.exit(EXIT_EMPTY)


# --- printing ------------------------------------------------------------------------------


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


def print_related(url: str, posts) -> None:
    """Related posts as a table."""
    from rich.table import Table

    table = Table(title=f"Posts like {url}", show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("Title")
    table.add_column("Date")
    table.add_column("URL", overflow="fold")
    for i, p in enumerate(posts, 1):
        table.add_row(str(i), p.title or "(untitled)", _date(p.published), p.url)
    _console().print(table)


def print_results(results) -> None:
    """One page of search results as a table, with the correction and facet counts."""
    from rich.table import Table
    from rich.text import Text

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
        post = Text()
        post.append(hit.title or "(untitled)", style="bold")
        post.append(f"\n{_date(hit.published)}")
        if results.sort == "relevance":
            post.append(f"  score {hit.score:.1f}")
        post.append(f"\n{hit.url}", style="cyan")
        snippet = snippet_text(hit.spans)
        if hit.explain is not None:
            snippet.append("\n\n")
            snippet.append(explanation_text(hit.explain), style="dim")
        table.add_row(str(hit.rank), post, snippet)
    console.print(table)
    years = ", ".join(f"{y}: {n}" for y, n in results.facets.get("year", {}).items())
    cats = ", ".join(f"{c}: {n}" for c, n in list(results.facets.get("category", {}).items())[:8])
    if years:
        console.print(f"By year: {years}", highlight=False)
    if cats:
        console.print(f"By category: {cats}", highlight=False)


def explanation_text(e) -> str:
    """A hit's explanation (search.models.Explanation) in a few plain lines."""
    if e.ranker == "whoosh":
        lines = [f"ranked by Whoosh (a quoted phrase, wildcard, NOT or date order): score {e.score:.2f}"]
    else:
        rules = ", ".join(f"{name} {value}" for name, value in e.rules.items())
        lines = [f"rules: {rules}" + ("; every pair of words together" if e.phrase else "")]
        for w in e.words:
            lines.append(f"{w.word}: {w.how} ({', '.join(w.terms)}) in {', '.join(w.fields)}")
        if e.missing:
            lines.append(f"missing: {', '.join(e.missing)}")
        parts = " + ".join(f"{p.score:.2f} {p.field}:{p.term}" + (f" ({p.how})" if p.how != "exact" else "")
                           for p in e.score_parts[:6])
        more = f" + {len(e.score_parts) - 6} more" if len(e.score_parts) > 6 else ""
        lines.append(f"BM25F {e.score:.2f} = {parts}{more}")
    if e.corrected_from:
        lines.append(f"typo: the query was corrected from {e.corrected_from!r}")
    return "\n".join(lines)


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)
