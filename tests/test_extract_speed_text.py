"""Text walks written for speed read what the plain ways read.

``read_text``'s walk (a stack of child iterators) reads what an iterwalk of start and end
events reads: the same blocks, headings, images and links. ``text_near``'s walks over the
text nodes before and after an element give XPath's ``following::text()`` and
``preceding::text()`` (with the nodes holding them) and the same text. Both on the
generated site's pages and on random documents with comments, processing instructions,
entities, tables, invisible elements and skipped subtrees; walks slightly wrong are caught."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from lxml import etree, html as lxml_html

from crawler.page import parse_page
from crawler.text import BLOCK_TAGS, HEADING_TAGS, INVISIBLE_TAGS, TextOut, clean, read_text
from sample_site.generated import generate_site


def plain_read_text(root, skip: set, skip_test=None, invisible=INVISIBLE_TAGS) -> TextOut:
    """read_text as an iterwalk over start and end events (the plain way)."""
    out = TextOut()
    buf: list[str] = []

    def flush() -> None:
        if buf:
            text = clean("".join(buf))
            buf.clear()
            if text:
                out.blocks.append(text)

    walker = etree.iterwalk(root, events=("start", "end"))
    skipped = set()
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if el is not root and (el in skip or tag in invisible or (skip_test and skip_test(el))):
                skipped.add(el)
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                flush()
            if tag == "img":
                out.images.append(el)
            elif tag == "a":
                out.links.append(el)
            elif tag in HEADING_TAGS:
                text = clean(el.text_content())
                if text:
                    out.headings.append((HEADING_TAGS[tag], text, el))
            if el.text:
                buf.append(el.text)
        else:
            if el in skipped:
                skipped.discard(el)
            elif tag in BLOCK_TAGS:
                flush()
            elif tag in ("td", "th"):
                buf.append(" ")
            if el is not root and el.tail:
                buf.append(el.tail)
    flush()
    return out


TAGS = ["div", "p", "span", "a", "b", "img", "h2", "h3", "ul", "li", "table", "tr", "td", "th", "script", "style",
        "section", "br", "em", "svg", "figure", "figcaption", "blockquote", "pre"]
TEXT = ["", "", "word", " two words ", "\n", "\u00a0x", "A.", "é"]


def _random_html(rng: random.Random) -> str:
    def node(depth: int) -> str:
        kind = rng.random()
        if kind < 0.08:
            return f"<!-- c{rng.randint(0, 9)} -->"
        if kind < 0.12:
            return "<?pi data?>"
        if kind < 0.15:
            return rng.choice(("&amp;", "&nbsp;", "&eacute;"))
        tag = rng.choice(TAGS)
        if tag in ("img", "br"):
            return f"<{tag}>{rng.choice(TEXT)}"
        inner = rng.choice(TEXT)
        if depth < 6:
            inner += "".join(node(depth + 1) + rng.choice(TEXT) for _ in range(rng.randint(0, 4)))
        return f"<{tag} class='c{rng.randint(0, 3)}'>{inner}</{tag}>{rng.choice(TEXT)}"

    return f"<html><body>{''.join(node(0) for _ in range(rng.randint(1, 5)))}</body></html>"


def _trees(tmp_path: Path) -> list:
    generate_site(tmp_path, "http://127.0.0.1:8080", 12, 3)
    trees = [parse_page(f.read_bytes(), "http://127.0.0.1:8080/", encoding="utf-8").tree
             for f in sorted(tmp_path.rglob("index.html"))[:30]]
    rng = random.Random(5)
    keep_all = lxml_html.HTMLParser(remove_comments=False, remove_pis=False)
    for _ in range(300):
        trees.append(lxml_html.document_fromstring(_random_html(rng), parser=keep_all))
    return trees


def _same(a: TextOut, b: TextOut) -> bool:
    return (a.blocks == b.blocks and a.headings == b.headings and a.images == b.images and a.links == b.links)


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    return _trees(Path(tmp_path_factory.mktemp("site")))


def test_read_text_reads_as_the_iterwalk(trees):
    rng = random.Random(9)
    blocks = 0
    for tree in trees:
        elements = list(tree.iter(etree.Element))
        for root in [tree, tree.find("body"), rng.choice(elements)]:
            if root is None:
                continue
            skip = set(rng.sample(elements, min(len(elements), rng.randint(0, 6))))
            tests = [None, lambda el: (el.get("class") or "") == "c1"]
            for skip_test in tests:
                want = plain_read_text(root, skip, skip_test)
                assert _same(read_text(root, skip, skip_test), want), etree.tostring(root)[:2000]
                blocks += len(want.blocks)
    assert blocks > 5000


def test_a_walk_reading_scripts_is_caught(trees):
    def differs(tree) -> bool:
        return plain_read_text(tree, set()).blocks != plain_read_text(tree, set(), invisible=frozenset()).blocks

    assert any(differs(t) for t in trees)


def plain_text_near(page, el, *, after: int = 300, before: int = 120) -> str:
    """text_near by XPath over the text nodes (the plain way)."""
    from crawler.text import INVISIBLE_TAGS as INVISIBLE

    parts_after: list[str] = []
    size = 0
    for node in el.xpath("following::text()[normalize-space()][position() <= 40]"):
        parent = node.getparent()
        if parent is None or parent.tag in INVISIBLE or page.in_chrome(parent):
            continue
        if parent.tag == "time" and parent.get("datetime") and node.is_text:
            continue
        if len(node.strip()) >= 100:
            break
        parts_after.append(str(node))
        size += len(node)
        if size >= after:
            break
    parts_before: list[str] = []
    size = 0
    if before:
        for node in reversed(el.xpath("preceding::text()[normalize-space()][position() <= 8]")):
            parent = node.getparent()
            if parent is None or parent.tag in INVISIBLE or page.in_chrome(parent) or len(node.strip()) >= 100:
                break
            parts_before.insert(0, str(node))
            size += len(node)
            if size >= before:
                break
    return "\n".join(clean(t) for t in parts_before + parts_after if t.strip())


def test_text_near_reads_as_the_xpaths(trees):
    from crawler.text import following_texts, preceding_texts, text_near

    rng = random.Random(10)
    nonempty = 0
    for tree in trees:
        page = parse_page(tree, "http://x.test/")
        elements = list(tree.iter(etree.Element))
        for el in rng.sample(elements, min(len(elements), 12)):
            # the walks give the XPath's text nodes, with the nodes that hold them
            want = [(str(t), t.getparent(), t.is_text) for t in el.xpath("following::text()")]
            assert list(following_texts(el)) == want
            want = [(str(t), t.getparent(), t.is_text) for t in reversed(el.xpath("preceding::text()"))]
            assert list(preceding_texts(el)) == want
            for after, before in ((300, 120), (120, 60), (30, 0)):
                plain = plain_text_near(page, el, after=after, before=before)
                assert text_near(page, el, after=after, before=before) == plain
                nonempty += bool(plain)
    assert nonempty > 1000


def test_a_walk_without_tails_is_caught(trees):
    from crawler.text import following_texts

    tree = trees[0]
    assert any([t for t in following_texts(el) if t[2]] != [(str(t), t.getparent(), t.is_text)
                                                          for t in el.xpath("following::text()")]
               for el in list(tree.iter(etree.Element))[:50])
