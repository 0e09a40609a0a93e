"""The page index's faster ways of matching find exactly what the plain ways find.

``crawler.matching.ElementIndex`` matches the page-wide XPaths of ``crawler.selectors`` by
walks over its index, a bare tag's compound by the tag's list, and a descendant chain by
bisecting document positions. Each is compared here with the plain way (libxml2's XPath,
the general compound check, a scan of every candidate against every ancestor range) on
the generated site's pages and on many random documents built from the markup those
selectors look for; and a walk written slightly wrong is caught.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from lxml import etree

from crawler import matching as M
from crawler import selectors as S
from crawler.page import parse_page
from sample_site.generated import generate_site

TAGS = ["div", "section", "aside", "article", "main", "header", "footer", "nav", "h2", "h3", "h4", "p", "a",
        "span", "ul", "li", "img", "time", "body"]
CLASSES = ["cookie", "cookie-notice", "nocookies", "Cookie", "widget", "widget Blog", "cat-links", "tags-links",
           "tags", "post-thumbnail", "entry-content", "content", "blog-post", "single-post", "pagination",
           "nav-links", "entry-header", "posted-on", "", "  ", "x\u00a0cookie"]
ATTRS = [("role", "main"), ("role", "Main"), ("role", " main"), ("role", "navigation"),
         ("data-widget", "recent-posts"), ("data-widget", "related-posts"), ("data-widget", "Recent-posts"),
         ("data-widget", "recent-posts "), ("data-element-type", "x.BlogPostsList"), ("data-element-type", "blogpostslist"),
         ("data-widget-type", "blogPostList.default"), ("rel", "tag"), ("rel", "Tag"), ("rel", "tag nofollow"),
         ("rel", "category tag"), ("rel", " tag\t"), ("rel", "tag\u00a0x"), ("rel", "tags"), ("rel", "")]
HEADINGS = ["Recent Posts", "recent  posts", "\u00a0Recent posts", " Related\tarticles\n", "RECENT STORIES",
            "Read more", "Read more now", "Read next", "Vous aimerez aussi", "Articles récents", "You might also like",
            "More posts from us", "Our recent posts", "Other stories", "İnfo"]
WORDS = ["word", "clinic", "\u00a0", "\t", "\n", "  ", "é", "knee"]


def _random_html(rng: random.Random) -> str:
    def element(depth: int) -> str:
        tag = rng.choice(TAGS[:-1])
        attrs = []
        if rng.random() < 0.5:
            attrs.append(f'class="{rng.choice(CLASSES)}"')
        for _ in range(rng.choice((0, 0, 1, 2))):
            name, value = rng.choice(ATTRS)
            if all(not a.lower().startswith(name + "=") for a in attrs):
                # names in any case: the parser lower-cases them
                attrs.append(f'{name.upper() if rng.random() < 0.2 else name}="{value}"')
        if tag in ("h2", "h3", "h4"):
            inner = rng.choice(HEADINGS)
            if rng.random() < 0.2:
                inner = f"<span>{inner[:4]}</span>{inner[4:]}"
        elif tag == "p":
            size = rng.choice((10, 290, 299, 300, 301, 302, 400))
            inner = "".join(rng.choice(WORDS) for _ in range(size))[:size]
        elif tag == "img":
            return f"<img {' '.join(attrs)}>"
        elif depth < 5:
            inner = "".join(element(depth + 1) for _ in range(rng.randint(0, 4)))
        else:
            inner = rng.choice(WORDS)
        return f"<{tag} {' '.join(attrs)}>{inner}</{tag}>"

    body = "".join(element(0) for _ in range(rng.randint(1, 6)))
    body_class = rng.choice(("", ' class="cookie-page"'))
    # now and then a second top-level element (a second <html> after the first's end)
    second = f"<html><body>{element(0)}</body></html>" if rng.random() < 0.1 else ""
    return f"<html><head><title>t</title></head><body{body_class}>{body}</body></html>{second}"


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list:
    root = Path(tmp_path_factory.mktemp("site"))
    generate_site(root, "http://127.0.0.1:8080", 24, 7)
    files = sorted(root.rglob("index.html"))[:40]
    out = [parse_page(f.read_bytes(), "http://127.0.0.1:8080/", encoding="utf-8") for f in files]
    rng = random.Random(20261130)
    out += [parse_page(_random_html(rng), "http://x.test/") for _ in range(400)]
    return [p for p in out if p.tree is not None]


@pytest.fixture(scope="module")
def trees(pages) -> list:
    return [p.tree for p in pages]


def test_attribute_lookups_skip_names_absent_from_the_source(pages):
    names = ["role", "data-widget", "data-element-type", "data-widget-type", "rel", "class", "hidden", "itemprop",
             "aria-hidden", "data-hook"]
    found = 0
    for page in pages:
        assert page.source is not None
        plain = M.ElementIndex(page.tree)
        for name in names:
            want = plain.by_attr.get(name)
            assert page.index.by_attr.get(name) == want
            found += len(want)
    assert found > 1000
    # the source is what tells: a page whose source is not its tree's would lose matches
    page = pages[-1]
    wrong = M.ElementIndex(page.tree, source="<html></html>")
    assert any(wrong.by_attr.get(n) != M.ElementIndex(page.tree).by_attr.get(n) for n in names)


def test_walks_find_what_their_xpaths_find(trees):
    assert set(M._WALKS) == {S.OUTER_HEADER, S.OUTER_FOOTER, S.COOKIE_CLASS, S.POSTS_WIDGET,
                             S.BUILDER_POST_LISTS, S.REL_TAG, S.HEADED_WIDGET}
    found = {path: 0 for path in M._WALKS}
    outside = 0
    for tree in trees:
        index = M.ElementIndex(tree)
        for path, walk in M._WALKS.items():
            everywhere = M.compile_selector(path)(tree)
            # what a ranking keeps of an XPath's elements: those of the indexed tree
            want = [el for el in everywhere if el in index.order]
            assert walk(index) == want, (path, etree.tostring(tree)[:3000])
            found[path] += len(want)
            outside += len(everywhere) - len(want)
    assert all(n > 5 for n in found.values()), found  # each XPath finds elements somewhere
    assert outside > 0  # and some beyond a second top-level element, which no ranking keeps


def test_index_uses_the_walks(trees):
    xpath = M.compile_selector(S.HEADED_WIDGET)
    for tree in trees[:50]:
        index = M.ElementIndex(tree)
        assert index.xpath(xpath) == [el for el in xpath(tree) if el in index.order]
    assert M._WALKS.get(M.compile_selector(S.HEADED_WIDGET + " | //nav").path) is None  # edited: XPath again


def test_a_walk_with_unicode_white_space_is_caught(trees):
    # normalize-space() collapses XML white space only: "\u00a0Recent posts" is no widget heading
    def loose(index):
        found = []
        for tag in ("h2", "h3", "h4"):
            for heading in index.by_tag.get(tag):
                parent = heading.getparent()
                if (parent is not None and parent.tag in ("section", "div", "aside")
                        and M._WIDGET_HEADING.search(" ".join(heading.text_content().split()))
                        and not any(len(" ".join(p.text_content().split())) > 300 for p in parent.iter("p"))):
                    found.append(parent)
        return M._in_order(index, found)

    xpath = M.compile_selector(S.HEADED_WIDGET)
    assert any(loose(M.ElementIndex(t)) != xpath(t) for t in trees)


def _plain_compound(index: M.ElementIndex, compound: tuple) -> set:
    tag, classes, ident, attrs, nots = compound
    return {el for el in index.order if (tag == "*" or el.tag == tag)
            and classes <= index.tokens.get(el, frozenset()) and not (nots & index.tokens.get(el, frozenset()))
            and (not ident or el.get("id") == ident)
            and all(M._css_attr(el.get(n), op, v) for n, op, v in attrs)}


def _plain_descendants(index: M.ElementIndex, chain: tuple, lo: int, hi: int) -> set:
    (left, right), _ = chain
    ranges = [(index.order[a], index.end(a)) for a in _plain_compound(index, left) if lo <= index.order[a] <= hi]
    return {el for el in _plain_compound(index, right)
            if any(start < index.order[el] <= end for start, end in ranges)}


CHAINS = [M._chain(sel) for sel in (".cat-links a", ".tags a", "article .content", "div a", "section p",
                                    ".content div", "div div", "aside img", "li a", ".widget span")]


def test_compounds_and_descendant_chains_match_as_the_plain_scan(trees):
    matched = 0
    for tree in trees:
        index = M.ElementIndex(tree)
        for tag in ("a", "div", "p", "img", "nav", "blink"):
            compound = M._compound(tag)
            assert index.compound_matches(compound) == _plain_compound(index, compound)
        body = tree.find("body")
        spans = [(0, index.size - 1)]
        if body is not None:
            spans.append((index.order[body], index.end(body)))
            for el in list(body.iter())[1:4]:
                spans.append((index.order[el], index.end(el)))
        for chain in CHAINS:
            assert chain is not None and chain[1] == (" ",)
            for lo, hi in spans:
                got = index.chain_matches(chain, lo, hi)
                assert len(got) == len(set(got))  # nested ancestors count an element once
                want = _plain_descendants(index, chain, lo, hi)
                assert set(got) == want
                matched += len(want)
    assert matched > 1000
