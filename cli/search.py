"""`needle search` and `needle related`: query the index, and the printers of their results
(the demo prints its searches with ``print_results`` too)."""

from __future__ import annotations

import json
import os
import re
import shutil
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
# Plain text, not rich: rich's import and table layout were ~45 ms of a ~0.29 s search.
# One block a hit (title, date and score, URL, the snippet wrapped to the terminal) reads as
# well as the table did, and in a narrow terminal better.

INDENT = "     "


class _Style:
    """ANSI styles when writing to a terminal that wants colour, else none."""

    def __init__(self) -> None:
        tty = sys.stdout.isatty()
        self.on = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        # piped or captured: the width the table had
        self.width = shutil.get_terminal_size((120, 24)).columns if tty else 120

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.on and text else text


BOLD, DIM, CYAN, MARK = "1", "2", "36", "1;33"


def _date(value) -> str:
    return value.date().isoformat() if value else "—"


def wrap_spans(spans, width: int, style, indent: str = INDENT) -> list[str]:
    """(text, marked) spans as lines of at most ``width`` characters (a longer word keeps
    its own line), each starting with ``indent``; marked pieces styled as matches."""
    words: list[list[tuple[str, bool]]] = []  # a word: its pieces, marked or not
    joined = True  # the next piece continues the last word
    for text, marked in spans:
        for i, piece in enumerate(re.split(r"(\s+)", text)):
            if i % 2:  # whitespace
                joined = False
            elif piece:
                if joined and words:
                    words[-1].append((piece, marked))
                else:
                    words.append([(piece, marked)])
                joined = True
    lines: list[str] = []
    line: list[str] = []
    used = 0
    room = max(20, width - len(indent))
    for word in words:
        size = sum(len(piece) for piece, _ in word)
        if line and used + 1 + size > room:
            lines.append(indent + " ".join(line))
            line, used = [], 0
        line.append("".join(style(piece, MARK) if marked else piece for piece, marked in word))
        used += size + (1 if used else 0)
    if line:
        lines.append(indent + " ".join(line))
    return lines


def _wrap(text: str, width: int, style, code: str | None = None, indent: str = INDENT) -> list[str]:
    return [line if code is None else indent + style(line[len(indent):], code)
            for line in wrap_spans([(text, False)], width, style, indent)]


def print_related(url: str, posts) -> None:
    """Related posts, one block each: title, date, URL."""
    style = _Style()
    out = [f"Posts like {url}", ""]
    for i, p in enumerate(posts, 1):
        out.append(f"{i:>3}. {style(p.title or '(untitled)', BOLD)}  {_date(p.published)}")
        out.append(INDENT + style(p.url, CYAN))
    click.echo("\n".join(out))


def print_results(results) -> None:
    """One page of search results, with the correction and facet counts: a block a hit
    (title; date and score; URL; the snippet, matches highlighted in a terminal)."""
    style = _Style()
    out: list[str] = []
    if results.suggestion:
        if results.corrected:
            out.append(f"Showing results for {style(results.query_used, BOLD)} (no match for {results.query})")
        else:
            out.append(f"Did you mean: {style(results.suggestion, BOLD)}?")
    if not results.hits:
        out.append(f"No posts match {results.query}." if results.total == 0
                   else f"No results on page {results.page} of {results.pages}.")
        click.echo("\n".join(out))
        return
    first = (results.page - 1) * results.per_page + 1
    last = first + len(results.hits) - 1
    out.append(f"{results.total} posts match — showing {first}-{last} (page {results.page} of {results.pages})")
    for hit in results.hits:
        out.append("")
        title = _wrap(hit.title or "(untitled)", style.width, style, BOLD)
        out.append(f"{hit.rank:>3}. " + title[0][len(INDENT):])
        out.extend(title[1:])
        out.append(INDENT + _date(hit.published)
                   + (f"  score {hit.score:.1f}" if results.sort == "relevance" else ""))
        out.append(INDENT + style(hit.url, CYAN))
        out.extend(wrap_spans(hit.spans, style.width, style))
        if hit.explain is not None:
            out.append("")
            for line in explanation_text(hit.explain).splitlines():
                out.extend(_wrap(line, style.width, style, DIM))
    out.append("")
    years = ", ".join(f"{y}: {n}" for y, n in results.facets.get("year", {}).items())
    cats = ", ".join(f"{c}: {n}" for c, n in list(results.facets.get("category", {}).items())[:8])
    if years:
        out.extend(_wrap(f"By year: {years}", style.width, style, indent=""))
    if cats:
        out.extend(_wrap(f"By category: {cats}", style.width, style, indent=""))
    click.echo("\n".join(out))


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
