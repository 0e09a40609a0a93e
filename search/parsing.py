"""Parsing a query: the parser (multi-field, synonyms, fuzzy words, dates), its cache, and
the checks that turn malformed or too costly input into a message for whoever typed it.

    q = parse_query(searcher.schema, "neck pain year:2024", reader=searcher.reader())
"""

from __future__ import annotations

import copy
import hashlib
import pickle
import re
import threading
from collections import OrderedDict

from whoosh import qparser
from whoosh import query as wq
from whoosh.qparser import syntax
from whoosh.qparser.dateparse import DateParserPlugin

from indexer.analysis import SynonymMap, SynonymPlugin, load_synonyms
from indexer.schema import FIELD_BOOSTS
from search import budget as query_budget
from search.errors import QuerySyntaxError
from search.fields import FIELD_ALIASES, FILTER_FIELDS, QUERY_FIELDS

# --- the parser --------------------------------------------------------------------------


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


class RangedSynonymPlugin(SynonymPlugin):
    """The synonym expansion, with every word of a several-word alternative ("motor
    vehicle accident") placed at the typed run it stands for. Whoosh rebuilds AND/OR
    groups when it normalises a query, dropping their positions; the words keep them, so
    ranking (``search.ranking``) can tell which of the typed words each matched term
    stands for."""

    def _group(self, typed, alternatives, words):
        group = super()._group(typed, alternatives, words)
        for member in group.nodes:
            if isinstance(member, syntax.GroupNode):
                for node in member.nodes:
                    node.set_range(member.startchar, member.endchar)
        return group


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
    parser.add_plugin(RangedSynonymPlugin(synonyms if synonyms is not None else load_synonyms()))
    return parser


# The plugins of query syntax: what a text without any of it does not need (below).
_SYNTAX_PLUGINS = (
    qparser.SingleQuotePlugin, qparser.FieldsPlugin, qparser.WildcardPlugin, qparser.PhrasePlugin,
    qparser.RangePlugin, qparser.GroupPlugin, qparser.OperatorsPlugin, qparser.BoostPlugin,
    qparser.EveryPlugin, qparser.FuzzyTermPlugin, qparser.GtLtPlugin, DateParserPlugin,
    qparser.FieldAliasPlugin,
)
# What any of those plugins reacts to: a field's colon, quotes (an apostrophe inside a word
# is not one), groups, ranges, fuzzy words, boosts, wildcards, comparisons, operator words.
_SYNTAX = re.compile(r"""[:"()\[\]{}~^*?<>=]|(?<!\w)'|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE|REQUIRE|TO)\b""")


def make_plain_parser(schema, synonyms: SynonymMap | None = None) -> qparser.QueryParser:
    """The parser for texts of words alone (no ``_SYNTAX``): ``make_parser``'s without the
    plugins of query syntax, which try their patterns at every word and walk the whole
    parse for nothing on such text (0.8 -> 0.5 ms a query). The same query as
    ``make_parser``'s parser gives (a test compares them)."""
    parser = make_parser(schema, synonyms)
    for plugin in _SYNTAX_PLUGINS:
        parser.remove_plugin_class(plugin)
    return parser


def is_plain(text: str) -> bool:
    """Is ``text`` words alone, for ``make_plain_parser``?"""
    return _SYNTAX.search(text) is None


# Parsers by (schema content, synonyms), least recently used first. Every searcher (one per
# thread, anew after each commit) unpickles its own schema object, so keying by the object
# kept one parser per thread per commit for ever; the same schema content is one key. A
# cached parser holds its synonym map, so that map's id cannot be reused while cached.
PARSER_CACHE_SIZE = 8
_parsers: OrderedDict[tuple[bytes, int, bool], qparser.QueryParser] = OrderedDict()
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


def parser_for(schema, synonyms: SynonymMap, plain: bool = False) -> qparser.QueryParser:
    """The cached parser (``plain``: ``make_plain_parser``'s) of this schema and synonyms."""
    key = (_schema_key(schema), id(synonyms), plain)
    with _parsers_lock:
        parser = _parsers.get(key)
        if parser is not None:
            _parsers.move_to_end(key)
            return parser
    parser = (make_plain_parser if plain else make_parser)(schema, synonyms)
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
    ``QueryBudgetError`` when the query is over ``budget`` (default: ``Budget()``; with
    ``reader``, what its wildcards and fuzzy words stand for in the index is counted too)."""
    synonyms = synonyms if synonyms is not None else load_synonyms()
    budget = budget if budget is not None else query_budget.DEFAULT
    query_budget.check_text(text, budget)
    _check_balanced(text)
    _check_fields(text)
    text_asked = _QUESTION_MARK.sub(lambda m: " " * len(m.group()), text)
    parser = parser_for(schema, synonyms, plain=is_plain(text_asked))
    try:
        q = normalize(parser.parse(text_asked, normalize=False))
    except Exception as exc:  # Whoosh raises assorted types for odd input
        raise QuerySyntaxError(f"cannot understand the query: {exc}", text) from None
    for node in walk(q):
        error = getattr(node, "error", None)
        if error:
            raise QuerySyntaxError(f"cannot understand the query: {error}", text)
    # word~9 would match nearly every word of a large index: read as word~2 (budget)
    query_budget.check_query(q, text, budget, reader)
    return _narrow_by_filters(q)


def normalize(q: wq.Query) -> wq.Query:
    """``q.normalize()``: the same tree, node for node, but ORs and ANDs merged into their
    parents without deep copies. Whoosh's normalisation copies every merged child with
    ``copy.deepcopy`` (``with_boost``), again at each level a synonym group and the
    field expansion nest, which was most of the parsing of a query with synonyms (~0.6
    of 1.2 ms). Merged children are copied node by node here (a word's attributes are
    immutable); other kinds of query are normalised by Whoosh."""
    cls = type(q)
    if cls is not wq.Or and cls is not wq.And:
        return q.normalize()
    subqueries = []
    for s in q.subqueries:
        s = normalize(s)
        if isinstance(s, cls):
            subqueries += [_with_boost(ss, ss.boost * s.boost) for ss in s]
        else:
            subqueries.append(s)
    # from here on CompoundQuery.normalize (whoosh-reloaded 2.7), as it is
    if all(sub is wq.NullQuery for sub in subqueries):
        return wq.NullQuery
    if any((isinstance(sub, wq.Every) and sub.fieldname is None) for sub in subqueries):
        return wq.Every()
    everyfields = set()
    i = 0
    while i < len(subqueries):
        sub = subqueries[i]
        f = sub.field()
        if f in everyfields:
            subqueries.pop(i)
            continue
        if isinstance(sub, (wq.TermRange, wq.NumericRange)):
            j = i + 1
            while j < len(subqueries):
                if sub.overlaps(subqueries[j]):
                    other = subqueries.pop(j)
                    sub = sub.merge(other, intersect=q.intersect_merge)
                else:
                    j += 1
            sub = subqueries[i] = sub.normalize()
        if isinstance(sub, wq.Every):
            everyfields.add(sub.fieldname)
        i += 1
    subqs = []
    seen = set()
    for sub in subqueries:
        if not isinstance(sub, wq.Every) and sub.field() in everyfields:
            continue
        if sub in seen:
            continue
        seen.add(sub)
        subqs.append(sub)
    subqs = [sub for sub in subqs if sub is not wq.NullQuery]
    if not subqs:
        return wq.NullQuery
    if len(subqs) == 1:
        sub = subqs[0]
        sub_boost = getattr(sub, "boost", 1.0)
        if not (q.boost == 1.0 and sub_boost == 1.0):
            sub = _with_boost(sub, sub_boost * q.boost)
        return sub
    norm = cls(subqs, boost=q.boost)
    if cls is wq.Or:  # Or.normalize
        norm.minmatch = q.minmatch
        norm.scale = q.scale
    return norm


def _with_boost(q: wq.Query, boost: float) -> wq.Query:
    """``q.with_boost(boost)``: a copy of ``q`` with that boost."""
    cls = type(q)
    if cls is not wq.Term and cls is not wq.Or and cls is not wq.And:
        return q.with_boost(boost)
    out = _copied(q)
    out.boost = boost
    return out


def _copied(q: wq.Query) -> wq.Query:
    """``copy.deepcopy(q)`` for words, ORs and ANDs of them: new nodes all the way down
    (a word's attributes, strings and numbers, are shared as deepcopy shares them)."""
    cls = type(q)
    if cls is wq.Term:
        return copy.copy(q)
    if cls is wq.Or or cls is wq.And:
        out = copy.copy(q)
        out.subqueries = [_copied(sub) for sub in q.subqueries]
        return out
    return copy.deepcopy(q)


# A question mark ending a word ("does dry needling hurt?") ends a question, not a
# one-letter wildcard: visitors type questions. Replaced by a space, so the words keep
# their positions in the text. Inside a word (ne?k) it is still a wildcard.
_QUESTION_MARK = re.compile(r"(?<=\w)\?+(?=\s|$)")


def _narrow_by_filters(q: wq.Query) -> wq.Query:
    """Top-level OR-ed clauses on filter fields become AND-ed filters (several on one
    field stay alternatives: ``year:2023 year:2024``)."""
    if not isinstance(q, wq.Or):
        return q
    by_field: dict[str, list[wq.Query]] = {}
    words = []
    for child in q.subqueries:
        name = getattr(child, "fieldname", None)
        if name in FILTER_FIELDS:
            by_field.setdefault(name, []).append(child)
        else:
            words.append(child)
    if not by_field or not words:
        return q
    filters = [group[0] if len(group) == 1 else wq.Or(group) for group in by_field.values()]
    return wq.And([wq.Or(words) if len(words) > 1 else words[0], *filters])


def walk(q: wq.Query):
    """``q`` and every query under it."""
    yield q
    for child in q.children():
        yield from walk(child)


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
    known = set(QUERY_FIELDS) | {a for aliases in FIELD_ALIASES.values() for a in aliases}
    stripped = re.sub(r'"[^"]*"', " ", text)
    for match in re.finditer(r"(?<![\w:])([A-Za-z_]\w*):(?=\S)", stripped):
        name = match.group(1)
        if name not in known and not stripped[match.end():].startswith("//"):
            raise QuerySyntaxError(
                f"unknown field {name!r}: use one of {', '.join(sorted(QUERY_FIELDS))}", text
            )
