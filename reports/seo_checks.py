"""What each SEO check means: its severity, its topic and why it matters for ranking.

Data, so the checks, the renderers and the docs read one table; ``found`` makes a finding
of a check with its severity from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.findings import SEVERITIES, Finding, Severity

__all__ = ["CHECKS", "SEVERITIES", "Check", "Severity", "found"]


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
    ("img_alt_empty", "warning", "images",
     "alt=\"\" tells screen readers and image search to skip the image: a photo in the post goes unseen."),
    ("img_alt_empty_decorative", "opportunity", "images",
     "An empty alt is right for a small or decorative image; check it carries no meaning."),
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


def found(url: str, check: str, value: str, threshold: str = "") -> Finding:
    """A finding of ``check`` on ``url``: ``value`` is what was found, ``threshold`` the
    rule it was measured against."""
    return Finding(url=url, check=check, evidence=value, threshold=threshold,
                   severity=CHECKS[check].severity)
