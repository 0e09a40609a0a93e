"""The blog spider: decides what to fetch next and hands every page to extraction.

    scrapy crawl blog -a start_url=https://clinic.example/blog/

Each site's sitemaps (named in robots.txt, else /sitemap.xml) are read first, so every
post knows its sitemap <lastmod>. Then link discovery starts at the blog's front page
and goes breadth-first, so each post's recorded depth is its shortest click path. The
URLs only the sitemap knows are fetched when the link crawl runs dry: those are the
posts no page links to.

A sitemap is the site's own word and can be wrong: an entry that is no usable address
becomes a CrawlError (reason ``bad_sitemap_entry``) and the rest of the file is read;
whatever goes wrong while reading a sitemap or robots.txt, the file counts as read, so
the site's start pages are always released. A gzipped sitemap is decompressed as Scrapy's
SitemapSpider does, up to DOWNLOAD_MAXSIZE (a larger one is a ``too_large`` error).

The crawler fetches only http(s) URLs on the crawled sites' hosts (SiteGuardMiddleware
asks ``allows``), redirects included; anything else is a CrawlError, ``refused_scheme``
or ``refused_host``, with the URL. A site's hosts are its start URL's, those it moves to
within the same site (crawler.urls.same_site: http -> https, the bare domain <-> www) when
its robots.txt or start page redirects or its own sitemap lives there, and, for sitemaps
only, the hosts its robots.txt names sitemaps on (the sitemaps protocol allows that; a
sitemap index may list sitemaps on its own host, not on a third one).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timezone, tzinfo
from typing import Any
from urllib.parse import quote, urljoin, urlsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy import Request, signals
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import CloseSpider, DontCloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from crawler.decode import looks_like_html
from crawler.middlewares import (
    RedirectLoopError,
    RefusedRequest,
    SiteGuardMiddleware,
    UsableCharsetMiddleware,
)
from crawler.records import CrawlError, FetchInfo, Redirect, SitemapEntry
from crawler.urls import WEB_SCHEMES, canonicalize, same_site
from crawler.work import Extractor, WorkerDied, WorkersFailed, worker_count

try:  # recent Scrapy names download failures itself; older releases raise Twisted's
    from scrapy.exceptions import (
        CannotResolveHostError,
        DownloadCancelledError,
        DownloadConnectionRefusedError,
        DownloadTimeoutError,
    )
except ImportError:  # pragma: no cover
    CannotResolveHostError = DNSLookupError  # type: ignore[misc,assignment]
    DownloadConnectionRefusedError = ConnectionRefusedError  # type: ignore[misc,assignment]
    DownloadTimeoutError = TimeoutError  # type: ignore[misc,assignment]

    class DownloadCancelledError(Exception):  # type: ignore[no-redef]
        pass

try:  # what scrapy.utils.gz.gunzip raises past its max_size (SitemapSpider catches it too)
    from scrapy.utils._compression import _DecompressionMaxSizeExceeded
except ImportError:  # pragma: no cover - a ValueError subclass in every release that has it
    _DecompressionMaxSizeExceeded = ValueError  # type: ignore[misc,assignment]


_SKIP_EXTENSIONS = tuple("." + ext for ext in IGNORED_EXTENSIONS)

# Bounds on what sitemaps can make a crawl do (a sitemap is read whole, in one callback)
SITEMAP_MAX_ENTRIES = 50_000  # per file, the most the sitemaps protocol allows
SITEMAP_MAX_FILES = 1_000  # per crawl: robots.txt Sitemap: lines and sitemap index entries
# a gzipped sitemap's size once decompressed, when DOWNLOAD_MAXSIZE sets none (0): the most
# the sitemaps protocol allows (50 MB)
SITEMAP_MAX_BYTES = 52_428_800
# every status but a redirect's reaches parse_robots: a redirected robots.txt is followed
_NOT_REDIRECTS = [s for s in range(100, 600) if s not in (301, 302, 303, 307, 308)]
_MAX_QUOTED = 300  # characters of a bad entry's text kept in its error record


class BlogSpider(scrapy.Spider):
    name = "blog"

    def __init__(
        self,
        start_url: str | None = None,
        start_urls: str | list[str] | None = None,
        sitemap: str | bool = True,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        urls: list[str] = []
        for value in (start_url, start_urls):
            if isinstance(value, str):
                urls.extend(u.strip() for u in value.split(",") if u.strip())
            elif value:
                urls.extend(value)
        if not urls:
            raise ValueError("give the blog's address: -a start_url=https://clinic.example/blog/")
        self.start_urls = urls
        self.use_sitemap = sitemap not in (False, "0", "false", "no")
        # scope: same host, under the start page's folder
        self.scopes = [_scope_of(u) for u in urls]
        # the crawled sites' hosts (netlocs, as written and canonical): the start URLs', and
        # those a site moves to
        self.site_hosts: set[str] = {h for s in self.scopes for h in (_netloc(s), urlsplit(s).netloc) if h}
        # sitemaps on other hosts that a site's robots.txt names: theirs may be fetched
        self.vouched_sitemaps: set[str] = set()
        self.seen: set[str] = set()  # canonical URLs requested
        self.sitemap_pending: dict[str, SitemapEntry] = {}
        self.sitemap_lastmod: dict[str, datetime] = {}
        self._held: dict[str, list[str]] = {}  # robots.txt URL -> start pages waiting for sitemaps
        self._open_sitemaps: dict[str, int] = {}
        self._sitemaps_asked: set[str] = set()
        self.pages_per_site: dict[str, int] = {}  # host -> page requests made
        self.sites_at_limit: set[str] = set()
        # set by the index pipeline: the post URLs the index holds
        self.known_urls: list[str] = []
        self._sitemap_limit_told = False
        self._zone_problem_told = False
        self._stopping = False

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        # with the spider whose policy they apply, so `scrapy crawl blog` has them too:
        # the strict guard in place of Scrapy's offsite filter (which lets every request of
        # a spider without allowed_domains through), and a usable charset for every page
        # before MetaRefreshMiddleware (580) reads its text, after decompression (590)
        middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
        middlewares.update({
            _path(OffsiteMiddleware): None,
            _path(SiteGuardMiddleware): 50,
            _path(UsableCharsetMiddleware): 585,
        })
        # at the priority of a spider's custom_settings, as Spider.update_settings sets them
        # (a runner given this crawler merges its own project-level settings over lower ones)
        settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "BlogSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        # as SitemapSpider reads them, for gzipped sitemaps
        spider.max_size = getattr(spider, "download_maxsize", settings.getint("DOWNLOAD_MAXSIZE"))
        spider.warn_size = getattr(spider, "download_warnsize", settings.getint("DOWNLOAD_WARNSIZE"))
        # the schemes other than http(s) Scrapy could fetch (file:, ftp:, data:, s3:): a
        # sitemap named with one of them is refused, not merely a bad entry (mailto: is no
        # address at all)
        spider.refused_schemes = {s for s, h in settings.getwithbase("DOWNLOAD_HANDLERS").items()
                                  if h} - set(WEB_SCHEMES)
        spider.timezone = settings.get("NEEDLE_TIMEZONE", "UTC")
        spider.zone, spider.zone_problem = _site_zone(spider.timezone)
        if spider.zone_problem:
            spider.logger.warning("NEEDLE_TIMEZONE: %s; dates written without a zone are read as UTC",
                                  spider.zone_problem)
        spider.languages = list(settings.getlist("NEEDLE_LANGUAGES")) or None
        spider.tracking_params = list(settings.getlist("NEEDLE_TRACKING_PARAMS"))
        spider.site_selectors = settings.getdict("NEEDLE_SITE_SELECTORS")
        spider.max_pages_per_site = settings.getint("NEEDLE_MAX_PAGES_PER_SITE", 5000)
        spider.extractor = Extractor(
            worker_count(settings.get("NEEDLE_EXTRACT_WORKERS", "auto")),
            max_restarts=settings.getint("NEEDLE_EXTRACT_MAX_RESTARTS", 10),
            on_restart=lambda: crawler.stats.inc_value("needle/extract/worker_restarts"))
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.extractor.close, signal=signals.spider_closed)
        return spider

    # -- scheduling ------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        # Each site's sitemaps are read before its link crawl starts, so every post
        # fetched by link already knows its sitemap <lastmod>.
        by_robots: dict[str, list[str]] = {}
        for url in self.start_urls:
            robots = urljoin(url, "/robots.txt")
            if _is_sitemap(url):
                # given a sitemap, not a front page: its URLs are the crawl's starting set
                self._open_sitemaps.setdefault(robots, 0)
                for request in self._sitemap_requests(url, robots, None):
                    yield request
                continue
            by_robots.setdefault(robots, []).append(url)
        for robots, urls in by_robots.items():
            if not self.use_sitemap:
                for url in urls:
                    yield self._request(url, found_via="start", referrer=None)
                continue
            self._held[robots] = urls
            self._open_sitemaps[robots] = self._open_sitemaps.get(robots, 0) + 1
            yield Request(
                robots, callback=self.parse_robots, errback=self.on_robots_error,
                cb_kwargs={"robots": robots}, priority=10, dont_filter=True,
                meta={"dont_obey_robotstxt": True, "handle_httpstatus_list": _NOT_REDIRECTS},
            )

    def _release(self, robots: str) -> list[Request]:
        """One of the site's sitemaps (or its robots.txt) is read or failed: once the last
        one is, the site's start pages, held back until then, are requested."""
        self._open_sitemaps[robots] = max(self._open_sitemaps.get(robots, 0) - 1, 0)
        if self._open_sitemaps[robots]:
            return []
        return [self._request(url, found_via="start", referrer=None) for url in self._held.pop(robots, [])]

    def _read_then_release(self, robots: str, url: str, reading: Iterable[Any]) -> Iterator[Any]:
        """What reading a sitemap or robots.txt yields; whatever goes wrong in it, the
        file counts as read (an error record says what went wrong)."""
        try:
            yield from reading
        except Exception as exc:
            self.logger.exception("reading %s failed", url)
            yield self._error(url, "bad_sitemap", None, f"{type(exc).__name__}: {exc}")
        finally:
            held = self._release(robots)
        yield from held

    def _sitemap_requests(self, url: str, robots: str, referrer: str | None, *, guess: bool = False,
                          vouched: bool = False) -> Iterator[Request | CrawlError]:
        """A request for a sitemap; vouched: its host may be fetched though it is not the
        site's (robots.txt named it, or an index on that host listed it)."""
        if url in self._sitemaps_asked:  # a sitemap index that lists itself, or a cycle
            return
        if len(self._sitemaps_asked) >= SITEMAP_MAX_FILES:
            self.crawler.stats.inc_value("needle/sitemap/over_limit")
            if not self._sitemap_limit_told:
                self._sitemap_limit_told = True
                yield self._error(url, "too_many_sitemaps", None,
                                  f"the crawl read {SITEMAP_MAX_FILES} sitemap files; this one and "
                                  "any later ones are not read", referrer=referrer)
            return
        # not left to the dupefilter: a crawl resumed from JOBDIR must read them again
        request = Request(url, callback=self.parse_sitemap, errback=self.on_sitemap_error,
                          cb_kwargs={"robots": robots}, priority=10, dont_filter=True,
                          meta={"referrer": referrer, "sitemap_guess": guess,
                                "sitemap_host": url if vouched else None})
        self._sitemaps_asked.add(url)
        self._open_sitemaps[robots] = self._open_sitemaps.get(robots, 0) + 1
        yield request

    def _request(self, url: str, *, found_via: str, referrer: str | None, link_depth: int | None = 0,
                 **meta: Any) -> Request:
        self.seen.add(canonicalize(url, self.tracking_params))
        host = urlsplit(url).netloc
        self.pages_per_site[host] = self.pages_per_site.get(host, 0) + 1
        # Our own count of clicks from the start page: Scrapy's "depth" also counts the
        # robots.txt and sitemap requests the start page waits for.
        return Request(
            url,
            callback=self.parse_page,
            errback=self.on_error,
            meta={"found_via": found_via, "referrer": referrer, "link_depth": link_depth, **meta},
        )

    def _follow(self, url: str, referrer: Response, *, trusted: bool = False) -> Iterator[Request]:
        """A request for url unless it was seen, is out of scope, or is not a page."""
        canonical = canonicalize(url, self.tracking_params)
        if canonical in self.seen:
            return
        path = urlsplit(canonical).path.lower()
        if path.endswith(_SKIP_EXTENSIONS):
            return
        if not (self._in_scope(canonical) or (trusted and self._same_host(canonical))):
            return
        if not self._under_site_limit(canonical):
            return
        parent = referrer.meta.get("link_depth")
        yield self._request(url, found_via="link", referrer=referrer.url,
                            link_depth=None if parent is None else parent + 1)

    def _under_site_limit(self, url: str) -> bool:
        """The per-site page limit: a site that reached it gets no more requests, and the
        crawl counts as partial (the index then removes nothing)."""
        host = urlsplit(url).netloc
        if self.pages_per_site.get(host, 0) < self.max_pages_per_site:
            return True
        if host not in self.sites_at_limit:
            self.sites_at_limit.add(host)
            self.logger.warning("%s reached the page limit (%d pages)", host, self.max_pages_per_site)
        self.crawler.stats.inc_value("needle/site_page_limit/skipped")
        return False

    def _in_scope(self, url: str) -> bool:
        return any(url.startswith(scope) for scope in self.scopes)

    def _same_host(self, url: str) -> bool:
        return urlsplit(url).netloc in self.site_hosts

    def _of_the_sites(self, url: str) -> bool:
        """On a crawled site's host, or on another host of one of the crawled sites (its
        http/https and www/bare variants, crawler.urls.same_site)."""
        return self._same_host(url) or any(same_site(url, scope) for scope in self.scopes)

    def allows(self, request: Request) -> bool:
        """May this request be fetched (SiteGuardMiddleware asks, the scheme already checked)?
        Yes on the crawled sites' hosts; a sitemap also on the host that vouched for it
        (robots.txt named it), a redirect of it within that host's site included; and the
        robots.txt of such a host, which Scrapy reads before it fetches the sitemap."""
        url = request.url
        if self._of_the_sites(url):
            return True
        vouched = request.meta.get("sitemap_host")
        if vouched and same_site(url, vouched):
            return True
        parts = urlsplit(url)
        return (parts.path == "/robots.txt" and bool(request.meta.get("dont_obey_robotstxt"))
                and any(same_site(url, sitemap) for sitemap in self.vouched_sitemaps))

    def _adopt(self, url: str, moved_to: str) -> bool:
        """The site at url answered from moved_to, a host of the same site (a redirect of its
        robots.txt or start page, or its own sitemap there): moved_to's host is the site's
        too. Returns whether it was adopted."""
        host = _netloc(moved_to)
        if not host or host in self.site_hosts or not self._same_host(url) or not same_site(url, moved_to):
            return False
        self.site_hosts.add(host)
        self.logger.info("%s answers from %s: that host is the site's too", url, moved_to)
        return True

    def on_idle(self) -> None:
        """When links run dry, fetch what only the sitemap knows (orphan candidates); when
        that runs dry too, the posts the index holds that nothing led to (a deleted one
        answers 404, the proof the index needs to drop it; a live orphan is found again)."""
        pending = [(u, "sitemap", e.sitemap_url) for u, e in self.sitemap_pending.items() if u not in self.seen]
        self.sitemap_pending.clear()
        if not pending:
            pending = [(u, "known", None) for u in self.known_urls if u not in self.seen and self._same_host(u)]
            self.known_urls = []
        if not pending:
            return
        for url, found_via, referrer in pending:
            if not self._under_site_limit(url):
                continue
            try:
                request = self._request(url, found_via=found_via, referrer=referrer, link_depth=None)
            except ValueError as exc:  # sitemap entries are checked when read: not expected
                self.logger.error("%s entry %s not requested: %s", found_via, url, exc)
                self.crawler.stats.inc_value("needle/sitemap/unrequestable")
                continue
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    # -- sitemaps --------------------------------------------------------------------

    def parse_robots(self, response: Response, robots: str) -> Iterator[Any]:
        return self._read_then_release(robots, response.url, self._robots_sitemaps(response, robots))

    def _robots_sitemaps(self, response: Response, robots: str) -> Iterator[Any]:
        """Requests for the sitemaps robots.txt names, on any host (the sitemaps protocol
        lets robots.txt vouch for another host); a Sitemap: line that names no usable address
        is an error record, one with a scheme other than http(s) a refused one. Names none
        usable: try the conventional place, quietly.

        robots.txt redirected within the site (http -> https, to www): its host is the site's."""
        asked = False
        if response.meta.get("redirect_urls"):
            self._adopt(robots, response.url)
        if response.status == 200:
            # the body, not .text: robots.txt served as application/octet-stream has no text
            for line in response.body.splitlines():  # bounded: the body is (DOWNLOAD_MAXSIZE)
                if line.lstrip()[:8].lower() != b"sitemap:":
                    continue
                raw = line.partition(b":")[2].strip()
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    yield self._bad_entry(raw.decode("latin-1"), response.url, "not UTF-8 text")
                    continue
                url, problem = _web_address(text, base=response.url)
                if url is None:
                    scheme = _scheme(text)
                    if scheme in self.refused_schemes:
                        yield self._refused(text, "refused_scheme", f"robots.txt names a sitemap at a {scheme}: "
                                            "address, not a web one: not fetched", referrer=response.url)
                    else:
                        yield self._bad_entry(text, response.url,
                                              f"Sitemap: line {problem}" if text else "an empty Sitemap: line")
                    continue
                asked = True
                vouched = not self._of_the_sites(url)
                if vouched:
                    self.vouched_sitemaps.add(url)
                yield from self._sitemap_requests(url, robots, response.url, vouched=vouched)
        if not asked:
            yield from self._sitemap_requests(urljoin(response.url, "/sitemap.xml"), robots, None, guess=True)

    def on_robots_error(self, failure: Failure) -> Iterator[Any]:
        # no robots.txt at all (connection refused, ...): the start request reports it;
        # one that redirects where the crawler does not go: said; either that or an answer
        # parse_robots is not given (a redirect without a Location): the site's sitemap is
        # looked for in the conventional place
        request = failure.request  # type: ignore[attr-defined]
        robots = request.cb_kwargs["robots"]
        reported: list[Any] = []
        if failure.check(RefusedRequest):
            reported += self._refusal(request, failure.value)
        if failure.check(RefusedRequest, HttpError):  # a 3xx it could not follow, say
            reported += self._sitemap_requests(urljoin(robots, "/sitemap.xml"), robots, None, guess=True)
        return self._read_then_release(robots, request.url, reported)

    def on_sitemap_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        if request.meta.get("sitemap_guess") and not failure.check(RefusedRequest):
            self.crawler.stats.inc_value("needle/sitemap/none")
            reported: Iterable[Any] = ()
        else:
            reported = self.on_error(failure)
        return self._read_then_release(request.cb_kwargs["robots"], request.url, reported)

    def parse_sitemap(self, response: Response, robots: str) -> Iterator[Any]:
        return self._read_then_release(robots, response.url, self._sitemap_entries(response, robots))

    def _sitemap_body(self, response: Response) -> bytes:
        """The sitemap's XML. A gzipped body (.xml.gz, or gzip bytes whatever the name) is
        decompressed as SitemapSpider does, up to DOWNLOAD_MAXSIZE (SITEMAP_MAX_BYTES when
        that is 0); beyond it, _DecompressionMaxSizeExceeded. A gzip Content-Encoding
        Scrapy's HttpCompressionMiddleware has already undone, within the same limit."""
        body = response.body
        if not gzip_magic_number(response):
            return body
        max_size = response.meta.get("download_maxsize", self.max_size) or SITEMAP_MAX_BYTES
        warn_size = response.meta.get("download_warnsize", self.warn_size)
        xml = gunzip(body, max_size=max_size)
        if len(body) < warn_size <= len(xml):
            self.logger.warning("%s is %d bytes once decompressed, over the download warning size (%d)",
                                response.url, len(xml), warn_size)
        return xml

    def _sitemap_entries(self, response: Response, robots: str) -> Iterator[Any]:
        referrer = response.meta.get("referrer")
        try:
            body = self._sitemap_body(response)
        except _DecompressionMaxSizeExceeded as exc:
            self.crawler.stats.inc_value("needle/sitemap/too_large")
            yield self._error(response.url, "too_large", response.status,
                              f"gzipped sitemap over the size limit (DOWNLOAD_MAXSIZE): {exc}", referrer=referrer)
            return
        # the site's own sitemap on its www (or https) host: the entries there are the site's
        self._adopt(robots, response.url)
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # lxml raises several types on garbage
            if not response.meta.get("sitemap_guess"):
                yield self._error(response.url, "bad_sitemap", response.status, str(exc),
                                  referrer=response.meta.get("referrer"))
            return
        self.crawler.stats.inc_value("needle/sitemap/files")
        read = 0
        elsewhere: dict[str, Any] = {"count": 0, "first": None, "hosts": set()}
        for entry in sitemap:  # an error while parsing further on: _read_then_release reports it
            if read == SITEMAP_MAX_ENTRIES:
                self.crawler.stats.inc_value("needle/sitemap/truncated")
                yield self._error(response.url, "sitemap_truncated", response.status,
                                  f"more than {SITEMAP_MAX_ENTRIES} entries: the rest is not read",
                                  referrer=referrer)
                break
            read += 1
            try:
                found = self._sitemap_entry(entry, sitemap.type, response, robots, elsewhere)
            except Exception as exc:  # one bad entry is not the whole sitemap
                self.logger.exception("sitemap entry failed in %s", response.url)
                found = [self._bad_entry(str(entry.get("loc") or entry), response.url,
                                         f"{type(exc).__name__}: {exc}")]
            yield from found
        if elsewhere["count"]:  # one record per sitemap, not one per page of another host
            hosts = sorted(elsewhere["hosts"])
            yield self._refused(
                elsewhere["first"], "refused_host",
                f"{elsewhere['count']} <loc>(s) in {response.url} are on other hosts "
                f"({', '.join(hosts)}{', ...' if len(hosts) == 5 else ''}), not the site's: not crawled; "
                "the first is this record's URL", referrer=response.url)

    def _sitemap_entry(self, entry: dict[str, Any], kind: str, response: Response, robots: str,
                       elsewhere: dict[str, Any]) -> list[Any]:
        """What one <url> or <sitemap> element gives: a SitemapEntry, a sitemap request,
        an error record for an unusable or refused address, or nothing (a page of another
        host: counted in elsewhere, for one record per sitemap)."""
        loc = entry.get("loc") or ""
        url, problem = _web_address(loc)
        if url is None:
            scheme = _scheme(loc)
            if scheme in self.refused_schemes:
                return [self._refused(loc, "refused_scheme", f"<loc> in {response.url} is a {scheme}: address, "
                                      "not a web one: not fetched", referrer=response.url)]
            return [self._bad_entry(loc, response.url, f"<loc> {problem}" if loc else "an empty <loc>")]
        if kind == "sitemapindex":
            if self._of_the_sites(url):
                return list(self._sitemap_requests(url, robots, response.url))
            if same_site(url, response.url):  # an index on a host robots.txt vouched for lists its own
                return list(self._sitemap_requests(url, robots, response.url, vouched=True))
            return [self._refused(url, "refused_host", f"the sitemap index {response.url} lists a sitemap on "
                                  f"{urlsplit(url).netloc}, neither the crawled site's host nor its own: not fetched",
                                  referrer=response.url)]
        url = canonicalize(url, self.tracking_params)
        if not self._same_host(url):
            elsewhere["count"] += 1
            elsewhere["first"] = elsewhere["first"] or url
            if len(elsewhere["hosts"]) < 5:
                elsewhere["hosts"].add(urlsplit(url).netloc)
            return []
        found: list[Any] = []
        lastmod, zone_guessed = _w3c_date(entry.get("lastmod") or "", self.zone)
        if lastmod is None and (entry.get("lastmod") or "").strip():
            self.crawler.stats.inc_value("needle/sitemap/bad_lastmod")  # the entry is kept, undated
        if zone_guessed and not self._zone_problem_told:
            # the setting is wrong, not the entry: said once, and the entries are kept
            self._zone_problem_told = True
            found.append(self._error(response.url, "bad_timezone", None,
                                     f"NEEDLE_TIMEZONE: {self.zone_problem}; date-only <lastmod> values "
                                     "are read as midnight UTC", referrer=response.meta.get("referrer")))
        record = SitemapEntry(url=url, lastmod=lastmod, sitemap_url=response.url)
        if lastmod:
            self.sitemap_lastmod[url] = lastmod
        # every same-host URL, not only those under the blog's folder: a theme
        # may file posts by date (/2024/05/slug/); pages that are not posts
        # are fetched and left unrecorded
        self.sitemap_pending[url] = record
        found.append(record)
        return found

    def _refused(self, text: str, reason: str, message: str, *, referrer: str | None) -> CrawlError:
        """An error record for a URL the crawler will not fetch (reason refused_scheme or
        refused_host), with the URL as written."""
        quoted = text if len(text) <= _MAX_QUOTED else text[:_MAX_QUOTED] + "…"
        return self._error(_splittable(quoted), reason, None, message, referrer=referrer)

    def _refusal(self, request: Request, refused: RefusedRequest) -> list[Redirect | CrawlError]:
        """What a request refused by SiteGuardMiddleware or on a redirect gives: the refused
        URL as an error record, from the page that led there; and for a page the crawl
        asked for, the redirect itself (its chain, as far as the crawler went)."""
        records: list[Redirect | CrawlError] = []
        chain = refused.chain
        referrer = chain[-1] if chain else request.meta.get("referrer")
        message = str(refused)
        if chain and "found_via" in request.meta:
            records.append(Redirect(url=chain[0], target=refused.url, chain=chain, statuses=refused.statuses,
                                    referrer=request.meta.get("referrer")))
            if request.meta["found_via"] == "start":
                message += (f"; the start page {chain[0]} redirects there, so nothing of its site was crawled "
                            "(to crawl that site, give its address)")
        records.append(self._refused(refused.url, refused.reason, message, referrer=referrer))
        return records

    def _bad_entry(self, text: str, source: str, problem: str) -> CrawlError:
        """An error record for a sitemap entry (or robots.txt Sitemap: line) that is no usable address."""
        self.crawler.stats.inc_value("needle/sitemap/bad_entries")
        quoted = text if len(text) <= _MAX_QUOTED else text[:_MAX_QUOTED] + "…"
        return self._error(_splittable(quoted) or source, "bad_sitemap_entry", None,
                           f"{problem}: {quoted!r} in {source}", referrer=source)

    # -- pages -----------------------------------------------------------------------

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        for record in self._screen(response):
            yield record
            if isinstance(record, CrawlError):
                return
        chain = response.meta.get("redirect_urls")
        if chain:
            target = canonicalize(response.url, self.tracking_params)
            if response.meta.get("found_via") == "start":
                self._start_moved(chain[0], response.url)
            if target in self.seen or not self._same_host(target):
                return  # already crawled under its own address, or another site's page
            self.seen.add(target)

        fetched_at = datetime.now(timezone.utc)
        try:
            kind, found = await self.extractor.run(
                # a charset that names no text encoding: extraction says so (UsableCharsetMiddleware)
                response.body, response.url,
                encoding=response.meta.get("declared_charset") or getattr(response, "encoding", None),
                selectors=self.site_selectors.get(urlsplit(response.url).netloc),
                fetched_at=fetched_at, timezone=self.timezone, languages=self.languages,
                fetch=self._fetch_info(response, fetched_at), x_robots_tag=_x_robots(response),
            )
        except WorkerDied as exc:  # it killed its worker twice: recorded, not retried here
            self.logger.error("extraction failed on %s: %s", response.url, exc)
            yield self._error(response.url, "extraction_error", response.status, str(exc),
                              referrer=response.meta.get("referrer"))
            return
        except WorkersFailed as exc:  # workers keep dying: stop the crawl rather than run on
            yield self._error(response.url, "extraction_error", response.status,
                              f"not extracted: {exc}; the crawl stopped", referrer=response.meta.get("referrer"))
            if not self._stopping:
                self._stopping = True
                raise CloseSpider("extraction_workers_failed") from exc
            return
        except Exception as exc:  # a page that breaks extraction is recorded, not lost
            self.logger.exception("extraction failed on %s", response.url)
            yield self._error(response.url, "extraction_error", response.status,
                              f"{type(exc).__name__}: {exc}", referrer=response.meta.get("referrer"))
            return
        self.crawler.stats.inc_value(f"needle/pages/{kind}")

        if kind == "listing":
            for teaser in found.teasers:
                yield teaser
            for url in [*found.next_pages, *found.post_urls]:
                for request in self._follow(url, response, trusted=True):
                    yield request
            return

        yield found
        canonical = found.meta.canonical
        if kind == "post" and canonical and canonical != found.url and self._same_host(canonical):
            # a canonical that points elsewhere must itself be a live page: fetch it
            for request in self._follow(canonical, response, trusted=True):
                yield request
        for link in found.links:
            if link.internal:
                for request in self._follow(link.href, response):
                    yield request

    def _start_moved(self, start: str, target: str) -> None:
        """A start page redirected within its site (http -> https, to or from www): the
        target's host is the site's, and the crawl's scope moves there. A redirect to
        another site SiteGuardMiddleware refused, with an error record."""
        if not same_site(start, target):
            return
        self._adopt(start, target)
        old, new = _scope_of(start), _scope_of(canonicalize(target, self.tracking_params))
        if new in self.scopes:
            return
        if old in self.scopes:
            self.scopes = [new if scope == old else scope for scope in self.scopes]
        else:  # the start URL spelled otherwise than the request's (percent-encoding)
            self.scopes.append(new)
        self.logger.info("the start page %s moved to %s: the crawl's scope is now %s", start, target, new)

    def _screen(self, response: Response) -> Iterator[CrawlError | Redirect]:
        """What can be said before extraction: a redirect was followed; the body is no page."""
        chain = response.meta.get("redirect_urls")
        if chain:
            yield Redirect(
                url=chain[0], target=response.url, chain=list(chain),
                statuses=[int(s) for s in response.meta.get("redirect_reasons", []) if isinstance(s, int)],
                referrer=response.meta.get("referrer"),
            )
        body = response.body
        referrer = response.meta.get("referrer")
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if not body.strip():
            yield self._error(response.url, "empty_body", response.status, "the page has no content",
                              referrer=referrer)
        elif content_type and "html" not in content_type:
            yield self._error(response.url, "not_html", response.status, f"not a web page ({content_type})",
                              referrer=referrer)
        elif not looks_like_html(body):
            yield self._error(response.url, "binary_body", response.status,
                              f"served as {content_type or 'no content type'} but the body is not HTML",
                              referrer=referrer)

    def _fetch_info(self, response: Response, fetched_at: datetime) -> FetchInfo:
        meta = response.meta
        chain = list(meta.get("redirect_urls", []))
        headers = response.headers
        found_via = meta.get("found_via", "link")
        latency = meta.get("download_latency")
        canonical = canonicalize(response.url, self.tracking_params)
        return FetchInfo(
            status=response.status,
            requested_url=chain[0] if chain else response.url,
            redirect_chain=chain,
            fetched_at=fetched_at,
            response_time_ms=round(latency * 1000, 1) if latency is not None else None,
            bytes=len(response.body),
            content_type=_header(headers, b"Content-Type"),
            encoding=getattr(response, "encoding", None),
            etag=_header(headers, b"ETag"),
            last_modified=_header(headers, b"Last-Modified"),
            depth=meta.get("link_depth"),
            referrer=meta.get("referrer"),
            found_via=found_via,
            sitemap_lastmod=self.sitemap_lastmod.get(canonical),
        )

    # -- failures --------------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterator[CrawlError]:
        request = failure.request  # type: ignore[attr-defined]
        referrer = request.meta.get("referrer")
        if failure.check(RefusedRequest):
            yield from self._refusal(request, failure.value)
        elif failure.check(HttpError):
            response = failure.value.response
            chain = request.meta.get("redirect_urls", [])
            via = f" after redirects from {chain[0]}" if chain else ""
            yield self._error(response.url, f"http_{response.status}", response.status,
                              f"HTTP {response.status}{via}", referrer=referrer)
        elif failure.check(RedirectLoopError):
            # report the address the referring page links to, not where the loop closed
            first = request.meta.get("redirect_urls", [request.url])[0]
            yield self._error(first, "redirect_loop", None, str(failure.value), referrer=referrer)
        elif failure.check(IgnoreRequest):
            message = str(failure.value)
            if "robots.txt" in message.lower():
                self.crawler.stats.inc_value("needle/robots_disallowed")
                url = canonicalize(request.url, self.tracking_params)
                if url in self._known:  # a stored post: the block proves nothing, say so
                    yield self._error(url, "robots_disallowed", None, message, referrer=referrer)
                return
            if "DOWNLOAD_MAXSIZE" in message:  # HttpCompressionMiddleware: a gzip bomb, say
                reason = "too_large"
            else:
                reason = "too_many_redirects" if "redirections" in message else "ignored"
            yield self._error(request.url, reason, None, message, referrer=referrer)
        elif failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
            yield self._error(request.url, "timeout", None,
                              f"no answer within {request.meta.get('download_timeout', '?')} s",
                              referrer=referrer)
        elif failure.check(CannotResolveHostError, DNSLookupError):
            yield self._error(request.url, "dns", None, str(failure.value), referrer=referrer)
        elif failure.check(DownloadCancelledError):
            yield self._error(request.url, "too_large", None,
                              f"over the download size limit (DOWNLOAD_MAXSIZE): {failure.value}", referrer=referrer)
        elif failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
            yield self._error(request.url, "connection_refused", None, str(failure.value), referrer=referrer)
        else:
            yield self._error(request.url, "download_error", None,
                              f"{failure.type.__name__}: {failure.getErrorMessage()}", referrer=referrer)

    def _error(self, url: str, reason: str, status: int | None, message: str, *,
               referrer: str | None = None) -> CrawlError:
        self.logger.warning("crawl error %s: %s (%s)", reason, url, message)
        return CrawlError(
            url=url, referrer=referrer, reason=reason, status=status,
            message=message, fetched_at=datetime.now(timezone.utc),
        )


def _is_sitemap(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith((".xml", ".xml.gz")) and "sitemap" in path.rsplit("/", 1)[-1]


def _scope_of(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    folder = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
    return f"{parts.scheme}://{parts.netloc}{folder}"


def _w3c_date(text: str, zone: tzinfo | None) -> tuple[datetime | None, bool]:
    """A sitemap <lastmod> (W3C datetime); a bare date is midnight in the site's zone.

    Returns the value and whether it needed the site's zone but none was known (zone is
    None: a bad NEEDLE_TIMEZONE), in which case it is read as UTC."""
    text = text.strip()
    if not text:
        return None, False
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None, False
    if value.tzinfo is None:
        return value.replace(tzinfo=zone or timezone.utc), zone is None
    return value, False


def _site_zone(name: str | None) -> tuple[tzinfo | None, str | None]:
    """The NEEDLE_TIMEZONE zone, or (None, what is wrong with the name)."""
    if not name or name.upper() == "UTC":
        return timezone.utc, None
    try:
        return ZoneInfo(name), None
    except Exception as exc:  # ZoneInfoNotFoundError, ValueError, OSError on odd names
        return None, f"{name!r} is not a known time zone ({type(exc).__name__})"


def _web_address(text: str, base: str | None = None) -> tuple[str | None, str]:
    """(the absolute http(s) URL, "") for a sitemap address, else (None, what is wrong).

    A sitemap <loc> must be absolute; a robots.txt Sitemap: line is resolved against
    base, as Scrapy does."""
    text = text.strip()
    if not text:
        return None, "is empty"
    try:
        url = urljoin(base, text) if base else text
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when out of range
    except ValueError as exc:
        return None, f"is not a URL ({exc})"
    if not parts.scheme:
        return None, "is not an absolute URL"
    if parts.scheme.lower() not in WEB_SCHEMES:
        return None, f"is not a web address ({parts.scheme}:)"
    if not parts.hostname or any(c.isspace() or ord(c) < 32 for c in parts.netloc):
        return None, "has no usable host"
    return url, ""


def _netloc(url: str) -> str:
    """The host[:port] of a URL as canonicalize spells it (lower case, no default port)."""
    try:
        return urlsplit(canonicalize(url)).netloc
    except ValueError:  # a malformed address (http://[oops/): none
        return ""


def _path(cls: type) -> str:
    """A class's import path: component settings are keyed so (DOWNLOADER_MIDDLEWARES_BASE
    is, and a class key would not replace a path key)."""
    return f"{cls.__module__}.{cls.__qualname__}"


def _scheme(text: str) -> str:
    """The scheme of a URL as written, lower-case ("" when there is none or it is no URL)."""
    try:
        return urlsplit(text.strip()).scheme.lower()
    except ValueError:
        return ""


def _splittable(text: str) -> str:
    """text as a record's url: as written, unless urlsplit rejects it (http://[oops/), then
    with the characters at fault percent-encoded; downstream code splits record URLs."""
    try:
        urlsplit(text)
        return text
    except ValueError:
        return quote(text, safe="/:?#&=%@!$'()*+,;~")


def _x_robots(response: Response) -> list[str]:
    """Directives of every X-Robots-Tag header, lower-cased."""
    return [
        d.strip().lower()
        for h in response.headers.getlist(b"X-Robots-Tag")
        for d in h.decode("latin-1").split(",")
        if d.strip()
    ]


def _header(headers: Any, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None

