"""The listing page's shortcuts answer as the patterns and XPaths they stand for.

``_next_text`` and ``_page_url`` skip the regex scan when a cheap containment test says it
cannot match; a link's heading ancestors are found by lxml's ancestor iterator, the
``rel=next`` links by iterating link and a elements. Compared with the plain way on
random texts, addresses and documents; a gate missing a phrase is caught.
"""

from __future__ import annotations

import random

from crawler import listings as L
from crawler.page import parse_page

PIECES = ["next", "Next", "NEXT", "older", "Older posts", "older  posts", "older entries", "next page", "Next Page",
          "page suivante", "Page Suivante", "page ſuivante", "olders", "more posts", "load more", "suivant",
          "articles plus anciens", "plus anciens", "»", "›", "→", "prev", "« ", " ", "  ", "\n", "-", ":", "...",
          "read", "1", "2", "pages", "İ", "ı", "K", "older poſts", "é", "PAGE", "post", "s"]
HREF_PIECES = ["/", "/page/", "/PAGE/", "/Page/", "2", "12", "/blog", "?", "&", "=", "page", "paged", "p", "offset",
               "pg", "PG", "Paged", "x", "#", "/pages/", "%2F", "q=1", "?page=", "&p=", "/page/3/"]


def test_next_text_is_the_pattern_search():
    rng = random.Random(3)
    hits = 0
    for _ in range(20000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6)))
        want = L._NEXT_TEXT.search(text) is not None
        assert L._next_text(text) is want, text
        hits += want
    assert 2000 < hits < 18000


def test_page_url_is_the_pattern_search():
    rng = random.Random(4)
    hits = 0
    for _ in range(20000):
        href = "".join(rng.choice(HREF_PIECES) for _ in range(rng.randint(0, 7)))
        want = L._PAGE_URL.search(href) is not None
        assert L._page_url(href) is want, href
        hits += want
    assert 500 < hits < 18000


def test_a_gate_missing_a_phrase_is_caught():
    def gate_without_page(text: str) -> bool:
        low = text.lower()
        return bool(L._NEXT_WHOLE.match(text)) or (("older po" in low or "next page" in low)
                                                   and L._NEXT_PHRASE.search(text) is not None)

    assert not gate_without_page("see the page suivante") and L._next_text("see the page suivante")


def _random_page(rng: random.Random):
    def node(depth: int) -> str:
        tag = rng.choice(["div", "h2", "h3", "h6", "span", "a", "article", "link", "p"])
        attrs = ""
        if tag in ("a", "link"):
            attrs = rng.choice(['', ' href="/x"', ' href=""', ' href="/n" rel="next"', ' rel="Next prev"',
                                ' href="/m" rel="nofollow next"'])
        inner = "".join(node(depth + 1) for _ in range(rng.randint(0, 3))) if depth < 5 else "t"
        return f"<{tag}{attrs}>{inner}</{tag}>"

    second = f"<html><body>{node(0)}</body></html>" if rng.random() < 0.2 else ""  # a second top-level element
    return parse_page(f"<html><head><link rel='next' href='/h'></head><body>{node(0)}{node(0)}</body></html>{second}",
                      "http://x.test/")


def test_heading_ancestors_and_next_links_as_their_xpaths():
    rng = random.Random(5)
    under = links = two = 0
    for _ in range(500):
        page = _random_page(rng)
        tree = page.tree
        for a in tree.iter("a"):
            want = bool(a.xpath("ancestor::*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"))
            assert (next(a.iterancestors(*L._HEADINGS), None) is not None) is want
            under += want
        plain = tree.xpath("//link[@href] | //a[@href]")
        assert L._href_links(page) == plain
        links += len(plain)
        two += not page.index.whole_document
    assert under > 100 and links > 1000 and two > 50
