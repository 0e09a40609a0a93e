"""Page kind: is a page a single post, a listing of posts, or another page."""

from __future__ import annotations

import re
from typing import Literal

from crawler import selectors as S
from crawler.content import container, teaser_group
from crawler.dates import find_snippets
from crawler.listings import find_cards
from crawler.matching import normalize_space
from crawler.page import ARTICLE_TYPES, LISTING_TYPES, Page, parse_page
from crawler.text import WORD, clean, inside, text_near


def _archive_marks(page: Page) -> bool:
    """The theme says this is an archive: body classes, or an "Archives: ..." heading."""
    body = page.body
    if body is not None and S.ARCHIVE_BODY_CLASSES & set((body.get("class") or "").split()):
        return True
    title = page.title_element
    return title is not None and bool(S.ARCHIVE_TITLE.match(clean(title.text_content())))


_ARTICLE_BODY = ("//*[@itemprop='articleBody'] | "
                 "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]")


def _article_body_marked(page: Page) -> bool:
    """Does ``_ARTICLE_BODY`` select anything? Asked of the page's index: an itemprop, or a
    class holding the token (split on more white space than XPath's, so the index's
    candidates include every element the XPath finds; each is then tested as it does)."""
    index = page.index
    if index is None or not index.whole_document:
        return bool(page.tree.xpath(_ARTICLE_BODY))
    return (any(el.get("itemprop") == "articleBody" for el in index.by_attr.get("itemprop"))
            or any(" entry-content " in f" {normalize_space(el.get('class'))} "
                   for el in index.by_class.get("entry-content", ())))


def page_kind(html_or_tree, url: str) -> Literal["post", "listing", "other"]:
    """Is this a single post, a listing of posts, or another page (home, contact)?"""
    page = parse_page(html_or_tree, url)
    tree = page.tree
    if tree is None:
        return "other"
    path = re.sub(r"^https?://[^/]+", "", page.canonical_url)
    post, listing = 0, 0
    types = {t.lower() for t in page.jsonld_top_types}
    og_type = (page.meta1("og:type") or "").lower()
    if og_type == "article":
        post += 2
    if types & ARTICLE_TYPES:
        post += 2
    if page.meta1("article:published_time"):
        post += 1
    if types & LISTING_TYPES:
        listing += 2
    if S.POST_DATE_PATH.search(path):
        post += 1
    listing_url = S.LISTING_PATH.search(path)
    if listing_url:
        listing += 2
    # an archive by its address (WordPress /2024/05/) or by the theme's own marks
    archive = not listing_url and (S.DATE_ARCHIVE_PATH.search(path) or _archive_marks(page))
    if archive:
        listing += 2
    # The rest only adds to the scores, listing at most 3 (cards). A page whose head
    # already says "post" by that margin is one whatever the body holds: skip the card
    # and prose scans (extract_post finds what it needs itself).
    if post >= 3 and post >= listing + 3:
        return "post"
    chrome = page.site_chrome
    cards = find_cards(page, page.body, lambda el: inside(el, chrome) or inside(el, page.chrome))
    if len(cards) >= 3:
        listing += 3
    elif len(cards) == 2 or (len(cards) == 1 and (listing_url or archive)):
        listing += 1  # the last page of a listing may hold one or two cards
    main = container(page)
    if main is not None and page.title_element is not None:
        card_set = set(cards) | set(teaser_group(page, main))
        prose = [p.text_content() for p in main.iter("p", "li")
                 if not inside(p, card_set) and not page.in_chrome(p, stop=main.getparent())]
        words = len(WORD.findall(" ".join(prose)[:6000]))
        if words >= 150:
            post += 3
        elif words >= 60:
            post += 1
        if find_snippets(text_near(page, page.title_element, after=120, before=60), 1):
            post += 1
    if _article_body_marked(page):
        post += 1
    articles = [a for a in tree.iter("article") if not page.in_chrome(a)]
    if len(articles) == 1 and articles[0].find(".//h1") is not None:
        post += 1
    if S.POST_SLUG_PATH.search(path):
        post += 1
    if post >= 3 and post >= listing:
        return "post"
    if listing >= 3:
        return "listing"
    if post >= 2 and post > listing:
        return "post"
    return "other"
