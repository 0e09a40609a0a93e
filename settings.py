"""Scrapy settings and Needle's own knobs (NEEDLE_*).

scrapy.cfg points here, so `scrapy crawl blog` and `needle crawl` read the same file.
Every NEEDLE_* knob can be overridden by an environment variable of the same name.
"""

import os
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import TypeAdapter, ValidationError


class SettingError(ValueError):
    """A NEEDLE_* environment variable that does not parse: it names the variable, the
    value and the form expected. Raised when this module is imported, so a command
    or the server refuses to start instead of failing later (or failing open)."""


# what each type accepts, as the error says it
_EXPECTED = {
    int: "a whole number, e.g. 500",
    float: "a number, e.g. 0.5",
    bool: "yes or no: 1/0, true/false, yes/no, on/off",
}


@lru_cache(maxsize=None)
def _adapter(kind: type) -> TypeAdapter:
    return TypeAdapter(kind)


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _env_typed(name: str, default, kind: type):
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        # pydantic's lax mode: "500" -> 500, "yes"/"off" -> bool; "500links" and "maybe" fail
        return _adapter(kind).validate_python(raw.strip())
    except ValidationError:
        raise SettingError(f"{name}={raw!r}: expected {_EXPECTED[kind]}") from None


def _env_bool(name: str, default: bool) -> bool:
    return _env_typed(name, default, bool)


def _env_int(name: str, default: int) -> int:
    return _env_typed(name, default, int)


def _env_float(name: str, default: float) -> float:
    return _env_typed(name, default, float)


def _env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _env(name, default).strip().lower()
    if value not in choices:
        raise SettingError(f"{name}={value!r}: expected one of {', '.join(choices)}")
    return value


def _env_zone(name: str, default: str) -> str:
    value = _env(name, default).strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingError(f"{name}={value!r}: expected a time zone name, e.g. America/Edmonton") from None
    return value


# --- Scrapy ---------------------------------------------------------------------------

BOT_NAME = "needle"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Polite by default on real sites; NEEDLE_POLITE=0 is for the local benchmark only.
NEEDLE_POLITE = _env_bool("NEEDLE_POLITE", True)

USER_AGENT = _env(
    "NEEDLE_USER_AGENT",
    "NeedleBot/0.1 (clinic blog search and content audit; +https://example.org/needle-bot)",
)
ROBOTSTXT_OBEY = NEEDLE_POLITE
AUTOTHROTTLE_ENABLED = NEEDLE_POLITE
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16 if NEEDLE_POLITE else 64
CONCURRENT_REQUESTS_PER_DOMAIN = 4 if NEEDLE_POLITE else 64
DOWNLOAD_DELAY = 0.25 if NEEDLE_POLITE else 0

DOWNLOAD_TIMEOUT = _env_int("NEEDLE_DOWNLOAD_TIMEOUT", 20)
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

# Per-site page limit: a site gets no more page requests once it had this many, and
# the crawl then counts as partial (the index removes nothing after it).
NEEDLE_MAX_PAGES_PER_SITE = _env_int("NEEDLE_MAX_PAGES_PER_SITE", 5000)
# Whole-crawl limit (`needle crawl --max-pages`): the crawl stops after this many responses
# and can be resumed with --jobdir; 0 is no limit.
CLOSESPIDER_PAGECOUNT = _env_int("NEEDLE_MAX_PAGES", 0)

# asyncio under Twisted: the spider awaits extraction running in a worker process
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = _env_choice("NEEDLE_LOG_LEVEL", "info", ("debug", "info", "warning", "error", "critical")).upper()
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {
    # pydantic's own JSON: ISO 8601 dates with offsets, enums as values
    "jsonlines": "crawler.exporters.RecordJsonLinesExporter",
    "jsonl": "crawler.exporters.RecordJsonLinesExporter",
}

DOWNLOADER_MIDDLEWARES = {
    # same place as Scrapy's own, which it extends with redirect-loop detection
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.LoopAwareRedirectMiddleware": 600,
}

ITEM_PIPELINES = {
    "crawler.pipelines.ValidatePipeline": 100,
    "crawler.pipelines.DedupePipeline": 200,
    "crawler.pipelines.CrawlStatsPipeline": 300,
    # Writes into the Whoosh index when NEEDLE_INDEX_ON_CRAWL is true (needle crawl sets it).
    "indexer.pipeline.IndexPipeline": 800,
}

# --- Needle: crawl ----------------------------------------------------------------------

# Time zone of the clinic, for dates written without one ("July 18, 2025").
NEEDLE_TIMEZONE = _env_zone("NEEDLE_TIMEZONE", "America/Edmonton")
# Languages dateparser tries for human dates when the page does not say.
NEEDLE_LANGUAGES = _env("NEEDLE_LANGUAGES", "en,fr").split(",")
# Query parameters dropped from URLs before dedupe (prefix match with '*').
NEEDLE_TRACKING_PARAMS = [
    "utm_*", "gclid", "fbclid", "mc_cid", "mc_eid", "msclkid", "ref", "_ga", "yclid",
    "igshid", "spm", "replytocom",
]
# Optional per-site selectors for sites generic extraction gets wrong:
# {"host": {"title": "css", "body": "css", "date": "css", "author": "css"}}
NEEDLE_SITE_SELECTORS: dict[str, dict[str, str]] = {}
# Dates outside [earliest, fetch time + slack] are implausible and kept with a warning.
NEEDLE_EARLIEST_DATE = "1995-01-01"

# Worker processes that extract pages while Scrapy fetches the next ones: "auto" (one
# when the machine has a core to spare), or a number (0: extract in the crawl's process).
NEEDLE_EXTRACT_WORKERS = (
    "auto" if _env("NEEDLE_EXTRACT_WORKERS", "auto").strip().lower() == "auto"
    else _env_int("NEEDLE_EXTRACT_WORKERS", 1)
)

# Live progress line on a terminal: "auto" (only on a TTY), "on" or "off".
NEEDLE_PROGRESS = _env_choice("NEEDLE_PROGRESS", "auto", ("auto", "on", "off"))

# --- Needle: index ----------------------------------------------------------------------

# The index folder: `--index DIR` beats $NEEDLE_INDEX beats this.
NEEDLE_INDEX = _env("NEEDLE_INDEX", ".needle/index")
# `needle crawl` turns this on: the index pipeline writes posts as they arrive.
NEEDLE_INDEX_ON_CRAWL = _env_bool("NEEDLE_INDEX_ON_CRAWL", False)
# Records per commit while crawling.
NEEDLE_INDEX_BATCH = _env_int("NEEDLE_INDEX_BATCH", 200)
# Seconds a writer waits for another writer's lock before a clear IndexLockedError.
NEEDLE_INDEX_LOCK_TIMEOUT = _env_float("NEEDLE_INDEX_LOCK_TIMEOUT", 2.0)
# What a crawl may delete (README, "What Needle never deletes"): a post absent from this
# many consecutive complete crawls of its site is removed (until then it is marked missing).
NEEDLE_MISSING_CRAWLS = _env_int("NEEDLE_MISSING_CRAWLS", 2)
# Circuit breaker: a crawl that sees fewer than this share of the site's posts of the last
# complete crawl (or would remove more than the rest) deletes and marks nothing.
NEEDLE_BREAKER_THRESHOLD = _env_float("NEEDLE_BREAKER_THRESHOLD", 0.5)
# A clinic's own synonym file, added to indexer/synonyms.txt (one group per line).
NEEDLE_SYNONYMS = _env("NEEDLE_SYNONYMS", "") or None

# --- Needle: search and web service (search/budget.py, web/pool.py) ---------------------
# The query budget (README, "Security: query budget"): a query past any of these is refused
# with a message saying which limit and what to do (HTTP 400, `needle search` exit 2).
# Characters in a query (the API's q is bounded by the same number by default).
NEEDLE_QUERY_MAX_CHARS = _env_int("NEEDLE_QUERY_MAX_CHARS", 200)
# Words in a query (operators aside), and clauses once synonyms and fields are added.
NEEDLE_QUERY_MAX_WORDS = _env_int("NEEDLE_QUERY_MAX_WORDS", 32)
NEEDLE_QUERY_MAX_CLAUSES = _env_int("NEEDLE_QUERY_MAX_CLAUSES", 512)
# Letters a wildcard needs before its first * or ? (`*a*` would read the whole word list).
NEEDLE_QUERY_WILDCARD_PREFIX = _env_int("NEEDLE_QUERY_WILDCARD_PREFIX", 2)
# Wildcard, fuzzy (word~) and word-range terms in one query.
NEEDLE_QUERY_MAX_PATTERNS = _env_int("NEEDLE_QUERY_MAX_PATTERNS", 4)
# Index words one such term may stand for (per field), and words of the index it may scan.
NEEDLE_QUERY_MAX_EXPANSION = _env_int("NEEDLE_QUERY_MAX_EXPANSION", 256)
NEEDLE_QUERY_MAX_SCAN = _env_int("NEEDLE_QUERY_MAX_SCAN", 10_000)
# Edits a fuzzy word may make (word~9 is read as word~2), and its first letters that must
# match (word~2/3 asks for 3): with none, each fuzzy word reads every word of the index.
NEEDLE_QUERY_MAX_FUZZY_DISTANCE = _env_int("NEEDLE_QUERY_MAX_FUZZY_DISTANCE", 2)
NEEDLE_QUERY_FUZZY_PREFIX = _env_int("NEEDLE_QUERY_FUZZY_PREFIX", 1)
# `needle serve` runs searches in this many worker processes (0: the number of cores, at
# most 4); at most NEEDLE_SEARCH_QUEUE more wait, past that the API answers 503 at once;
# a search still running after NEEDLE_SEARCH_TIMEOUT seconds is stopped (its worker is
# replaced) and answered with 503.
NEEDLE_SEARCH_WORKERS = _env_int("NEEDLE_SEARCH_WORKERS", 0)
NEEDLE_SEARCH_QUEUE = _env_int("NEEDLE_SEARCH_QUEUE", 16)
NEEDLE_SEARCH_TIMEOUT = _env_float("NEEDLE_SEARCH_TIMEOUT", 10.0)

# --- Needle: content audit (reports/audit.py, reports/links.py) --------------------------

# A post (or its last update) older than this many months is flagged old_post; health
# advice ages fast.
NEEDLE_AUDIT_MAX_AGE_MONTHS = _env_int("NEEDLE_AUDIT_MAX_AGE_MONTHS", 24)
# Fewer words than this in the body: thin.
NEEDLE_AUDIT_THIN_WORDS = _env_int("NEEDLE_AUDIT_THIN_WORDS", 150)
# Word 5-gram shingle Jaccard at or above which two posts are near-duplicates.
NEEDLE_AUDIT_DUPLICATE_SIMILARITY = _env_float("NEEDLE_AUDIT_DUPLICATE_SIMILARITY", 0.5)
# Title-topic Jaccard at or above which two posts compete for one topic.
NEEDLE_AUDIT_TOPIC_SIMILARITY = _env_float("NEEDLE_AUDIT_TOPIC_SIMILARITY", 0.75)
# Dates of one post that differ by more than this many days disagree.
NEEDLE_AUDIT_DATE_TOLERANCE_DAYS = _env_int("NEEDLE_AUDIT_DATE_TOLERANCE_DAYS", 2)
# A footer copyright year more than this many years before the audit day is stale.
NEEDLE_AUDIT_COPYRIGHT_YEARS = _env_int("NEEDLE_AUDIT_COPYRIGHT_YEARS", 1)
# "upcoming", "coming soon", "current lockdown" in a post older than this: past.
NEEDLE_AUDIT_EPHEMERAL_MONTHS = _env_int("NEEDLE_AUDIT_EPHEMERAL_MONTHS", 6)
# Posts older than this should show a reviewed/updated date (trust signal).
NEEDLE_AUDIT_REVIEW_MONTHS = _env_int("NEEDLE_AUDIT_REVIEW_MONTHS", 12)
# When at least this share of a site's posts lack a trust signal it is reported once for
# the site (an editorial habit), not on every post.
NEEDLE_AUDIT_TRUST_SITE_SHARE = _env_float("NEEDLE_AUDIT_TRUST_SITE_SHARE", 0.5)
# Link checks: on by default, HEAD then GET, bounded and cached on disk.
NEEDLE_AUDIT_CHECK_LINKS = _env_bool("NEEDLE_AUDIT_CHECK_LINKS", True)
# Seconds for one link's whole check: connect, headers, the GET after a refused HEAD, every
# redirect. A server that drips its headers a byte at a time cannot stretch it.
NEEDLE_AUDIT_LINK_TIMEOUT = _env_float("NEEDLE_AUDIT_LINK_TIMEOUT", 10.0)
# Seconds for all the link checks of one audit; links not done by then are "not checked".
NEEDLE_AUDIT_LINK_PHASE_TIMEOUT = _env_float("NEEDLE_AUDIT_LINK_PHASE_TIMEOUT", 300.0)
NEEDLE_AUDIT_LINK_PER_HOST = _env_int("NEEDLE_AUDIT_LINK_PER_HOST", 2)
NEEDLE_AUDIT_LINK_CONCURRENCY = _env_int("NEEDLE_AUDIT_LINK_CONCURRENCY", 8)
NEEDLE_AUDIT_MAX_LINKS = _env_int("NEEDLE_AUDIT_MAX_LINKS", 500)
NEEDLE_AUDIT_LINK_CACHE_TTL_HOURS = _env_int("NEEDLE_AUDIT_LINK_CACHE_TTL_HOURS", 24 * 7)
# Only these hosts (or host:port) are checked (comma list; empty: any). Tests set 127.0.0.1 ones.
# Naming a host here also lets the checker reach it on a private address.
NEEDLE_AUDIT_LINK_HOSTS = [h for h in _env("NEEDLE_AUDIT_LINK_HOSTS", "").split(",") if h]
# The checker never connects to a private, loopback, link-local (cloud metadata), CGNAT or
# unique-local address, nor to a metadata host name, except for the crawled sites' own hosts
# and these (comma list of hosts or host:port), e.g. a clinic's intranet wiki.
NEEDLE_AUDIT_LINK_ALLOW_HOSTS = [h.strip() for h in _env("NEEDLE_AUDIT_LINK_ALLOW_HOSTS", "").split(",")
                                 if h.strip()]
# Optional JSON file of facts the records cannot tell: {"staff": [...], "former_staff": [...]}.
NEEDLE_AUDIT_CLINIC_FACTS = _env("NEEDLE_AUDIT_CLINIC_FACTS", "")

# --- Needle: SEO report (needle seo) ------------------------------------------------------
# Defaults and their sources are documented in reports/seo_thresholds.py and the README (SEO report);
# `needle seo -t NAME=VALUE` overrides any of them for one run.


NEEDLE_SEO_TITLE_MIN_CHARS = _env_int("NEEDLE_SEO_TITLE_MIN_CHARS", 30)
NEEDLE_SEO_TITLE_MAX_CHARS = _env_int("NEEDLE_SEO_TITLE_MAX_CHARS", 60)
NEEDLE_SEO_TITLE_MAX_PX = _env_int("NEEDLE_SEO_TITLE_MAX_PX", 580)  # Arial 20 px
NEEDLE_SEO_DESCRIPTION_MIN_CHARS = _env_int("NEEDLE_SEO_DESCRIPTION_MIN_CHARS", 70)
NEEDLE_SEO_DESCRIPTION_MAX_CHARS = _env_int("NEEDLE_SEO_DESCRIPTION_MAX_CHARS", 155)
NEEDLE_SEO_H1_MAX_CHARS = _env_int("NEEDLE_SEO_H1_MAX_CHARS", 70)
NEEDLE_SEO_URL_MAX_CHARS = _env_int("NEEDLE_SEO_URL_MAX_CHARS", 115)
NEEDLE_SEO_ALT_MAX_CHARS = _env_int("NEEDLE_SEO_ALT_MAX_CHARS", 100)
NEEDLE_SEO_ALT_REPEAT_MIN = _env_int("NEEDLE_SEO_ALT_REPEAT_MIN", 3)
NEEDLE_SEO_MIN_WORDS = _env_int("NEEDLE_SEO_MIN_WORDS", 100)
NEEDLE_SEO_MAX_RESPONSE_MS = _env_float("NEEDLE_SEO_MAX_RESPONSE_MS", 600.0)
NEEDLE_SEO_MAX_PAGE_BYTES = _env_int("NEEDLE_SEO_MAX_PAGE_BYTES", 2_000_000)
NEEDLE_SEO_DEEP_MIN_DEPTH = _env_int("NEEDLE_SEO_DEEP_MIN_DEPTH", 4)
NEEDLE_SEO_REDIRECT_CHAIN_HOPS = _env_int("NEEDLE_SEO_REDIRECT_CHAIN_HOPS", 2)
NEEDLE_SEO_LASTMOD_TOLERANCE_DAYS = _env_float("NEEDLE_SEO_LASTMOD_TOLERANCE_DAYS", 1.0)
NEEDLE_SEO_CANNIBALISATION_SIMILARITY = _env_float("NEEDLE_SEO_CANNIBALISATION_SIMILARITY", 0.8)
