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

import hashlib
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, time, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import Request, signals
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.http import Response
from scrapy.linkextractors import IGNORED_EXTENSIONS

from crawler.dates import EARLIEST_DATE
from crawler.decode import looks_like_html
from crawler.middlewares import SiteGuardMiddleware, UsableCharsetMiddleware
from crawler.records import CrawlError, FetchInfo, ListingPage, Redirect, Revalidated, SitemapEntry
from crawler.sites import SiteConfig
from crawler.spiders.addresses import (
    header,
    import_path,
    is_sitemap,
    netloc,
    scope_of,
    site_zone,
    x_robots,
)
from crawler.spiders.failures import FailureRecording
from crawler.spiders.sitemaps import SitemapReading
from crawler.urls import WEB_SCHEMES, canonicalize, same_site
from crawler.work import Extractor, InvalidRecord, WorkerDied, WorkersFailed, worker_count

_SKIP_EXTENSIONS = tuple("." + ext for ext in IGNORED_EXTENSIONS)

# every status but a redirect's reaches parse_robots: a redirected robots.txt is followed
_NOT_REDIRECTS = [s for s in range(100, 600) if s not in (301, 302, 303, 307, 308)]


class BlogSpider(SitemapReading, FailureRecording, scrapy.Spider):
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
        self.scopes = [scope_of(u) for u in urls]
        # the crawled sites' hosts (netlocs, as written and canonical): the start URLs', and
        # those a site moves to
        self.site_hosts: set[str] = {h for s in self.scopes for h in (netloc(s), urlsplit(s).netloc) if h}
        # sitemaps on other hosts that a site's robots.txt names: theirs may be fetched
        self.vouched_sitemaps: set[str] = set()
        self.seen: set[str] = set()  # canonical URLs requested
        self._canonical: dict[str, str] = {}  # link as written -> canonical URL
        self.sitemap_pending: dict[str, SitemapEntry] = {}
        self.sitemap_lastmod: dict[str, datetime] = {}
        self._held: dict[str, list[str]] = {}  # robots.txt URL -> start pages waiting for sitemaps
        self._open_sitemaps: dict[str, int] = {}
        self._sitemaps_asked: set[str] = set()
        self.pages_per_site: dict[str, int] = {}  # host -> page requests made
        self.sites_at_limit: set[str] = set()
        # set by the index pipeline: the post URLs the index holds, and each stored page's
        # validators (etag, last_modified, body_sha256) for a conditional recrawl
        self.known_urls: list[str] = []
        self.validators: dict[str, dict[str, Any]] = {}
        self.recrawl_full = False
        self.site_options: dict[str, SiteConfig] = {}  # host -> its sites-file entry
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
            import_path(OffsiteMiddleware): None,
            import_path(SiteGuardMiddleware): 50,
            import_path(UsableCharsetMiddleware): 585,
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
        spider.earliest_date = settings.get("NEEDLE_EARLIEST_DATE", EARLIEST_DATE)
        spider.recrawl_full = settings.getbool("NEEDLE_RECRAWL_FULL", False)
        spider.zone, spider.zone_problem = site_zone(spider.timezone)
        if spider.zone_problem:
            spider.logger.warning("NEEDLE_TIMEZONE: %s; dates written without a zone are read as UTC",
                                  spider.zone_problem)
        spider.languages = list(settings.getlist("NEEDLE_LANGUAGES")) or None
        spider.tracking_params = list(settings.getlist("NEEDLE_TRACKING_PARAMS"))
        spider.site_selectors = settings.getdict("NEEDLE_SITE_SELECTORS")
        spider.max_pages_per_site = settings.getint("NEEDLE_MAX_PAGES_PER_SITE", 5000)
        spider._adopt_sites([SiteConfig.model_validate(site) for site in settings.getlist("NEEDLE_SITES")])
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
            if is_sitemap(url):
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

    def _request(self, url: str, *, found_via: str, referrer: str | None, link_depth: int | None = 0,
                 **meta: Any) -> Request:
        canonical = canonicalize(url, self.tracking_params)
        self.seen.add(canonical)
        host = urlsplit(url).netloc
        self.pages_per_site[host] = self.pages_per_site.get(host, 0) + 1
        # A page the index holds is asked for conditionally: the site may answer 304 Not
        # Modified to its stored ETag / Last-Modified, and the page is not extracted again.
        headers = {}
        stored = None if self.recrawl_full else self.validators.get(canonical)
        if stored and self._sitemap_says_changed(canonical, stored):
            # a server may answer 304 wrongly (a cache in front of it): the sitemap's word
            # that the page changed since it was last fetched wins, and it is read afresh
            self.crawler.stats.inc_value("needle/recrawl/sitemap_newer")
            stored = None
        if stored:
            if stored.get("etag"):
                headers["If-None-Match"] = stored["etag"]
            if stored.get("last_modified"):
                headers["If-Modified-Since"] = stored["last_modified"]
            if headers:
                meta["handle_httpstatus_list"] = [304]
        # Our own count of clicks from the start page: Scrapy's "depth" also counts the
        # robots.txt and sitemap requests the start page waits for.
        return Request(
            url,
            headers=headers or None,
            callback=self.parse_page,
            errback=self.on_error,
            meta={"found_via": found_via, "referrer": referrer, "link_depth": link_depth, **meta},
        )

    def _follow(self, url: str, referrer: Response, *, trusted: bool = False) -> Iterator[Request]:
        """A request for url unless it was seen, is out of scope, or is not a page."""
        canonical = self._canonical.get(url)
        if canonical is None:  # every page links the same menus: each address is read once
            canonical = self._canonical[url] = canonicalize(url, self.tracking_params)
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
        site = self.site_options.get(host.lower())
        limit = site.max_pages if site and site.max_pages else self.max_pages_per_site
        if self.pages_per_site.get(host, 0) < limit:
            return True
        if host not in self.sites_at_limit:
            self.sites_at_limit.add(host)
            self.logger.warning("%s reached the page limit (%d pages)", host, limit)
        self.crawler.stats.inc_value("needle/site_page_limit/skipped")
        return False

    def _adopt_sites(self, sites: list[SiteConfig]) -> None:
        """A sites file's options, by host; a site's other hosts (www, a blog subdomain)
        are in scope whole."""
        for site in sites:
            for host in site.all_hosts():
                self.site_options[host] = site
                if host not in self.site_hosts:
                    self.site_hosts.add(host)
                    self.scopes += [f"http://{host}/", f"https://{host}/"]

    def timezone_of(self, url: str) -> str:
        """The time zone of the site ``url`` is on: its sites-file entry's, else NEEDLE_TIMEZONE."""
        site = self.site_options.get(urlsplit(url).netloc.lower())
        return site.timezone if site and site.timezone else self.timezone

    def zone_of(self, url: str):
        name = self.timezone_of(url)
        return self.zone if name == self.timezone else site_zone(name)[0]

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
        host = netloc(moved_to)
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

    # -- pages -----------------------------------------------------------------------

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        chain = response.meta.get("redirect_urls")
        if chain:
            yield Redirect(
                url=chain[0], target=response.url, chain=list(chain),
                statuses=[int(s) for s in response.meta.get("redirect_reasons", []) if isinstance(s, int)],
                referrer=response.meta.get("referrer"),
            )
            target = canonicalize(response.url, self.tracking_params)
            if response.meta.get("found_via") == "start":
                self._start_moved(chain[0], response.url)
            if target in self.seen or not self._same_host(target):
                return  # already crawled under its own address, or another site's page
            self.seen.add(target)
        unchanged = self._unchanged(response)
        if unchanged is not None:
            yield unchanged
            # its links, as stored, lead on: a page only unchanged pages link to is still found
            stored = self.validators[unchanged.url]
            canonical = stored.get("canonical")
            if canonical and canonical != unchanged.url and self._same_host(canonical):
                for request in self._follow(canonical, response, trusted=True):
                    yield request
            for href in stored.get("links") or ():
                for request in self._follow(href, response, trusted=unchanged.kind == "listing"):
                    yield request
            return
        for record in self._screen(response):
            yield record
            return

        fetched_at = datetime.now(timezone.utc)
        try:
            kind, found = await self.extractor.run(
                # a charset that names no text encoding: extraction says so (UsableCharsetMiddleware)
                response.body, response.url,
                encoding=response.meta.get("declared_charset") or getattr(response, "encoding", None),
                selectors=self.site_selectors.get(urlsplit(response.url).netloc),
                fetched_at=fetched_at, timezone=self.timezone_of(response.url), languages=self.languages,
                fetch=self._fetch_info(response, fetched_at), x_robots_tag=x_robots(response),
                earliest_date=self.earliest_date,
            )
        except InvalidRecord as exc:  # a bad value: the page is recorded, naming the fields
            yield self._error(response.url, "invalid_record", response.status, str(exc),
                              referrer=response.meta.get("referrer"))
            return
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
        # The page's links are claimed (seen, with this page as their referrer) now, before
        # its first record is yielded: the extractor hands pages back in the order they
        # were fetched, and the next one runs only once this one yields.
        if kind == "listing":
            links = [*found.next_pages, *found.post_urls]
            requests = [request for url in links for request in self._follow(url, response, trusted=True)]
            for teaser in found.teasers:
                yield teaser
            yield ListingPage(url=canonicalize(response.url, self.tracking_params), links=links,
                              fetch=self._fetch_info(response, fetched_at))
            for request in requests:
                yield request
            return

        requests = []
        canonical = found.meta.canonical
        if kind == "post" and canonical and canonical != found.url and self._same_host(canonical):
            # a canonical that points elsewhere must itself be a live page: fetch it
            requests += self._follow(canonical, response, trusted=True)
        for link in found.links:
            if link.internal:
                requests += self._follow(link.href, response)
        yield found
        for request in requests:
            yield request

    def _start_moved(self, start: str, target: str) -> None:
        """A start page redirected within its site (http -> https, to or from www): the
        target's host is the site's, and the crawl's scope moves there. A redirect to
        another site SiteGuardMiddleware refused, with an error record."""
        if not same_site(start, target):
            return
        self._adopt(start, target)
        old, new = scope_of(start), scope_of(canonicalize(target, self.tracking_params))
        if new in self.scopes:
            return
        if old in self.scopes:
            self.scopes = [new if scope == old else scope for scope in self.scopes]
        else:  # the start URL spelled otherwise than the request's (percent-encoding)
            self.scopes.append(new)
        self.logger.info("the start page %s moved to %s: the crawl's scope is now %s", start, target, new)

    def _screen(self, response: Response) -> Iterator[CrawlError]:
        """What can be said before extraction: the body is no page."""
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

    def _sitemap_says_changed(self, url: str, stored: dict[str, Any]) -> bool:
        """The sitemap's <lastmod> for ``url`` is not earlier than when it was last
        fetched, at the lastmod's own precision (a date-only one cannot tell the hour: the
        same day counts; one to the second: the same second)."""
        lastmod = self.sitemap_lastmod.get(url)
        checked = stored.get("fetched_at")
        if lastmod is None or not checked:
            return False
        try:
            checked_at = datetime.fromisoformat(checked)
        except ValueError:
            return True
        checked_at = checked_at if checked_at.tzinfo else checked_at.replace(tzinfo=timezone.utc)
        lastmod = lastmod if lastmod.tzinfo else lastmod.replace(tzinfo=timezone.utc)
        if lastmod.time() != time(0):  # to the second, as lastmods are written
            return lastmod >= checked_at.replace(microsecond=0) if not lastmod.microsecond else lastmod > checked_at
        return lastmod.date() >= checked_at.astimezone(lastmod.tzinfo).date()

    def _unchanged(self, response: Response) -> Revalidated | None:
        """A page the index holds that the site says (304) or shows (the same bytes) is
        unchanged: not extracted again. A crawl with NEEDLE_RECRAWL_FULL extracts everything."""
        if self.recrawl_full:
            return None
        canonical = canonicalize(response.url, self.tracking_params)
        stored = self.validators.get(canonical)
        if stored is None:
            return None
        fetch = self._fetch_info(response, datetime.now(timezone.utc))
        if response.status == 304:
            how = "not_modified"
        elif response.status == 200 and stored.get("body_sha256") == fetch.body_sha256:
            how = "same_bytes"
        else:
            return None
        self.crawler.stats.inc_value(f"needle/recrawl/{how}")
        return Revalidated(url=canonical, kind=stored.get("kind") or "post", how=how, fetch=fetch)

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
            content_type=header(headers, b"Content-Type"),
            encoding=getattr(response, "encoding", None),
            etag=header(headers, b"ETag"),
            last_modified=header(headers, b"Last-Modified"),
            depth=meta.get("link_depth"),
            referrer=meta.get("referrer"),
            found_via=found_via,
            sitemap_lastmod=self.sitemap_lastmod.get(canonical),
            body_sha256=hashlib.sha256(response.body).hexdigest()[:32] if response.body else None,
        )
