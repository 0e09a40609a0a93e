"""The bundled sample clinic blogs: what they serve, and what a crawl must make of them.

Three clinics, three markup flavours real clinic sites have:

* ``builder`` - Riverbend Physiotherapy, a site-builder (Duda/Wix-like) blog: dates only as
  visible text ("July 18, 2025", one "3 days ago"), image captions only as alt text, a
  recent-posts widget on every post, ``/blog?page=N`` pagination with only an "Older posts"
  link (so the oldest posts are 4+ clicks deep), no JSON-LD, no canonical, a cookie banner.
* ``wp`` - Summit Sports Physiotherapy, WordPress with a Yoast-like SEO plugin: JSON-LD
  ``@graph`` (WebPage, BlogPosting, Person), ``article:*_time`` meta, ``<time datetime>``
  bylines, categories and tags, figure/figcaption, OG/Twitter, canonical, comments form,
  sidebar widgets, ``/blog/page/N/`` pagination, sitemap index, an en/fr hreflang pair.
* ``plain`` - Whitford Chiropractic, a hand-written site: no metadata at all, tables and
  ``<font>``, dates typed as text, one French page, one unpaginated article list.

The description is the single truth: ``render.py`` builds every response from it, and tests
of the crawler, index, audit and SEO report read their expected values from it. Nothing
here knows a port; anything absolute takes the site's ``base`` URL.

Query API::

    from sample_site.description import SITES, OUTBOUND
    site = SITES["wp"]
    site.posts                            # PostSpec list, listing order, newest first
    site.post("tmj-jaw-exercises")        # by slug
    site.post_url(base, post)             # absolute URL the post is served at
    site.start_url(base)                  # blog front page
    post.expected_published(fetched_at)   # aware datetime (relative dates need fetched_at)
    post.published_source / published_raw / modified / modified_source / modified_raw
    post.warnings                         # expected WarningKind values
    post.audit, post.seo                  # expected finding names (beyond site.natural_*)
    site.clean_posts                      # posts with no planted finding or warning
    site.planted("near_duplicate")        # posts planted for one finding
    site.listing_pages()                  # [(path, [PostSpec | DeadCard])]
    site.error_urls(base)                 # {url: CrawlError.reason}
    site.redirect_chain("/blog/concussion-tips")   # [path, hop, final]
    site.sitemap_paths(), site.sitemap_lastmod(post)
    site.pages                            # {"home", "contact", "team", "private"} -> path
    site.clinic                           # current phone/address/hours/staff + stale ones

Conventions for expected values:

* Text dates are midnight in America/Edmonton; structured dates are as printed (local
  time with offset). A ``RelativeDate`` resolves to fetch time minus N days (compare dates).
* ``published_source`` follows the house rule "structured first": JSON-LD, then meta, then
  ``<time>``, then text. On ``wp/tmj-jaw-exercises`` the byline disagrees and the expected
  value is the JSON-LD one with a ``dates_disagree`` warning.
* Finding names are provisional strings the audit/SEO authors may rename; a "clean" post
  expects none beyond ``site.natural_audit``/``site.natural_seo`` (a builder post has no
  canonical by nature). Site-wide findings are in ``site.site_audit``/``site.site_seo``.
* ``wp`` pages print ``lang="en-CA"``/``"fr-CA"``; ``post.lang`` is the primary subtag.
"""

from __future__ import annotations

from dataclasses import dataclass

from sample_site.content import builder, plain, wp
from sample_site.model import (  # re-exported: the description's vocabulary
    AUTO, TODAY, TZ, Block, Clinic, DeadCard, Head, ImageSpec, PostSpec, RelativeDate, Route,
    SiteSpec, StaffMember,
)

SITES: dict[str, SiteSpec] = {s.key: s for s in (builder.SITE, wp.SITE, plain.SITE)}


@dataclass(frozen=True)
class OutboundRoute:
    path: str
    status: int
    location: str | None = None
    reason: str | None = None  # expected CrawlError.reason if a link check fetches it


# The stand-in for the rest of the internet, so outbound links never leave 127.0.0.1.
# Any path under /guidelines/ answers 200.
OUTBOUND: list[OutboundRoute] = [
    OutboundRoute("/guidelines/whiplash", 200),
    OutboundRoute("/guidelines/running", 200),
    OutboundRoute("/old-study", 404, reason="http_404"),
    OutboundRoute("/gone-study", 410, reason="http_410"),
    OutboundRoute("/moved", 301, location="/guidelines/whiplash"),
]

__all__ = [
    "AUTO", "OUTBOUND", "SITES", "TODAY", "TZ", "Block", "Clinic", "DeadCard", "Head",
    "ImageSpec", "OutboundRoute", "PostSpec", "RelativeDate", "Route", "SiteSpec",
    "StaffMember",
]
