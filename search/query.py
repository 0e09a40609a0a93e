"""Search the index: rank (BM25F), filter, facet, paginate, highlight.

    results = search(".needle/index", "dry needling neck", year=2024, per_page=5)

Queries are parsed by ``search.parsing``; searchers come from ``search.handle`` (one per
index and thread, refreshed after each commit). What is computed from a generation (term
impacts, match bitsets, columns) is shared by every thread of the process
(``search.cache``) and can be warmed in the background (``search.warmup``).
Results are cached per (index generation, arguments), so repeated queries from the
web service cost a dictionary lookup.
"""

from __future__ import annotations

import copy
import json
import os
import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import date, datetime, time, timezone
from itertools import islice
from urllib.parse import urlsplit

from whoosh import query as wq
from whoosh import sorting

from indexer.analysis import keyword_analyzer, load_synonyms
from search import once, proximity, pruning, ranking
from search.budget import DEFAULT as DEFAULT_BUDGET
from search.budget import Budget
from search.cache import UNDATED
from search.docsets import members
from search.errors import QueryBudgetError, QuerySyntaxError  # noqa: F401 - both raised here
from search.explain import explain_hits, explain_whoosh
from search.fields import HIGHLIGHT_FIELDS, POST_FIELDS, SCORED_FIELDS
from search.handle import Handle, close_handles, index_handle
from search.models import Explanation, SearchHit, SearchResults, Sort
from search.parsing import _parsers, parse_query, parser_cache_size, walk  # noqa: F401 - callers' names
from search.snippets import MAX_TERMS as MAX_HIGHLIGHT_TERMS
from search.snippets import Span, excerpt, lead, lead_spans
from search.suggest import did_you_mean, site_counter
from search.whoosh_private import expanded_terms, is_null_query, skip_blocks

MAX_PER_PAGE = 100
# the names tests and benchmarks know them by
_SCORED_FIELDS = SCORED_FIELDS

_results_cache: OrderedDict[tuple, SearchResults] = OrderedDict()
_results_lock = threading.Lock()
_RESULTS_CACHE_SIZE = 512


def close_searchers() -> None:
    """Close every cached searcher, forget cached results (tests, and servers shutting down)."""
    with _results_lock:
        _results_cache.clear()
    close_handles()


# --- searching ------------------------------------------------------------------------


def search(
    index_dir: str | os.PathLike,
    query: str,
    *,
    year: int | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    category: str | None = None,
    sort: Sort = "relevance",
    page: int = 1,
    per_page: int = 10,
    facets: bool = True,
    budget: Budget | None = None,
    explain: bool = False,
    recency: bool = False,
    site: str | None = None,
) -> SearchResults:
    """Posts matching ``query``, best first (or by date), one page of them.

    ``year``, ``since``/``until`` (inclusive; a date means that whole day, in UTC) and
    ``category`` (exact, case- and accent-insensitive) narrow the results. An empty
    query lists every post. A query whose words are unknown to the index but close to
    known ones is corrected: ``suggestion`` says how, and ``query_used`` is what ran.
    ``budget`` bounds what the query may cost (``search.budget``; default ``Budget()``).
    ``explain`` adds to each hit why it ranks there (``SearchHit.explain``). ``recency``
    breaks near ties among the best posts: of posts equal on the ranking rules whose
    BM25F scores are within ~10% of each other, the newest first. ``site`` (a host, with
    its port if any, or scheme://host) keeps one site's posts of an index that holds several.
    Raises ``QuerySyntaxError`` for a malformed query (``QueryBudgetError`` for one over
    the budget), ``IndexNotFoundError`` when there is no index, ``ValueError`` for bad options.
    """
    if sort not in ("relevance", "newest", "oldest"):
        raise ValueError(f"sort must be relevance, newest or oldest, not {sort!r}")
    if page < 1:
        raise ValueError("page must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")
    if not query.strip() and sort == "relevance":
        sort = "newest"  # nothing to rank by: every post, newest first
    with once.busy():  # the background warm-up (search.warmup) gives way
        return _search(index_dir, query, year, since, until, category, sort, page, per_page, facets,
                       budget if budget is not None else DEFAULT_BUDGET, explain, recency, site)


def _search(index_dir, query, year, since, until, category, sort, page, per_page, facets, budget,
            explain=False, recency=False, site=None):
    handle = index_handle(index_dir)
    synonyms = load_synonyms()
    cache_key = (
        handle.path, handle.generation, handle.token, id(synonyms), query, year, since, until, category,
        sort, page, per_page, facets, budget, explain, recency, site, ranking.RULES,
    )
    cached = _results_cache.get(cache_key)
    if cached is not None:
        return _copy(cached)

    schema = handle.searcher.schema
    reader = handle.searcher.reader()
    q = parse_query(schema, query, synonyms, reader=reader, budget=budget)
    count = site_counter(handle, site) if site and query.strip() else None
    suggestion = did_you_mean(handle.searcher, query, synonyms, count) if query.strip() else None
    query_used = query
    if suggestion is not None:
        # The typed words match nothing in the index, so search what was meant.
        q = parse_query(schema, suggestion, synonyms, reader=reader, budget=budget)
        query_used = suggestion
    filters = _filters(year, since, until, category)
    if site:
        filters.append(site_filter(site))
    results = _run(handle, q, filters, sort=sort, page=page, per_page=per_page, facets=facets,
                   text=query_used, explain=explain, corrected_from=query if suggestion else None,
                   recency=recency)
    results = replace(results, query=query, query_used=query_used, suggestion=suggestion)
    with _results_lock:
        _results_cache[cache_key] = results
        while len(_results_cache) > _RESULTS_CACHE_SIZE:
            _results_cache.popitem(last=False)
    return _copy(results)


def _copy(results: SearchResults) -> SearchResults:
    """A copy of cached ``results`` the caller may change without changing the cache: new
    containers all the way down (their strings and numbers are immutable); copy.deepcopy
    did the same in ~0.5 ms a search."""
    hits = []
    for hit in results.hits:
        hit = copy.copy(hit)
        hit.spans, hit.categories, hit.tags = list(hit.spans), list(hit.categories), list(hit.tags)
        if hit.explain is not None:
            hit.explain = _copy_explanation(hit.explain)
        hits.append(hit)
    out = copy.copy(results)
    out.hits = hits
    out.facets = {name: dict(counts) for name, counts in results.facets.items()}
    return out


def _copy_explanation(e: Explanation) -> Explanation:
    e = copy.copy(e)
    e.rules, e.missing = dict(e.rules), list(e.missing)
    e.words = [replace(w, terms=list(w.terms), fields=list(w.fields)) for w in e.words]
    e.score_parts = [copy.copy(part) for part in e.score_parts]
    return e


def site_filter(site: str) -> wq.Query:
    """The posts of one site: their URLs start with its scheme://host/ (either scheme: a
    site moves to https, its posts keep their place)."""
    host = (urlsplit(site).netloc if "://" in site else site).strip().lower().rstrip("/")
    if not host or "/" in host:
        raise ValueError(f"site must be a host (www.clinic.example) or scheme://host, not {site!r}")
    return wq.Or([wq.Prefix("url", f"{scheme}://{host}/") for scheme in ("http", "https")])


def _filters(year, since, until, category) -> list[wq.Query]:
    filters: list[wq.Query] = []
    if year is not None:
        filters.append(wq.NumericRange("year", int(year), int(year)))
    if since is not None or until is not None:
        start = _as_utc(since, time.min) if since is not None else None
        end = _as_utc(until, time.max) if until is not None else None
        filters.append(wq.DateRange("published", start, end))
    if category:
        terms = [t.text for t in keyword_analyzer()(category)]
        filters.append(wq.Term("category_key", terms[0] if terms else ""))
    return filters


def _as_utc(value: date | datetime, day_time: time) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, day_time, tzinfo=timezone.utc)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _needs_kind_filter(q: wq.Query) -> bool:
    """Could ``q`` match a teaser, crawl error or sitemap entry? Only through a
    negation, a match-all, or a field those records have."""
    for node in walk(q):
        if isinstance(node, (wq.Not, wq.Every)):
            return True
        if node.is_leaf() and getattr(node, "fieldname", None) not in POST_FIELDS:
            return True
    return False


# A post without a date holds the column's largest value, so a plain reverse sort would
# list undated posts as the newest; they go last either way.
_UNDATED = UNDATED
_NEWEST = sorting.TranslateFacet(
    lambda v: -1 if v == _UNDATED else v, sorting.FieldFacet("published")
)


def _run(handle: Handle, q, filters, *, sort, page, per_page, facets, text=None, explain=False,
         corrected_from=None, recency=False) -> SearchResults:
    searcher = handle.searcher
    if is_null_query(q):
        q = wq.Every()
    parts = [q, *filters]
    if _needs_kind_filter(q):
        parts.append(wq.Term("kind", "post"))
    full = wq.And(parts) if len(parts) > 1 else q
    for node in walk(full):
        if isinstance(node, wq.Or):
            skip_blocks(node)
    limit = page * per_page
    # The exact total and the facets come from cached bitsets, not from walking every
    # matching document (Whoosh's len(results)).
    docsets = handle.docsets
    scope = None
    if len(parts) > 1 and sort == "relevance" and not isinstance(q, wq.Every):
        # Filters keeping few posts (one site of a shared index): the words' postings are
        # read only where those posts may be (ranking.Scope), the matching posts those of
        # the words within the filters'. The same posts: the filters' set is exact, and
        # the words' sets are exact inside it.
        scope = scope_of(docsets.of(wq.And(parts[1:]) if len(parts) > 2 else parts[1], searcher), docsets.size)
    if scope is not None:
        matching = docsets.of(q, searcher, scope) & scope.bits
    else:
        matching = docsets.of(full, searcher)
    total = matching.bit_count()
    facet_counts: dict[str, dict[str, int]] = {}
    if facets:
        facet_counts = docsets.facets(matching, handle.column("year"), handle.column("categories"))
    start = (page - 1) * per_page
    ranked = None
    p = None
    stored: dict[int, dict] = {}  # post number -> stored fields, read once per search
    if sort == "relevance" and not isinstance(q, wq.Every):
        p = ranking.plan(q, SCORED_FIELDS, searcher.reader(), text)
        if p is not None:
            # words, ORs and ANDs: summed cached impacts (search.ranking), ordered by the
            # ranking rules first
            nwords = len(ranking.query_words(q))
            n = max(limit, proximity.WINDOW)
            found = pruning.best(handle.impacts, docsets, p, searcher, nwords, n,
                                 matching if len(parts) > 1 else None, scope=scope)
            if found is None:
                scores = handle.impacts.scores(p, searcher)
                allowed = set(members(matching)) if len(parts) > 1 else None
                found = ranking.rank(handle.impacts, p, searcher, scores, nwords, n, allowed)
            best, tiers = found
            together = None
            if "proximity" in ranking.RULES and nwords > 1:
                together = _together_counter(searcher, ranking.exact_words(p, nwords), stored)
            dates = handle.column("published", translate=False).__getitem__ if recency else None
            if together is not None or dates is not None:
                # the same window whatever the page, so pages never overlap
                best[:proximity.WINDOW] = ranking.reorder_window(
                    best[:proximity.WINDOW], tiers, together, dates)
            ranked = best[start:limit]
        else:
            results = searcher.search(full, limit=limit)
    else:
        ranked = _by_date(handle, matching, total, sort != "oldest", start, limit)
        if ranked is None:
            results = searcher.search(
                full, limit=limit, sortedby=_NEWEST if sort != "oldest" else "published",
                reverse=(sort != "oldest"),
            )
    if ranked is None:
        # not list(results): its length hint runs Whoosh's exact count of every match
        ranked = [
            (results.docnum(i), results.score(i) or 0.0)
            for i in range(start, min(limit, results.scored_length()))
        ]
    terms, typed = _highlight_terms(q, searcher.reader()) if ranked else (frozenset(), {})
    hits = [
        _hit(_stored(searcher, stored, docnum), score, start + i + 1, terms, sort, typed)
        for i, (docnum, score) in enumerate(ranked)
    ]
    if explain and hits:
        if p is not None:
            words = ranking.exact_words(p, len(ranking.query_words(q)))
            reasons = explain_hits(handle.impacts, p, q, searcher, [d for d, _ in ranked], text,
                                   corrected_from, ranking.RULES,
                                   _together_counter(searcher, words, stored))
        else:
            reasons = explain_whoosh([hit.score for hit in hits], corrected_from)
        for hit, reason in zip(hits, reasons):
            hit.explain = reason
    return SearchResults(
        query="", query_used="", total=total, hits=hits, facets=facet_counts,
        page=page, per_page=per_page, sort=sort,
    )


# Filters keeping under 1/8 of the posts narrow the reading of the words' postings (0:
# never).
SCOPE_SHARE = 8


def scope_of(posts: int, size: int) -> ranking.Scope | None:
    """The scope of the filters' ``posts`` (a bitset, of ``size`` posts in all) when they
    keep few enough to narrow the words' reading (``SCOPE_SHARE``), else None."""
    if SCOPE_SHARE and posts.bit_count() * SCOPE_SHARE < size:
        return ranking.Scope(posts)
    return None

# Under 1/16 of the posts, the matching posts are sorted alone; more, the generation's
# order is read until the page is full.
_FEW_DATED = 16


def _by_date(handle: Handle, matching: int, total: int, newest: bool, start: int,
             limit: int) -> list[tuple[int, float]] | None:
    """Posts ``start`` to ``limit`` of those in bitset ``matching`` (``total`` of them), by
    date, as (post, score) where the score is the sort key, as Whoosh's sorted search
    gives them (``_NEWEST`` reversed, or the published column); from the generation's
    order of every post (``cache.Generation.by_date``). None when the column does not
    cover every post (Whoosh sorts then)."""
    order = handle.shared.by_date(handle.searcher, newest)
    if len(order) != handle.docsets.size:
        return None
    if total * _FEW_DATED < len(order):
        # few posts: sort those alone, by the same keys
        raw = handle.column("published", translate=False)
        if newest:
            items = [(-1 if raw[d] == _UNDATED else raw[d], d) for d in members(matching)]
        else:
            items = [(raw[d], d) for d in members(matching)]
        items.sort(reverse=newest)
        del items[limit:]
    else:
        inside = matching.to_bytes((matching.bit_length() + 7) // 8, "little")
        size = len(inside)
        items = []
        for key, d in order:
            byte = d >> 3
            if byte < size and (inside[byte] >> (d & 7)) & 1:
                items.append((key, d))
                if len(items) == limit:
                    break
    return [(d, key or 0.0) for key, d in items[start:]]


def _stored(searcher, stored: dict[int, dict], docnum: int) -> dict:
    fields = stored.get(docnum)
    if fields is None:
        fields = stored[docnum] = searcher.stored_fields(docnum)
    return fields


def _together_counter(searcher, words: list[str | None], stored: dict[int, dict]):
    """post number -> pairs of consecutive query words standing together in its title or
    body (``search.proximity``), each post read once."""
    counts: dict[int, int] = {}

    def together(docnum: int) -> int:
        if docnum not in counts:
            fields = _stored(searcher, stored, docnum)
            counts[docnum] = proximity.pairs_together(
                [fields.get("title") or "", fields.get("body") or ""], words)
        return counts[docnum]

    return together


def _highlight_terms(q: wq.Query, reader) -> tuple[frozenset[str], dict[str, int]]:
    """The index terms of ``q`` worth marking in a snippet: text words (fuzzy and prefix
    words expanded to the terms they matched), not filters or keys. At most
    ``snippets.MAX_TERMS``: the words as typed first, then what patterns matched. And
    each term's typed words (``search.ranking.word_mask``), so that a snippet counts a
    word and its synonyms once."""
    words: dict[str, None] = {}
    expanded: dict[str, None] = {}
    typed: dict[str, int] = {}
    units = ranking.query_words(q)
    for node in walk(q):
        if not node.is_leaf() or getattr(node, "fieldname", None) not in HIGHLIGHT_FIELDS:
            continue
        if isinstance(node, wq.MultiTerm):  # fuzzy, prefix, wildcard: what they matched
            texts = islice(expanded_terms(node, reader), MAX_HIGHLIGHT_TERMS)
            into = expanded
        else:
            texts = (text for _, text in node.iter_all_terms(phrases=True))
            into = words
        for t in texts:
            t = t.decode("utf-8") if isinstance(t, bytes) else t
            into.setdefault(t, None)
            # a term in several places stands for the fewest words it is found for
            mask = ranking.word_mask(node, units)
            typed[t] = typed[t] & mask if t in typed else mask
    terms = frozenset(islice((*words, *expanded), MAX_HIGHLIGHT_TERMS))
    return terms, {t: typed[t] for t in terms}


def _hit(stored: dict, score: float, rank: int, terms: frozenset[str], sort: str,
         typed: dict[str, int] | None = None) -> SearchHit:
    meta = json.loads(stored["hit"])
    html, spans = snippet(stored, terms, typed)
    return SearchHit(
        url=stored["url"],
        title=meta["title"],
        published=datetime.fromisoformat(meta["published"]) if meta["published"] else None,
        score=float(score) if sort == "relevance" else 0.0,
        snippet=html,
        spans=spans,
        categories=meta["categories"],
        tags=meta["tags"],
        author=meta.get("author"),
        language=meta.get("language"),
        rank=rank,
    )


def snippet(stored: dict, terms: frozenset[str], typed: dict[str, int] | None = None,
            ) -> tuple[str, list[Span]]:
    """The best passage of the body (or summary) with matches marked, on one line, as HTML
    (escaped) and as spans; the start of the summary when no passage matches (a title-only
    match). ``typed``: term -> bit mask of the typed words it stands for (the passage
    with the most distinct typed words wins)."""
    for name in ("body", "summary"):
        html, spans = excerpt(stored.get(name) or "", terms, words=typed)
        if html:
            return html, spans
    text = stored.get("summary") or stored.get("body") or ""
    return lead(text), lead_spans(text)
