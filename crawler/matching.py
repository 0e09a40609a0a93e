"""Matching the selector lists of ``selectors`` against a page: which element each list finds.

A CSS selector is turned into XPath by cssselect (``compile_selector``, ``select``: the
site-specific selectors). A page's lists are matched through one ``ElementIndex`` per
page: simple selectors (tag, class, id, attribute and their compounds) are looked up by
their tag, class token, id or attribute name, chains of them are followed through the
index, and only the rest run as XPath. It is kept because it is needed: the same lists
run as one cssselect XPath per selector gave the same output at 4.4 times the CPU time
(bench/extract_profile.py, 80 pages: 54.8 against 12.4 ms a page).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from itertools import count

from lxml import etree

from crawler import selectors as S

_NS = {"re": "http://exslt.org/regular-expressions"}


@lru_cache(maxsize=1024)
def compile_selector(selector: str) -> etree.XPath:
    """Compile a CSS or XPath selector (XPath when it starts with ``/``, ``(`` or ``.``)."""
    if selector.startswith(("/", "(", ".//")):
        return etree.XPath(selector, namespaces=_NS)
    from lxml.cssselect import CSSSelector  # only site selectors and index-less matching need it

    return CSSSelector(selector, translator="html")


def select(tree, selectors: list[str] | str):
    """All elements matching any of ``selectors``, in selector order, without duplicates."""
    if isinstance(selectors, str):
        selectors = [selectors]
    seen: set = set()
    out = []
    for sel in selectors:
        for el in compile_selector(sel)(tree):
            if el not in seen:
                seen.add(el)
                out.append(el)
    return out


_SIMPLE = re.compile(r"^(?P<tag>[a-zA-Z][\w-]*|\*)?(?P<rest>(?:[.#][\w-]+|\[[\w-]+(?:~?=[\w-]+)?\])*)$")
_NOT = re.compile(r":not\(\.([\w-]+)\)")
_PART = re.compile(r"([.#])([\w-]+)|\[([\w-]+)(?:(~?=)([\w-]+))?\]")


class SelectorSet:
    """A selector list matched in one Python pass over the tree.

    Simple selectors (``tag``, ``.a.b``, ``#id``, ``[attr=v]``, ``[attr~=v]``, and
    combinations) are checked against each element's tag, class tokens, id and
    attributes through an index; anything else (descendant combinators, XPath) is
    evaluated as XPath. Far cheaper than one big XPath union of ``contains(concat(...))``.
    """

    def __init__(self, selectors: list[str]) -> None:
        self.selectors = list(selectors)
        self._by_tag: dict[str, list] = {}
        self._by_class: dict[str, list] = {}
        self._by_id: dict[str, list] = {}
        self._by_attr: dict[str, list] = {}
        # the complex selectors' CSS, compiled when first matched without an index: with
        # one, chains go through it, and cssselect's translation is a start-up cost
        self._complex_selectors: list[tuple[int, str]] = []
        self._complex_compiled: list[tuple[int, etree.XPath]] | None = None
        # with an ElementIndex: descendant/child chains of simple compounds are matched
        # in Python through the index, the rest as XPath
        self._chains: list[tuple[int, tuple]] = []
        self._xpaths: list[tuple[int, etree.XPath]] = []
        for index, sel in enumerate(self.selectors):
            compound = _compound(sel) if not sel.startswith(("/", "(", ".//")) else None
            if compound is None or compound[4]:
                self._complex_selectors.append((index, sel))
                chain = _chain(sel) if not sel.startswith(("/", "(", ".//")) else None
                if chain is not None:
                    self._chains.append((index, chain))
                else:
                    self._xpaths.append((index, compile_selector(sel)))
                continue
            tag, classes, ident, attrs, _ = compound
            entry = (index, tag, classes, ident, attrs)
            if classes:
                self._by_class.setdefault(next(iter(classes)), []).append(entry)
            elif ident:
                self._by_id.setdefault(ident, []).append(entry)
            elif tag != "*":
                self._by_tag.setdefault(tag, []).append(entry)
            else:
                self._by_attr.setdefault(attrs[0][0], []).append(entry)

    @staticmethod
    def _ok(el, tag, classes, ident, attrs, tokens) -> bool:
        if tag != "*" and el.tag != tag:
            return False
        if classes and not classes <= tokens:
            return False
        if ident and el.get("id") != ident:
            return False
        for name, op, value in attrs:
            actual = el.get(name)
            if actual is None:
                return False
            if op == "=" and actual.strip().lower() != value.lower():
                return False
            if op == "~=" and value.lower() not in actual.lower().split():
                return False
        return True

    def ranked(self, root, features: list | None = None) -> list[tuple[int, object]]:
        """(first matching selector's index, element), sorted by index then document order.

        ``features`` is ``element_features(root)``, passed in when one page is matched
        against many selector lists. A page's lists are better matched through
        ``ranked_in(ElementIndex)``, which walks the page once for all of them.
        """
        if features is None:
            features = element_features(root)
        best: dict = {}
        order: dict = {}
        by_tag, by_class, by_id, by_attr = self._by_tag, self._by_class, self._by_id, self._by_attr
        for position, (el, tag, tokens, ident, attrs) in enumerate(features):
            order[el] = position
            entries = by_tag.get(tag, [])
            if tokens:
                entries = list(entries)
                for token in tokens:
                    if token in by_class:
                        entries.extend(by_class[token])
            if ident and ident in by_id:
                entries = list(entries) + by_id[ident]
            if by_attr and attrs:
                for name in attrs:
                    if name in by_attr:
                        entries = list(entries) + by_attr[name]
            for index, etag, classes, eid, eattrs in entries:
                if (el not in best or index < best[el]) and self._ok(el, etag, classes, eid, eattrs, tokens):
                    best[el] = index
        if self._complex_compiled is None:
            self._complex_compiled = [(i, compile_selector(sel)) for i, sel in self._complex_selectors]
        for index, xpath in self._complex_compiled:
            for el in xpath(root):
                if el not in order:
                    continue  # outside root (an absolute XPath)
                if el not in best or index < best[el]:
                    best[el] = index
        return sorted(((i, el) for el, i in best.items()), key=lambda pair: (pair[0], order[pair[1]]))

    def ranked_in(self, index: "ElementIndex", root=None) -> list[tuple[int, object]]:
        """``ranked`` for ``root`` (default: the whole tree) through a page's ``ElementIndex``.

        Simple selectors are looked up in the index (cost: the matches, not the elements)
        once per page; a subtree's matches are the page's, filtered by document position.
        Chains (``.a img``, ``.a > b``) are matched through the index too, their leftmost
        element inside ``root`` as CSS requires; an XPath runs once per page (an absolute
        ``//...`` finds the same elements from any root) or, when relative, on ``root``.
        """
        cached = index.ranked_cache.get(self)
        if cached is None:
            cached = self._ranked_page(index)
            index.ranked_cache[self] = cached
        if root is None or root is index.root:
            return cached[0]
        order = index.order
        lo = order.get(root)
        if lo is None:  # not part of the indexed tree
            return self.ranked(root)
        hi = index.end(root)
        best = {el: i for i, el in cached[1] if lo <= order[el] <= hi}
        self._add_relative(index, root, lo, hi, best)
        return sorted(((i, el) for el, i in best.items()), key=lambda pair: (pair[0], order[pair[1]]))

    def _ranked_page(self, index: "ElementIndex") -> tuple[list, list]:
        best: dict = {}
        tokens_of = index.tokens
        for bucket, lookup in ((self._by_class, "by_class"), (self._by_id, "by_id"),
                               (self._by_tag, "by_tag"), (self._by_attr, "by_attr")):
            for key, entries in bucket.items():
                elements = getattr(index, lookup).get(key)
                if not elements:
                    continue
                for i, etag, classes, eid, eattrs in entries:
                    for el in elements:
                        if (el not in best or i < best[el]) and self._ok(
                                el, etag, classes, eid, eattrs, tokens_of.get(el, _EMPTY)):
                            best[el] = i
        order = index.order
        for i, xpath in self._xpaths:
            if xpath.path.startswith("//"):
                for el in index.xpath(xpath):
                    if el in order and (el not in best or i < best[el]):
                        best[el] = i
        # what holds for any subtree: simple and absolute matches
        subtree_base = sorted(((i, el) for el, i in best.items()), key=lambda pair: (pair[0], order[pair[1]]))
        if not self._chains and all(x.path.startswith("//") for _, x in self._xpaths):
            return subtree_base, subtree_base
        self._add_relative(index, index.root, 0, index.size - 1, best)
        ranked = sorted(((i, el) for el, i in best.items()), key=lambda pair: (pair[0], order[pair[1]]))
        return ranked, subtree_base

    def _add_relative(self, index: "ElementIndex", root, lo: int, hi: int, best: dict) -> None:
        """Matches of the chains and relative XPaths under ``root`` (positions lo..hi)."""
        order = index.order
        for i, chain in self._chains:
            for el in index.chain_matches(chain, lo, hi):
                if el not in best or i < best[el]:
                    best[el] = i
        for i, xpath in self._xpaths:
            if xpath.path.startswith("//"):
                continue
            for el in xpath(root):
                position = order.get(el)
                if position is not None and lo <= position <= hi and (el not in best or i < best[el]):
                    best[el] = i


def _compound(sel: str) -> tuple | None:
    """(tag, classes, id, attributes, classes it must not have) of a simple selector such
    as ``a.b[rel~=x]`` or ``.widget:not(.Blog)``, else None."""
    nots = frozenset(_NOT.findall(sel))
    sel = _NOT.sub("", sel)
    m = _SIMPLE.match(sel)
    if not m or not (m.group("tag") or m.group("rest")):
        return None
    classes, ident, attrs = [], None, []
    for kind, name, attr, op, value in _PART.findall(m.group("rest")):
        if kind == ".":
            classes.append(name)
        elif kind == "#":
            ident = name
        else:
            attrs.append((attr.lower(), op, value))
    return (m.group("tag") or "*").lower(), frozenset(classes), ident, tuple(attrs), nots


def _chain(sel: str) -> tuple | None:
    """``.a .b > c`` as ((compound, ...), (combinator, ...)), or None for anything else."""
    pieces = re.split(r"(\s*>\s*|\s+)", sel.strip())
    compounds = tuple(_compound(p) for p in pieces[0::2])
    if any(c is None for c in compounds) or (len(compounds) == 1 and not compounds[0][4]):
        return None
    return compounds, tuple(c.strip() or " " for c in pieces[1::2])


_EMPTY: frozenset = frozenset()
# attribute nodes, not elements with a predicate: libxml2 walks these several times
# faster, and the value comes with the node (its element is .getparent())
_CLASS_ATTRS = etree.XPath("descendant-or-self::*/@class")
_ID_ATTRS = etree.XPath("descendant-or-self::*/@id")
_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")


class _Lazy(dict):
    """A dict that fills a missing key from ``compute(key)`` on first ``get``."""

    def __init__(self, compute) -> None:
        super().__init__()
        self._compute = compute

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            value = self[key] = self._compute(key)
            return value


def _attribute_lookup(root, source: str | None):
    """The elements with an attribute ``name``, in document order, as a function of the
    name. With the HTML the tree was parsed from, a name it does not hold (lower-cased, as
    the parser writes names) costs no walk of the tree: most of the selectors' attributes
    are on few pages. (A closure, not a method: the index would hold itself in a cycle.)"""
    lowered: list[str] = []

    def elements(name: str) -> list:
        if not _NAME.match(name):
            return []
        if source is not None:
            if not lowered:
                lowered.append(source.lower())
            if name.lower() not in lowered[0]:
                return []
        return [a.getparent() for a in root.xpath(f"descendant-or-self::*/@{name}")]
    return elements


class ElementIndex:
    """One page's elements by tag, class token, id and attribute name, in document order.

    Built in one walk; every selector list of the page is then matched by lookups
    (``SelectorSet.ranked_in``), and the results are kept here per list.
    """

    def __init__(self, root, source: str | None = None) -> None:
        self.root = root
        # document positions of every element: the one walk in Python a page needs
        self.order: dict = dict(zip(root.iter(etree.Element), count()))
        self.size = len(self.order)
        self.tokens: dict = {}
        self.by_class: dict[str, list] = {}
        tokens, by_class = self.tokens, self.by_class
        for attr in _CLASS_ATTRS(root):
            toks = frozenset(attr.split())
            if toks:
                el = attr.getparent()
                tokens[el] = toks
                for token in toks:
                    by_class.setdefault(token, []).append(el)
        # tags, ids and attributes are looked up by lxml on first use
        self.by_tag = _Lazy(lambda tag: list(root.iter(tag)) if _NAME.match(tag) else [])
        self.by_attr = _Lazy(_attribute_lookup(root, source))
        self._ids: dict[str, list] | None = None
        self.ranked_cache: dict = {}
        self._xpath_cache: dict = {}
        self._compound_cache: dict = {}
        self._sorted_cache: dict = {}
        self._end: dict = {}

    @property
    def whole_document(self) -> bool:
        """Does the indexed tree hold every element of its document? Not when the parser
        made two top-level elements (a second <html> after the first's end): an absolute
        XPath finds elements in both, the index only in its own."""
        root = self.root
        return root.getparent() is None and root.getprevious() is None and root.getnext() is None

    @property
    def by_id(self) -> dict[str, list]:
        if self._ids is None:
            self._ids = {}
            for attr in _ID_ATTRS(self.root):
                self._ids.setdefault(str(attr), []).append(attr.getparent())
        return self._ids

    def xpath(self, xpath: etree.XPath) -> list:
        """An XPath's result on the whole tree, once per page (lists share entries)."""
        found = self._xpath_cache.get(xpath)
        if found is None:
            walk = _WALKS.get(xpath.path)
            found = self._xpath_cache[xpath] = walk(self) if walk is not None else xpath(self.root)
        return found

    def compound_matches(self, compound: tuple) -> set:
        """Elements matching one compound the way CSS does (exact attribute values)."""
        found = self._compound_cache.get(compound)
        if found is None:
            tag, classes, ident, attrs, nots = compound
            if tag != "*" and not (classes or ident or attrs or nots):
                # a bare tag: its elements, as lxml finds them
                found = self._compound_cache[compound] = set(self.by_tag.get(tag, []))
                return found
            if classes:
                candidates = self.by_class.get(next(iter(classes)), [])
            elif ident:
                candidates = self.by_id.get(ident, [])
            elif attrs:
                candidates = self.by_attr.get(attrs[0][0], [])
            else:
                candidates = self.by_tag.get(tag, []) if tag != "*" else list(self.order)
            found = set()
            for el in candidates:
                if tag != "*" and el.tag != tag:
                    continue
                if classes and not classes <= self.tokens.get(el, _EMPTY):
                    continue
                if nots and nots & self.tokens.get(el, _EMPTY):
                    continue
                if ident and el.get("id") != ident:
                    continue
                if all(_css_attr(el.get(name), op, value) for name, op, value in attrs):
                    found.add(el)
            self._compound_cache[compound] = found
        return found

    def chain_matches(self, chain: tuple, lo: int, hi: int) -> list:
        """Elements matching a chain whose leftmost element lies at positions lo..hi."""
        compounds, combinators = chain
        sets = [self.compound_matches(c) for c in compounds]
        if not all(sets):
            return []
        order = self.order
        out = []
        if not combinators:
            return [el for el in sets[0] if lo <= order[el] <= hi]
        if combinators == (" ",):
            # inside an ancestor match: within its range of document positions, found by
            # bisecting the descendants' sorted positions (ranges nest or are disjoint: the
            # nested ones are left out, so that no element is counted twice)
            ranges = sorted((order[a], self.end(a)) for a in sets[0] if lo <= order[a] <= hi)
            positions, elements = self._sorted(compounds[1], sets[1])
            last = -1
            for start, end in ranges:
                if end <= last:
                    continue
                last = end
                out.extend(elements[bisect_right(positions, start):bisect_right(positions, end)])
            return out
        for el in sets[-1]:
            if lo <= order[el] <= hi and self._chain_ok(el, len(compounds) - 1, sets, combinators, lo):
                out.append(el)
        return out

    def _sorted(self, compound: tuple, found: set) -> tuple[list, list]:
        """A compound's matches and their document positions, in document order."""
        cached = self._sorted_cache.get(compound)
        if cached is None:
            order = self.order
            elements = sorted(found, key=order.__getitem__)
            cached = self._sorted_cache[compound] = ([order[el] for el in elements], elements)
        return cached

    def _chain_ok(self, el, k: int, sets: list, combinators: tuple, lo: int) -> bool:
        if k == 0:
            return True
        wanted = sets[k - 1]
        if combinators[k - 1] == ">":
            parent = el.getparent()
            return (parent is not None and parent in wanted and self.order.get(parent, -1) >= lo
                    and self._chain_ok(parent, k - 1, sets, combinators, lo))
        for ancestor in el.iterancestors():
            if self.order.get(ancestor, -1) < lo:
                return False
            if ancestor in wanted and self._chain_ok(ancestor, k - 1, sets, combinators, lo):
                return True
        return False

    def end(self, el) -> int:
        """Document position of the last element inside ``el`` (``el``'s own if it has none)."""
        end = self._end.get(el)
        if end is None:
            node = el
            end = self.size - 1
            while node is not None and node is not self.root:
                following = node.getnext()
                while following is not None and following not in self.order:
                    following = following.getnext()
                if following is not None:
                    end = self.order[following] - 1
                    break
                node = node.getparent()
            self._end[el] = end
        return end


def _css_attr(actual: str | None, op: str, value: str) -> bool:
    if actual is None:
        return False
    if op == "=":
        return actual == value
    if op == "~=":
        return value in actual.split()
    return True


def element_features(root) -> list[tuple]:
    """(element, tag, class tokens, id, attribute names) for every element under root."""
    out = []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        attrib = el.attrib
        cls = attrib.get("class")
        out.append((el, tag, frozenset(cls.split()) if cls else frozenset(), attrib.get("id"),
                    tuple(attrib.keys()) if len(attrib) else ()))
    return out


@lru_cache(maxsize=64)
def _selector_set(selectors: tuple[str, ...]) -> SelectorSet:
    return SelectorSet(list(selectors))


def selector_set(selectors: list[str]) -> SelectorSet:
    return _selector_set(tuple(selectors))


# Page-wide XPaths of ``selectors`` matched by a walk over the page's index instead: each
# finds the elements its XPath finds in the indexed tree (all a ranking keeps), in document
# order, without libxml2 visiting every element (and, for the headed widgets, without
# calling back into Python's re for each heading from inside the XPath). Keyed by the
# XPath's text: an edited selector is no longer here and runs as XPath.
_XML_SPACE = re.compile(r"[ \t\r\n]+")


def normalize_space(text: str) -> str:
    """XPath's normalize-space(): runs of XML white space (not Unicode's) as one space."""
    return _XML_SPACE.sub(" ", text).strip(" ")


def _in_order(index: ElementIndex, elements) -> list:
    order = index.order
    return sorted(set(elements), key=order.__getitem__)


def _outer(tag: str):
    """``//tag[not(ancestor::article or ancestor::main or ancestor::*[@role='main'])]``"""
    def walk(index: ElementIndex) -> list:
        return [el for el in index.by_tag.get(tag) if not any(
            a.tag == "article" or a.tag == "main" or a.get("role") == "main" for a in el.iterancestors())]
    return walk


def _cookie_class(index: ElementIndex) -> list:
    # a class attribute holds "cookie" when one of its tokens does (the word has no space)
    return _in_order(index, (el for token, elements in index.by_class.items() if "cookie" in token
                             for el in elements if el.tag != "body" and el.tag != "html"))


def _posts_widget(index: ElementIndex) -> list:
    return [el for el in index.by_attr.get("data-widget")
            if el.get("data-widget") in ("recent-posts", "related-posts") and el.tag in ("section", "div")]


def _builder_post_lists(index: ElementIndex) -> list:
    return _in_order(index, [el for el in index.by_attr.get("data-element-type")
                             if "BlogPostsList" in el.get("data-element-type")]
                     + [el for el in index.by_attr.get("data-widget-type")
                        if "blogPostList" in el.get("data-widget-type")])


def _rel_tag(index: ElementIndex) -> list:
    out = []
    for el in index.by_tag.get("a"):
        rel = el.get("rel")
        if rel is not None and " tag " in f" {normalize_space(rel)} " and "category" not in rel:
            out.append(el)
    return out


# lxml's EXSLT re:test() compiles its pattern with re.UNICODE, and re.IGNORECASE for 'i'
_WIDGET_HEADING = re.compile(S.WIDGET_HEADING_RE, re.UNICODE | re.IGNORECASE)


def _headed_widgets(index: ElementIndex) -> list:
    found = []
    for tag in ("h2", "h3", "h4"):
        for heading in index.by_tag.get(tag):
            parent = heading.getparent()
            if (parent is None or parent.tag not in ("section", "div", "aside")
                    or not _WIDGET_HEADING.search(normalize_space(heading.text_content()))):
                continue
            if not any(len(normalize_space(p.text_content())) > 300 for p in parent.iter("p")):
                found.append(parent)
    return _in_order(index, found)


_WALKS = {
    S.OUTER_HEADER: _outer("header"),
    S.OUTER_FOOTER: _outer("footer"),
    S.COOKIE_CLASS: _cookie_class,
    S.POSTS_WIDGET: _posts_widget,
    S.BUILDER_POST_LISTS: _builder_post_lists,
    S.REL_TAG: _rel_tag,
    S.HEADED_WIDGET: _headed_widgets,
}
