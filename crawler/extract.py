"""Extraction's orchestration: (html, url) -> one Post or Listing. No crawler, no network.

Each stage has its module, in the order a page goes through them: ``decode`` (bytes to
text), ``page`` (parsed once into a ``Page`` every stage shares), ``content`` (the main
content and its text), ``metadata`` (title, author, summary, terms, language, head),
``dates`` (finding and parsing), ``links`` (images and links), ``contacts``,
``listings`` and ``kind`` (what a page is). This module only calls them and builds
each record once, by its constructor, so the record is validated there.
"""

from __future__ import annotations

from datetime import datetime, timezone as dt_timezone

from crawler.contacts import contact_facts, normalize_phone
from crawler.content import body_blocks, card_elements, container, leading_meta_block, teaser_group
from crawler.dates import EARLIEST_DATE, find_dates
from crawler.decode import decode_html, looks_like_html
from crawler.kind import page_kind
from crawler.links import page_links, post_images
from crawler.listings import Listing, extract_listing, extract_recent_posts
from crawler.bylines import post_author
from crawler.metadata import norm_title, page_language, page_meta, post_summary, post_terms, post_title
from crawler.page import Page, parse_page
from crawler.records import FetchInfo, Heading, Post, RecordWarning, WarningKind
from crawler.text import HEADING_TAGS, WORD, TextOut, clean, read_text

__all__ = [
    "Listing", "Page", "extract_post", "post_fields", "extract_listing", "extract_recent_posts", "page_kind",
    "parse_page", "decode_html", "looks_like_html", "normalize_phone",
]

# built when a page has no HTML, not at import: a model's first instance builds its schema
_NO_HTML = [
    (WarningKind.OTHER, "empty or non-HTML body"),
    (WarningKind.NO_TITLE, "no title: the page has no HTML"),
    (WarningKind.NO_DATE, "no date: the page has no HTML"),
    (WarningKind.NO_BODY, "no body: the page has no HTML"),
]


def extract_post(
    html,
    url: str,
    *,
    fetched_at: datetime | None = None,
    timezone: str = "UTC",
    languages: list[str] | None = None,
    selectors: dict[str, str] | None = None,
    fetch: FetchInfo | None = None,
    encoding: str | None = None,
    earliest_date: str = EARLIEST_DATE,
    x_robots_tag: list[str] = (),
    hashed: bool = True,
) -> Post:
    """Every Post field the HTML can give. Never raises on bad input: it warns instead.

    ``fetched_at`` anchors relative dates and the plausibility window (default: the
    fetch's time, else now). ``timezone`` is the site's zone for dates written without
    one. ``selectors`` ({"title"|"body"|"date"|"author": css}) override the generic ones.
    ``x_robots_tag`` is the response's X-Robots-Tag directives, kept in ``meta``.
    ``hashed=False`` leaves ``content_hash`` empty, for a caller that sets it while
    writing the record's JSON (``crawler.records.hashed_json``).
    """
    _, fields = post_fields(html, url, fetched_at=fetched_at, timezone=timezone, languages=languages,
                            selectors=selectors, fetch=fetch, encoding=encoding, earliest_date=earliest_date,
                            x_robots_tag=x_robots_tag)
    post = Post(**fields)
    return post.with_hash() if hashed else post


def post_fields(html, url: str, *, fetched_at: datetime | None = None, timezone: str = "UTC",
                languages: list[str] | None = None, selectors: dict[str, str] | None = None,
                fetch: FetchInfo | None = None, encoding: str | None = None, earliest_date: str = EARLIEST_DATE,
                x_robots_tag: list[str] = ()) -> tuple[Page, dict]:
    """The parsed page and ``extract_post``'s fields, content_hash aside: a site page is
    built from the same fields without a Post (and its hash) in between."""
    page = parse_page(html, url, encoding=encoding or (fetch.encoding if fetch else None), selectors=selectors)
    if selectors and not page.site_selectors:
        page.site_selectors = dict(selectors)
    fetched_at = fetched_at or (fetch.fetched_at if fetch else None) or datetime.now(dt_timezone.utc)
    fields = _post_fields(page, fetched_at=fetched_at, timezone=timezone, languages=languages, fetch=fetch,
                          earliest_date=earliest_date, x_robots_tag=x_robots_tag)
    # a copy: the record must not share its fetch facts with the caller's
    return page, {"url": page.canonical_url, "site": page.site,
                  "fetch": fetch.model_copy(deep=True) if fetch else FetchInfo(), **fields}


def _post_fields(page: Page, *, fetched_at: datetime, timezone: str, languages: list[str] | None,
                 fetch: FetchInfo | None, earliest_date: str, x_robots_tag: list[str]) -> dict:
    """The Post's fields other than url, site and fetch, in the order the stages run."""
    warnings = list(page.warnings)
    if page.tree is None:
        return {"meta": page_meta(page, x_robots_tag),
                "warnings": warnings + [RecordWarning(kind=kind, message=text) for kind, text in _NO_HTML]}
    if page.parse_errors >= 3:
        warnings.append(RecordWarning(kind=WarningKind.MALFORMED_HTML,
                                      message=f"{page.parse_errors} tag errors repaired by the parser"))
    meta = page_meta(page, x_robots_tag)
    main = container(page)
    title = post_title(page, main)
    title_el = page.title_element
    skip = page.chrome | page.content_chrome
    if title_el is not None:
        skip = skip | {title_el}
    if main is not None:
        skip = skip | set(teaser_group(page, main))
    body = read_text(main, skip) if main is not None else TextOut()
    blocks = body.blocks
    if not page.site_selectors.get("body"):  # a site's own body selector is the last word
        blocks = body_blocks(page, main, body)
    cards = card_elements(page)
    author = post_author(page, main, cards)
    shown = norm_title(title_el.text_content()) if title_el is not None else ""
    while blocks and len(blocks) > 1 and (leading_meta_block(blocks[0], title)
                                          or (shown and norm_title(blocks[0]) == shown)
                                          or (author and norm_title(blocks[0]) == norm_title(author))):
        blocks = blocks[1:]
    text = "\n\n".join(blocks)
    word_count = len(WORD.findall(text))
    headings = [(lvl, heading) for lvl, heading, _ in body.headings]
    if title_el is not None and title_el.tag in HEADING_TAGS:
        headings.insert(0, (HEADING_TAGS[title_el.tag], clean(title_el.text_content())))
    language = page_language(page, text)
    langs = list(dict.fromkeys(([language] if language else []) + list(languages or [])))
    finding = find_dates(page, container=main, cards=cards, tz=timezone, languages=langs,
                         fetched_at=fetched_at, fetch=fetch, earliest=earliest_date)
    warnings.extend(finding.warnings)
    summary = post_summary(page, blocks)
    images = post_images(page, body.images, main)
    body_links = set(body.links)
    links = page_links(page, body_links)
    categories, tags = post_terms(page)
    outside = read_text(page.body, {main} if main is not None and main is not page.body else set())
    outside_anchors = [a for a in page.tree.iter("a") if a not in body_links]
    contacts = contact_facts(outside.blocks, outside_anchors, page.jsonld_objects)
    body_contacts = contact_facts(blocks, body.links)

    if not title:
        warnings.append(RecordWarning(kind=WarningKind.NO_TITLE,
                                      message="no title found (og:title, JSON-LD headline, h1, <title>)"))
    if finding.published is None and not any(w.kind is WarningKind.UNPARSEABLE_DATE for w in warnings):
        # an unreadable date is reported as such
        warnings.append(RecordWarning(kind=WarningKind.NO_DATE, message="no publication date found"))
    if word_count < 5:
        warnings.append(RecordWarning(kind=WarningKind.NO_BODY, message=f"main content has {word_count} words"))
    published, modified = finding.published, finding.modified
    return {
        "title": title,
        "published": published.value if published else None,
        "published_source": published.source if published else None,
        "published_raw": published.raw if published else None,
        "modified": modified.value if modified else None,
        "modified_source": modified.source if modified else None,
        "modified_raw": modified.raw if modified else None,
        "date_candidates": finding.candidates,
        "author": author,
        "summary": summary,
        "body": text,
        "word_count": word_count,
        "headings": [Heading(level=lvl, text=heading[:300]) for lvl, heading in headings],
        "images": images,
        "categories": categories,
        "tags": tags,
        "language": language,
        "links": links,
        "meta": meta,
        "contacts": contacts,
        "body_contacts": body_contacts,
        "warnings": warnings,
    }
