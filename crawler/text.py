"""Reading text out of an lxml tree: cleaned strings, blocks, nearby text, subtree helpers."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:  # annotations only: the page module itself reads text through this one
    from crawler.page import Page


BLOCK_TAGS = frozenset(
    "p div section article main header footer aside nav h1 h2 h3 h4 h5 h6 ul ol li dl dt dd "
    "blockquote pre table thead tbody tfoot tr td th caption figure figcaption address hr br "
    "details summary form fieldset center".split()
)
HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


# never text, anywhere
INVISIBLE_TAGS = frozenset("script style noscript template svg head title meta link iframe object embed".split())
WS = re.compile(r"\s+")
WORD = re.compile(r"\w+(?:['’-]\w+)*")


def clean(text: str | None) -> str:
    # str.split() and re's \s agree on what whitespace is (str.isspace): the same
    # result as WS.sub(" ", text).strip(), at a quarter of the cost
    return " ".join(text.split()) if text else ""


@dataclass
class TextOut:
    blocks: list[str] = field(default_factory=list)
    headings: list[tuple[int, str, object]] = field(default_factory=list)
    images: list = field(default_factory=list)
    links: list = field(default_factory=list)


def read_text(root, skip: set, skip_test=None) -> TextOut:
    """Text of ``root`` as blocks (one per paragraph, heading, list item...), skipping
    the subtrees in ``skip`` and invisible elements."""
    out = TextOut()
    buf: list[str] = []
    images, links, headings = out.images, out.links, out.headings

    def flush() -> None:
        if buf:
            text = clean("".join(buf))
            buf.clear()
            if text:
                out.blocks.append(text)

    # Depth first with a stack of child iterators: each element is opened (block break,
    # image, link, heading, its text) and closed (block break, cell space, its tail) once,
    # a childless one at once, as an iterwalk's start and end events would. Like those
    # events, the walk sees elements only: a comment's text and tail are not read.
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag in BLOCK_TAGS:
        flush()
    if tag == "img":
        images.append(root)
    elif tag == "a":
        links.append(root)
    elif tag in HEADING_TAGS:
        text = clean(root.text_content())
        if text:
            headings.append((HEADING_TAGS[tag], text, root))
    text = root.text
    if text:
        buf.append(text)
    stack = [(root, tag, root.iterchildren(etree.Element))]
    while stack:
        el, tag, children = stack[-1]
        for child in children:
            ctag = child.tag
            if child in skip or ctag in INVISIBLE_TAGS or (skip_test and skip_test(child)):
                text = child.tail
                if text:
                    buf.append(text)
                continue
            if ctag in BLOCK_TAGS:
                flush()
            if ctag == "img":
                images.append(child)
            elif ctag == "a":
                links.append(child)
            elif ctag in HEADING_TAGS:
                text = clean(child.text_content())
                if text:
                    headings.append((HEADING_TAGS[ctag], text, child))
            text = child.text  # each read of .text or .tail decodes it anew
            if text:
                buf.append(text)
            if len(child):
                stack.append((child, ctag, child.iterchildren(etree.Element)))
                break
            if ctag in BLOCK_TAGS:
                flush()
            elif ctag == "td" or ctag == "th":
                buf.append(" ")
            text = child.tail
            if text:
                buf.append(text)
        else:
            stack.pop()
            if tag in BLOCK_TAGS:
                flush()
            elif tag == "td" or tag == "th":
                buf.append(" ")
            if el is not root:
                text = el.tail
                if text:
                    buf.append(text)
    flush()
    return out


def link_text(el) -> str:
    """``el.text_content()``, without lxml's XPath call for the common childless element."""
    if len(el):
        return el.text_content()
    return el.text or ""


def text_len(el) -> int:
    """``len(WS.sub(" ", el.text_content()))``: the text with each white-space run as one
    space, counted from its words (str.split's white space is re's \\s) without the regex."""
    text = el.text_content() or ""
    words = text.split()
    if not words:
        return 1 if text else 0
    return sum(map(len, words)) + len(words) - 1 + text[0].isspace() + text[-1].isspace()


_XML_BLANK = " \t\r\n"  # XPath's white space, which normalize-space() drops


def _subtree_texts(el):
    """The text nodes of ``el``'s subtree and its tail, in document order, as
    (text, the node holding it, whether it is the node's own text rather than its tail).
    A comment or processing instruction holds no text node, only its tail."""
    if isinstance(el.tag, str):
        text = el.text
        if text is not None:
            yield text, el, True
        for child in el:
            yield from _subtree_texts(child)
    tail = el.tail
    if tail is not None:
        yield tail, el, False


def _subtree_texts_reversed(el):
    """``_subtree_texts(el)`` backwards."""
    tail = el.tail
    if tail is not None:
        yield tail, el, False
    if isinstance(el.tag, str):
        for child in reversed(el):
            yield from _subtree_texts_reversed(child)
        text = el.text
        if text is not None:
            yield text, el, True


def following_texts(el):
    """XPath's ``following::text()`` of ``el``, in document order (a generator: the caller
    stops when it has enough, where libxml2 collects the rest of the page first)."""
    node = el
    while node is not None:
        tail = node.tail
        if tail is not None:
            yield tail, node, False
        sibling = node.getnext()
        while sibling is not None:
            yield from _subtree_texts(sibling)
            sibling = sibling.getnext()
        node = node.getparent()


def preceding_texts(el):
    """XPath's ``preceding::text()`` of ``el``, nearest first (ancestors hold none of it but
    the text before their first child)."""
    node = el
    while node is not None:
        sibling = node.getprevious()
        while sibling is not None:
            yield from _subtree_texts_reversed(sibling)
            sibling = sibling.getprevious()
        node = node.getparent()
        if node is not None:
            text = node.text
            if text is not None:
                yield text, node, True


def text_near(page: Page, el, *, after: int = 300, before: int = 120) -> str:
    """Visible text just before and after an element (the title): bylines live there.

    Reads the first 40 text nodes after it that are not blank, and the 8 nearest before it
    (XPath's ``following::text()[normalize-space()][position() <= 40]`` and
    ``preceding::text()[normalize-space()][position() <= 8]``), walked in Python so that
    the walk stops there."""
    parts_after: list[str] = []
    size = 0
    seen = 0
    for node, parent, is_text in following_texts(el):
        if not node.strip(_XML_BLANK):
            continue
        seen += 1
        if seen > 40:
            break
        if parent is None or parent.tag in INVISIBLE_TAGS or page.in_chrome(parent):
            continue
        if parent.tag == "time" and parent.get("datetime") and is_text:
            continue  # already read from its datetime attribute
        if len(node.strip()) >= 100:
            break  # body prose: its dates are what the post talks about, not when it was written
        parts_after.append(node)
        size += len(node)
        if size >= after:
            break
    parts_before: list[str] = []
    size = 0
    if before:
        seen = 0
        for node, parent, _ in preceding_texts(el):
            if not node.strip(_XML_BLANK):
                continue
            seen += 1
            if seen > 8:
                break
            if parent is None or parent.tag in INVISIBLE_TAGS or page.in_chrome(parent) or len(node.strip()) >= 100:
                break
            parts_before.insert(0, node)
            size += len(node)
            if size >= before:
                break
    # one line per text node: a name never runs on into the next paragraph
    return "\n".join(clean(t) for t in parts_before + parts_after if t.strip())


def outermost_set(elements) -> list:
    """The elements no other one contains, in no order, the root left out (it cannot be swapped)."""
    chosen = set(elements)
    return [el for el in chosen if el.getparent() is not None
            and not any(a in chosen for a in el.iterancestors())]


@contextmanager
def swapped_out(elements):
    """Swap elements for empty placeholders (tails kept) for the time of a library call
    that copies the tree, so the copy leaves them out; put them back after."""
    swapped = []
    try:
        for el in outermost_set(elements):
            holder = etree.Element("span")
            holder.tail, el.tail = el.tail, None
            el.getparent().replace(el, holder)
            swapped.append((el, holder))
        yield
    finally:
        for el, holder in reversed(swapped):
            el.tail = holder.tail
            holder.getparent().replace(holder, el)


def outermost(elements: list) -> list:
    """The elements no other one contains, in the given order."""
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def inside(el, elements: set) -> bool:
    """Is ``el`` one of ``elements`` or inside one of them?"""
    while el is not None:
        if el in elements:
            return True
        el = el.getparent()
    return False
