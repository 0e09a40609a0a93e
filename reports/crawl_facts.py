"""What one crawl recorded, in one view for both reports: posts and site pages by URL,
failed and redirected URLs, sitemap entries, listing cards, and the internal link graph;
plus the link states the audit reads (the crawl's own failures and redirects, and the
link checks of targets it did not fetch).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel

from crawler.records import CrawlError, Post, Redirect, SitemapEntry, SitePage, Teaser


def norm_url(url: str) -> str:
    """URL for comparing: fragment dropped, scheme and host lowercased."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       parts.query, ""))


class UrlKeys(dict):
    """``keys[url]`` is norm_url(url), worked out once per URL: a crawl names most URLs many
    times (as a page, a link, a card, a referrer, a finding), and urlsplit is slow."""

    def __missing__(self, url: str) -> str:
        key = self[url] = norm_url(url)
        return key


def site_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


@dataclass
class Crawl:
    """Everything one crawl recorded, indexed for the checks."""

    posts: dict[str, Post]  # norm url -> post
    errors: dict[str, CrawlError]
    redirects: dict[str, Redirect]
    sitemap: dict[str, SitemapEntry]
    teasers: list[Teaser]
    outlinks: dict[str, set[str]]  # page -> internal pages it links (norm urls, self excluded)
    inlinks: dict[str, set[str]]
    sitemap_files: set[str]
    # home, contact, team, ... pages: their links are inlinks, but they get no post checks
    pages: dict[str, SitePage] = field(default_factory=dict)
    # every record in crawl order: the audit's link states are read in that order
    records: list[Any] = field(default_factory=list)

    @property
    def sitemap_as_written(self) -> dict[str, SitemapEntry]:
        """Sitemap entries by their URL as written: the audit looks a post's own URL up."""
        return {r.url: r for r in self.records if isinstance(r, SitemapEntry)}

    def link_states(self) -> dict[str, LinkState]:
        return crawl_link_states(self.records)

    @classmethod
    def of(cls, records: Iterable[Any]) -> "Crawl":
        records = list(records)
        keys = UrlKeys()
        posts: dict[str, Post] = {}
        errors: dict[str, CrawlError] = {}
        redirects: dict[str, Redirect] = {}
        sitemap: dict[str, SitemapEntry] = {}
        teasers: list[Teaser] = []
        pages: dict[str, SitePage] = {}
        for r in records:
            if isinstance(r, Post):
                posts[keys[r.url]] = r
            elif isinstance(r, SitePage):
                pages[keys[r.url]] = r
            elif isinstance(r, CrawlError):
                errors[keys[r.url]] = r
            elif isinstance(r, Redirect):
                redirects[keys[r.url]] = r
            elif isinstance(r, SitemapEntry):
                sitemap[keys[r.url]] = r
            elif isinstance(r, Teaser):
                teasers.append(r)
        sitemap_files = {keys[e.sitemap_url] for e in sitemap.values()}
        outlinks: dict[str, set[str]] = defaultdict(set)
        for url, page in [*posts.items(), *pages.items()]:
            outlinks[url].update(keys[link.href] for link in page.links if link.internal)
            # a page reached by a link was linked from its referrer, even when the referrer
            # is a listing page whose own links are not recorded
            if page.fetch.found_via == "link" and page.fetch.referrer:
                outlinks[keys[page.fetch.referrer]].add(url)
        for t in teasers:
            outlinks[keys[t.listing_url]].add(keys[t.url])
        for target, rec in [*errors.items(), *redirects.items()]:
            ref = rec.referrer and keys[rec.referrer]
            if ref and ref not in posts and ref not in pages and ref not in sitemap_files:
                outlinks[ref].add(target)  # a listing page's link we know only from here
        inlinks: dict[str, set[str]] = defaultdict(set)
        for src, targets in outlinks.items():
            targets.discard(src)
            for target in targets:
                inlinks[target].add(src)
        return cls(posts, errors, redirects, sitemap, teasers, dict(outlinks), dict(inlinks),
                   sitemap_files, pages, records)

    def status_of(self, url: str) -> tuple[int | None, str] | None:
        """(status, reason) of a URL the crawl saw fail or redirect; None if it was fine or unseen."""
        key = norm_url(url)
        if key in self.errors:
            e = self.errors[key]
            return e.status, e.reason
        if key in self.redirects:
            r = self.redirects[key]
            return (r.statuses[0] if r.statuses else 301), f"redirects to {r.target}"
        return None




class LinkState(BaseModel):
    """What is known about one link target: from the crawl or from a link check."""

    url: str
    ok: bool
    status: int | None = None
    reason: str | None = None  # http_404, timeout, dns, redirect_loop, ...
    final_url: str | None = None  # set when the link redirects
    source: Literal["crawl", "check"] = "check"
    # False: not fetched at all (a refused private address, or the link checks ran out of
    # time); ``reason`` says why ("refused: private address 10.0.0.5")
    checked: bool = True



def crawl_link_states(records: Iterable[object]) -> dict[str, LinkState]:
    """Link targets the crawl already fetched: failures and redirects, no re-fetch needed."""
    states: dict[str, LinkState] = {}
    for record in records:
        if isinstance(record, CrawlError) and record.reason not in ("empty_body", "binary_body"):
            states[record.url] = LinkState(url=record.url, ok=False, status=record.status,
                                           reason=record.reason, source="crawl")
        elif isinstance(record, Redirect):
            states[record.url] = LinkState(url=record.url, ok=True, final_url=record.target,
                                           status=record.statuses[0] if record.statuses else None,
                                           source="crawl")
        elif isinstance(record, Post):
            states.setdefault(record.url, LinkState(url=record.url, ok=True, status=200,
                                                    source="crawl"))
    return states


def crawled_hosts(records: Iterable[object]) -> set[str]:
    """The host names of the crawled sites: the link checker may reach them even on a
    private address (a clinic's own site on an intranet, the sample site on loopback)."""
    hosts = set()
    for record in records:
        if isinstance(record, (Post, SitePage)):
            try:
                host = urlsplit(record.site).hostname
            except ValueError:
                continue
            if host:
                hosts.add(host)
    return hosts


def links_to_check(records: Iterable[object]) -> list[str]:
    """In-body link targets the crawl tells nothing about, in first-seen order."""
    records = list(records)
    known = crawl_link_states(records)
    seen: dict[str, None] = {}
    for record in records:
        if isinstance(record, Post):
            for link in record.links:
                href = link.href.split("#", 1)[0]
                if link.in_body and href.startswith(("http://", "https://")) and href not in known:
                    seen.setdefault(href, None)
    return list(seen)


class IndexUnreadable(Exception):
    """The index could not be read (the text says why)."""


def load_index_records(index: Path) -> list:
    from indexer.store import load_records

    try:
        return list(load_records(index))
    except Exception as exc:  # Whoosh raises its own types for a folder that is no index
        raise IndexUnreadable(str(exc)) from exc


def of_site(records: Iterable[object], site: str) -> list:
    """The records of one site: ``site`` is a host (www.clinic.example, with :port if it has
    one) or scheme://host; a teaser belongs to its listing's site."""
    want = (urlsplit(site).netloc if "://" in site else site).lower()
    out = []
    for record in records:
        url = getattr(record, "site", None) or getattr(record, "listing_url", None) or getattr(record, "url", "")
        if urlsplit(url).netloc.lower() == want:
            out.append(record)
    return out
