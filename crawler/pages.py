"""Pages that are neither posts nor listings: home, contact, team, fees.

Extraction is the post extraction (one set of rules for links, metadata and contact
details); this module only decides what the page is for and keeps the fields a
site page has.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from crawler.dates import EARLIEST_DATE
from crawler.extract import post_fields
from crawler.page import Page, parse_page
from crawler.records import FetchInfo, Heading, PageRole, SitePage

# (role, pattern over the URL path and title), first match wins; data, not branches
ROLE_PATTERNS: list[tuple[PageRole, re.Pattern[str]]] = [
    (PageRole.CONTACT, re.compile(r"contact|kontakt|contactez|nous-joindre|location|find-us|directions", re.I)),
    (PageRole.TEAM, re.compile(r"team|staff|équipe|equipe|practitioners|therapists|our-people|clinicians|providers", re.I)),
    (PageRole.FEES, re.compile(r"fees|pricing|prices|rates|tarifs|insurance|direct-billing", re.I)),
    (PageRole.ABOUT, re.compile(r"about|à-propos|a-propos|qui-sommes", re.I)),
]


def page_role(url: str, title: str | None) -> PageRole:
    path = urlsplit(url).path
    if path in ("", "/") or re.fullmatch(r"/(index|home|accueil)(\.html?|\.php)?", path, re.I):
        return PageRole.HOME
    for role, pattern in ROLE_PATTERNS:
        if pattern.search(path):
            return role
    for role, pattern in ROLE_PATTERNS:
        if title and pattern.search(title):
            return role
    return PageRole.OTHER


def extract_site_page(html, url: str, *, fetched_at: datetime | None = None, timezone: str = "UTC",
                      languages: list[str] | None = None, fetch: FetchInfo | None = None,
                      encoding: str | None = None, x_robots_tag: list[str] = (),
                      earliest_date: str = EARLIEST_DATE) -> SitePage:
    """(html, url) -> SitePage; html may be bytes, text or a parsed Page."""
    page = parse_page(html, url, encoding=encoding)
    _, fields = post_fields(page, url, fetched_at=fetched_at, timezone=timezone, languages=languages,
                            fetch=fetch, encoding=encoding, x_robots_tag=x_robots_tag,
                            earliest_date=earliest_date)
    shared = {name: fields[name] for name in _FROM_POST if name in fields}
    return SitePage(role=page_role(fields["url"], fields.get("title")), headings=_headings(page), **shared)


# what a site page keeps of the post extraction's fields (a page without HTML gives fewer)
_FROM_POST = ("url", "site", "title", "language", "body", "word_count", "links", "meta", "contacts",
              "body_contacts", "fetch")


def _headings(page: Page) -> list[Heading]:
    """Every heading outside the site's chrome: a team page is a grid of cards, not one
    article, so the post extractor's main-content headings would keep only one card."""
    if page.tree is None:
        return []
    out = []
    for el in page.tree.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        text = " ".join(el.text_content().split())
        if text and not page.in_chrome(el):
            out.append(Heading(level=int(el.tag[1]), text=text))
    return out
