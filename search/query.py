"""Search the index: parse, rank (BM25F), filter, facet, paginate, highlight.

    results = search(".needle/index", "dry needling neck", year=2024, per_page=5)

Searchers are opened once per index and thread and reused; each call checks the
index generation (a directory listing) and refreshes when a writer has committed.
What is computed from a generation (term impacts, match bitsets, columns) is shared by
every thread of the process (``search.cache``) and can be warmed in the background
(``search.warmup``).
Results are cached per (index generation, arguments), so repeated queries from the
web service cost a dictionary lookup.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass
from itertools import islice
from datetime import date, datetime, time, timezone
from typing import Any

from whoosh import qparser
from whoosh import query as wq
from whoosh import sorting
from whoosh.qparser import syntax
from whoosh.qparser.dateparse import DateParserPlugin

from indexer.analysis import SynonymMap, SynonymPlugin, keyword_analyzer, load_synonyms
from indexer.schema import FIELD_BOOSTS, TEXT_FIELDS
from indexer.writer import open_index
from search.models import SearchHit, SearchResults, Sort
from search import budget as query_budget
from search import cache, ranking
from search.docsets import DocSets, members
from search.errors import QueryBudgetError, QuerySyntaxError  # noqa: F401 - both raised here
from search.snippets import MAX_TERMS as MAX_HIGHLIGHT_TERMS
from search.snippets import highlight, lead

MAX_PER_PAGE = 100
# Field names a query may use (aliases on the right map to the schema's names).
QUERY_FIELDS = tuple(
    dict.fromkeys((*TEXT_FIELDS, "text", "author", "language", "published", "year", "url"))
)
FIELD_ALIASES = {
    "text": ["body"],  # the body's words are indexed in the combined text
    "category": ["categories", "cat"],
    "tag": ["tags"],
    "published": ["date"],
    "language": ["lang"],
    "headings": ["heading"],
    "captions": ["caption", "alt"],
}
# Fields whose query words are marked in snippets.
_HIGHLIGHT_FIELDS = frozenset(TEXT_FIELDS) | {"text", "author"}
# Fields ranked by BM25F (the others are filters or keys).
_SCORED_FIELDS = frozenset(TEXT_FIELDS) | {"text", "author"}
# Fields only posts have: a query made of these alone cannot match other records.
_POST_FIELDS = frozenset(QUERY_FIELDS) - {"url"} | {"category_key", "tag_key", "spell"}


# QuerySyntaxError: the query cannot be understood; QueryBudgetError (a QuerySyntaxError):
# it would cost more than a search may (search.budget). Both say why, for whoever typed it.


# --- searchers, reused across calls ---------------------------------------------------


@dataclass
class _Handle:
    """One thread's searcher on an index, and the process-wide caches of its generation."""

    path: str
    ix: Any
    searcher: Any
    generation: int
    token: Any = None  # the generation's table of contents on disk (cache.toc_token)
    shared: cache.Generation = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.shared is None:
            self.shared = cache.generation(self.path, self.generation, self.token)

    @property
    def impacts(self) -> ranking.Impacts:
        """Per-term BM25F impacts of this generation (see search.ranking)."""
        return self.shared.impacts(self.searcher)

    @property
    def docsets(self) -> DocSets:
        """Matching-document bitsets of this generation (see search.docsets)."""
        return self.shared.docsets(self.searcher, _SCORED_FIELDS)

    def column(self, name: str) -> list:
        """A column as a list indexed by document number (read once per generation)."""
        return self.shared.column(self.searcher, name)


_local = threading.local()
_all_handles: list[_Handle] = []
_handles_lock = threading.Lock()
_results_cache: OrderedDict[tuple, SearchResults] = OrderedDict()
_RESULTS_CACHE_SIZE = 512


def index_handle(index_dir: str | os.PathLike) -> _Handle:
    """This thread's searcher on ``index_dir``, refreshed if the index changed."""
    path = os.path.abspath(index_dir)
    handles = _local.__dict__.setdefault("handles", {})
    handle = handles.get(path)
    if handle is not None:
        try:
            # the same generation number from an index deleted and built again is not
            # up to date: its table of contents is another file
            if handle.searcher.up_to_date() and cache.toc_token(path, handle.generation) == handle.token:
                return handle
            # Not searcher.refresh(): whoosh-reloaded's reuse of segment readers keeps the
            # segments a merge replaced, so the refreshed searcher counts their posts twice.
            searcher = handle.ix.searcher()
            old, handle.searcher = handle.searcher, searcher
            old.close()
            handle.generation = searcher.reader().generation()
            handle.token = cache.toc_token(path, handle.generation)
            handle.shared = cache.generation(path, handle.generation, handle.token)
            return handle
        except (OSError, ValueError):
            # the index was removed or rebuilt from scratch under us: open it anew
            _forget(handle)
            del handles[path]
    for attempt in range(5):
        try:
            ix = open_index(path)
            searcher = ix.searcher()
            break
        except FileNotFoundError:
            # a writer committed while Whoosh read the table of contents it had just
            # listed, and removed it: read the newer one
            if attempt == 4 or not os.path.isdir(path):
                raise
    number = searcher.reader().generation()
    handle = _Handle(path, ix, searcher, number, cache.toc_token(path, number))
    handles[path] = handle
    with _handles_lock:
        _all_handles.append(handle)
    return handle


def close_searchers() -> None:
    """Close every cached searcher (tests, and servers shutting down)."""
    with _handles_lock:
        for handle in _all_handles:
            handle.searcher.close()
        _all_handles.clear()
        _results_cache.clear()
    _local.__dict__.pop("handles", None)
    cache.clear()


def _forget(handle: _Handle) -> None:
    with _handles_lock:
        if handle in _all_handles:
            _all_handles.remove(handle)
    try:
        handle.searcher.close()
    except Exception:  # already gone with its files
        pass


# --- parsing --------------------------------------------------------------------------


class BoostedMultifieldPlugin(qparser.MultifieldPlugin):
    """Whoosh's multi-field expansion, but a word's own weight (a synonym's lower weight,
    ``knee^2``) is multiplied by the field's boost instead of replaced by it."""

    def do_multifield(self, parser, group):
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self.do_multifield(parser, node)
            elif node.has_fieldname and node.fieldname is None:
                copies = []
                for name in self.fieldnames:
                    copied = copy.copy(node)
                    copied.set_fieldname(name)
                    copied.set_boost(node.boost * self.boosts.get(name, 1.0))
                    copies.append(copied)
                group[i] = self.group(copies)
        return group


MAX_FUZZY_DISTANCE = query_budget.Budget.max_fuzzy_distance  # NEEDLE_QUERY_MAX_FUZZY_DISTANCE


def make_parser(schema, synonyms: SynonymMap | None = None) -> qparser.QueryParser:
    """The query parser: unfielded words search every text field and are OR-ed
    (BM25F already ranks posts matching more of them higher); synonyms widen words;
    ``word~`` is fuzzy."""
    # Not OrGroup.factory(): Whoosh's coordination bonus zeroes the score of a query
    # whose only matching term is in one field.
    parser = qparser.QueryParser(None, schema, group=qparser.OrGroup)
    parser.add_plugin(BoostedMultifieldPlugin(list(FIELD_BOOSTS), fieldboosts=FIELD_BOOSTS))
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    parser.add_plugin(DateParserPlugin(free=False))
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    parser.add_plugin(SynonymPlugin(synonyms if synonyms is not None else load_synonyms()))
    return parser


# Parsers by (schema content, synonyms), least recently used first. Every searcher (one per
# thread, anew after each commit) unpickles its own schema object, so keying by the object
# kept one parser per thread per commit for ever; the same schema content is one key. A
# cached parser holds its synonym map, so that map's id cannot be reused while cached.
PARSER_CACHE_SIZE = 8
_parsers: OrderedDict[tuple[bytes, int], qparser.QueryParser] = OrderedDict()
_parsers_lock = threading.Lock()


def _schema_key(schema) -> bytes:
    """A digest of the schema's content, computed once per schema object."""
    key = getattr(schema, "_needle_key", None)
    if key is None:
        key = hashlib.sha1(pickle.dumps(schema, protocol=4)).digest()
        try:
            schema._needle_key = key
        except AttributeError:  # a schema class with slots: computed each time
            pass
    return key


def parser_for(schema, synonyms: SynonymMap) -> qparser.QueryParser:
    key = (_schema_key(schema), id(synonyms))
    with _parsers_lock:
        parser = _parsers.get(key)
        if parser is not None:
            _parsers.move_to_end(key)
            return parser
    parser = make_parser(schema, synonyms)
    with _parsers_lock:
        parser = _parsers.setdefault(key, parser)
        while len(_parsers) > PARSER_CACHE_SIZE:
            _parsers.popitem(last=False)
    return parser


def parser_cache_size() -> int:
    return len(_parsers)


def parse_query(schema, text: str, synonyms: SynonymMap | None = None, *,
                reader=None, budget: query_budget.Budget | None = None) -> wq.Query:
    """Parse ``text`` or raise ``QuerySyntaxError`` saying what is wrong, or
    ``QueryBudgetError`` when the query is over ``budget`` (default: the settings'; with
    ``reader``, what its wildcards and fuzzy words stand for in the index is counted too)."""
    synonyms = synonyms if synonyms is not None else load_synonyms()
    budget = budget if budget is not None else query_budget.current()
    query_budget.check_text(text, budget)
    _check_balanced(text)
    _check_fields(text)
    parser = parser_for(schema, synonyms)
    try:
        q = parser.parse(text)
    except Exception as exc:  # Whoosh raises assorted types for odd input
        raise QuerySyntaxError(f"cannot understand the query: {exc}", text) from None
    for node in _walk(q):
        error = getattr(node, "error", None)
        if error:
            raise QuerySyntaxError(f"cannot understand the query: {error}", text)
    # word~9 would match nearly every word of a large index: read as word~2 (budget)
    query_budget.check_query(q, text, budget, reader)
    return _narrow_by_filters(q)


# Fields that say which posts, not what about: "shockwave year:2023" means shockwave
# posts of 2023, not shockwave posts or posts of 2023.
_FILTER_FIELDS = ("year", "published", "language")


def _narrow_by_filters(q: wq.Query) -> wq.Query:
    """Top-level OR-ed clauses on filter fields become AND-ed filters (several on one
    field stay alternatives: ``year:2023 year:2024``)."""
    if not isinstance(q, wq.Or):
        return q
    by_field: dict[str, list[wq.Query]] = {}
    words = []
    for child in q.subqueries:
        name = getattr(child, "fieldname", None)
        if name in _FILTER_FIELDS:
            by_field.setdefault(name, []).append(child)
        else:
            words.append(child)
    if not by_field or not words:
        return q
    filters = [group[0] if len(group) == 1 else wq.Or(group) for group in by_field.values()]
    return wq.And([wq.Or(words) if len(words) > 1 else words[0], *filters])


def _walk(q: wq.Query):
    yield q
    for child in q.children():
        yield from _walk(child)


def _check_balanced(text: str) -> None:
    if text.count('"') % 2:
        raise QuerySyntaxError('unbalanced quote: a phrase needs a closing "', text)
    depth = 0
    for ch in _outside_quotes(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise QuerySyntaxError('unbalanced parenthesis: ")" without "("', text)
    if depth:
        raise QuerySyntaxError('unbalanced parenthesis: "(" without ")"', text)
    for bracket, closing in (("[", "]"), ("{", "}")):
        if text.count(bracket) != text.count(closing):
            raise QuerySyntaxError(f"unbalanced range: {bracket!r} without {closing!r}", text)


def _outside_quotes(text: str):
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            yield ch


def _check_fields(text: str) -> None:
    import re

    known = set(QUERY_FIELDS) | {a for aliases in FIELD_ALIASES.values() for a in aliases}
    stripped = re.sub(r'"[^"]*"', " ", text)
    for match in re.finditer(r"(?<![\w:])([A-Za-z_]\w*):(?=\S)", stripped):
        name = match.group(1)
        if name not in known and not stripped[match.end():].startswith("//"):
            raise QuerySyntaxError(
                f"unknown field {name!r}: use one of {', '.join(sorted(QUERY_FIELDS))}", text
            )


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
) -> SearchResults:
    """Posts matching ``query``, best first (or by date), one page of them.

    ``year``, ``since``/``until`` (inclusive; a date means that whole day, in UTC) and
    ``category`` (exact, case- and accent-insensitive) narrow the results. An empty
    query lists every post. A query whose words are unknown to the index but close to
    known ones is corrected: ``suggestion`` says how, and ``query_used`` is what ran.
    Raises ``QuerySyntaxError`` for a malformed query, ``IndexNotFoundError`` when
    there is no index, ``ValueError`` for bad options.
    """
    if sort not in ("relevance", "newest", "oldest"):
        raise ValueError(f"sort must be relevance, newest or oldest, not {sort!r}")
    if page < 1:
        raise ValueError("page must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")
    if not query.strip() and sort == "relevance":
        sort = "newest"  # nothing to rank by: every post, newest first
    with cache.busy():  # the background warm-up (search.warmup) gives way
        return _search(index_dir, query, year, since, until, category, sort, page, per_page, facets)


def _search(index_dir, query, year, since, until, category, sort, page, per_page, facets):
    handle = index_handle(index_dir)
    synonyms = load_synonyms()
    cache_key = (
        handle.path, handle.generation, handle.token, id(synonyms), query, year, since, until, category,
        sort, page, per_page, facets,
    )
    cached = _results_cache.get(cache_key)
    if cached is not None:
        return cached.model_copy(deep=True)

    from search.suggest import did_you_mean

    schema = handle.searcher.schema
    reader = handle.searcher.reader()
    q = parse_query(schema, query, synonyms, reader=reader)
    suggestion = did_you_mean(handle.searcher, query, synonyms) if query.strip() else None
    query_used = query
    if suggestion is not None:
        # The typed words match nothing in the index, so search what was meant.
        q = parse_query(schema, suggestion, synonyms, reader=reader)
        query_used = suggestion
    filters = _filters(year, since, until, category)
    results = _run(handle, q, filters, sort=sort, page=page, per_page=per_page, facets=facets)
    results = results.model_copy(
        update={"query": query, "query_used": query_used, "suggestion": suggestion}
    )
    with _handles_lock:
        _results_cache[cache_key] = results
        while len(_results_cache) > _RESULTS_CACHE_SIZE:
            _results_cache.popitem(last=False)
    return results.model_copy(deep=True)


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
    for node in _walk(q):
        if isinstance(node, (wq.Not, wq.Every)):
            return True
        if node.is_leaf() and getattr(node, "fieldname", None) not in _POST_FIELDS:
            return True
    return False


# A post without a date holds the column's largest value, so a plain reverse sort would
# list undated posts as the newest; they go last either way.
_UNDATED = 2**64 - 1
_NEWEST = sorting.TranslateFacet(
    lambda v: -1 if v == _UNDATED else v, sorting.FieldFacet("published")
)


def _run(handle: _Handle, q, filters, *, sort, page, per_page, facets) -> SearchResults:
    searcher = handle.searcher
    if q is wq.NullQuery or isinstance(q, wq.qcore._NullQuery):
        q = wq.Every()
    parts = [q, *filters]
    if _needs_kind_filter(q):
        parts.append(wq.Term("kind", "post"))
    full = wq.And(parts) if len(parts) > 1 else q
    for node in _walk(full):
        if isinstance(node, wq.Or):
            # Whoosh preloads and scores every match of an OR on small indexes (under
            # 5,000 documents); the union tree skips blocks that cannot reach the top N.
            node.matcher_type = wq.Or.DEFAULT_MATCHER
    limit = page * per_page
    # The exact total and the facets come from cached bitsets, not from walking every
    # matching document (Whoosh's len(results)).
    docsets = handle.docsets
    matching = docsets.of(full, searcher)
    total = matching.bit_count()
    facet_counts: dict[str, dict[str, int]] = {}
    if facets:
        facet_counts = docsets.facets(matching, handle.column("year"), handle.column("categories"))
    start = (page - 1) * per_page
    ranked = None
    if sort == "relevance" and not isinstance(q, wq.Every):
        p = ranking.plan(q, _SCORED_FIELDS)
        if p is not None:
            # words, ORs and ANDs: summed cached impacts (search.ranking)
            scores = handle.impacts.scores(p, searcher)
            allowed = set(members(matching)) if len(parts) > 1 else None
            ranked = ranking.top(scores, limit, allowed)[start:]
        else:
            results = searcher.search(full, limit=limit)
    else:
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
    terms = _highlight_terms(q, searcher.reader()) if ranked else frozenset()
    hits = [
        _hit(searcher.stored_fields(docnum), score, start + i + 1, terms, sort)
        for i, (docnum, score) in enumerate(ranked)
    ]
    return SearchResults(
        query="", query_used="", total=total, hits=hits, facets=facet_counts,
        page=page, per_page=per_page, sort=sort,
    )


def _highlight_terms(q: wq.Query, reader) -> frozenset[str]:
    """The index terms of ``q`` worth marking in a snippet: text words (fuzzy and prefix
    words expanded to the terms they matched), not filters or keys. At most
    ``snippets.MAX_TERMS``: the words as typed first, then what patterns matched."""
    words: dict[str, None] = {}
    expanded: dict[str, None] = {}
    for node in _walk(q):
        if not node.is_leaf() or getattr(node, "fieldname", None) not in _HIGHLIGHT_FIELDS:
            continue
        if isinstance(node, wq.MultiTerm):  # fuzzy, prefix, wildcard: what they matched
            texts = islice(node._btexts(reader), MAX_HIGHLIGHT_TERMS)
            into = expanded
        else:
            texts = (text for _, text in node.iter_all_terms(phrases=True))
            into = words
        for t in texts:
            into.setdefault(t.decode("utf-8") if isinstance(t, bytes) else t, None)
    return frozenset(islice((*words, *expanded), MAX_HIGHLIGHT_TERMS))


def _hit(stored: dict, score: float, rank: int, terms: frozenset[str], sort: str) -> SearchHit:
    meta = json.loads(stored["hit"])
    return SearchHit(
        url=stored["url"],
        title=meta["title"],
        published=datetime.fromisoformat(meta["published"]) if meta["published"] else None,
        score=float(score) if sort == "relevance" else 0.0,
        snippet=snippet(stored, terms),
        categories=meta["categories"],
        tags=meta["tags"],
        author=meta.get("author"),
        language=meta.get("language"),
        rank=rank,
    )


def snippet(stored: dict, terms: frozenset[str]) -> str:
    """The best passage of the body (or summary) with matches marked, HTML-escaped, on
    one line; the start of the summary when no passage matches (a title-only match)."""
    for name in ("body", "summary"):
        marked = highlight(stored.get(name) or "", terms)
        if marked:
            return marked
    return lead(stored.get("summary") or stored.get("body") or "")
