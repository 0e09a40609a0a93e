"""The record types that flow from the crawl to the index, search and reports.

One record type per thing the crawl finds; every JSON Lines line is one of them and
carries ``"type"``. The models are strict (no silent coercion of wrong types) and
round-trip through JSON: ``Model.model_validate_json(m.model_dump_json()) == m``.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime
from enum import Enum
from typing import Annotated, Literal, Union

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter


# Empty-container factories as Python functions: pydantic inspects each factory's
# signature when it first builds a model, and a builtin's (list, dict) is parsed from its
# text signature, which cost `needle extract` about 6 ms of start-up over 25 fields.
def _new_list() -> list:
    return []


def _new_dict() -> dict:
    return {}


class _Record(BaseModel):
    # strict: a str where a datetime belongs is an error, not a guess; JSON input
    # still parses ISO strings into datetimes (pydantic's JSON mode allows it).
    # defer_build: validators are built on first use, so a command that only reads the
    # index (`needle search`) does not pay for building every record type at start-up
    model_config = ConfigDict(strict=True, extra="forbid", frozen=False, defer_build=True)


class DateSource(str, Enum):
    """Where a date was read from, most trustworthy first."""

    JSONLD = "jsonld"  # JSON-LD datePublished / dateModified
    META = "meta"  # <meta property="article:published_time"> and kin
    TIME = "time"  # <time datetime="...">
    MICRODATA = "microdata"  # itemprop="datePublished"
    TEXT = "text"  # human text near the title, parsed by dateparser
    URL = "url"  # /2024/05/17/slug
    SITEMAP = "sitemap"  # <lastmod> in sitemap.xml
    HTTP = "http"  # Last-Modified response header
    HEURISTIC = "heuristic"  # htmldate's page-wide search, when nothing above gave a date


class DateKind(str, Enum):
    PUBLISHED = "published"
    MODIFIED = "modified"


class DateCandidate(_Record):
    """One date found on or about a page; all are kept so reports can compare them."""

    kind: DateKind
    value: AwareDatetime
    source: DateSource
    raw: str


class Heading(_Record):
    level: int = Field(ge=1, le=6)
    text: str


class ImagePosition(str, Enum):
    HERO = "hero"  # lead image: og:image / first image before the body text
    INLINE = "inline"  # inside the article body
    OTHER = "other"  # elsewhere on the page (widgets, sidebars)


class Image(_Record):
    src: str
    alt: str | None = None  # None: no alt attribute; "" : empty alt (decorative)
    caption: str | None = None  # <figcaption> or a theme's caption element
    position: ImagePosition = ImagePosition.INLINE
    width: int | None = None  # the width and height attributes, when the page gives them
    height: int | None = None
    decorative: bool = False  # role="presentation" / "none", or aria-hidden="true"


class Link(_Record):
    href: str  # absolute URL
    text: str = ""
    internal: bool
    rel: list[str] = Field(default_factory=_new_list)
    in_body: bool = True  # False for navigation, footer, widgets


class Hreflang(_Record):
    lang: str
    href: str


class PageMeta(_Record):
    """What search engines read from the page head; the SEO report's raw material."""

    title_tag: str | None = None
    meta_description: str | None = None
    canonical: str | None = None
    robots: list[str] = Field(default_factory=_new_list)  # meta robots directives
    x_robots_tag: list[str] = Field(default_factory=_new_list)  # X-Robots-Tag header
    open_graph: dict[str, str] = Field(default_factory=_new_dict)  # og:title -> value
    twitter: dict[str, str] = Field(default_factory=_new_dict)  # twitter:card -> value
    jsonld_types: list[str] = Field(default_factory=_new_list)
    # the BlogPosting/Article object's top-level keys that had a value
    jsonld_article_fields: list[str] = Field(default_factory=_new_list)
    h1_count: int = 0
    hreflang: list[Hreflang] = Field(default_factory=_new_list)
    html_lang: str | None = None


class ContactFacts(_Record):
    """Contact details found outside the post body (header, footer, sidebar).

    Gathered over many pages they tell the clinic's current details; the same
    kinds found inside the body are in ``body_contacts``.
    """

    phones: list[str] = Field(default_factory=_new_list)
    emails: list[str] = Field(default_factory=_new_list)
    addresses: list[str] = Field(default_factory=_new_list)
    hours: list[str] = Field(default_factory=_new_list)
    copyright_year: int | None = None


class FetchInfo(_Record):
    status: int = 200
    requested_url: str = ""
    redirect_chain: list[str] = Field(default_factory=_new_list)  # URLs before the final one
    fetched_at: AwareDatetime | None = None
    response_time_ms: float | None = None
    bytes: int = 0
    content_type: str | None = None
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None  # the header's raw text
    depth: int | None = None  # link hops from the start URL; None: found only via sitemap
    referrer: str | None = None
    # "known": no link or sitemap entry led to it; the index knew it from an earlier crawl
    found_via: Literal["link", "sitemap", "start", "file", "known"] = "link"
    sitemap_lastmod: AwareDatetime | None = None
    # the raw bytes' hash: a recrawl whose bytes hash the same skips extraction
    body_sha256: str | None = None


class WarningKind(str, Enum):
    NO_TITLE = "no_title"
    NO_DATE = "no_date"
    UNPARSEABLE_DATE = "unparseable_date"
    IMPLAUSIBLE_DATE = "implausible_date"
    NO_BODY = "no_body"
    MALFORMED_HTML = "malformed_html"
    ENCODING = "encoding"
    DATES_DISAGREE = "dates_disagree"
    OTHER = "other"


class RecordWarning(_Record):
    kind: WarningKind
    message: str


class Post(_Record):
    type: Literal["post"] = "post"
    url: str  # canonical URL, tracking parameters stripped
    site: str  # scheme://host of the blog
    title: str | None = None
    published: AwareDatetime | None = None
    published_source: DateSource | None = None
    published_raw: str | None = None
    modified: AwareDatetime | None = None
    modified_source: DateSource | None = None
    modified_raw: str | None = None
    date_candidates: list[DateCandidate] = Field(default_factory=_new_list)
    author: str | None = None
    summary: str | None = None
    body: str = ""
    word_count: int = 0
    headings: list[Heading] = Field(default_factory=_new_list)
    images: list[Image] = Field(default_factory=_new_list)
    categories: list[str] = Field(default_factory=_new_list)
    tags: list[str] = Field(default_factory=_new_list)
    language: str | None = None
    links: list[Link] = Field(default_factory=_new_list)
    meta: PageMeta = Field(default_factory=PageMeta)
    contacts: ContactFacts = Field(default_factory=ContactFacts)
    body_contacts: ContactFacts = Field(default_factory=ContactFacts)
    fetch: FetchInfo = Field(default_factory=FetchInfo)
    content_hash: str = ""
    warnings: list[RecordWarning] = Field(default_factory=_new_list)

    def with_hash(self) -> "Post":
        """Return the post with ``content_hash`` set from what a reader sees."""
        self.content_hash = content_hash(self)
        return self

    def warn(self, kind: WarningKind, message: str) -> None:
        self.warnings.append(RecordWarning(kind=kind, message=message))


class Teaser(_Record):
    """One card on a listing page: what the blog promises about a post."""

    type: Literal["teaser"] = "teaser"
    url: str  # the post it points to (canonicalised)
    listing_url: str
    title: str | None = None
    published: AwareDatetime | None = None
    published_source: DateSource | None = None
    published_raw: str | None = None
    caption: str | None = None  # the card image's alt text or caption
    image_src: str | None = None
    summary: str | None = None
    position: int = 0  # order on the listing page, from 0


class CrawlError(_Record):
    type: Literal["error"] = "error"
    url: str
    referrer: str | None = None
    reason: str  # short machine-readable cause: http_404, timeout, dns, redirect_loop, ...
    status: int | None = None
    message: str = ""
    fetched_at: AwareDatetime | None = None


class SitemapEntry(_Record):
    """A URL the site's sitemap lists, whether or not the crawl reached it."""

    type: Literal["sitemap"] = "sitemap"
    url: str
    lastmod: AwareDatetime | None = None
    sitemap_url: str


class PageRole(str, Enum):
    """What a page that is not a post is for, guessed from its address and title."""

    HOME = "home"
    CONTACT = "contact"
    TEAM = "team"
    FEES = "fees"
    ABOUT = "about"
    OTHER = "other"


class SitePage(_Record):
    """A page of the clinic's site that is not a post or a listing (home, contact, team).

    The clinic's current facts live here: the audit learns phone, address, hours and
    staff names from them, and the SEO report counts their links as inlinks.
    """

    type: Literal["page"] = "page"
    url: str
    site: str
    role: PageRole = PageRole.OTHER
    title: str | None = None
    language: str | None = None
    body: str = ""
    word_count: int = 0
    headings: list[Heading] = Field(default_factory=_new_list)  # a team page lists names here
    links: list[Link] = Field(default_factory=_new_list)
    meta: PageMeta = Field(default_factory=PageMeta)
    contacts: ContactFacts = Field(default_factory=ContactFacts)  # header, footer, sidebar
    body_contacts: ContactFacts = Field(default_factory=ContactFacts)  # the page's own text
    fetch: FetchInfo = Field(default_factory=FetchInfo)


class Redirect(_Record):
    """A URL the crawl was sent to that redirected: kept even when the target is a
    post already recorded under its own URL, so links to old addresses can be fixed."""

    type: Literal["redirect"] = "redirect"
    url: str  # the address that was linked
    target: str  # where the redirects ended
    chain: list[str] = Field(default_factory=_new_list)  # every address before the target
    statuses: list[int] = Field(default_factory=_new_list)  # 301/302/... for each hop
    referrer: str | None = None


class ListingPage(_Record):
    """A listing page the crawl read (the blog's front page, a category, an archive, a
    page of them): where it leads (next pages, posts), and its fetch facts, so a recrawl
    can ask for it conditionally and, when it is unchanged, still follow its links."""

    type: Literal["listing"] = "listing"
    url: str  # canonical
    links: list[str] = Field(default_factory=_new_list)  # next pages, then posts, as found
    fetch: FetchInfo = Field(default_factory=FetchInfo)


class Revalidated(_Record):
    """A page the index holds that a recrawl found unchanged without extracting it: the site
    answered 304 Not Modified to its stored ETag / Last-Modified, or sent the same bytes.
    Only its fetch facts are new; the index keeps the stored record with them."""

    type: Literal["revalidated"] = "revalidated"
    url: str  # canonical, as stored
    kind: Literal["post", "page", "listing"] = "post"  # which stored record it confirms
    how: Literal["not_modified", "same_bytes"]
    fetch: FetchInfo = Field(default_factory=FetchInfo)


Record = Annotated[
    Union[Post, Teaser, CrawlError, SitemapEntry, Redirect, SitePage, ListingPage, Revalidated],
    Field(discriminator="type"),
]


def parse_record(line: str | bytes) -> Record:
    """Parse one JSON Lines line into its record type."""
    return _record_adapter().validate_json(line)


@functools.cache
def _record_adapter() -> TypeAdapter[Record]:
    return TypeAdapter(Record)


def content_hash(post: Post) -> str:
    """Hash of everything the crawl extracted from the page, fetch facts aside.

    Re-crawling an unchanged page gives the same hash even though its fetch time,
    response time and ETag differ, so the index can skip rewriting it.
    """
    payload = post.model_dump_json(exclude={"fetch", "content_hash"})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def hashed_json(post: Post) -> str:
    """Set the post's ``content_hash`` and return its JSON, serialised once.

    ``content_hash`` hashes the post's JSON without the fetch facts and the hash; that is
    this JSON with the two cut out (nothing else in a post is keyed "fetch", and a string's
    quotes are escaped), so a worker that sends the record as JSON writes it once, not twice.
    """
    post.content_hash = ""
    full = post.model_dump_json()
    cut = f'"fetch":{post.fetch.model_dump_json()},"content_hash":"",'
    at = full.find(cut)
    if at < 0:  # laid out otherwise: hash and write it as content_hash() does
        post.with_hash()
        return post.model_dump_json()
    end = at + len(cut)
    post.content_hash = hashlib.sha256((full[:at] + full[end:]).encode("utf-8")).hexdigest()[:32]
    return f'{full[:end - 3]}"{post.content_hash}",{full[end:]}'


def utc_now() -> datetime:
    from datetime import timezone

    return datetime.now(timezone.utc)
