"""The query budget: what one query may cost, checked before it runs.

A wildcard, fuzzy word or word range stands for every index word it matches, and Whoosh
scores each of them: ``*a*`` on a 1,200-post index was an OR of ~37,000 terms and took
seconds of CPU (with the GIL held). So, before a query runs:

- it may have at most ``max_chars`` characters and ``max_words`` words, and at most
  ``max_clauses`` clauses once synonyms and searched fields are added;
- a wildcard needs ``wildcard_prefix`` letters before its first ``*`` or ``?`` (the index
  reads words by prefix: without one it reads the whole word list);
- at most ``max_patterns`` wildcard, fuzzy (``word~``) or word-range terms, each standing
  for at most ``max_expansion`` index words per field, found by scanning at most
  ``max_scan`` index words;
- a fuzzy word makes at most ``max_fuzzy_distance`` edits (``knee~9`` reads as ``knee~2``)
  and keeps its first ``fuzzy_prefix`` letters (``word~2/3`` keeps 3): Whoosh's default of
  none reads every word of the index for each fuzzy word.

Past a limit the query is refused with ``QueryBudgetError`` (a ``QuerySyntaxError``: HTTP
400, exit 2 from ``needle search``), whose message names the limit and what to type instead.
The limits are a ``Budget`` passed to ``search()`` (default: ``Budget()``, the values
above); ``needle search`` and ``needle serve`` make theirs from the ``NEEDLE_QUERY_*``
settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from whoosh import query as wq
from whoosh.support.levenshtein import distance

from search.errors import QueryBudgetError
from search.whoosh_private import expanded_terms, fix_expansion, wildcard_pattern


@dataclass(frozen=True)
class Budget:
    max_chars: int = 200
    max_words: int = 32
    max_clauses: int = 512
    wildcard_prefix: int = 2
    max_patterns: int = 4
    max_expansion: int = 256
    max_scan: int = 10_000
    max_fuzzy_distance: int = 2
    fuzzy_prefix: int = 1


DEFAULT = Budget()


# --- before parsing: the text ------------------------------------------------------------

_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
_WORD = re.compile(r"\w+")


def check_text(text: str, budget: Budget) -> None:
    if len(text) > budget.max_chars:
        raise QueryBudgetError(
            f"the query is {len(text)} characters long, more than the {budget.max_chars} a "
            f"search may have: shorten it", text)
    words = [w for w in _WORD.findall(text) if w not in _OPERATORS]
    if len(words) > budget.max_words:
        raise QueryBudgetError(
            f"the query has {len(words)} words, more than the {budget.max_words} a search may "
            f"have: use fewer words", text)


# --- after parsing: the query tree ---------------------------------------------------------


def shown(node: wq.Query) -> str:
    """A pattern as the user typed it (near enough): ``pa*``, ``neck~2``, ``[a TO c]``."""
    if isinstance(node, wq.Prefix):
        return f"{node.text}*"
    if isinstance(node, wq.FuzzyTerm):
        return f"{node.text}~{node.maxdist:g}"
    if isinstance(node, wq.Every):
        return "*"
    if isinstance(node, wq.TermRange):
        return str(node).split(":", 1)[-1]
    return str(getattr(node, "text", node))


def _literal_prefix(node: wq.Query) -> str:
    if isinstance(node, wq.Prefix):
        return node.text
    if isinstance(node, wq.Every):
        return ""
    text = node.text
    end = min((i for i in (text.find(c) for c in "*?[") if i >= 0), default=len(text))
    return text[:end]


def _first_special(node: wq.Query) -> str:
    text = getattr(node, "text", "") or ""
    if isinstance(node, (wq.Prefix, wq.Every)):
        return "*"
    positions = [(text.find(c), c) for c in "*?" if c in text]
    return min(positions)[1] if positions else "*"


def check_query(q: wq.Query, text: str, budget: Budget, reader=None) -> None:
    """Refuse ``q`` (parsed from ``text``) if it is over ``budget``. With ``reader``, also
    count what each pattern stands for in the index."""
    leaves = [node for node in _walk(q) if node.is_leaf()]
    if len(leaves) > budget.max_clauses:
        raise QueryBudgetError(
            f"the query makes {len(leaves)} clauses once synonyms and fields are added, more "
            f"than the {budget.max_clauses} a search may have: use fewer words", text)
    patterns: dict[tuple, list[wq.Query]] = {}
    for node in leaves:
        if isinstance(node, wq.Every) and node.fieldname:
            patterns.setdefault(("wildcard", "*"), []).append(node)
        elif isinstance(node, wq.MultiTerm):
            if isinstance(node, wq.FuzzyTerm):
                node.maxdist = min(node.maxdist, budget.max_fuzzy_distance)
                node.prefixlength = max(node.prefixlength, budget.fuzzy_prefix)
            patterns.setdefault((type(node).__name__, shown(node)), []).append(node)
    for (_, name), nodes in patterns.items():
        node = nodes[0]
        if isinstance(node, (wq.Wildcard, wq.Prefix, wq.Every, wq.Regex)):
            if len(_literal_prefix(node)) < budget.wildcard_prefix:
                raise QueryBudgetError(
                    f"`{name}`: a wildcard needs at least {budget.wildcard_prefix} letters before "
                    f"the first {_first_special(node)}", text)
    if len(patterns) > budget.max_patterns:
        names = ", ".join(f"`{name}`" for _, name in patterns)
        raise QueryBudgetError(
            f"the query has {len(patterns)} wildcard, fuzzy or range terms ({names}), more than "
            f"the {budget.max_patterns} a search may have: use fewer", text)
    if reader is None:
        return
    for (_, name), nodes in patterns.items():
        for node in nodes:
            _check_expansion(node, name, text, budget, reader)


def _check_expansion(node: wq.Query, name: str, text: str, budget: Budget, reader) -> None:
    """Expand ``node`` within the budget and keep what it stands for on the node, so that
    the search (bitsets, scoring, snippets) does not expand it again for each use."""
    fieldname = node.field()
    if fieldname not in reader.schema:
        return
    if isinstance(node, (wq.Wildcard, wq.Regex, wq.FuzzyTerm)):
        # Whoosh reads every word under the literal prefix and tries each: bound the read
        if isinstance(node, wq.FuzzyTerm):
            prefix, special = node.text[:node.prefixlength], f"~{node.maxdist:g}"
        else:
            prefix, special = _literal_prefix(node), _first_special(node)
        candidates = list(islice(reader.expand_prefix(fieldname, prefix), budget.max_scan + 1))
        if len(candidates) > budget.max_scan:
            raise QueryBudgetError(
                f"`{name}` would read more than {budget.max_scan:,} words of the index: "
                + (f"keep more of its first letters ({node.text}{special}/{node.prefixlength + 1}) "
                   "or write it without ~" if isinstance(node, wq.FuzzyTerm)
                   else f"put more letters before the first {special}"), text)
        words = _matching(node, reader.schema[fieldname], candidates)
    else:
        words = list(islice(expanded_terms(node, reader), budget.max_expansion + 1))
    if len(words) > budget.max_expansion:
        if isinstance(node, wq.FuzzyTerm):
            advice = "use a longer word or fewer edits (word~1)"
        elif isinstance(node, wq.TermRange):
            advice = "narrow the range"
        else:
            advice = f"put more letters before the first {_first_special(node)}"
        raise QueryBudgetError(
            f"`{name}` stands for more than {budget.max_expansion} words of the index (in "
            f"{fieldname}): {advice}", text)
    fix_expansion(node, words)


def _matching(node: wq.Query, field, candidates: list[bytes]) -> list:
    """The candidates ``node`` matches: Whoosh's own tests, run once."""
    if isinstance(node, wq.FuzzyTerm):
        # whoosh.reading.IndexReader.terms_within, with a length test first (a word more
        # than maxdist letters longer or shorter is more than maxdist edits away)
        target, maxdist = node.text, node.maxdist
        low, high = len(target) - maxdist, len(target) + maxdist
        out = []
        for btext in candidates:
            word = field.from_bytes(btext)
            if low <= len(word) <= high and distance(word, target, limit=maxdist) <= maxdist:
                out.append(word)
        return out
    pattern = re.compile(wildcard_pattern(node))
    from_bytes = field.from_bytes
    return [btext for btext in candidates if pattern.match(from_bytes(btext))]


def _walk(q: wq.Query):
    yield q
    for child in q.children():
        yield from _walk(child)
