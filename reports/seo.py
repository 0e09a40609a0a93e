"""The SEO report: per-post and site-wide checks over the records of one crawl.

Pure: ``seo_report(records, thresholds=...)`` takes what the index holds (posts, teasers,
crawl errors, sitemap entries, redirects, the site's other pages) and returns findings and
one row of SEO fields per post. Nothing here fetches or parses HTML; every fact comes from the records.

Each check is one small function yielding ``Finding``s; what a check means (severity, why
it matters for ranking) is data in ``CHECKS``, so renderers and docs read one table.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Callable, Literal
from urllib.parse import urlsplit, urlunsplit

from crawler.records import CrawlError, Post, Redirect, SitemapEntry, SitePage, Teaser
from reports.seo_thresholds import SeoThresholds
from reports.seo_widths import text_pixels

Severity = Literal["error", "warning", "opportunity"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "opportunity")


@dataclass(frozen=True)
class Check:
    name: str
    severity: Severity
    topic: str
    why: str


def _checks(*rows: tuple[str, Severity, str, str]) -> dict[str, Check]:
    return {name: Check(name, sev, topic, why) for name, sev, topic, why in rows}


CHECKS: dict[str, Check] = _checks(
    # titles
    ("title_missing", "error", "title",
     "The title is the headline of the search result and a strong relevance signal; without "
     "one Google invents a title from the page."),
    ("title_duplicate", "warning", "title",
     "Posts sharing a title compete for the same queries and Google cannot tell which to rank."),
    ("title_too_short", "opportunity", "title",
     "A very short title wastes the result's headline space and leaves out words people search for."),
    ("title_too_long", "warning", "title",
     "Long titles are cut off in results ('...'), and Google may rewrite them."),
    ("title_too_wide", "warning", "title",
     "Google truncates titles by pixel width; the end of this title will not be shown."),
    # meta description
    ("meta_description_missing", "warning", "description",
     "Without a description Google picks a snippet from the page, often a poor one, which "
     "lowers click-through."),
    ("meta_description_duplicate", "warning", "description",
     "The same snippet on several posts makes them look interchangeable in results."),
    ("meta_description_too_short", "opportunity", "description",
     "A short description gives searchers little reason to click."),
    ("meta_description_too_long", "opportunity", "description",
     "Descriptions past about 155 characters are cut off in results."),
    # headings
    ("h1_missing", "error", "headings",
     "The H1 tells readers and search engines what the page is about."),
    ("h1_multiple", "warning", "headings",
     "Several H1s blur the page's main topic."),
    ("h1_too_long", "opportunity", "headings",
     "A long H1 dilutes the main topic's keywords."),
    ("heading_skip", "opportunity", "headings",
     "Skipped heading levels break the outline search engines and screen readers follow."),
    # canonical
    ("canonical_missing", "warning", "canonical",
     "Without a canonical, URL variants (tracking parameters, trailing slashes) can be "
     "indexed as duplicates and split ranking signals."),
    ("canonical_other", "warning", "canonical",
     "The canonical points to another URL, so this post asks not to be indexed itself."),
    ("canonical_non_200", "error", "canonical",
     "The canonical points to a page that does not answer 200; Google ignores it or drops "
     "both pages."),
    # indexability
    ("meta_robots_noindex", "error", "indexability",
     "meta robots noindex keeps the post out of search results entirely."),
    ("meta_robots_nofollow", "warning", "indexability",
     "meta robots nofollow stops link equity flowing from this post to the pages it links."),
    ("x_robots_noindex", "error", "indexability",
     "The X-Robots-Tag header says noindex: the post is kept out of search results, and the "
     "header is invisible in the page source."),
    ("x_robots_nofollow", "warning", "indexability",
     "The X-Robots-Tag header says nofollow: links on the post pass no equity."),
    # response
    ("status_not_200", "error", "response",
     "A post that does not answer 200 cannot be indexed."),
    ("slow_response", "warning", "response",
     "Slow server responses delay every page view and Core Web Vitals; Google crawls slow "
     "sites less."),
    ("page_too_heavy", "warning", "response",
     "Very large HTML slows rendering, and Googlebot stops reading HTML after 15 MB."),
    # content
    ("thin_content", "warning", "content",
     "Pages with little text rarely answer a query well and can be judged low quality."),
    # images
    ("img_alt_missing", "warning", "images",
     "Images without alt text are invisible to image search and screen readers."),
    ("img_alt_filename", "warning", "images",
     "A file name as alt text describes nothing to image search or screen readers."),
    ("img_alt_generic", "opportunity", "images",
     "Generic alt text ('image', 'photo') wastes the image's relevance signal."),
    ("img_alt_too_long", "opportunity", "images",
     "Alt text over about 100 characters is cut by screen readers and reads as keyword stuffing."),
    ("img_alt_repeated", "opportunity", "images",
     "The same alt text on many images of a post says nothing about each image."),
    # links
    ("no_internal_outlinks", "warning", "links",
     "A page that links nowhere on the site passes no link equity and is a dead end for crawlers."),
    ("orphan", "warning", "links",
     "No crawled page links to this post: search engines find it only through the sitemap "
     "and give it little weight."),
    ("broken_link", "error", "links",
     "Links to missing or failing pages waste crawl budget and frustrate readers."),
    ("link_redirect", "opportunity", "links",
     "Internal links through a redirect cost a request and leak a little link equity; link "
     "the final URL."),
    ("redirect_chain", "warning", "links",
     "A chain of redirects slows crawling and Google may stop following it."),
    ("deep_page", "warning", "links",
     "Pages many clicks from the blog's front page are crawled less and rank worse."),
    # structured data
    ("jsonld_missing", "warning", "structured data",
     "Without BlogPosting/Article structured data the post is not eligible for article rich "
     "results (date, author, image)."),
    ("jsonld_incomplete", "warning", "structured data",
     "Article structured data without headline, dates, author or image gives Google less to "
     "show and weaker authorship signals."),
    # social
    ("og_missing", "opportunity", "social",
     "Without Open Graph tags, shares on Facebook and LinkedIn show a bare link."),
    ("og_incomplete", "opportunity", "social",
     "Missing Open Graph fields make shared previews incomplete."),
    ("twitter_card_missing", "opportunity", "social",
     "Without twitter:card, shares on X show no card."),
    # language
    ("html_lang_missing", "warning", "language",
     "Without <html lang> search engines and screen readers must guess the language."),
    ("html_lang_mismatch", "warning", "language",
     "<html lang> disagrees with the language the text is written in."),
    ("hreflang_no_self", "warning", "language",
     "hreflang annotations must include the page itself."),
    ("hreflang_no_return", "error", "language",
     "hreflang must be reciprocal; Google ignores a pair whose target does not link back."),
    ("hreflang_non_200", "error", "language",
     "An hreflang alternate that does not answer 200 is ignored."),
    ("hreflang_invalid", "error", "language",
     "An hreflang value that is not a language code is ignored."),
    ("hreflang_no_x_default", "opportunity", "language",
     "An x-default alternate tells Google which version to show to other languages."),
    # URL
    ("url_too_long", "opportunity", "url",
     "Long URLs are cut in results and are harder to share and to read."),
    ("url_uppercase", "warning", "url",
     "Uppercase URLs invite duplicates (servers treat case differently) and are error-prone to type."),
    ("url_parameters", "opportunity", "url",
     "Query parameters on a post's URL create duplicate variants and dilute signals."),
    ("url_underscore", "opportunity", "url",
     "Google treats hyphens as word separators, not underscores."),
    # sitemap (site-wide)
    ("not_in_sitemap", "warning", "sitemap",
     "A post missing from the sitemap is discovered and re-crawled later."),
    ("sitemap_not_crawled", "warning", "sitemap",
     "The sitemap lists a post the crawl never reached from the blog."),
    ("sitemap_non_200", "error", "sitemap",
     "Sitemap URLs that fail make search engines trust the sitemap less."),
    ("sitemap_non_indexable", "warning", "sitemap",
     "The sitemap should list only indexable, canonical URLs."),
    ("sitemap_lastmod_mismatch", "opportunity", "sitemap",
     "Google uses <lastmod> only when it is accurate; a wrong one makes it ignore them all."),
    # site-wide content
    ("keyword_cannibalisation", "warning", "content",
     "Posts targeting the same query compete with each other, and neither ranks as well as one would."),
)


@dataclass(frozen=True)
class Finding:
    url: str  # the page the finding is about
    check: str
    value: str  # what was found, readable
    threshold: str = ""  # the rule it was measured against

    @property
    def severity(self) -> Severity:
        return CHECKS[self.check].severity

    @property
    def why(self) -> str:
        return CHECKS[self.check].why

    def as_dict(self) -> dict[str, str]:
        return {"url": self.url, "check": self.check, "value": self.value,
                "threshold": self.threshold, "severity": self.severity, "why": self.why}


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


# -- the crawl as a graph ------------------------------------------------------------------


def norm_url(url: str) -> str:
    """URL for comparing: fragment dropped, scheme and host lowercased."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       parts.query, ""))


def _site_of(url: str) -> str:
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

    @classmethod
    def of(cls, records: Iterable[Any]) -> "Crawl":
        posts: dict[str, Post] = {}
        errors: dict[str, CrawlError] = {}
        redirects: dict[str, Redirect] = {}
        sitemap: dict[str, SitemapEntry] = {}
        teasers: list[Teaser] = []
        pages: dict[str, SitePage] = {}
        for r in records:
            if isinstance(r, Post):
                posts[norm_url(r.url)] = r
            elif isinstance(r, SitePage):
                pages[norm_url(r.url)] = r
            elif isinstance(r, CrawlError):
                errors[norm_url(r.url)] = r
            elif isinstance(r, Redirect):
                redirects[norm_url(r.url)] = r
            elif isinstance(r, SitemapEntry):
                sitemap[norm_url(r.url)] = r
            elif isinstance(r, Teaser):
                teasers.append(r)
        sitemap_files = {norm_url(e.sitemap_url) for e in sitemap.values()}
        outlinks: dict[str, set[str]] = defaultdict(set)
        for url, page in [*posts.items(), *pages.items()]:
            outlinks[url].update(norm_url(link.href) for link in page.links if link.internal)
            # a page reached by a link was linked from its referrer, even when the referrer
            # is a listing page whose own links are not recorded
            if page.fetch.found_via == "link" and page.fetch.referrer:
                outlinks[norm_url(page.fetch.referrer)].add(url)
        for t in teasers:
            outlinks[norm_url(t.listing_url)].add(norm_url(t.url))
        for target, rec in [*errors.items(), *redirects.items()]:
            ref = rec.referrer and norm_url(rec.referrer)
            if ref and ref not in posts and ref not in pages and ref not in sitemap_files:
                outlinks[ref].add(target)  # a listing page's link we know only from here
        inlinks: dict[str, set[str]] = defaultdict(set)
        for src, targets in outlinks.items():
            targets.discard(src)
            for target in targets:
                inlinks[target].add(src)
        return cls(posts, errors, redirects, sitemap, teasers, dict(outlinks), dict(inlinks),
                   sitemap_files, pages)

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


# -- per-post checks ---------------------------------------------------------------------

PostCheck = Callable[[Post, Crawl, SeoThresholds], Iterator[Finding]]
POST_CHECKS: list[PostCheck] = []


def post_check(func: PostCheck) -> PostCheck:
    POST_CHECKS.append(func)
    return func


def _title(post: Post) -> str:
    return (post.meta.title_tag or "").strip()


@post_check
def check_title(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    title = _title(post)
    if not title:
        yield Finding(post.url, "title_missing", "no <title>", "a <title> on every post")
        return
    n, px = len(title), text_pixels(title)
    if n < th.title_min_chars:
        yield Finding(post.url, "title_too_short", f"{n} characters: {title!r}",
                      f">= {th.title_min_chars} characters")
    if n > th.title_max_chars:
        yield Finding(post.url, "title_too_long", f"{n} characters: {title!r}",
                      f"<= {th.title_max_chars} characters")
    if px > th.title_max_px:
        yield Finding(post.url, "title_too_wide", f"{px} px: {title!r}", f"<= {th.title_max_px} px")


@post_check
def check_description(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    text = (post.meta.meta_description or "").strip()
    if not text:
        yield Finding(post.url, "meta_description_missing", "no meta description",
                      "a meta description on every post")
        return
    n = len(text)
    if n < th.description_min_chars:
        yield Finding(post.url, "meta_description_too_short", f"{n} characters: {text!r}",
                      f">= {th.description_min_chars} characters")
    if n > th.description_max_chars:
        yield Finding(post.url, "meta_description_too_long", f"{n} characters",
                      f"<= {th.description_max_chars} characters")


def _h1_texts(post: Post) -> list[str]:
    return [h.text for h in post.headings if h.level == 1]


@post_check
def check_headings(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    count = post.meta.h1_count
    if count == 0:
        yield Finding(post.url, "h1_missing", "no <h1>", "exactly one <h1>")
    elif count > 1:
        shown = "; ".join(repr(t) for t in _h1_texts(post))
        yield Finding(post.url, "h1_multiple", f"{count} <h1>: {shown}".rstrip(": "),
                      "exactly one <h1>")
    for text in _h1_texts(post):
        if len(text) > th.h1_max_chars:
            yield Finding(post.url, "h1_too_long", f"{len(text)} characters: {text!r}",
                          f"<= {th.h1_max_chars} characters")
    # the outline may start at h1 or h2 (a missing h1 is reported above, not twice)
    previous = 1
    for h in post.headings:
        if h.level > previous + 1:
            yield Finding(post.url, "heading_skip", f"h{previous} -> h{h.level} ({h.text!r})",
                          "each heading at most one level below the one before")
        previous = h.level


@post_check
def check_canonical(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    canonical = post.meta.canonical
    if not canonical:
        yield Finding(post.url, "canonical_missing", "no rel=canonical",
                      "a self-referencing canonical")
        return
    if norm_url(canonical) == norm_url(post.url):
        return
    failed = crawl.status_of(canonical)
    if failed is not None:
        status, reason = failed
        yield Finding(post.url, "canonical_non_200",
                      f"{canonical} ({status if status else reason}: {reason})",
                      "canonical target answers 200")
    else:
        yield Finding(post.url, "canonical_other", f"points to {canonical}",
                      "canonical to the post itself")


def _directives(values: list[str]) -> set[str]:
    out: set[str] = set()
    for v in values:
        for part in v.lower().split(","):
            part = part.strip()
            if ":" in part and not part.startswith(("max-", "unavailable_after")):
                part = part.split(":", 1)[1].strip()  # "googlebot: noindex"
            out.add(part)
    if "none" in out:
        out |= {"noindex", "nofollow"}
    return out


def is_indexable(post: Post) -> bool:
    directives = _directives(post.meta.robots) | _directives(post.meta.x_robots_tag)
    canonical = post.meta.canonical
    return (post.fetch.status == 200 and "noindex" not in directives
            and (not canonical or norm_url(canonical) == norm_url(post.url)))


@post_check
def check_robots(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    meta = _directives(post.meta.robots)
    header = _directives(post.meta.x_robots_tag)
    rule = "no noindex/nofollow on a post meant to rank"
    if "noindex" in meta:
        yield Finding(post.url, "meta_robots_noindex", ", ".join(post.meta.robots), rule)
    if "nofollow" in meta:
        yield Finding(post.url, "meta_robots_nofollow", ", ".join(post.meta.robots), rule)
    if "noindex" in header:
        yield Finding(post.url, "x_robots_noindex", ", ".join(post.meta.x_robots_tag), rule)
    if "nofollow" in header:
        yield Finding(post.url, "x_robots_nofollow", ", ".join(post.meta.x_robots_tag), rule)


@post_check
def check_response(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    f = post.fetch
    if f.status != 200:
        yield Finding(post.url, "status_not_200", f"HTTP {f.status}", "200")
    if f.response_time_ms is not None and f.response_time_ms > th.max_response_ms:
        yield Finding(post.url, "slow_response", f"{f.response_time_ms:.0f} ms",
                      f"<= {th.max_response_ms:g} ms")
    if f.bytes > th.max_page_bytes:
        yield Finding(post.url, "page_too_heavy", f"{f.bytes:,} bytes of HTML",
                      f"<= {th.max_page_bytes:,} bytes")


@post_check
def check_content(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    if post.word_count < th.min_words:
        yield Finding(post.url, "thin_content", f"{post.word_count} words",
                      f">= {th.min_words} words in the body")


# alt text that is a file name: ends in an image extension or looks like a camera's name
FILENAME_ALT = re.compile(
    r"(\.(jpe?g|png|gif|webp|svg|avif|bmp|tiff?)$)|^(img|dsc|dscn|pxl|screenshot|image)[-_ ]?\d+",
    re.IGNORECASE)
GENERIC_ALTS = frozenset({
    "image", "img", "photo", "picture", "pic", "graphic", "banner", "untitled", "placeholder",
    "alt", "alt text", "thumbnail", "featured image", "blog image", "image description",
    "photo of", "click here", "logo", "icon", "spacer", "default",
})


def content_images(post: Post):
    """Images of the post itself: hero and inline; logos and widgets are site chrome."""
    return [img for img in post.images if img.position.value != "other"]


@post_check
def check_images(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    images = content_images(post)
    repeated: Counter = Counter()
    for img in images:
        name = img.src.rsplit("/", 1)[-1]
        if img.alt is None:
            yield Finding(post.url, "img_alt_missing", f"{name} has no alt attribute",
                          "alt text on every content image")
            continue
        alt = img.alt.strip()
        if not alt:
            continue  # alt="" marks a decorative image: correct, not missing
        if FILENAME_ALT.search(alt):
            yield Finding(post.url, "img_alt_filename", f"{name}: alt {alt!r}",
                          "alt text describes the image, not its file")
        elif alt.lower().strip(" .") in GENERIC_ALTS:
            yield Finding(post.url, "img_alt_generic", f"{name}: alt {alt!r}",
                          "alt text describes the image")
        if len(alt) > th.alt_max_chars:
            yield Finding(post.url, "img_alt_too_long", f"{name}: {len(alt)} characters",
                          f"<= {th.alt_max_chars} characters")
        repeated[alt.casefold()] += 1
    for alt, count in repeated.items():
        if count >= th.alt_repeat_min:
            original = next(i.alt for i in images if i.alt and i.alt.strip().casefold() == alt)
            yield Finding(post.url, "img_alt_repeated", f"{count} images with alt {original!r}",
                          f"< {th.alt_repeat_min} images sharing one alt text")


@post_check
def check_links(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    key = norm_url(post.url)
    if not crawl.outlinks.get(key):
        yield Finding(post.url, "no_internal_outlinks", "0 internal links",
                      ">= 1 link to another page of the site")
    if not crawl.inlinks.get(key):
        how = "found through the sitemap" if post.fetch.found_via == "sitemap" else "no inlinks"
        yield Finding(post.url, "orphan", f"linked from no crawled page ({how})",
                      ">= 1 internal link to the post")
    depth = post.fetch.depth
    if depth is not None and depth >= th.deep_min_depth:
        yield Finding(post.url, "deep_page", f"{depth} clicks from the blog's front page",
                      f"< {th.deep_min_depth} clicks")


def link_findings(page: str, targets: Iterable[str], crawl: Crawl,
                  th: SeoThresholds) -> Iterator[Finding]:
    """Broken links and links through redirects from one page (from what the crawl saw)."""
    for target in sorted(set(targets)):
        if target in crawl.errors:
            e = crawl.errors[target]
            # a page answering 200 with an empty or binary body is an extraction matter
            if e.status is None or e.status >= 400:
                yield Finding(page, "broken_link", f"{e.url} ({e.reason})",
                              "internal links answer 200")
        elif target in crawl.redirects:
            r = crawl.redirects[target]
            hops = len(r.chain) or 1
            statuses = "/".join(str(s) for s in r.statuses)
            if hops >= th.redirect_chain_hops:
                yield Finding(page, "redirect_chain",
                              f"{r.url} -> {hops} redirects ({statuses}) -> {r.target}",
                              f"< {th.redirect_chain_hops} redirects")
            else:
                yield Finding(page, "link_redirect", f"{r.url} ({statuses}) -> {r.target}",
                              "links point at the final URL")


@post_check
def check_link_targets(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    yield from link_findings(post.url, crawl.outlinks.get(norm_url(post.url), ()), crawl, th)


ARTICLE_TYPES = frozenset({"BlogPosting", "Article", "NewsArticle", "TechArticle",
                           "MedicalScholarlyArticle", "Report", "ScholarlyArticle"})
ARTICLE_FIELDS = ("headline", "datePublished", "dateModified", "author", "image")


@post_check
def check_structured_data(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    if not ARTICLE_TYPES & set(post.meta.jsonld_types):
        found = ", ".join(post.meta.jsonld_types) or "no JSON-LD"
        yield Finding(post.url, "jsonld_missing", found, "BlogPosting or Article in JSON-LD")
        return
    missing = [f for f in ARTICLE_FIELDS if f not in post.meta.jsonld_article_fields]
    if missing:
        yield Finding(post.url, "jsonld_incomplete", "missing " + ", ".join(missing),
                      "BlogPosting with " + ", ".join(ARTICLE_FIELDS))


OG_FIELDS = ("og:title", "og:description", "og:image", "og:url", "og:type")


@post_check
def check_social(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    og = {k for k, v in post.meta.open_graph.items() if v}
    if not og:
        yield Finding(post.url, "og_missing", "no Open Graph tags", ", ".join(OG_FIELDS))
    else:
        missing = [f for f in OG_FIELDS if f not in og]
        if missing:
            yield Finding(post.url, "og_incomplete", "missing " + ", ".join(missing),
                          ", ".join(OG_FIELDS))
    if not post.meta.twitter.get("twitter:card"):
        yield Finding(post.url, "twitter_card_missing", "no twitter:card", "twitter:card set")


LANG_CODE = re.compile(r"^(x-default|[a-z]{2,3}(-[a-z]{4})?(-([a-z]{2}|\d{3}))?)$", re.IGNORECASE)


def _primary(lang: str | None) -> str | None:
    return lang.split("-")[0].split("_")[0].lower() if lang else None


@post_check
def check_language(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    html_lang = post.meta.html_lang
    if not html_lang:
        yield Finding(post.url, "html_lang_missing", "no lang on <html>", "<html lang=...>")
    elif post.language and _primary(html_lang) != _primary(post.language):
        yield Finding(post.url, "html_lang_mismatch",
                      f"lang={html_lang!r}, text reads as {post.language!r}",
                      "<html lang> matches the text")
    alternates = post.meta.hreflang
    if not alternates:
        return
    here = norm_url(post.url)
    hrefs = {norm_url(h.href): h.lang for h in alternates}
    for h in alternates:
        if not LANG_CODE.match(h.lang.strip()):
            yield Finding(post.url, "hreflang_invalid", f"hreflang={h.lang!r}",
                          "ISO 639-1 language (+ ISO 3166 region) or x-default")
    if here not in hrefs:
        yield Finding(post.url, "hreflang_no_self", f"{len(alternates)} alternates, none to itself",
                      "hreflang includes the page itself")
    for target, lang in hrefs.items():
        if target == here:
            continue
        failed = crawl.status_of(target)
        if failed is not None:
            status, reason = failed
            yield Finding(post.url, "hreflang_non_200", f"{lang}: {target} ({reason})",
                          "alternates answer 200")
            continue
        other = crawl.posts.get(target)
        if other is not None and here not in {norm_url(h.href) for h in other.meta.hreflang}:
            yield Finding(post.url, "hreflang_no_return", f"{lang}: {other.url} does not link back",
                          "reciprocal hreflang")
    if not any(h.lang.lower() == "x-default" for h in alternates):
        yield Finding(post.url, "hreflang_no_x_default",
                      "alternates: " + ", ".join(sorted({h.lang for h in alternates})),
                      "an x-default alternate")


@post_check
def check_url(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    url = post.url
    parts = urlsplit(url)
    if len(url) > th.url_max_chars:
        yield Finding(url, "url_too_long", f"{len(url)} characters", f"<= {th.url_max_chars} characters")
    if parts.path != parts.path.lower():
        yield Finding(url, "url_uppercase", parts.path, "lowercase path")
    if parts.query:
        yield Finding(url, "url_parameters", "?" + parts.query, "no query string on a post")
    if "_" in parts.path:
        yield Finding(url, "url_underscore", parts.path, "hyphens between words")


@post_check
def check_sitemap_entry(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    entry = crawl.sitemap.get(norm_url(post.url))
    if entry is None:
        # a page that asks not to be indexed is right to stay out of the sitemap
        if is_indexable(post) and crawl.sitemap:
            yield Finding(post.url, "not_in_sitemap", "absent from every sitemap",
                          "every indexable post in the sitemap")
        return
    if not is_indexable(post):
        yield Finding(post.url, "sitemap_non_indexable", f"listed in {entry.sitemap_url}",
                      "only indexable, self-canonical URLs in the sitemap")
    own = post.modified or post.published
    if entry.lastmod is not None and own is not None:
        days = abs((entry.lastmod - own).total_seconds()) / 86400
        if days > th.lastmod_tolerance_days:
            yield Finding(post.url, "sitemap_lastmod_mismatch",
                          f"lastmod {entry.lastmod.date()} vs page {own.date()}",
                          f"within {th.lastmod_tolerance_days:g} day(s)")


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
                yield Finding(post.url, check, f"{get(post).strip()!r} also on {', '.join(others)}",
                              "unique per post")


STOP_WORDS = frozenset("""a an and are as at be by can do does for from how i in is it its
my of on or our the this to vs what when where which who why will with you your after before
about into over than that these those there their they we us not no yes
le la les un une des du de et à au aux en pour par sur dans avec est vos votre nos notre""".split())
# words that change a post's angle, not the query it targets
GENERIC_WORDS = frozenset("""guide guides tip tips complete ultimate best new know things
ways simple easy quick everything need part update updated faq faqs answered questions
introduction overview""".split())
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _stem(word: str) -> str:
    # light English suffix stripping: enough to match "injury"/"injuries", "run"/"running"
    for suffix, repl in (("ies", "y"), ("ing", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + repl
    return word


def query_terms(text: str) -> set[str]:
    """The content words a title or H1 targets."""
    words = (w.lower() for w in WORD.findall(text))
    return {_stem(w) for w in words if w not in STOP_WORDS and w not in GENERIC_WORDS and len(w) > 1}


SEPARATORS = re.compile(r"\s+[|\-–—:·]\s+")


def _brand_suffixes(posts: list[Post]) -> dict[str, set[str]]:
    """Per site, the title tails shared by 2+ posts ("| Summit Physio"): a brand, not a query."""
    tails: dict[str, Counter] = defaultdict(Counter)
    for post in posts:
        parts = SEPARATORS.split(_title(post))
        if len(parts) > 1:
            tails[post.site][parts[-1].strip().casefold()] += 1
    return {site: {t for t, n in c.items() if n >= 2} for site, c in tails.items()}


def post_query(post: Post, brands: set[str]) -> set[str]:
    parts = SEPARATORS.split(_title(post))
    if len(parts) > 1 and parts[-1].strip().casefold() in brands:
        parts = parts[:-1]
    h1 = _h1_texts(post) or ([post.title] if post.title else [])
    return query_terms(" ".join(parts)) | query_terms(" ".join(h1))


def check_cannibalisation(posts: list[Post], th: SeoThresholds) -> Iterator[Finding]:
    """Pairs of posts (one site, one language) whose title+H1 query terms overlap.

    Prefix filtering keeps this near-linear: two sets with Jaccard >= t must share one of
    the first |x| - ceil(t|x|) + 1 terms of each, terms ordered rarest first.
    """
    import math

    brands = _brand_suffixes(posts)
    groups: dict[tuple[str, str | None], list[tuple[Post, set[str]]]] = defaultdict(list)
    for post in posts:
        if not is_indexable(post):
            continue  # a page that asks not to rank competes with nothing
        terms = post_query(post, brands.get(post.site, set()))
        if terms:
            groups[(post.site, _primary(post.language))].append((post, terms))
    t = th.cannibalisation_similarity
    for members in groups.values():
        freq = Counter(term for _, terms in members for term in terms)
        index: dict[str, list[int]] = defaultdict(list)
        seen: set[tuple[int, int]] = set()
        for i, (post, terms) in enumerate(members):
            ordered = sorted(terms, key=lambda w: (freq[w], w))
            prefix = ordered[: len(ordered) - math.ceil(t * len(ordered)) + 1]
            candidates = {j for term in prefix for j in index[term]}
            for term in prefix:
                index[term].append(i)
            alternates = {norm_url(h.href) for h in post.meta.hreflang}
            for j in sorted(candidates):
                other, other_terms = members[j]
                if (j, i) in seen or norm_url(other.url) in alternates:
                    continue
                seen.add((j, i))
                sim = len(terms & other_terms) / len(terms | other_terms)
                if sim >= t:
                    shared = " ".join(sorted(terms & other_terms))
                    for a, b in ((post, other), (other, post)):
                        yield Finding(a.url, "keyword_cannibalisation",
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
            yield Finding(entry.url, "sitemap_non_200", f"{reason} (listed in {entry.sitemap_url})",
                          "sitemap URLs answer 200")
        elif failed is not None:
            yield Finding(entry.url, "sitemap_non_200", f"{failed[1]} (listed in {entry.sitemap_url})",
                          "sitemap URLs answer 200 without redirecting")
        elif key not in listings and _parent_shape(entry.url) in shapes:
            yield Finding(entry.url, "sitemap_not_crawled",
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
    findings.sort(key=lambda f: (order[f.severity], f.check, f.url, f.value))

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
    per_page: dict[str, Counter] = defaultdict(Counter)
    for f in findings:
        per_page[norm_url(f.url)][f.severity] += 1
    pages: list[PageSeo] = []
    for post in posts:
        key = norm_url(post.url)
        title = _title(post) or None
        description = (post.meta.meta_description or "").strip() or None
        images = content_images(post)
        h1 = _h1_texts(post)
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
    post_keys = {norm_url(p.url) for p in posts}
    for f in findings:
        key = norm_url(f.url)
        if key not in post_keys:
            post_keys.add(key)
            entry = crawl.sitemap.get(key)
            err = crawl.errors.get(key)
            page = PageSeo(url=f.url, site=_site_of(f.url), kind="other",
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
