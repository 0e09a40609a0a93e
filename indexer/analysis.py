"""Text analysis for clinic content, as small Whoosh filters composed into analyzers.

Index time: tokenize -> lowercase -> fold accents -> drop stop words -> stem.
Query time: the same analyzer, plus synonym expansion (``SynonymPlugin``) from a data file
a clinic can extend, so a new synonym never needs a re-index.

Only stock Whoosh classes go into the schema: Whoosh pickles the schema into the index's
table of contents, and stock classes keep old indexes readable whatever this module
becomes.
"""

from __future__ import annotations

import copy
import functools
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.lang.stopwords import stoplists
from whoosh.qparser import syntax
from whoosh.qparser.plugins import Plugin
from whoosh.support.charset import accent_map

DEFAULT_SYNONYMS = Path(__file__).with_name("synonyms.txt")

# Posts are English with some French; the stop list covers both.
STOP_WORDS = frozenset(
    unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode()
    for w in stoplists["en"] | stoplists["fr"]
)
# Apostrophes split words, so French elisions ("l'épaule") index the noun itself.
WORD_PATTERN = r"\w+(?:\.\w+)*"


def tokenizer() -> RegexTokenizer:
    return RegexTokenizer(WORD_PATTERN)


def fold_accents() -> CharsetFilter:
    """physiothérapie -> physiotherapie: French posts match queries typed without accents."""
    return CharsetFilter(accent_map)


def stop_words() -> StopFilter:
    # Runs after folding, so the folded French list matches "à", "été".
    return StopFilter(stoplist=STOP_WORDS, minsize=2)


def stem() -> StemFilter:
    # English Porter stemming also conflates the shared Latin stems of French clinic
    # words: physiothérapie -> physiotherapi <- physiotherapy.
    return StemFilter(lang="en", cachesize=100_000)


def fast_stemming(schema) -> None:
    """Give the stemmers of ``schema``'s analyzers a C-level cache (``functools``) instead of
    Whoosh's own least-frequently-used cache, whose Python bookkeeping on every word cost
    more than stemming the few new ones (the same stems; the cache is not pickled with the
    schema, Whoosh's ``StemFilter`` leaves it out)."""
    for name in schema.names():
        analyzer = getattr(schema[name], "analyzer", None)
        for item in getattr(analyzer, "items", ()):
            if isinstance(item, StemFilter) and isinstance(item.cachesize, int) and item.cachesize > 1:
                item._stem = _cached_stemmer(item.lang or None, item.stemfn, item.cachesize)


@functools.lru_cache(maxsize=None)
def _cached_stemmer(lang, stemfn, size: int):
    if lang:
        from whoosh.lang import stemmer_for_language

        stemfn = stemmer_for_language(lang)
    return functools.lru_cache(maxsize=size)(stemfn)


class IndexTerms:
    """The terms ``analyzer`` makes of a text at index time, as a list Whoosh indexes as
    given (a field's value may be a list of terms: Whoosh numbers their positions from
    0), computed without Whoosh's token stream: each distinct word is lowered, folded,
    stop-checked and stemmed once and remembered, where Whoosh's chain of filter
    generators handled every token of every post (a third of the build's CPU).

    Only for the chain this module builds (tokenizer, lowercase, charset, stop words,
    optionally a stemmer), read from the analyzer's own filters; ``usable`` is False for
    any other. ``terms(text)`` is None when the text starts with a stop word: Whoosh then
    numbers the first kept word by its place among all words, which a list cannot say,
    so the caller indexes the text itself."""

    def __init__(self, analyzer):
        self.usable = False
        items = list(getattr(analyzer, "items", ()))
        stem = items.pop() if items and isinstance(items[-1], StemFilter) else None
        if len(items) != 4:
            return
        tokenize, lower, charset, stop = items
        if not (type(tokenize) is RegexTokenizer and not tokenize.gaps
                and type(lower) is LowercaseFilter and type(charset) is CharsetFilter
                and type(stop) is StopFilter and stop.renumber):
            return
        self._find = tokenize.expression.findall
        self._charmap = charset.charmap
        self._stops, self._min, self._max = stop.stops, stop.min, stop.max
        self._stem = None
        if stem is not None:
            self._stem = _cached_stemmer(stem.lang or None, stem.stemfn, max(2, stem.cachesize or 2))
            self._ignore = stem.ignore
        self._terms = _Terms(self._term)
        self.usable = True

    def _term(self, word: str) -> str | None:
        text = word.lower().translate(self._charmap)
        if len(text) < self._min or (self._max is not None and len(text) > self._max) or text in self._stops:
            return None
        if self._stem is not None and text not in self._ignore:
            text = self._stem(text)
        return text

    def __call__(self, text: str) -> list[str] | None:
        known = self._terms
        if len(known) > 200_000:  # a bound on memory; clinic vocabulary is far smaller
            known.clear()
        terms = list(map(known.__getitem__, self._find(text)))  # a loop in C but for new words
        if terms and terms[0] is None:
            return None  # a leading stop word (see the class)
        return [term for term in terms if term is not None]


class _Terms(dict):
    """word -> its term (None for a stop word), each computed on first use."""

    def __init__(self, term):
        super().__init__()
        self._term = term

    def __missing__(self, word: str) -> str | None:
        term = self[word] = self._term(word)
        return term


def preanalyse(schema):
    """A function that turns an index document's text values into their terms
    (``IndexTerms``) where the field's analyzer allows it, keeping the text as the stored
    value; the index written is the same, its analysis faster."""
    fields = {}
    for name in schema.names():
        field = schema[name]
        if getattr(field, "analyzer", None) is None or not field.indexed or getattr(field, "vector", None):
            continue
        terms = IndexTerms(field.analyzer)
        if terms.usable:
            fields[name] = (terms, field.stored)

    def apply(doc: dict) -> dict:
        doc = dict(doc)
        for name, (terms, stored) in fields.items():
            value = doc.get(name)
            if isinstance(value, str):
                listed = terms(value)
                if listed is not None:
                    doc[name] = listed
                    if stored:
                        doc[f"_stored_{name}"] = value
        return doc

    return apply


def text_analyzer() -> CompositeAnalyzer:
    """The analyzer of every searchable text field."""
    return tokenizer() | LowercaseFilter() | fold_accents() | stop_words() | stem()


def spelling_analyzer() -> CompositeAnalyzer:
    """Unstemmed words, for "did you mean" and as-you-type suggestions.

    Whoosh's corrector works on indexed terms; on a stemmed field it would suggest
    stems ("therapi") rather than words a person typed.
    """
    return tokenizer() | LowercaseFilter() | fold_accents() | stop_words()


def keyword_analyzer() -> CompositeAnalyzer:
    """Whole values (a category, a tag) matched without case or accents."""
    from whoosh.analysis import CommaSeparatedTokenizer

    return CommaSeparatedTokenizer() | LowercaseFilter() | fold_accents()


@functools.lru_cache(maxsize=1)
def _stemmer() -> CompositeAnalyzer:
    return text_analyzer()


def normalize_words(text: str) -> tuple[str, ...]:
    """The index terms of ``text``: how the analyzer sees a query or a synonym."""
    return tuple(t.text for t in _stemmer()(text, removestops=False))


# --- synonyms -------------------------------------------------------------------------


@dataclass
class SynonymMap:
    """Synonym groups keyed by their analysed form, so "Physio", "physios" and
    "physio" all find the same group."""

    groups: list[tuple[str, ...]] = field(default_factory=list)
    # analysed entry -> index into groups
    index: dict[tuple[str, ...], int] = field(default_factory=dict)
    longest: int = 1

    def add_group(self, entries: list[str]) -> None:
        entries = [e.strip() for e in entries if e.strip()]
        if len(entries) < 2:
            return
        keys = [normalize_words(e) for e in entries]
        # A group sharing an entry with an earlier one joins it: a clinic's file
        # extends the bundled groups rather than shadowing them.
        existing = {self.index[k] for k in keys if k in self.index}
        if existing:
            gi = min(existing)
            merged = list(self.groups[gi])
            for other in sorted(existing - {gi}):
                merged.extend(self.groups[other])
            merged.extend(entries)
            self.groups[gi] = tuple(dict.fromkeys(merged))
        else:
            gi = len(self.groups)
            self.groups.append(tuple(dict.fromkeys(entries)))
        for entry in self.groups[gi]:
            key = normalize_words(entry)
            if key:
                self.index[key] = gi
                self.longest = max(self.longest, len(key))

    def alternatives(self, words: tuple[str, ...]) -> tuple[str, ...] | None:
        """The group of the analysed ``words``, or None."""
        gi = self.index.get(words)
        return None if gi is None else self.groups[gi]


def parse_synonyms(text: str, into: SynonymMap | None = None) -> SynonymMap:
    synonyms = into or SynonymMap()
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            synonyms.add_group(line.split(","))
    return synonyms


def synonyms_path() -> Path | None:
    """The clinic's own synonym file, from the NEEDLE_SYNONYMS environment variable.

    Read from the environment, not passed in: the analyzer runs in every process that
    indexes or searches (crawl, rebuild and search workers), and those inherit it."""
    value = os.environ.get("NEEDLE_SYNONYMS")
    return Path(value) if value else None


def load_synonyms(extra: Path | None = None) -> SynonymMap:
    """The bundled groups plus those of ``extra`` (default: ``synonyms_path()``)."""
    extra = extra if extra is not None else synonyms_path()
    return _load_synonyms(str(extra) if extra else "", _mtime(extra))


def _mtime(path: Path | None) -> float:
    try:
        return path.stat().st_mtime if path else 0.0
    except OSError:
        return 0.0


@functools.lru_cache(maxsize=8)
def _load_synonyms(extra: str, mtime: float) -> SynonymMap:
    synonyms = parse_synonyms(DEFAULT_SYNONYMS.read_text(encoding="utf-8"))
    if extra:
        parse_synonyms(Path(extra).read_text(encoding="utf-8"), into=synonyms)
    return synonyms


class SynonymPlugin(Plugin):
    """A query-parser plugin that widens words and word runs to their synonym group.

    It runs on the syntax tree after explicit field names are applied and before the
    multi-field expansion, so ``title:physio`` stays in the title and a bare
    ``physical therapy`` becomes ``(physio OR physiotherapy OR "physical therapy" ...)``
    in every searched field. Entries other than what the user typed weigh a little less,
    so the exact word ranks first.
    """

    def __init__(self, synonyms: SynonymMap, alt_boost: float = 0.8, word_boost: float = 0.25):
        self.synonyms = synonyms
        self.alt_boost = alt_boost
        self.word_boost = word_boost

    def filters(self, parser):
        return [(self.expand, 105)]

    def expand(self, parser, group):
        nodes = list(group)
        out = []
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if isinstance(node, syntax.GroupNode):
                out.append(self.expand(parser, node))
                i += 1
                continue
            match = self._match_at(nodes, i) if _is_word(node) else None
            if match is None:
                out.append(node)
                i += 1
                continue
            end, typed, alternatives = match
            words = [n for n in nodes[i:end] if _is_word(n)]
            out.append(self._group(typed, alternatives, words))
            i = end
        new = copy.copy(group)
        new.nodes = out
        return new

    def _match_at(self, nodes, start):
        """Longest run of words from ``start`` that is a synonym entry."""
        words: list[int] = []  # positions of the word nodes in the run
        j = start
        fieldname = nodes[start].fieldname
        while j < len(nodes) and len(words) < self.synonyms.longest:
            n = nodes[j]
            if _is_word(n) and n.fieldname == fieldname:
                words.append(j)
            elif not isinstance(n, syntax.Whitespace):
                break
            j += 1
        for count in range(len(words), 0, -1):
            typed = " ".join(nodes[k].text for k in words[:count])
            alternatives = self.synonyms.alternatives(normalize_words(typed))
            if alternatives:
                return words[count - 1] + 1, typed, alternatives
        return None

    def _group(self, typed, alternatives, words):
        first, last = words[0], words[-1]
        fieldname = first.fieldname
        typed_key = normalize_words(typed)
        members = []
        for entry in alternatives:
            if normalize_words(entry) == typed_key:
                continue  # the typed form is added below, once
            members.append(self._node(fieldname, entry, self.alt_boost))
        if " " in typed:
            # Unquoted words stay words (any of them may match), but weigh little: the
            # run names one concept, so a title saying "therapy" alone must not outrank
            # posts about "physical therapy" or its synonyms. The exact run as a phrase
            # ranks posts using it higher.
            loose = []
            for n in words:
                n = copy.copy(n)
                n.set_boost(n.boost * self.word_boost)
                loose.append(n)
            members[:0] = loose + [self._node(fieldname, typed, 1.0)]
        else:
            members.insert(0, self._node(fieldname, typed, 1.0))
        for member in members[len(words) if " " in typed else 0:]:
            # error messages point at the typed words
            member.set_range(first.startchar, last.endchar)
        return syntax.OrGroup(members)

    @staticmethod
    def _node(fieldname, text, boost):
        if " " in text.strip():
            # All the words, not the exact phrase: a phrase matcher cannot tell Whoosh
            # the best score it could reach, so one phrase in an OR makes it score every
            # matching post instead of skipping those that cannot reach the top N (5x
            # slower at the 95th percentile). A quoted phrase stays exact.
            words = []
            for word in text.split():
                node = syntax.WordNode(word)
                node.set_fieldname(fieldname)
                node.set_boost(boost)
                words.append(node)
            return syntax.AndGroup(words)
        node = syntax.WordNode(text)
        node.set_fieldname(fieldname)
        node.set_boost(boost)
        return node


def _is_word(node) -> bool:
    return type(node) is syntax.WordNode
