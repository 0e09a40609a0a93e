"""Listing pages: teaser cards, the posts they point to, pagination; recent-posts widgets on post pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from crawler import selectors as S
from crawler.content import container, repeated_cards, teaser_group
from crawler.dates import DateCollector, find_snippets, parse_human
from crawler.links import doc_index, image_caption, img_source
from crawler.metadata import page_language
from crawler.page import Page, matches, ordered, parse_page
from crawler.records import DateKind, DateSource, Teaser
from crawler.text import BLOCK_TAGS, clean, inside, link_text, outermost, read_text
from crawler.urls import is_internal


@dataclass
class Listing:
    """A listing page: its teaser cards, the posts they point to, and where it continues."""

    url: str
    teasers: list[Teaser] = field(default_factory=list)
    post_urls: list[str] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)


_NOT_POST_PATH = re.compile(r"/(?:category|categories|tag|tags|author|authors|page|search|feed|wp-login|cart|account|comments?)(?:/|$)|[?&](?:s|replytocom|share)=|#", re.IGNORECASE)
_MORE_TEXT = re.compile(r"^(?:read more|continue reading|lire la suite|en savoir plus|learn more|more|suite|»|→|\.\.\.|…)\W*$", re.IGNORECASE)
_NEXT_TEXT = re.compile(r"^\W*(?:next|older|older posts|older entries|next page|more posts|load more|suivant|page suivante|articles plus anciens|plus anciens|»|›|→)\W*$|older posts|next page|page suivante", re.IGNORECASE)
_PAGE_URL = re.compile(r"(?:/page/(\d+)/?$|[?&](?:page|paged|p|offset|pg)=(\d+))", re.IGNORECASE)
# _NEXT_TEXT's two parts: the whole text as a "next" word, or a phrase anywhere in it
_NEXT_WHOLE = re.compile(_NEXT_TEXT.pattern.split("$|", 1)[0] + "$", re.IGNORECASE)
_NEXT_PHRASE = re.compile(_NEXT_TEXT.pattern.split("$|", 1)[1], re.IGNORECASE)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _next_text(text: str) -> bool:
    """``_NEXT_TEXT.search(text)``, most texts answered without a scan of every position:
    a phrase's start ("older po", "next page", "page ") is in the lowered text wherever
    the phrase matches (none of those characters matches another ignoring case)."""
    if _NEXT_WHOLE.match(text):
        return True
    low = text.lower()
    return ("older po" in low or "next page" in low or "page " in low) and _NEXT_PHRASE.search(text) is not None


def _page_url(href: str) -> bool:
    """``_PAGE_URL.search(href)``: it needs an "=" or "/page/" (no other character matches
    p, a, g or e ignoring case), which most addresses have not."""
    return ("=" in href or "/page/" in href.lower()) and _PAGE_URL.search(href) is not None


def _card_link(page: Page, card):
    anchors = [card] if card.tag == "a" and card.get("href") else []
    anchors += [a for a in card.iter("a") if a.get("href") and a is not card]

    def ok(a) -> str | None:
        href = page.resolve(a.get("href"))
        if not href or not is_internal(href, page.site) or _NOT_POST_PATH.search(href.split(page.site, 1)[-1]):
            return None
        if "category" in (a.get("rel") or "") or "tag" in (a.get("rel") or "").split():
            return None
        return href

    ordered = ([a for a in anchors if next(a.iterancestors(*_HEADINGS), None) is not None]
               + [a for a in anchors if a.find(".//img") is not None] + anchors)
    for a in ordered:
        href = ok(a)
        if href:
            return a, href
    return None, None


def _card_fields(page: Page, card, position: int, *, tz: str, languages, fetched_at) -> Teaser | None:
    link, href = _card_link(page, card)
    if href is None:
        return None
    heading = card.xpath(".//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
                         " | .//*[contains(@class,'title') or contains(@data-hook,'title')][not(self::img)]")
    title = clean(heading[0].text_content()) if heading else ""
    if not title and link is not None and not any(c.tag in BLOCK_TAGS for c in link.iterdescendants()):
        text = clean(link.text_content())
        if len(text.split()) >= 2 and not _MORE_TEXT.match(text):
            title = text
    img = card.find(".//img")
    image_src = caption = None
    if img is not None:
        raw = img_source(img)
        image_src = page.resolve(raw) if raw else None
        caption = image_caption(img) or (img.get("alt").strip() if img.get("alt") else None)
    published = raw_date = source = None
    collector = DateCollector(tz=tz, languages=languages, fetched_at=fetched_at)
    for t in card.iter("time"):
        if t.get("datetime"):
            published = collector.add_structured(t.get("datetime"), DateKind.PUBLISHED, DateSource.TIME)
            raw_date, source = t.get("datetime"), DateSource.TIME
            if published:
                break
    blocks = read_text(card, set()).blocks
    if published is None:
        for block in blocks:
            snippets = find_snippets(block, 1)
            if snippets:
                value = parse_human(snippets[0], languages=collector.languages, tz=tz, fetched_at=collector.fetched_at)
                if value:
                    published, raw_date, source = value, snippets[0], DateSource.TEXT
                    break
    if published is not None and not collector.plausible(published):
        published = raw_date = source = None
    summary = None
    for _, el in ordered(card, S.TEASER_SUMMARY, page):
        summary = clean(el.text_content()) or None
        if summary:
            break
    if summary is None:
        for block in blocks:
            rest = block
            for known in (title, raw_date):
                if known:
                    rest = rest.replace(known, " ")
            rest = clean(rest)
            if _MORE_TEXT.match(rest) or len(rest) < 30:
                continue
            summary = rest
            break
    return Teaser(url=href, listing_url=page.canonical_url, title=title or None, published=published,
                  published_source=source, published_raw=raw_date, caption=caption, image_src=image_src,
                  summary=summary, position=position)


def find_cards(page: Page, root, exclude) -> list:
    ranked: dict[int, list] = {}
    for rank, el in ordered(root, S.TEASER_CARDS, page):
        if exclude(el) or el.find(".//a[@href]") is None:
            continue
        ranked.setdefault(rank, []).append(el)
    single = None
    for rank in sorted(ranked):
        cards = outermost(ranked[rank])
        if len(cards) >= 2:
            return cards
        single = single or cards
    # the last page of a listing may hold a single card
    return repeated_cards(page, root, exclude) or (single or [])


def _teasers(page: Page, cards: list, *, tz, languages, fetched_at) -> list[Teaser]:
    teasers: list[Teaser] = []
    seen: set[str] = set()
    for card in cards:
        teaser = _card_fields(page, card, len(teasers), tz=tz, languages=languages, fetched_at=fetched_at)
        if teaser is None or teaser.url in seen or teaser.url == page.canonical_url:
            continue
        seen.add(teaser.url)
        teasers.append(teaser)
    return teasers


def _href_links(page: Page) -> list:
    """``//link[@href] | //a[@href]``, in document order: the tree's own link and a
    elements (the XPath itself where the parser made a second top-level element)."""
    if page.index is None or not page.index.whole_document:
        return page.tree.xpath("//link[@href] | //a[@href]")
    return [el for el in page.tree.iter("link", "a") if el.get("href") is not None]


def _next_pages(page: Page, post_urls: set[str]) -> list[str]:
    tree = page.tree
    out: list[str] = []

    def add(href: str | None) -> None:
        href = page.resolve(href) if href else None
        if href and href != page.canonical_url and href not in out and href not in post_urls and is_internal(href, page.site):
            out.append(href)

    for el in _href_links(page):
        rel = (el.get("rel") or "").lower().split()
        if "next" in rel:
            add(el.get("href"))
    for a in tree.iter("a"):
        if a.get("href") and _next_text(clean(link_text(a)) or a.get("aria-label") or ""):
            if "prev" not in (a.get("rel") or "") and not re.search(r"prev|newer|précéd", (a.get("class") or "") + clean(link_text(a)), re.IGNORECASE):
                add(a.get("href"))
    for _, el in ordered(tree, S.PAGINATION, page):
        href = el.get("href") or (el.find(".//a[@href]").get("href") if el.find(".//a[@href]") is not None else None)
        if href and "prev" not in (el.get("rel") or "") and "prev" not in (el.get("class") or ""):
            add(href)
    site_chrome = None
    for a in tree.iter("a"):
        href = a.get("href") or ""
        if _page_url(href):
            if site_chrome is None:
                site_chrome = page.chrome - matches(page, S.POST_CHROME)
            if inside(a, site_chrome):
                continue
            add(href)
    return out


def extract_listing(html, url: str, *, fetched_at: datetime | None = None, timezone: str = "UTC",
                    languages: list[str] | None = None, encoding: str | None = None) -> Listing:
    """Teaser cards in page order, the post URLs they point to, and the pagination links."""
    page = parse_page(html, url, encoding=encoding)
    listing = Listing(url=page.canonical_url)
    if page.tree is None:
        return listing
    chrome = page.site_chrome
    root = page.body
    cards = find_cards(page, root, lambda el: inside(el, chrome))
    langs = list(dict.fromkeys(([page_language(page, "")] if page_language(page, "") else []) + list(languages or [])))
    listing.teasers = _teasers(page, cards, tz=timezone, languages=langs, fetched_at=fetched_at)
    listing.post_urls = [t.url for t in listing.teasers]
    listing.next_pages = _next_pages(page, set(listing.post_urls))
    return listing


def extract_recent_posts(html, url: str, *, fetched_at: datetime | None = None, timezone: str = "UTC",
                         languages: list[str] | None = None, encoding: str | None = None) -> list[Teaser]:
    """Cards of a post page's "recent posts" / "related posts" widgets, as teasers.

    ``listing_url`` is the post page's URL; the spider follows the teasers' URLs.
    """
    page = parse_page(html, url, encoding=encoding)
    if page.tree is None:
        return []
    widgets = outermost([el for _, el in sorted(ordered(page.tree, S.RELATED_WIDGETS, page), key=lambda p: doc_index(page, p[1]))])
    cards: list = []
    for widget in widgets:
        found = find_cards(page, widget, lambda el: False)
        if not found:
            found = [li for li in widget.iter("li") if li.find(".//a[@href]") is not None]
        cards.extend(c for c in found if c not in cards)
    if not cards:
        chrome = page.site_chrome
        for root in ([container(page)] if container(page) is not None else []) + [page.body]:
            cards = [c for c in teaser_group(page, root) if not inside(c, chrome)]
            if cards:
                break
    langs = list(dict.fromkeys(([page_language(page, "")] if page_language(page, "") else []) + list(languages or [])))
    return _teasers(page, cards, tz=timezone, languages=langs, fetched_at=fetched_at)
