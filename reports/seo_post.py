"""The SEO report's per-post checks: each one small function yielding findings.

Nothing here fetches or parses HTML; every fact comes from the crawl's records
(reports.crawl_facts). What a check means is in reports.seo_checks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Callable
from urllib.parse import urlsplit

from crawler.records import Post
from reports.crawl_facts import Crawl, norm_url
from reports.findings import Finding
from reports.seo_checks import found
from reports.seo_thresholds import SeoThresholds
from reports.seo_widths import text_pixels

PostCheck = Callable[[Post, Crawl, SeoThresholds], Iterator[Finding]]
POST_CHECKS: list[PostCheck] = []


def post_check(func: PostCheck) -> PostCheck:
    POST_CHECKS.append(func)
    return func


def title_of(post: Post) -> str:
    return (post.meta.title_tag or "").strip()


@post_check
def check_title(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    title = title_of(post)
    if not title:
        yield found(post.url, "title_missing", "no <title>", "a <title> on every post")
        return
    n, px = len(title), text_pixels(title)
    if n < th.title_min_chars:
        yield found(post.url, "title_too_short", f"{n} characters: {title!r}",
                      f">= {th.title_min_chars} characters")
    if n > th.title_max_chars:
        yield found(post.url, "title_too_long", f"{n} characters: {title!r}",
                      f"<= {th.title_max_chars} characters")
    if px > th.title_max_px:
        yield found(post.url, "title_too_wide", f"{px} px: {title!r}", f"<= {th.title_max_px} px")


@post_check
def check_description(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    text = (post.meta.meta_description or "").strip()
    if not text:
        yield found(post.url, "meta_description_missing", "no meta description",
                      "a meta description on every post")
        return
    n = len(text)
    if n < th.description_min_chars:
        yield found(post.url, "meta_description_too_short", f"{n} characters: {text!r}",
                      f">= {th.description_min_chars} characters")
    if n > th.description_max_chars:
        yield found(post.url, "meta_description_too_long", f"{n} characters",
                      f"<= {th.description_max_chars} characters")


def h1_texts(post: Post) -> list[str]:
    return [h.text for h in post.headings if h.level == 1]


@post_check
def check_headings(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    count = post.meta.h1_count
    if count == 0:
        yield found(post.url, "h1_missing", "no <h1>", "exactly one <h1>")
    elif count > 1:
        shown = "; ".join(repr(t) for t in h1_texts(post))
        yield found(post.url, "h1_multiple", f"{count} <h1>: {shown}".rstrip(": "),
                      "exactly one <h1>")
    for text in h1_texts(post):
        if len(text) > th.h1_max_chars:
            yield found(post.url, "h1_too_long", f"{len(text)} characters: {text!r}",
                          f"<= {th.h1_max_chars} characters")
    # the outline may start at h1 or h2 (a missing h1 is reported above, not twice)
    previous = 1
    for h in post.headings:
        if h.level > previous + 1:
            yield found(post.url, "heading_skip", f"h{previous} -> h{h.level} ({h.text!r})",
                          "each heading at most one level below the one before")
        previous = h.level


@post_check
def check_canonical(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    canonical = post.meta.canonical
    if not canonical:
        yield found(post.url, "canonical_missing", "no rel=canonical",
                      "a self-referencing canonical")
        return
    if canonical == post.url or norm_url(canonical) == norm_url(post.url):
        return
    failed = crawl.status_of(canonical)
    if failed is not None:
        status, reason = failed
        yield found(post.url, "canonical_non_200",
                      f"{canonical} ({status if status else reason}: {reason})",
                      "canonical target answers 200")
    else:
        yield found(post.url, "canonical_other", f"points to {canonical}",
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
            and (not canonical or canonical == post.url
                 or norm_url(canonical) == norm_url(post.url)))


@post_check
def check_robots(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    meta = _directives(post.meta.robots)
    header = _directives(post.meta.x_robots_tag)
    rule = "no noindex/nofollow on a post meant to rank"
    if "noindex" in meta:
        yield found(post.url, "meta_robots_noindex", ", ".join(post.meta.robots), rule)
    if "nofollow" in meta:
        yield found(post.url, "meta_robots_nofollow", ", ".join(post.meta.robots), rule)
    if "noindex" in header:
        yield found(post.url, "x_robots_noindex", ", ".join(post.meta.x_robots_tag), rule)
    if "nofollow" in header:
        yield found(post.url, "x_robots_nofollow", ", ".join(post.meta.x_robots_tag), rule)


@post_check
def check_response(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    f = post.fetch
    if f.status != 200:
        yield found(post.url, "status_not_200", f"HTTP {f.status}", "200")
    if f.response_time_ms is not None and f.response_time_ms > th.max_response_ms:
        yield found(post.url, "slow_response", f"{f.response_time_ms:.0f} ms",
                      f"<= {th.max_response_ms:g} ms")
    if f.bytes > th.max_page_bytes:
        yield found(post.url, "page_too_heavy", f"{f.bytes:,} bytes of HTML",
                      f"<= {th.max_page_bytes:,} bytes")


@post_check
def check_content(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    if post.word_count < th.min_words:
        yield found(post.url, "thin_content", f"{post.word_count} words",
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


def _small(img, limit: int) -> bool:
    sizes = [v for v in (img.width, img.height) if v is not None]
    return bool(sizes) and max(sizes) <= limit


def _why_decorative(img) -> str:
    if img.decorative:
        return "marked decorative"
    return f"{img.width or '?'}x{img.height or '?'} px"


@post_check
def check_images(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    images = content_images(post)
    repeated: Counter = Counter()
    for img in images:
        name = img.src.rsplit("/", 1)[-1]
        if img.alt is None:
            yield found(post.url, "img_alt_missing", f"{name} has no alt attribute",
                          "alt text on every content image")
            continue
        alt = img.alt.strip()
        if not alt:
            # alt="" says "decorative": right for an icon or a spacer, wrong for a photo in
            # the post, which screen readers and image search then skip
            if img.decorative or _small(img, th.small_image_px):
                yield found(post.url, "img_alt_empty_decorative",
                            f"{name} has empty alt text ({_why_decorative(img)})",
                            "confirm the image is decorative; describe it if it carries meaning")
            else:
                yield found(post.url, "img_alt_empty", f"{name} has empty alt text"
                            + (f" (captioned {img.caption!r})" if img.caption else ""),
                            "alt text on every content image; alt=\"\" only for decorative ones")
            continue
        if FILENAME_ALT.search(alt):
            yield found(post.url, "img_alt_filename", f"{name}: alt {alt!r}",
                          "alt text describes the image, not its file")
        elif alt.lower().strip(" .") in GENERIC_ALTS:
            yield found(post.url, "img_alt_generic", f"{name}: alt {alt!r}",
                          "alt text describes the image")
        if len(alt) > th.alt_max_chars:
            yield found(post.url, "img_alt_too_long", f"{name}: {len(alt)} characters",
                          f"<= {th.alt_max_chars} characters")
        repeated[alt.casefold()] += 1
    for alt, count in repeated.items():
        if count >= th.alt_repeat_min:
            original = next(i.alt for i in images if i.alt and i.alt.strip().casefold() == alt)
            yield found(post.url, "img_alt_repeated", f"{count} images with alt {original!r}",
                          f"< {th.alt_repeat_min} images sharing one alt text")


@post_check
def check_links(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    key = norm_url(post.url)
    if not crawl.outlinks.get(key):
        yield found(post.url, "no_internal_outlinks", "0 internal links",
                      ">= 1 link to another page of the site")
    if not crawl.inlinks.get(key):
        how = "found through the sitemap" if post.fetch.found_via == "sitemap" else "no inlinks"
        yield found(post.url, "orphan", f"linked from no crawled page ({how})",
                      ">= 1 internal link to the post")
    depth = post.fetch.depth
    if depth is not None and depth >= th.deep_min_depth:
        yield found(post.url, "deep_page", f"{depth} clicks from the blog's front page",
                      f"< {th.deep_min_depth} clicks")


def link_findings(page: str, targets: Iterable[str], crawl: Crawl,
                  th: SeoThresholds) -> Iterator[Finding]:
    """Broken links and links through redirects from one page (from what the crawl saw)."""
    for target in sorted(set(targets)):
        if target in crawl.errors:
            e = crawl.errors[target]
            # a page answering 200 with an empty or binary body is an extraction matter
            if e.status is None or e.status >= 400:
                yield found(page, "broken_link", f"{e.url} ({e.reason})",
                              "internal links answer 200")
        elif target in crawl.redirects:
            r = crawl.redirects[target]
            hops = len(r.chain) or 1
            statuses = "/".join(str(s) for s in r.statuses)
            if hops >= th.redirect_chain_hops:
                yield found(page, "redirect_chain",
                              f"{r.url} -> {hops} redirects ({statuses}) -> {r.target}",
                              f"< {th.redirect_chain_hops} redirects")
            else:
                yield found(page, "link_redirect", f"{r.url} ({statuses}) -> {r.target}",
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
        types = ", ".join(post.meta.jsonld_types) or "no JSON-LD"
        yield found(post.url, "jsonld_missing", types, "BlogPosting or Article in JSON-LD")
        return
    missing = [f for f in ARTICLE_FIELDS if f not in post.meta.jsonld_article_fields]
    if missing:
        yield found(post.url, "jsonld_incomplete", "missing " + ", ".join(missing),
                      "BlogPosting with " + ", ".join(ARTICLE_FIELDS))


OG_FIELDS = ("og:title", "og:description", "og:image", "og:url", "og:type")


@post_check
def check_social(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    og = {k for k, v in post.meta.open_graph.items() if v}
    if not og:
        yield found(post.url, "og_missing", "no Open Graph tags", ", ".join(OG_FIELDS))
    else:
        missing = [f for f in OG_FIELDS if f not in og]
        if missing:
            yield found(post.url, "og_incomplete", "missing " + ", ".join(missing),
                          ", ".join(OG_FIELDS))
    if not post.meta.twitter.get("twitter:card"):
        yield found(post.url, "twitter_card_missing", "no twitter:card", "twitter:card set")


LANG_CODE = re.compile(r"^(x-default|[a-z]{2,3}(-[a-z]{4})?(-([a-z]{2}|\d{3}))?)$", re.IGNORECASE)


def primary_language(lang: str | None) -> str | None:
    return lang.split("-")[0].split("_")[0].lower() if lang else None


@post_check
def check_language(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    html_lang = post.meta.html_lang
    if not html_lang:
        yield found(post.url, "html_lang_missing", "no lang on <html>", "<html lang=...>")
    elif post.language and primary_language(html_lang) != primary_language(post.language):
        yield found(post.url, "html_lang_mismatch",
                      f"lang={html_lang!r}, text reads as {post.language!r}",
                      "<html lang> matches the text")
    alternates = post.meta.hreflang
    if not alternates:
        return
    here = norm_url(post.url)
    hrefs = {norm_url(h.href): h.lang for h in alternates}
    for h in alternates:
        if not LANG_CODE.match(h.lang.strip()):
            yield found(post.url, "hreflang_invalid", f"hreflang={h.lang!r}",
                          "ISO 639-1 language (+ ISO 3166 region) or x-default")
    if here not in hrefs:
        yield found(post.url, "hreflang_no_self", f"{len(alternates)} alternates, none to itself",
                      "hreflang includes the page itself")
    for target, lang in hrefs.items():
        if target == here:
            continue
        failed = crawl.status_of(target)
        if failed is not None:
            status, reason = failed
            yield found(post.url, "hreflang_non_200", f"{lang}: {target} ({reason})",
                          "alternates answer 200")
            continue
        other = crawl.posts.get(target)
        if other is not None and here not in {norm_url(h.href) for h in other.meta.hreflang}:
            yield found(post.url, "hreflang_no_return", f"{lang}: {other.url} does not link back",
                          "reciprocal hreflang")
    if not any(h.lang.lower() == "x-default" for h in alternates):
        yield found(post.url, "hreflang_no_x_default",
                      "alternates: " + ", ".join(sorted({h.lang for h in alternates})),
                      "an x-default alternate")


@post_check
def check_url(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    url = post.url
    parts = urlsplit(url)
    if len(url) > th.url_max_chars:
        yield found(url, "url_too_long", f"{len(url)} characters", f"<= {th.url_max_chars} characters")
    if parts.path != parts.path.lower():
        yield found(url, "url_uppercase", parts.path, "lowercase path")
    if parts.query:
        yield found(url, "url_parameters", "?" + parts.query, "no query string on a post")
    if "_" in parts.path:
        yield found(url, "url_underscore", parts.path, "hyphens between words")


@post_check
def check_sitemap_entry(post: Post, crawl: Crawl, th: SeoThresholds) -> Iterator[Finding]:
    entry = crawl.sitemap.get(norm_url(post.url))
    if entry is None:
        # a page that asks not to be indexed is right to stay out of the sitemap
        if is_indexable(post) and crawl.sitemap:
            yield found(post.url, "not_in_sitemap", "absent from every sitemap",
                          "every indexable post in the sitemap")
        return
    if not is_indexable(post):
        yield found(post.url, "sitemap_non_indexable", f"listed in {entry.sitemap_url}",
                      "only indexable, self-canonical URLs in the sitemap")
    own = post.modified or post.published
    if entry.lastmod is not None and own is not None:
        days = abs((entry.lastmod - own).total_seconds()) / 86400
        if days > th.lastmod_tolerance_days:
            yield found(post.url, "sitemap_lastmod_mismatch",
                          f"lastmod {entry.lastmod.date()} vs page {own.date()}",
                          f"within {th.lastmod_tolerance_days:g} day(s)")
