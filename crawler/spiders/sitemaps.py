"""Sitemaps and robots.txt: each site's are read before its start pages are requested.

``SitemapReading`` is the blog spider's part that asks for robots.txt's sitemaps (or
/sitemap.xml), reads them into SitemapEntry records and sitemap requests, and releases a
site's held start pages once its last sitemap is read or has failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from crawler.middlewares import RefusedRequest
from crawler.records import CrawlError, SitemapEntry
from crawler.spiders.addresses import scheme_of, shortened, splittable, w3c_date, web_address
from crawler.urls import canonicalize, same_site

try:  # what scrapy.utils.gz.gunzip raises past its max_size (SitemapSpider catches it too)
    from scrapy.utils._compression import _DecompressionMaxSizeExceeded
except ImportError:  # pragma: no cover - a ValueError subclass in every release that has it
    _DecompressionMaxSizeExceeded = ValueError  # type: ignore[misc,assignment]

# Bounds on what sitemaps can make a crawl do (a sitemap is read whole, in one callback)
SITEMAP_MAX_ENTRIES = 50_000  # per file, the most the sitemaps protocol allows
SITEMAP_MAX_FILES = 1_000  # per crawl: robots.txt Sitemap: lines and sitemap index entries
# a gzipped sitemap's size once decompressed, when DOWNLOAD_MAXSIZE sets none (0): the most
# the sitemaps protocol allows (50 MB)
SITEMAP_MAX_BYTES = 52_428_800


class SitemapReading:
    """The blog spider's sitemap and robots.txt callbacks (a part of BlogSpider: it uses
    the spider's state, ``_request``, ``_error``, ``_refused`` and ``_adopt``)."""

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
                url, problem = web_address(text, base=response.url)
                if url is None:
                    scheme = scheme_of(text)
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
        url, problem = web_address(loc)
        if url is None:
            scheme = scheme_of(loc)
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
        lastmod, zone_guessed = w3c_date(entry.get("lastmod") or "", self.zone_of(url))
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

    def _bad_entry(self, text: str, source: str, problem: str) -> CrawlError:
        """An error record for a sitemap entry (or robots.txt Sitemap: line) that is no usable address."""
        self.crawler.stats.inc_value("needle/sitemap/bad_entries")
        quoted = shortened(text)
        return self._error(splittable(quoted) or source, "bad_sitemap_entry", None,
                           f"{problem}: {quoted!r} in {source}", referrer=source)
