"""The vocabulary of the sample site's description: sites, posts, blocks, planted errors.

Pure data. ``render.py`` turns it into HTTP responses and the tests of every other part
of Needle read their expected values from it, so one object is both the page and the truth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from crawler.records import DateSource, WarningKind

TZ = ZoneInfo("America/Edmonton")
# The day the site's content was written against; "today" for the planted audit cases.
TODAY = datetime(2026, 11, 25, tzinfo=TZ)
# Left as is for a field the flavour fills in (a title tag from the title, a canonical to self).
AUTO = "__auto__"

Flavour = Literal["builder", "wp", "plain"]


def day(y: int, m: int, d: int) -> datetime:
    """A date written as text on the page: midnight in the clinic's time zone."""
    return datetime(y, m, d, tzinfo=TZ)


def local(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    """A structured timestamp (JSON-LD, meta, <time>) in the clinic's time zone."""
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


@dataclass(frozen=True)
class RelativeDate:
    """A date shown relative to the visit ("3 days ago"): the truth depends on the fetch time."""

    days: int
    text: str

    def resolve(self, fetched_at: datetime) -> datetime:
        return fetched_at.astimezone(TZ) - timedelta(days=self.days)


@dataclass(frozen=True)
class ImageSpec:
    src: str  # path on the site
    alt: str | None  # None: no alt attribute at all
    caption: str | None = None  # figcaption (wp only); builder/plain have none
    position: Literal["hero", "inline"] = "inline"


@dataclass(frozen=True)
class Block:
    """One piece of a post body. ``text`` may hold links as ``[words](href)``.

    href forms: ``/path`` (this site), ``outbound:/path`` (the outbound test site),
    anything else verbatim.
    """

    kind: Literal["h2", "h3", "h4", "p", "ul", "ol", "img", "table", "quote"]
    text: str = ""
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    image: ImageSpec | None = None


def h2(text: str) -> Block:
    return Block("h2", text)


def h3(text: str) -> Block:
    return Block("h3", text)


def h4(text: str) -> Block:
    return Block("h4", text)


def p(text: str) -> Block:
    return Block("p", " ".join(text.split()))


def ul(*items: str) -> Block:
    return Block("ul", items=items)


def ol(*items: str) -> Block:
    return Block("ol", items=items)


def img(src: str, alt: str | None, caption: str | None = None) -> Block:
    return Block("img", image=ImageSpec(src, alt, caption, "inline"))


def table(*rows: tuple[str, ...]) -> Block:
    return Block("table", rows=rows)


def quote(text: str) -> Block:
    return Block("quote", " ".join(text.split()))


LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def plain_text(text: str) -> str:
    """Block text as a reader sees it: links reduced to their words."""
    return LINK_RE.sub(r"\1", text)


@dataclass(frozen=True)
class Head:
    """What goes in <head> and the response headers beyond the flavour's defaults."""

    title_tag: str | None = AUTO  # None: no <title>
    # og:title, twitter:title and the JSON-LD headline as an SEO plugin writes them (RankMath's
    # default is the SEO title); AUTO: the post's title. The record's title stays the h1.
    social_title: str | None = AUTO
    meta_description: str | None = AUTO  # None: none; AUTO: the summary (wp, builder)
    canonical: str | None = AUTO  # a path or None; AUTO: self on wp, none elsewhere
    robots: str | None = None  # <meta name="robots">
    x_robots_tag: str | None = None  # X-Robots-Tag header
    og: Literal["auto", "partial", "none"] = "auto"
    jsonld_drop: tuple[str, ...] = ()  # BlogPosting keys left out (wp)
    byline_datetime: datetime | None = None  # when the byline <time> disagrees with JSON-LD
    hreflang: tuple[tuple[str, str], ...] = ()  # (lang, path)
    h1: bool = True  # False: the title is shown without an <h1>
    extra_h1: str | None = None  # a second <h1> inside the body
    html_lang: str | None = AUTO  # None: <html> without lang


@dataclass(frozen=True)
class PostSpec:
    slug: str
    path: str
    title: str  # the visible headline
    summary: str  # the listing teaser's one-liner (and the default meta description)
    body: tuple[Block, ...]
    date_text: str | None = None  # date as printed on the page
    published: datetime | RelativeDate | None = None
    published_source: DateSource | None = None
    published_raw: str | None = None
    modified: datetime | None = None
    modified_source: DateSource | None = None
    modified_raw: str | None = None
    modified_text: str | None = None  # "Updated on ..." as printed
    author: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    hero: ImageSpec | None = None
    lang: str = "en"
    head: Head = Head()
    warnings: tuple[WarningKind, ...] = ()
    audit: tuple[str, ...] = ()  # expected content-audit findings
    seo: tuple[str, ...] = ()  # expected SEO findings
    listed: bool = True  # False: reachable only through the sitemap (orphan)
    in_sitemap: bool = True
    sitemap_lastmod: datetime | None = None  # None: the flavour's default
    teaser_title: str | None = None  # when the listing card disagrees with the post
    teaser_date_text: str | None = None
    tracking_link: bool = False  # listing and widgets link with utm_* parameters
    served_charset: str = "utf-8"  # encoding of the bytes
    declared_charset: str = "utf-8"  # charset in the Content-Type header
    malformed: bool = False
    notes: str = ""

    # -- queries ------------------------------------------------------------------

    @property
    def images(self) -> list[ImageSpec]:
        out = [self.hero] if self.hero else []
        out += [b.image for b in self.body if b.kind == "img" and b.image]
        return out

    def expected_published(self, fetched_at: datetime | None = None) -> datetime | None:
        if isinstance(self.published, RelativeDate):
            if fetched_at is None:
                raise ValueError(f"{self.slug}: a relative date needs the fetch time")
            return self.published.resolve(fetched_at)
        return self.published

    @property
    def published_is_relative(self) -> bool:
        return isinstance(self.published, RelativeDate)

    def body_text(self) -> str:
        parts: list[str] = []
        for b in self.body:
            if b.kind in ("h2", "h3", "h4", "p", "quote"):
                parts.append(plain_text(b.text))
            elif b.kind in ("ul", "ol"):
                parts.extend(plain_text(i) for i in b.items)
            elif b.kind == "table":
                parts.extend(" ".join(r) for r in b.rows)
        return "\n".join(parts)

    @property
    def word_count(self) -> int:
        return len(self.body_text().split())

    def links(self) -> list[tuple[str, str]]:
        """(href as written, text) of every link in the body."""
        out: list[tuple[str, str]] = []
        for b in self.body:
            for t in (b.text, *b.items, *(c for r in b.rows for c in r)):
                out += [(h, w) for w, h in LINK_RE.findall(t)]
        return out

    @property
    def headings(self) -> list[tuple[int, str]]:
        return [(int(b.kind[1]), b.text) for b in self.body if b.kind in ("h2", "h3", "h4")]

    @property
    def clean(self) -> bool:
        return not (self.audit or self.seo or self.warnings)


@dataclass(frozen=True)
class DeadCard:
    """A listing card that points to a page that is gone."""

    path: str
    title: str
    date_text: str
    summary: str
    image_alt: str
    after_slug: str  # shown right after this post in the listing


@dataclass(frozen=True)
class Route:
    """A planted misbehaving URL and what a crawl must make of it."""

    path: str
    kind: Literal["redirect", "404", "410", "500", "slow", "empty", "binary", "text"]
    reason: str | None  # expected CrawlError.reason; None when the crawl ends on a page
    location: str | None = None  # redirect target (path or absolute)
    status: int = 200
    linked_from: str = ""  # where a crawler finds it (a slug, "listing", "footer", ...)
    notes: str = ""


@dataclass(frozen=True)
class StaffMember:
    name: str
    role: str


@dataclass(frozen=True)
class Clinic:
    name: str
    phone: str
    address: str
    hours: tuple[str, ...]
    email: str
    staff: tuple[StaffMember, ...]
    copyright_year: int
    # what the old posts still say; the audit must spot these as stale
    old_phones: tuple[str, ...] = ()
    old_addresses: tuple[str, ...] = ()
    old_hours: tuple[str, ...] = ()
    former_staff: tuple[str, ...] = ()


@dataclass
class SiteSpec:
    key: Flavour
    clinic: Clinic
    lang: str
    blog_path: str  # the blog's start page
    page_size: int
    posts: list[PostSpec]  # in listing order, newest first
    dead_cards: list[DeadCard] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    extra_sitemap_paths: list[str] = field(default_factory=list)  # listed yet 404
    robots_disallow: tuple[str, ...] = ("/private/",)
    private_path: str = "/private/staff-portal"
    pdf_path: str = "/files/new-patient-form.pdf"
    # findings every post of this flavour has by nature (no canonical on builders, ...);
    # a "clean" post has none beyond these
    natural_audit: tuple[str, ...] = ()
    natural_seo: tuple[str, ...] = ()
    site_audit: tuple[str, ...] = ()  # site-wide findings (footer copyright, ...)
    site_seo: tuple[str, ...] = ()
    timezone: str = "America/Edmonton"
    title_suffix: str = ""  # appended to a post's title in its <title>

    def title_tag(self, post: PostSpec) -> str | None:
        """The <title> a post is served with (None: no <title>)."""
        if post.head.title_tag == AUTO:
            return post.title + self.title_suffix
        return post.head.title_tag

    def meta_description(self, post: PostSpec) -> str | None:
        """The meta description a post is served with (None: none)."""
        if post.head.meta_description != AUTO:
            return post.head.meta_description
        return None if self.key == "plain" else post.summary

    # -- pages every flavour has -----------------------------------------------------

    @property
    def pages(self) -> dict[str, str]:
        """Non-post HTML pages by role -> path."""
        if self.key == "plain":
            return {"home": "/index.html", "contact": "/contact.html", "team": "/staff.html",
                    "private": self.private_path}
        slash = "/" if self.key == "wp" else ""
        return {"home": "/", "contact": f"/contact{slash}", "team": f"/our-team{slash}",
                "private": self.private_path}

    @property
    def sitemap_path(self) -> str:
        """The sitemap robots.txt names (an index on wp)."""
        return "/sitemap_index.xml" if self.key == "wp" else "/sitemap.xml"

    # -- posts ------------------------------------------------------------------------

    def post(self, slug: str) -> PostSpec:
        for post in self.posts:
            if post.slug == slug:
                return post
        raise KeyError(slug)

    def post_url(self, base: str, post: PostSpec | str) -> str:
        if isinstance(post, str):
            post = self.post(post)
        return base.rstrip("/") + post.path

    def start_url(self, base: str) -> str:
        return base.rstrip("/") + self.blog_path

    @property
    def clean_posts(self) -> list[PostSpec]:
        return [p for p in self.posts if p.clean]

    def planted(self, finding: str) -> list[PostSpec]:
        """Posts expected to trip an audit or SEO finding (beyond the flavour's natural ones)."""
        return [p for p in self.posts if finding in p.audit or finding in p.seo]

    # -- listing ------------------------------------------------------------------------

    def listing_entries(self) -> list[PostSpec | DeadCard]:
        out: list[PostSpec | DeadCard] = []
        for post in self.posts:
            if not post.listed:
                continue
            out.append(post)
            out += [c for c in self.dead_cards if c.after_slug == post.slug]
        return out

    def listing_page_path(self, number: int) -> str:
        if number == 1:
            return self.blog_path
        if self.key == "builder":
            return f"{self.blog_path}?page={number}"
        return f"{self.blog_path}page/{number}/"

    def listing_pages(self) -> list[tuple[str, list[PostSpec | DeadCard]]]:
        """(path, entries) of every listing page, in order."""
        entries = self.listing_entries()
        size = self.page_size or len(entries)
        chunks = [entries[i:i + size] for i in range(0, len(entries), size)]
        return [(self.listing_page_path(n), chunk) for n, chunk in enumerate(chunks, 1)]

    def listing_page_of(self, post: PostSpec) -> int | None:
        """1-based listing page a post appears on; None for orphans."""
        for n, (_, chunk) in enumerate(self.listing_pages(), 1):
            if post in chunk:
                return n
        return None

    # -- routes ---------------------------------------------------------------------------

    @property
    def redirects(self) -> dict[str, str]:
        return {r.path: r.location for r in self.routes if r.kind == "redirect" and r.location}

    def redirect_chain(self, path: str, limit: int = 10) -> list[str]:
        """Paths visited from ``path`` following redirects: [path, hop, ..., final].

        A loop ends as soon as a path repeats (the repeated path is appended once).
        """
        chain = [path]
        while chain[-1] in self.redirects and len(chain) <= limit:
            nxt = self.redirects[chain[-1]]
            chain.append(nxt)
            if nxt in chain[:-1]:
                break
        return chain

    def error_urls(self, base: str) -> dict[str, str]:
        """URL -> expected CrawlError.reason for every planted failing URL."""
        base = base.rstrip("/")
        return {base + r.path: r.reason for r in self.routes if r.reason}

    def sitemap_paths(self) -> list[str]:
        """Every post path the sitemap lists, then the planted dead ones."""
        return [p.path for p in self.posts if p.in_sitemap] + list(self.extra_sitemap_paths)

    def sitemap_lastmod(self, post: PostSpec, now: datetime | None = None) -> datetime | None:
        if post.sitemap_lastmod is not None:
            return post.sitemap_lastmod
        if post.modified is not None:
            return post.modified
        if isinstance(post.published, RelativeDate):
            return post.published.resolve(now or TODAY)
        return post.published
