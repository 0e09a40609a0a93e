"""Site-theme selectors, kept as data: a new site pattern is one line here.

Each entry is CSS, or XPath when it starts with ``/``, ``(`` or ``.//``. Lists are in
order of trust: the first match wins where one element is wanted. They are compiled
by ``crawler.matching`` (cssselect turns the CSS into XPath), once per list.

Platforms in mind: WordPress (Yoast/RankMath themes, Gutenberg), Squarespace, Wix, Duda
and other site builders, Ghost, Blogger, Hugo/Jekyll, Drupal, Webflow, Medium-like
publishers, hand-written HTML.
"""

from __future__ import annotations

import re

WIDGET_HEADING_RE = (
    "^(recent|related|latest|more|other) (posts|articles|stories)|"
    "^(articles|publications) (r\u00e9cent|similaires|connexes)|^you (may|might) also like|"
    "^read (next|more)$|^vous aimerez aussi"
)
_WIDGET_HEADING = f"re:test(normalize-space(.), '{WIDGET_HEADING_RE}', 'i')"
# ... and holds no prose: a "Read more" heading inside the post's own wrapper is no widget
HEADED_WIDGET = " | ".join(f"//{h}[{_WIDGET_HEADING}]/parent::*[self::section or self::div or self::aside]"
                           "[not(.//p[string-length(normalize-space(.)) > 300])]"
                           for h in ("h2", "h3", "h4"))

# The page-wide XPaths below are matched by a walk over the page's element index
# (crawler.matching), which finds the same elements; edited, they run as XPath again.
OUTER_HEADER = "//header[not(ancestor::article or ancestor::main or ancestor::*[@role='main'])]"
OUTER_FOOTER = "//footer[not(ancestor::article or ancestor::main or ancestor::*[@role='main'])]"
COOKIE_CLASS = "//@class[contains(., 'cookie')]/parent::*[not(self::body or self::html)]"
POSTS_WIDGET = "//@data-widget[.='recent-posts' or .='related-posts']/parent::*[self::section or self::div]"
BUILDER_POST_LISTS = ("//@data-element-type[contains(., 'BlogPostsList')]/parent::* | "
                      "//@data-widget-type[contains(., 'blogPostList')]/parent::*")
REL_TAG = "//a/@rel[contains(concat(' ', normalize-space(.), ' '), ' tag ') and not(contains(., 'category'))]/parent::*"

# Main content of a single post, most specific first.
CONTENT = [
    "[itemprop=articleBody]",
    ".entry-content",           # WordPress classic themes, many builders
    ".wp-block-post-content",   # WordPress block themes
    ".post-content",
    ".post-body",               # Blogger
    ".post-entry",
    ".article-content",
    ".article-body",
    ".article__body",
    ".blog-post-content",
    ".blog-post-body",
    ".blog-content",
    ".gh-content",              # Ghost (Casper, Source)
    ".post-full-content",       # Ghost (older Casper)
    ".blog-item-content",       # Squarespace 7.1
    ".sqs-layout",              # Squarespace 7.0 post body
    "[data-hook=post-description]",  # Wix blog
    ".post-rich-content",
    ".rich-text",
    ".w-richtext",              # Webflow
    ".rich-text-block",
    ".field--name-body",        # Drupal 8+
    ".field-name-body",         # Drupal 7
    ".node__content",
    ".dmNewParagraph-post",     # Duda blog post body
    ".blogPostContent",
    ".blog-post .content",
    ".single-post .content",
    "article .content",
    ".story-body",
    ".markdown-body",
    ".prose",
    "article",
    "[role=main]",
    "main",
    "#content",
    ".content",
]

# Removed from the main content before its text is read, and never read for
# title, date or author. Site chrome and widgets.
SITE_CHROME = [
    "script", "style", "noscript", "template", "svg", "iframe", "form", "button",
    "select", "textarea", "input", "dialog",
    "nav", "[role=navigation]",
    OUTER_HEADER,
    OUTER_FOOTER,
    "[role=banner]", "[role=contentinfo]", "[role=complementary]",
    "aside",
    "#masthead", "#colophon", ".site-header", ".site-footer", "#header", "#footer",
    ".header", ".footer", ".navbar", ".menu", ".breadcrumb", ".breadcrumbs", "#breadcrumbs",
    ".yoast-breadcrumbs", ".rank-math-breadcrumb",
    ".sidebar", "#sidebar", "#secondary", ".widget-area", ".widget:not(.Blog)",
    # page builders' sidebar modules, nested inside the post's own container
    ".et_pb_widget_area", ".elementor-widget-sidebar", ".fl-module-sidebar", ".wp-block-template-part.sidebar",
    # cookie and consent banners
    "#cookie-notice", ".cookie-notice", ".cookie-banner", "#cookie-banner", ".cookie-consent",
    ".cc-window", "#CybotCookiebotDialog", "#onetrust-banner-sdk", "#onetrust-consent-sdk",
    ".cmplz-cookiebanner", "#cookie-law-info-bar", ".gdpr", "[aria-label=cookieconsent]",
    COOKIE_CLASS,
    # comments
    "#comments", ".comments", ".comments-area", ".comment-respond", "#respond",
    ".comment-list", ".commentlist", "#disqus_thread", ".post-comments", ".comments-section",
    "[data-hook=comments]", ".squarespace-comments", ".blog-item-comments",
]

# Chrome around a single post's body: shares, author boxes, widgets of other posts.
POST_CHROME = [
    # share bars, author boxes, post navigation
    ".sharedaddy", ".share", ".share-buttons", ".social-share", ".sharing", ".addtoany_share_save_container",
    ".a2a_kit", ".social-icons", ".social-links", ".post-share", ".share-bar", ".ss-inline-share-wrapper",
    ".post-navigation", ".nav-links", ".navigation", ".pagination", ".pager", ".post-nav",
    ".author-box", ".about-author", ".author-bio", ".entry-footer",
    # recent / related posts widgets
    ".related-posts", ".related", ".jp-relatedposts", ".yarpp-related", ".crp_related",
    ".recent-posts", ".widget_recent_entries", ".recent-posts-widget", ".more-posts",
    ".read-next", ".read-more-wrap", ".post-feed", ".recentPosts", ".relatedPosts", ".latest-posts", ".blog-recent-posts", ".dmRecentPosts", ".blogs-recent-posts",
    ".summary-block-wrapper", "[data-hook=recent-posts]", ".w-dyn-list",
    POSTS_WIDGET,
    # newsletter and calls to action in chrome
    ".newsletter", ".newsletter-signup", ".mc4wp-form", "#mc_embed_signup", ".subscribe",
    ".signup-form", ".popup", ".modal", ".sr-only", ".screen-reader-text", ".visually-hidden",
    "[hidden]", "[aria-hidden=true]",
    ".ads", ".advertisement", ".ad-container",
    ".skip-link",
]

BOILERPLATE = SITE_CHROME + POST_CHROME

# Content containers trusted enough that no chrome selector may swallow them (a Blogger
# post sits in a ".widget"): everything in CONTENT before the generic "article".
def strong_content() -> list[str]:
    return CONTENT[: CONTENT.index("article")]


# Inside the content container: the post's own header lines, not body text.
CONTENT_CHROME = [
    ".entry-meta", ".post-meta", ".byline", ".post-byline", ".entry-header .posted-on",
    ".blog-item-meta", ".article-meta", ".meta", ".post-info", ".blog-meta",
    ".post-tags", ".tags-links", ".cat-links", ".post-categories", ".tags", ".entry-tags",
    ".wp-block-post-terms", ".reading-time", ".wp-block-post-date", ".wp-block-post-author",
    ".speechify-ignore", ".pw-author", "[data-testid=storyReadTime]", "[data-testid=storyPublishDate]",
    ".article-byline", ".byline-meta-content", ".post-metadata",
]

# Widgets whose cards point to other posts: followed by the spider, not body text.
RELATED_WIDGETS = [
    ".recent-posts", ".widget_recent_entries", ".recent-posts-widget", ".related-posts",
    ".jp-relatedposts", ".yarpp-related", ".crp_related", ".more-posts", ".read-next", ".read-more-wrap",
    ".PopularPosts", ".popular-posts",
    ".dmRecentPosts", ".blogs-recent-posts", ".blog-recent-posts", "[data-hook=recent-posts]",
    ".summary-block-wrapper", ".related", ".recentPosts", ".relatedPosts", ".latest-posts",
    BUILDER_POST_LISTS,
    POSTS_WIDGET,
    # a section/div/aside whose child h2-h4 announces other posts (one union of
    # //hN[...]/parent::*: only headings get the regex, not every element)
    HEADED_WIDGET,
]

# Taken out of the page trafilatura reads: cookie banners, comments and other posts'
# cards. The rest of BOILERPLATE (asides, share bars...) cost recall on real-world pages
# (bench/eval_extraction.py): trafilatura judges those better itself.
TRAFILATURA_PRUNE = SITE_CHROME[SITE_CHROME.index("#cookie-notice"):] + RELATED_WIDGETS

# Title candidates on the page itself (the head's og:title / JSON-LD come first).
TITLE = [
    "[itemprop=headline]",
    ".entry-title",
    ".post-title",
    ".article-title",
    ".blog-post-title",
    ".blog-item-title",
    ".post-full-title",
    ".gh-article-title",
    "[data-hook=post-title]",
    ".page-title",
    "h1",
]

# Elements that carry the post's date, structured (datetime/content) or as text.
DATE = [
    "[itemprop=datePublished]",
    "time.entry-date.published",
    "time.published",
    "time[pubdate]",
    ".entry-date",
    ".post-date",
    ".posted-on",
    ".published",
    ".date",
    ".dt-published",
    ".blog-date",
    ".article-date",
    ".meta-date",
    ".byline",
    ".entry-meta",
    ".post-meta",
    ".blog-item-meta",
    ".date-header",             # Blogger
    "[data-hook=time-ago]",     # Wix
    ".dmBlogPostDate",
    ".postDate",
    "time",
]
DATE_MODIFIED = [
    "[itemprop=dateModified]",
    "time.updated",
    ".updated",
    ".modified",
    ".last-updated",
]

# Author, from the most explicit markup down.
AUTHOR = [
    "[itemprop=author] [itemprop=name]",
    "[itemprop=author]",
    "[rel=author]",
    ".author .fn",
    ".byline .author",
    ".author-name",
    ".post-author-name",
    ".post-author",
    ".entry-author",
    ".article-author",
    ".blog-author-name",
    "[data-hook=user-name]",
    ".p-author",
    ".field--name-uid",         # Drupal
    ".node__submitted",
    ".submitted",
    ".author",
]

# Featured image of a post: shown before the body text.
HERO_IMAGE = [
    ".post-thumbnail img", ".wp-post-image", ".featured-image img", ".entry-image img",
    ".post-full-image img", ".gh-feature-image img", ".article-image img", ".hero img",
    ".blog-item-image img", ".post-header img", ".entry-header img",
]

CATEGORY_LINKS = [
    "a[rel~=category]", ".cat-links a", ".post-categories a", ".entry-categories a",
    ".blog-categories a", "a.blog-categories", ".post-category a", "a.post-card-primary-tag",
]
TAG_LINKS = [
    REL_TAG,
    ".tags-links a", ".post-tags a", ".entry-tags a", ".tag-links a", ".blog-tags a", ".tags a",
    ".field--name-field-tags a", ".field-name-field-tags a", ".post-labels a",
]

# Cards on a listing page (and in recent-posts widgets).
TEASER_CARDS = [
    "article",
    ".post-card",
    ".blog-card",
    ".blog-post-card",
    ".post-item",
    ".blog-item",
    ".blog-post-item",
    ".summary-item",            # Squarespace summary blocks
    ".blog-basic-grid--container > article",
    ".post-outer",              # Blogger
    ".w-dyn-item",              # Webflow collection lists
    ".views-row",               # Drupal views
    "[data-hook=post-list-item]",  # Wix
    ".dmBlogPostItem",
    ".postArticle",             # Duda blog list and recent-posts cards
    ".recent-post",
    ".post",
    ".entry",
    "li.post",
    ".type-post",
    ".card",
]

TEASER_SUMMARY = [
    ".entry-summary", ".excerpt", ".post-excerpt", ".summary-excerpt", ".post-card-excerpt",
    ".blog-excerpt", ".card-text", ".summary", "[data-hook=post-description]", ".description",
]

PAGINATION = [
    ".pagination a", ".nav-links a", ".page-numbers", ".pager a", ".wp-pagenavi a",
    ".blog-pagination a", ".nav-previous a", ".older-posts", "a.next", ".next a",
    ".blog-older-link", "#blog-pager-older-link", ".gh-pagination a", ".w-pagination-next",
    ".pagination-next a", "a[rel=next]",
]


# --------------------------------------------------------------------------- head meta keys

# <meta> name/property keys (lower-case) that give a post's dates, most trusted first;
# the first value of each is read. itemprop="datePublished" metas are microdata, read apart.
META_PUBLISHED = [
    "article:published_time", "og:published_time", "pubdate", "publish-date", "publish_date",
    "dc.date.issued", "dc.date", "dcterms.date", "dcterms.created", "date", "sailthru.date",
    "parsely-pub-date", "article.published", "published_time",
]
META_MODIFIED = [
    "article:modified_time", "og:updated_time", "dcterms.modified", "last-modified", "article.updated",
    "modified_time",
]

# --------------------------------------------------------------------------- URL patterns of page kinds

# a post's address by date: WordPress /2024/05/18/slug/
POST_DATE_PATH = re.compile(r"/\d{4}/\d{1,2}/\d{1,2}/[^/]+")
# a post's address by section: /blog/some-slug/, /articles/a-title.html
POST_SLUG_PATH = re.compile(
    r"/(?:blog|blogue|posts?|articles?|news|nouvelles|journal|actualites)/[^/?]*[a-z0-9]-[a-z0-9][^/?]*/?(?:\.html?)?$",
    re.IGNORECASE,
)
# a listing's address: pagination, taxonomy archives, the blog's index
LISTING_PATH = re.compile(
    r"/(?:page/\d+/?$|category/|tag/|author/|archives?/?)|[?&](?:page|paged)=\d+|"
    r"/(?:blog|blogue|news|articles|actualites|nouvelles|journal)/?$"
)
# a date archive (WordPress /2024/05/)
DATE_ARCHIVE_PATH = re.compile(r"/(?:19|20)\d\d(?:/\d{1,2}){0,2}/?$")
# WordPress's body_class() on archives and on page 2+ of any listing
ARCHIVE_BODY_CLASSES = frozenset({"archive", "paged"})
# the_archive_title()'s prefixes, in English and French
ARCHIVE_TITLE = re.compile(
    r"^(?:month|year|day|category|tag|author|archives?|mois|ann[ée]e|jour|cat[ée]gorie|[ée]tiquette|auteur)\s*:\s*\S",
    re.IGNORECASE,
)
