"""Scrapy settings and Needle's own knobs (NEEDLE_*).

scrapy.cfg points here, so `scrapy crawl blog` and `needle crawl` read the same file.

Every NEEDLE_* knob is one row of one table (``TABLE``): name, type, default, help. Each
can be overridden by an environment variable of the same name; the value is parsed once,
when this module is imported, by pydantic, and a value that does not parse raises
``SettingError`` naming the variable and the form expected. Library code never imports this
module: the CLI, the web app's factory and Scrapy (through ``crawler.settings``) read it
and pass values in. docs/settings.md is generated from the table (a test keeps it so).
"""

import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SettingError(ValueError):
    """A NEEDLE_* environment variable that does not parse: it names the variable, the
    value and the form expected. Raised when this module is imported, so a command
    or the server refuses to start instead of failing later (or failing open)."""


# what each type accepts, as an error says it
_EXPECTED = {
    "int": "a whole number, e.g. 500",
    "float": "a number, e.g. 0.5",
    "bool": "yes or no: 1/0, true/false, yes/no, on/off",
}
_TYPES = {"int": int, "float": float, "bool": bool}


@lru_cache(maxsize=None)
def _adapter(kind: str):
    # imported here: only a knob set in the environment needs pydantic, and `needle --help`
    # should not pay for importing it
    from pydantic import TypeAdapter

    return TypeAdapter(_TYPES[kind])


@dataclass(frozen=True)
class Knob:
    """One row of the settings table."""

    name: str
    kind: str  # int, float, bool, text, list (comma-separated), date, zone, or one of ``choices``
    default: Any
    help: str
    choices: tuple[str, ...] = ()

    def parse(self, raw: str | None) -> Any:
        if raw is None:
            return self.default
        value = raw.strip()
        if self.kind in _TYPES:
            from pydantic import ValidationError

            try:
                # pydantic's lax mode: "500" -> 500, "yes"/"off" -> bool; "500links" and
                # "maybe" fail, so a typo never turns a safety off
                return _adapter(self.kind).validate_python(value)
            except ValidationError:
                raise SettingError(f"{self.name}={raw!r}: expected {_EXPECTED[self.kind]}") from None
        if self.kind == "list":
            return [item.strip() for item in value.split(",") if item.strip()]
        if self.kind == "date":
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                raise SettingError(f"{self.name}={raw!r}: expected a date, e.g. 1995-01-01") from None
        if self.kind == "zone":
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise SettingError(
                    f"{self.name}={raw!r}: expected a time zone name, e.g. America/Edmonton") from None
            return value
        if self.choices:
            if value.lower() not in self.choices:
                raise SettingError(f"{self.name}={raw!r}: expected one of {', '.join(self.choices)}")
            return value.lower()
        return value


TABLE: list[Knob] = []


def knob(name: str, kind: str, default: Any, help: str, *, choices: tuple[str, ...] = ()) -> Any:
    """Add a row to the table and return its value (the environment's, else the default)."""
    row = Knob(name, kind, default, help, choices)
    TABLE.append(row)
    return row.parse(os.environ.get(name))


# --- Scrapy ---------------------------------------------------------------------------

BOT_NAME = "needle"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

NEEDLE_POLITE = knob("NEEDLE_POLITE", "bool", True,
                     "Obey robots.txt, AutoThrottle, delays, 4 requests at a time per site. "
                     "0 is for the local benchmark only.")
USER_AGENT = knob("NEEDLE_USER_AGENT", "text",
                  "NeedleBot/0.1 (clinic blog search and content audit; +https://example.org/needle-bot)",
                  "The User-Agent the crawler and the link checker send.")
# What NEEDLE_POLITE switches. This module reads it from the environment; a NEEDLE_POLITE
# given with `-s` (needle crawl or scrapy crawl) comes later, so crawler.polite.PolitenessAddon
# applies its row then. A setting given with `-s` itself keeps its value.
NEEDLE_POLITENESS = {
    True: {"ROBOTSTXT_OBEY": True, "AUTOTHROTTLE_ENABLED": True, "CONCURRENT_REQUESTS": 16,
           "CONCURRENT_REQUESTS_PER_DOMAIN": 4, "DOWNLOAD_DELAY": 0.25},
    False: {"ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 64,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 64, "DOWNLOAD_DELAY": 0},
}
ADDONS = {"crawler.polite.PolitenessAddon": 0}
_polite = NEEDLE_POLITENESS[NEEDLE_POLITE]
ROBOTSTXT_OBEY = _polite["ROBOTSTXT_OBEY"]
AUTOTHROTTLE_ENABLED = _polite["AUTOTHROTTLE_ENABLED"]
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = _polite["CONCURRENT_REQUESTS"]
CONCURRENT_REQUESTS_PER_DOMAIN = _polite["CONCURRENT_REQUESTS_PER_DOMAIN"]
DOWNLOAD_DELAY = _polite["DOWNLOAD_DELAY"]
# Scrapy starts this many tasks for every response's output; the pipelines are synchronous
# (one index writer), so the default 100 only costs a hundred asyncio tasks a page.
CONCURRENT_ITEMS = 4

DOWNLOAD_TIMEOUT = knob("NEEDLE_DOWNLOAD_TIMEOUT", "int", 20, "Seconds before a page fetch times out.")
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # a blog post is never 10 MiB; a video or dump is
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
# Breadth-first, so the first path to a page is the shortest (crawl depth for SEO).
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
# No depth limit: WordPress pagination puts listing page k about k/2 clicks deep, so a
# limit would cut long blogs; scope and the page limit below bound the crawl instead.
DEPTH_LIMIT = 0

NEEDLE_MAX_PAGES_PER_SITE = knob(
    "NEEDLE_MAX_PAGES_PER_SITE", "int", 5000,
    "Page requests per site; a site that reaches it gets no more, and the crawl counts as "
    "partial for it (nothing of it is marked missing).")
CLOSESPIDER_PAGECOUNT = knob(
    "NEEDLE_MAX_PAGES", "int", 0,
    "Whole-crawl limit (`needle crawl --max-pages`): stop after this many responses, "
    "resumable with --jobdir; 0 is no limit.")

# asyncio under Twisted: the spider awaits extraction running in a worker process
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = knob("NEEDLE_LOG_LEVEL", "choice", "info", "Scrapy's log level (`needle crawl -v` shows it).",
                 choices=("debug", "info", "warning", "error", "critical")).upper()
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {
    # pydantic's own JSON: ISO 8601 dates with offsets, enums as values
    "jsonlines": "crawler.exporters.RecordJsonLinesExporter",
    "jsonl": "crawler.exporters.RecordJsonLinesExporter",
}

# AutoThrottle that keeps a sites file's per-site delay as that site's floor
EXTENSIONS = {
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.extensions.SiteAutoThrottle": 0,
}

DOWNLOADER_MIDDLEWARES = {
    # same place as Scrapy's own, which it extends with redirect-loop detection
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.LoopAwareRedirectMiddleware": 600,
}

ITEM_PIPELINES = {
    "crawler.pipelines.DedupePipeline": 200,
    "crawler.pipelines.CrawlStatsPipeline": 300,
    # With --redis: every record onto the shared frontier's list (`needle index --from-redis`).
    "crawler.pipelines.RecordsToRedis": 700,
    # Writes into the Whoosh index when NEEDLE_INDEX_ON_CRAWL is true (needle crawl sets it).
    "indexer.pipeline.IndexPipeline": 800,
}

# --- Needle: crawl ----------------------------------------------------------------------

NEEDLE_TIMEZONE = knob("NEEDLE_TIMEZONE", "zone", "America/Edmonton",
                       'Time zone of the clinic, for dates written without one ("July 18, 2025").')
NEEDLE_LANGUAGES = knob("NEEDLE_LANGUAGES", "list", ["en", "fr"],
                        "Languages dateparser tries for human dates when the page does not say.")
NEEDLE_TRACKING_PARAMS = knob(
    "NEEDLE_TRACKING_PARAMS", "list",
    ["utm_*", "gclid", "fbclid", "mc_cid", "mc_eid", "msclkid", "ref", "_ga", "yclid",
     "igshid", "spm", "replytocom"],
    "Query parameters dropped from URLs before dedupe ('*' matches a prefix).")
# Optional per-site selectors for sites generic extraction gets wrong (settings.py only):
# {"host": {"title": "css", "body": "css", "date": "css", "author": "css"}}
NEEDLE_SITE_SELECTORS: dict[str, dict[str, str]] = {}
NEEDLE_REDIS_HEARTBEAT = knob(
    "NEEDLE_REDIS_HEARTBEAT", "float", 5.0,
    "With --redis: seconds between a worker's heartbeats; one silent for three is dead, and its "
    "requests go back to the shared queue.")
NEEDLE_EARLIEST_DATE = knob("NEEDLE_EARLIEST_DATE", "date", "1995-01-01",
                            "Dates before this (or after the fetch) are implausible: kept, with a warning.")
NEEDLE_EXTRACT_WORKERS = knob(
    "NEEDLE_EXTRACT_WORKERS", "text", "auto",
    'Worker processes that extract pages while Scrapy fetches: "auto" (one per core, up to 3, '
    "on 2 cores or more) or a number (0: in the crawl's process).")
if NEEDLE_EXTRACT_WORKERS != "auto":
    NEEDLE_EXTRACT_WORKERS = Knob("NEEDLE_EXTRACT_WORKERS", "int", 1, "").parse(NEEDLE_EXTRACT_WORKERS)
NEEDLE_EXTRACT_MAX_RESTARTS = knob(
    "NEEDLE_EXTRACT_MAX_RESTARTS", "int", 10,
    "Times a crawl replaces a dead extraction worker before it stops (pages then become errors).")
NEEDLE_RECRAWL_FULL = knob(
    "NEEDLE_RECRAWL_FULL", "bool", False,
    "Fetch and extract every page again (`needle crawl --full`), instead of asking for the "
    "pages the index holds conditionally and skipping those the site says or shows unchanged.")
NEEDLE_PROGRESS = knob("NEEDLE_PROGRESS", "choice", "auto",
                       'Live progress line: "auto" (only on a terminal), "on" or "off".',
                       choices=("auto", "on", "off"))
NEEDLE_PROGRESS_INTERVAL = knob("NEEDLE_PROGRESS_INTERVAL", "float", 0.5,
                                "Seconds between updates of the progress line.")

# --- Needle: index ----------------------------------------------------------------------

NEEDLE_INDEX = knob("NEEDLE_INDEX", "text", ".needle/index",
                    "The index folder (`--index DIR` beats it), relative to the current folder.")
NEEDLE_INDEX_ON_CRAWL = knob("NEEDLE_INDEX_ON_CRAWL", "bool", False,
                             "The index pipeline writes posts as they arrive (`needle crawl` sets it).")
NEEDLE_INDEX_BATCH = knob("NEEDLE_INDEX_BATCH", "int", 200, "Records per commit while crawling.")
NEEDLE_INDEX_LOCK_TIMEOUT = knob("NEEDLE_INDEX_LOCK_TIMEOUT", "float", 2.0,
                                 "Seconds a writer waits for another's lock before a clear error.")
NEEDLE_MISSING_CRAWLS = knob(
    "NEEDLE_MISSING_CRAWLS", "int", 2,
    "A post absent from this many consecutive complete crawls of its site is removed (until "
    'then it is marked missing); README, "What Needle never deletes".')
NEEDLE_BREAKER_THRESHOLD = knob(
    "NEEDLE_BREAKER_THRESHOLD", "float", 0.5,
    "Circuit breaker: a crawl that sees fewer than this share of the site's posts of its last "
    "complete crawl, or would remove more than the rest, removes and marks nothing (exit 4).")
NEEDLE_HISTORY_KEEP = knob("NEEDLE_HISTORY_KEEP", "int", 50,
                           "Crawls the history (history.sqlite in the index folder) keeps; older ones are dropped.")
NEEDLE_HISTORY_DAYS = knob("NEEDLE_HISTORY_DAYS", "int", 0,
                           "Crawls older than this many days leave the history too (0: no age limit).")
NEEDLE_SYNONYMS = knob("NEEDLE_SYNONYMS", "text", "",
                       "A clinic's own synonym file, added to indexer/synonyms.txt (one group a line).") or None

# --- Needle: search and web service (docs/web.md, "Security: query budget") ---------------

NEEDLE_QUERY_MAX_CHARS = knob("NEEDLE_QUERY_MAX_CHARS", "int", 200,
                              "Characters in a query (the API's q is bounded by it too).")
NEEDLE_QUERY_MAX_WORDS = knob("NEEDLE_QUERY_MAX_WORDS", "int", 32, "Words in a query, operators aside.")
NEEDLE_QUERY_MAX_CLAUSES = knob("NEEDLE_QUERY_MAX_CLAUSES", "int", 512,
                                "Clauses of a query once synonyms and fields are added.")
NEEDLE_QUERY_WILDCARD_PREFIX = knob("NEEDLE_QUERY_WILDCARD_PREFIX", "int", 2,
                                    "Letters a wildcard needs before its first * or ?.")
NEEDLE_QUERY_MAX_PATTERNS = knob("NEEDLE_QUERY_MAX_PATTERNS", "int", 4,
                                 "Wildcard, fuzzy (word~) and word-range terms in one query.")
NEEDLE_QUERY_MAX_EXPANSION = knob("NEEDLE_QUERY_MAX_EXPANSION", "int", 256,
                                  "Index words one such term may stand for (per field).")
NEEDLE_QUERY_MAX_SCAN = knob("NEEDLE_QUERY_MAX_SCAN", "int", 10_000,
                             "Index words read to find them.")
NEEDLE_QUERY_MAX_FUZZY_DISTANCE = knob("NEEDLE_QUERY_MAX_FUZZY_DISTANCE", "int", 2,
                                       "Edits a fuzzy word may make (word~9 is read as word~2).")
NEEDLE_QUERY_FUZZY_PREFIX = knob("NEEDLE_QUERY_FUZZY_PREFIX", "int", 1,
                                 "First letters of a fuzzy word that must match (word~2/3 asks for 3).")
NEEDLE_SEARCH_WORKERS = knob("NEEDLE_SEARCH_WORKERS", "int", 0,
                             "`needle serve`'s search worker processes (0: the cores, at most 4).")
NEEDLE_SEARCH_QUEUE = knob("NEEDLE_SEARCH_QUEUE", "int", 16,
                           "Searches that may wait for a worker; past that the API answers 503.")
NEEDLE_SEARCH_TIMEOUT = knob("NEEDLE_SEARCH_TIMEOUT", "float", 10.0,
                             "Seconds before a search is stopped (its worker replaced) and answered 503.")

# --- Needle: content audit (docs/audit.md) --------------------------------------------

NEEDLE_AUDIT_MAX_AGE_MONTHS = knob("NEEDLE_AUDIT_MAX_AGE_MONTHS", "int", 24,
                                   "A post (or its last update) older than this is old_post.")
NEEDLE_AUDIT_THIN_WORDS = knob("NEEDLE_AUDIT_THIN_WORDS", "int", 150, "Fewer body words is thin.")
NEEDLE_AUDIT_DUPLICATE_SIMILARITY = knob("NEEDLE_AUDIT_DUPLICATE_SIMILARITY", "float", 0.5,
                                         "Word 5-gram Jaccard at or above which posts are near-duplicates.")
NEEDLE_AUDIT_TOPIC_SIMILARITY = knob("NEEDLE_AUDIT_TOPIC_SIMILARITY", "float", 0.75,
                                     "Title-topic Jaccard at or above which posts compete for one topic.")
NEEDLE_AUDIT_DATE_TOLERANCE_DAYS = knob("NEEDLE_AUDIT_DATE_TOLERANCE_DAYS", "int", 2,
                                        "Dates of one post further apart than this disagree.")
NEEDLE_AUDIT_COPYRIGHT_YEARS = knob("NEEDLE_AUDIT_COPYRIGHT_YEARS", "int", 1,
                                    "A footer copyright year older than this is stale.")
NEEDLE_AUDIT_EPHEMERAL_MONTHS = knob("NEEDLE_AUDIT_EPHEMERAL_MONTHS", "int", 6,
                                     '"Upcoming", "coming soon" in a post older than this are past.')
NEEDLE_AUDIT_REVIEW_MONTHS = knob("NEEDLE_AUDIT_REVIEW_MONTHS", "int", 12,
                                  "Posts older than this should show a reviewed/updated date.")
NEEDLE_AUDIT_TRUST_SITE_SHARE = knob(
    "NEEDLE_AUDIT_TRUST_SITE_SHARE", "float", 0.5,
    "When this share of a site's posts lack a trust signal it is reported once for the site.")
NEEDLE_AUDIT_REDATE_SHARE = knob(
    "NEEDLE_AUDIT_REDATE_SHARE", "float", 0.1,
    "A rewrite of this share of a post's words should move its shown updated date (edited_not_redated).")
NEEDLE_AUDIT_EDITS = knob("NEEDLE_AUDIT_EDITS", "int", 3,
                          "This many edits within NEEDLE_AUDIT_EDIT_DAYS is often_edited.")
NEEDLE_AUDIT_EDIT_DAYS = knob("NEEDLE_AUDIT_EDIT_DAYS", "int", 30,
                              "The window, in days before --as-of, in which edits are counted.")
NEEDLE_AUDIT_CHECK_LINKS = knob("NEEDLE_AUDIT_CHECK_LINKS", "bool", True,
                                "Check links the crawl did not fetch (HEAD then GET, cached).")
NEEDLE_AUDIT_LINK_TIMEOUT = knob("NEEDLE_AUDIT_LINK_TIMEOUT", "float", 10.0,
                                 "Seconds for one link's whole check, redirects included.")
NEEDLE_AUDIT_LINK_PHASE_TIMEOUT = knob("NEEDLE_AUDIT_LINK_PHASE_TIMEOUT", "float", 300.0,
                                       "Seconds for all the link checks; the rest are not checked.")
NEEDLE_AUDIT_LINK_PER_HOST = knob("NEEDLE_AUDIT_LINK_PER_HOST", "int", 2, "Link checks at once per host.")
NEEDLE_AUDIT_LINK_CONCURRENCY = knob("NEEDLE_AUDIT_LINK_CONCURRENCY", "int", 8, "Link checks at once.")
NEEDLE_AUDIT_MAX_LINKS = knob("NEEDLE_AUDIT_MAX_LINKS", "int", 500, "Links checked per audit at most.")
NEEDLE_AUDIT_LINK_CACHE_TTL_HOURS = knob("NEEDLE_AUDIT_LINK_CACHE_TTL_HOURS", "int", 24 * 7,
                                         "Hours a link check's result is reused.")
NEEDLE_AUDIT_LINK_HOSTS = knob(
    "NEEDLE_AUDIT_LINK_HOSTS", "list", [],
    "Only these hosts (or host:port) are checked (empty: any); naming one also lets the "
    "checker reach it on a private address.")
NEEDLE_AUDIT_LINK_ALLOW_HOSTS = knob(
    "NEEDLE_AUDIT_LINK_ALLOW_HOSTS", "list", [],
    "Hosts (or host:port) the checker may reach on a private address besides the crawled "
    "sites' own, e.g. a clinic's intranet.")
NEEDLE_AUDIT_CLINIC_FACTS = knob(
    "NEEDLE_AUDIT_CLINIC_FACTS", "text", "",
    'Optional JSON file of facts the records cannot tell: {"staff": [...], "former_staff": [...]}.')

# --- Needle: SEO report (docs/seo.md; sources in reports/seo_thresholds.py) --------------
# `needle seo -t NAME=VALUE` overrides any of them for one run.

NEEDLE_SEO_TITLE_MIN_CHARS = knob("NEEDLE_SEO_TITLE_MIN_CHARS", "int", 30, "A shorter title is too short.")
NEEDLE_SEO_TITLE_MAX_CHARS = knob("NEEDLE_SEO_TITLE_MAX_CHARS", "int", 60, "A longer title is too long.")
NEEDLE_SEO_TITLE_MAX_PX = knob("NEEDLE_SEO_TITLE_MAX_PX", "int", 580,
                               "A title wider than this (Arial 20 px) is cut off in results.")
NEEDLE_SEO_DESCRIPTION_MIN_CHARS = knob("NEEDLE_SEO_DESCRIPTION_MIN_CHARS", "int", 70,
                                        "A shorter meta description is too short.")
NEEDLE_SEO_DESCRIPTION_MAX_CHARS = knob("NEEDLE_SEO_DESCRIPTION_MAX_CHARS", "int", 155,
                                        "A longer meta description is cut off.")
NEEDLE_SEO_H1_MAX_CHARS = knob("NEEDLE_SEO_H1_MAX_CHARS", "int", 70, "A longer H1 is too long.")
NEEDLE_SEO_URL_MAX_CHARS = knob("NEEDLE_SEO_URL_MAX_CHARS", "int", 115, "A longer URL is too long.")
NEEDLE_SEO_ALT_MAX_CHARS = knob("NEEDLE_SEO_ALT_MAX_CHARS", "int", 100, "Longer alt text is too long.")
NEEDLE_SEO_ALT_REPEAT_MIN = knob("NEEDLE_SEO_ALT_REPEAT_MIN", "int", 3,
                                 "The same alt text on this many images is repeated.")
NEEDLE_SEO_SMALL_IMAGE_PX = knob("NEEDLE_SEO_SMALL_IMAGE_PX", "int", 48,
                                 "An image with empty alt no larger than this (px) is likely decorative.")
NEEDLE_SEO_MIN_WORDS = knob("NEEDLE_SEO_MIN_WORDS", "int", 100, "Fewer words is low on content.")
NEEDLE_SEO_MAX_RESPONSE_MS = knob("NEEDLE_SEO_MAX_RESPONSE_MS", "float", 600.0,
                                  "A slower response (ms) is slow.")
NEEDLE_SEO_MAX_PAGE_BYTES = knob("NEEDLE_SEO_MAX_PAGE_BYTES", "int", 2_000_000,
                                 "A heavier page (HTML bytes) is too heavy.")
NEEDLE_SEO_DEEP_MIN_DEPTH = knob("NEEDLE_SEO_DEEP_MIN_DEPTH", "int", 4,
                                 "A post this many clicks from the start page or more is deep.")
NEEDLE_SEO_REDIRECT_CHAIN_HOPS = knob("NEEDLE_SEO_REDIRECT_CHAIN_HOPS", "int", 2,
                                      "This many redirect hops or more is a chain.")
NEEDLE_SEO_LASTMOD_TOLERANCE_DAYS = knob("NEEDLE_SEO_LASTMOD_TOLERANCE_DAYS", "float", 1.0,
                                         "Sitemap <lastmod> further than this from the page's date disagrees.")
NEEDLE_SEO_CANNIBALISATION_SIMILARITY = knob(
    "NEEDLE_SEO_CANNIBALISATION_SIMILARITY", "float", 0.8,
    "Title-topic similarity at or above which two posts compete for one query.")


def markdown_table() -> str:
    """The table as docs/settings.md shows it (`python settings.py > docs/settings.md`)."""
    def show(value: Any) -> str:
        if isinstance(value, list):
            value = ",".join(value)
        return f"`{value}`" if value not in ("", None) else "(none)"

    rows = ["| setting | type | default | what it does |", "|---|---|---|---|"]
    for row in TABLE:
        kind = " / ".join(row.choices) if row.choices else {"bool": "yes/no", "list": "comma list"}.get(row.kind, row.kind)
        rows.append(f"| `{row.name}` | {kind} | {show(row.default)} | {row.help} |")
    return ("# Settings\n\nEvery knob of `settings.py`, each overridable by an environment variable of the\n"
            "same name (generated from `settings.TABLE`; `tests/test_settings.py` keeps it so).\n"
            "A value that does not parse stops every command with exit 2, naming the variable.\n\n"
            + "\n".join(rows) + "\n")


if __name__ == "__main__":
    print(markdown_table(), end="")
