"""Main content: the post's container, its body text, and other posts' card groups inside it.

The container is found selector-first (``selectors.CONTENT``: article bodies of the
common platforms) with boilerplate pruned while the text is read, and by a paragraph
density score when no selector matches (site builders). That container gives the
headings, images, links and contacts of the body. The body text itself is
trafilatura's (its full mode, with its fallback extractors) wherever it reads the page:
on public real-world pages (bench/eval_extraction.py, docs/extraction-quality.md) it
scores F1 0.92 against 0.83 for the container's text. Needle's own reading stays the fallback, and decides where
trafilatura is known to go wrong (layout tables, a site's own body selector).
"""

from __future__ import annotations

import re

from crawler import selectors as S
from crawler.dates import find_snippets
from crawler.matching import select
from crawler.metadata import norm_title
from crawler.page import Page, matches, ordered
from crawler.reading import trafilatura_text
from crawler.text import TextOut, clean, swapped_out, text_len


def find_container(page: Page):
    """The main-content element: per-site selector, then CONTENT in order, then density."""
    tree = page.tree
    if tree is None:
        return None
    override = page.site_selectors.get("body")
    if override:
        for el in select(tree, override):
            if text_len(el) > 0:
                return el
    best_by_rank: dict[int, list] = {}
    for rank, el in ordered(tree, S.CONTENT, page):
        if page.in_chrome(el):
            continue
        best_by_rank.setdefault(rank, []).append(el)
    for rank in sorted(best_by_rank):
        candidates = best_by_rank[rank]
        scored = [(len(_paragraph_text(el, page)), el) for el in candidates]
        length, el = max(scored, key=lambda pair: pair[0])
        # a selector that only finds a stub (an empty .content wrapper) is not the body
        if length >= 200 or (rank >= len(S.CONTENT) - 6 and length >= 80):
            return el
    return _densest(page)


def _paragraph_text(el, page: Page) -> str:
    parts = []
    for p in el.iter("p", "li", "h2", "h3", "blockquote", "pre"):
        if p.tag == "li" and p.getparent() is not None and p.getparent().tag not in ("ul", "ol"):
            continue
        if not page.in_chrome(p, stop=el.getparent()):
            parts.append(p.text_content())
    text = " ".join(parts)
    if not text.strip():
        text = el.text_content()
    return clean(text)


def _densest(page: Page):
    """Parent with the most paragraph text (for pages no selector knows: site builders)."""
    scores: dict = {}
    body = page.body
    if body is None:
        return None
    for p in body.iter("p", "li", "div", "span", "h2", "h3", "td"):
        if p.tag in ("div", "span", "td"):
            # builder themes write paragraphs as divs/spans with direct text
            text = clean((p.text or "") + "".join((c.tail or "") for c in p))
        else:
            text = clean(p.text_content())
        if len(text) < 25 or page.in_chrome(p):
            continue
        weight = len(text) + (text.count(".") + text.count(",")) * 10
        parent = p.getparent()
        depth = 0
        while parent is not None and depth < 3:
            scores[parent] = scores.get(parent, 0) + weight / (1 + depth)
            parent = parent.getparent()
            depth += 1
    if not scores:
        return body
    best = max(scores, key=scores.get)
    # An unclosed <li> swallows the headings and paragraphs after it (the parser
    # nests them in the list), so the list outscores the real container, whose
    # opening paragraphs are then lost. Headings inside a list mean that repair.
    while best.tag in ("ul", "ol", "li") and best.getparent() is not None and best.find(".//li//h2") is not None:
        best = best.getparent()
    return best if best.tag != "html" else body


def _trafilatura_blocks(page: Page, prune: set) -> list[str]:
    """The post's text by trafilatura (no comments, tables kept), one block a line.

    ``prune`` (banners, comment sections, widgets) is swapped out around the call. Not
    fast mode: its fallback extractors (readability, jusText) find the body text fast mode
    misses, loose text and spans outside any <p> included (bench/eval_extraction.py:
    recall 0.931 -> 0.942 on trafilatura's set). The comparison is skipped where it
    cannot change the result (``crawler.reading``).
    """
    try:
        with swapped_out(prune):
            text = trafilatura_text(page.tree, page.url)
    except Exception:  # a library failure leaves Needle's own reading in place
        text = ""
    return [line for line in (clean(x) for x in text.splitlines()) if line]


def body_blocks(page: Page, container, body: TextOut) -> list[str]:
    """The post body: trafilatura's reading of the page, with the headings and captions
    it dropped from Needle's container put back; Needle's own reading when it finds nothing.

    On real-world pages (bench/eval_extraction.py) trafilatura's text scores F1 0.95
    against 0.89 for Needle's container; the pruning and the merge keep the sample
    site's widgets, banners and comments out and its headings in, at no cost there.
    """
    if container is not None and (container.tag == "td" or next(container.iterancestors("td"), None) is not None):
        # a layout table (sites of the 2000s): trafilatura reads it as a data table,
        # navigation and footer rows included; Needle's cell is the post
        return body.blocks
    prune = set(page.content_chrome) | matches(page, S.TRAFILATURA_PRUNE)
    if container is not None:
        prune |= set(teaser_group(page, container))
    prune -= {page.body, container, page.tree}
    theirs = _trafilatura_blocks(page, prune)
    if not theirs:
        return body.blocks
    kept = {text for _, text, _ in body.headings}
    if container is not None:
        kept.update(clean(f.text_content()) for f in container.iter("figcaption"))
    return _merge_blocks(theirs, body.blocks, kept)


def _merge_blocks(theirs: list[str], ours: list[str], keep: set[str]) -> list[str]:
    """trafilatura's blocks, plus Needle's blocks it dropped between two blocks it kept
    next to each other (headings, captions): the article's own, by both readings."""
    where = {}
    for i, block in enumerate(theirs):
        where.setdefault(block, i)
    inserts: dict[int, list[str]] = {}
    last = None
    gap: list[str] = []
    for block in ours:
        i = where.get(block)
        if i is None:
            gap.append(block)
            continue
        if last is not None and i == last + 1 and gap and all(b in keep for b in gap):
            inserts.setdefault(i, []).extend(gap)
        last, gap = i, []
    if not inserts:
        return theirs
    out = []
    for i, block in enumerate(theirs):
        out.extend(inserts.get(i, ()))
        out.append(block)
    return out


def leading_meta_block(block: str, title: str | None) -> bool:
    """A byline/date line or the title repeated at the top of the body."""
    if title and norm_title(block) == norm_title(title):
        return True
    if len(block) > 140:
        return False
    if find_snippets(block, 1) and len(block.split()) <= 16:
        return True
    if re.match(r"^(?:\d+\s*min(?:ute)?s?\s+read|lecture\s+de\s+\d+\s*min)", block, re.IGNORECASE):
        return True
    return bool(re.match(r"^(?:by|par|posted|publié|written by|écrit par)\b", block, re.IGNORECASE)) and len(block.split()) <= 12


def repeated_cards(page: Page, root, exclude) -> list:
    """Siblings of one shape that each hold a link and an image, heading or date: cards."""
    best: list = []
    for parent in root.iter():
        if len(parent) < 2:
            continue
        children = [c for c in parent if isinstance(c.tag, str)]
        if len(children) < 2:
            continue
        groups: dict[tuple, list] = {}
        for child in children:
            groups.setdefault((child.tag, child.get("class") or ""), []).append(child)
        for group in groups.values():
            if len(group) < 2 or len(group) <= len(best):
                continue
            if exclude(group[0]):
                continue
            cards = [c for c in group if c.find(".//a[@href]") is not None or (c.tag == "a" and c.get("href"))]
            # most rows look like cards (an image, a heading or a date): then every
            # linked row is one, including a card whose date is missing or garbled
            carded = [c for c in cards if c.find(".//img") is not None or c.xpath(".//h2|.//h3|.//h4|.//time")
                      or find_snippets(clean(" ".join(c.itertext()))[:200], 1)]
            if len(carded) >= max(2, len(group) * 0.6) and len(cards) > len(best):
                best = cards
    return best


def teaser_group(page: Page, root) -> list:
    """Cards pointing to other posts inside ``root`` (a builder's recent-posts block):
    short, mostly link text or an image plus a date. Kept per root: page_kind and
    extract_post both ask about the content container."""
    key = ("teasers", root)
    cached = page.memo.get(key)
    if cached is None:
        cached = page.memo[key] = _find_teaser_group(page, root)
    return list(cached)


def _find_teaser_group(page: Page, root) -> list:
    cards = repeated_cards(page, root, lambda el: False)
    if len(cards) < 2:
        return []
    for card in cards:
        text = clean(card.text_content())
        linked = sum(len(clean(a.text_content())) for a in ([card] if card.tag == "a" else card.iter("a")))
        dated = card.find(".//img") is not None and (find_snippets(text, 1) or card.find(".//time") is not None)
        if len(text) > 500 or not (linked >= 0.5 * len(text) or dated):
            return []
    return cards


def container(page: Page):
    """The page's main-content element, found once."""
    if "container" not in page.memo:
        page.memo["container"] = find_container(page)
    return page.memo["container"]


def card_elements(page: Page) -> set:
    """Cards of other posts (recent-posts widgets): their dates are not this post's."""
    cards = page.memo.get("cards")
    if cards is None:
        cards = page.memo["cards"] = set()
        for _, widget in ordered(page.tree, S.RELATED_WIDGETS, page) if page.tree is not None else []:
            cards.add(widget)
        main = container(page)
        if main is not None:
            cards.update(teaser_group(page, main))
    return cards
