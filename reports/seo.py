"""The SEO report: per-post and site-wide checks over the records of one crawl.

Pure: ``seo_report(records, thresholds=...)`` takes what the index holds (posts, teasers,
crawl errors, sitemap entries, redirects, the site's other pages) and returns findings and
one row of SEO fields per post. Nothing here fetches or parses HTML; every fact comes from
the records, read through one view of the crawl (reports.crawl_facts).

Each check is one small function yielding findings (reports.findings): the per-post ones in
reports.seo_post, the site-wide ones here. What a check means (severity, why it matters for
ranking) is data in reports.seo_checks, so renderers and docs read one table.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from crawler.records import Post
from reports import topics
from reports.crawl_facts import Crawl, UrlKeys, norm_url, site_of
from reports.findings import SEVERITIES, Finding
from reports.seo_checks import CHECKS, found
from reports.seo_post import (
    POST_CHECKS, content_images, h1_texts, is_indexable, link_findings, primary_language, title_of,
)
from reports.seo_thresholds import SeoThresholds
from reports.seo_widths import text_pixels

__all__ = ["CHECKS", "SEVERITIES", "PageSeo", "SeoReport", "seo_report", "norm_url"]


@dataclass
class PageSeo:
    """The SEO fields of one page, in the spirit of an SEO crawler's export row."""

    url: str
    site: str
    kind: Literal["post", "other"] = "post"
    title_tag: str | None = None
    title_chars: int = 0
    title_px: int = 0
    meta_description: str | None = None
    description_chars: int = 0
    h1: str | None = None
    h1_count: int = 0
    canonical: str | None = None
    indexable: bool = True
    robots: str = ""
    status: int | None = None
    response_time_ms: float | None = None
    bytes: int = 0
    word_count: int = 0
    depth: int | None = None
    found_via: str | None = None
    inlinks: int = 0
    internal_outlinks: int = 0
    images: int = 0
    images_no_alt: int = 0
    jsonld_types: list[str] = field(default_factory=list)
    html_lang: str | None = None
    language: str | None = None
    categories: list[str] = field(default_factory=list)
    in_sitemap: bool = False
    errors: int = 0
    warnings: int = 0
    opportunities: int = 0
    score: int = 100

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class SeoReport:
    findings: list[Finding]
    pages: list[PageSeo]
    thresholds: SeoThresholds
    score: int
    categories: dict[str, dict[str, int]]  # site -> category -> posts

    def by_severity(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {s: [] for s in SEVERITIES}
        for f in self.findings:
            out[f.severity].append(f)
        return out

    def counts_by_check(self) -> Counter:
        return Counter(f.check for f in self.findings)


# -- site-wide checks --------------------------------------------------------------------


def check_duplicates(posts: list[Post]) -> Iterator[Finding]:
    """Titles and descriptions shared by several posts of one site."""
    for check, get in (("title_duplicate", lambda p: p.meta.title_tag),
                       ("meta_description_duplicate", lambda p: p.meta.meta_description)):
        groups: dict[tuple[str, str], list[Post]] = defaultdict(list)
        for post in posts:
            text = (get(post) or "").strip()
            if text:
                groups[(post.site, " ".join(text.casefold().split()))].append(post)
        for group in groups.values():
            if len(group) < 2:
                continue
            for post in group:
                others = [p.url for p in group if p is not post]
                yield found(post.url, check, f"{get(post).strip()!r} also on {', '.join(others)}",
                              "unique per post")


def check_cannibalisation(posts: list[Post], th: SeoThresholds) -> Iterator[Finding]:
    """Pairs of posts (one site, one language) whose title+H1 query terms overlap
    (reports.topics.query_pairs)."""
    brands = topics.brand_suffixes((p.site, title_of(p)) for p in posts)
    groups: dict[tuple[str, str | None], list[tuple[Post, set[str]]]] = defaultdict(list)
    for post in posts:
        if not is_indexable(post):
            continue  # a page that asks not to rank competes with nothing
        h1 = h1_texts(post) or ([post.title] if post.title else [])
        terms = topics.query_of(title_of(post), h1, brands.get(post.site, set()))
        if terms:
            groups[(post.site, primary_language(post.language))].append((post, terms))
    t = th.cannibalisation_similarity
    for members in groups.values():
        where: dict[str, list[int]] = defaultdict(list)
        for j, (p, _) in enumerate(members):
            where[norm_url(p.url)].append(j)
        # a translation (an hreflang alternate) is not a competitor
        skip = [{j for u in {norm_url(h.href) for h in p.meta.hreflang} for j in where.get(u, ())}
                for p, _ in members]
        for i, j, sim in topics.query_pairs([terms for _, terms in members], t, skip):
            (post, terms), (other, other_terms) = members[i], members[j]
            shared = " ".join(sorted(terms & other_terms))
            for a, b in ((post, other), (other, post)):
                yield found(a.url, "keyword_cannibalisation",
                            f"{sim:.0%} same query terms ({shared}) as {b.url}",
                            f"< {t:.0%} overlap of title + H1 terms")


def _parent_shape(url: str) -> tuple[str, str]:
    """Host and directory of a URL with digits generalised: /2024/03/x/ -> /0/0/."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    parent = path.rsplit("/", 1)[0] + "/" if "/" in path else "/"
    return parts.netloc.lower(), re.sub(r"\d+", "0", parent)


def check_sitemap_coverage(crawl: Crawl) -> Iterator[Finding]:
    """Sitemap URLs the crawl did not reach as posts.

    A sitemap lists every page (home, contact, categories); "in the sitemap but not
    reached" is about posts, so only post-like URLs count: those in the same directory
    shape as a crawled post (``/blog/x`` next to ``/blog/y``; ``/2022/02/x/`` next to
    ``/2024/03/y/``), and not a listing page the crawl read teasers from.
    """
    shapes = {_parent_shape(p.url) for p in crawl.posts.values()}
    listings = {norm_url(t.listing_url) for t in crawl.teasers}
    for key, entry in crawl.sitemap.items():
        if key in crawl.posts or key in crawl.pages:
            continue  # reached: a post, or a home/contact/team page the crawl recorded
        failed = crawl.status_of(entry.url)
        if failed is not None and key in crawl.errors:
            status, reason = failed
            yield found(entry.url, "sitemap_non_200", f"{reason} (listed in {entry.sitemap_url})",
                          "sitemap URLs answer 200")
        elif failed is not None:
            yield found(entry.url, "sitemap_non_200", f"{failed[1]} (listed in {entry.sitemap_url})",
                          "sitemap URLs answer 200 without redirecting")
        elif key not in listings and _parent_shape(entry.url) in shapes:
            yield found(entry.url, "sitemap_not_crawled",
                          f"listed in {entry.sitemap_url}, not reached by the crawl",
                          "every post in the sitemap is a crawled post")


def check_listing_links(crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    """Broken and redirected links on pages that are not posts (listing pages, and the
    home, contact and team pages): reported against that page."""
    for page, targets in crawl.outlinks.items():
        if page in crawl.posts or page in crawl.sitemap_files:
            continue
        yield from link_findings(page, targets, crawl, th)


# -- the report ----------------------------------------------------------------------------

# page score: 100 minus these per finding, floored at 0; the site score is the mean
SCORE_PENALTY = {"error": 25, "warning": 10, "opportunity": 3}


def seo_report(records: Iterable[Any], *, thresholds: SeoThresholds | None = None) -> SeoReport:
    """Run every check over one crawl's records."""
    th = thresholds or SeoThresholds()
    crawl = Crawl.of(records)
    posts = sorted(crawl.posts.values(), key=lambda p: p.url)
    findings: list[Finding] = []
    for post in posts:
        for check in POST_CHECKS:
            findings.extend(check(post, crawl, th))
    findings.extend(check_duplicates(posts))
    findings.extend(check_cannibalisation(posts, th))
    findings.extend(check_sitemap_coverage(crawl))
    findings.extend(check_listing_links(crawl, th))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: (order[f.severity], f.check, f.url, f.evidence))

    pages = _pages(posts, crawl, findings)
    score = round(sum(p.score for p in pages) / len(pages)) if pages else 100
    categories: dict[str, dict[str, int]] = {}
    for post in posts:
        site = categories.setdefault(post.site, {})
        for c in post.categories or ["(none)"]:
            site[c] = site.get(c, 0) + 1
    return SeoReport(findings=findings, pages=pages, thresholds=th, score=score,
                     categories={s: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))
                                 for s, c in sorted(categories.items())})


def _pages(posts: list[Post], crawl: Crawl, findings: list[Finding]) -> list[PageSeo]:
    keys = UrlKeys()
    per_page: dict[str, Counter] = defaultdict(Counter)
    for f in findings:
        per_page[keys[f.url]][f.severity] += 1
    pages: list[PageSeo] = []
    for post in posts:
        key = keys[post.url]
        title = title_of(post) or None
        description = (post.meta.meta_description or "").strip() or None
        images = content_images(post)
        h1 = h1_texts(post)
        page = PageSeo(
            url=post.url, site=post.site, title_tag=title, title_chars=len(title or ""),
            title_px=text_pixels(title or ""), meta_description=description,
            description_chars=len(description or ""), h1=h1[0] if h1 else None,
            h1_count=post.meta.h1_count, canonical=post.meta.canonical,
            indexable=is_indexable(post),
            robots=", ".join([*post.meta.robots, *post.meta.x_robots_tag]),
            status=post.fetch.status, response_time_ms=post.fetch.response_time_ms,
            bytes=post.fetch.bytes, word_count=post.word_count, depth=post.fetch.depth,
            found_via=post.fetch.found_via, inlinks=len(crawl.inlinks.get(key, ())),
            internal_outlinks=len(crawl.outlinks.get(key, ())), images=len(images),
            images_no_alt=sum(1 for i in images if i.alt is None),
            jsonld_types=list(post.meta.jsonld_types), html_lang=post.meta.html_lang,
            language=post.language, categories=list(post.categories),
            in_sitemap=key in crawl.sitemap,
        )
        pages.append(_scored(page, per_page.get(key, Counter())))
    # pages that are not posts but carry findings (listing pages, sitemap URLs)
    post_keys = {keys[p.url] for p in posts}
    for f in findings:
        key = keys[f.url]
        if key not in post_keys:
            post_keys.add(key)
            entry = crawl.sitemap.get(key)
            err = crawl.errors.get(key)
            page = PageSeo(url=f.url, site=site_of(f.url), kind="other",
                           status=err.status if err else None, in_sitemap=entry is not None,
                           inlinks=len(crawl.inlinks.get(key, ())),
                           internal_outlinks=len(crawl.outlinks.get(key, ())))
            pages.append(_scored(page, per_page.get(key, Counter())))
    return pages


def _scored(page: PageSeo, counts: Counter) -> PageSeo:
    page.errors, page.warnings, page.opportunities = (
        counts["error"], counts["warning"], counts["opportunity"])
    page.score = max(0, 100 - sum(SCORE_PENALTY[s] * n for s, n in counts.items()))
    return page


def histogram(values: Iterable[int | None], bands: list[tuple[str, int, int]]) -> list[tuple[str, int]]:
    """Counts of ``values`` per (label, low, high) band, high inclusive."""
    vals = [v for v in values if v is not None]
    return [(label, sum(1 for v in vals if lo <= v <= hi)) for label, lo, hi in bands]


WORD_BANDS = [("< 100", 0, 99), ("100-299", 100, 299), ("300-599", 300, 599),
              ("600-999", 600, 999), ("1000-1999", 1000, 1999), ("2000+", 2000, 10**9)]


def depth_counts(report: SeoReport) -> list[tuple[str, int]]:
    posts = [p for p in report.pages if p.kind == "post"]
    depths = Counter(p.depth for p in posts)
    rows = [(f"depth {d}", depths[d]) for d in sorted(d for d in depths if d is not None)]
    if depths.get(None):
        rows.append(("sitemap only", depths[None]))
    return rows
