"""Downloader middlewares: Scrapy's own, adjusted where a silent drop would lose a page
or where a site could steer the crawler somewhere it should not go.

BlogSpider.update_settings installs SiteGuardMiddleware and UsableCharsetMiddleware
(settings.py installs LoopAwareRedirectMiddleware).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.httpobj import urlparse_cached
from w3lib.url import safe_url_string

from crawler.decode import text_charset
from crawler.urls import WEB_SCHEMES

_REDIRECT_STATUSES = (301, 302, 303, 307, 308)


class RedirectLoopError(IgnoreRequest):
    """A redirect led back to a URL already in the chain."""


class RefusedRequest(IgnoreRequest):
    """A URL the crawler does not fetch: not an http(s) address (``reason`` refused_scheme)
    or not on a host of the crawled sites (refused_host). ``chain`` and ``statuses`` are
    the redirects that led to it, when redirects did."""

    def __init__(self, url: str, reason: str, why: str, *, chain: list[str] | None = None,
                 statuses: list[int] | None = None):
        super().__init__(f"{why}: not fetched")
        self.url = url
        self.reason = reason
        self.chain = list(chain or [])
        self.statuses = list(statuses or [])


def _int_statuses(reasons: Any) -> list[int]:
    return [int(s) for s in reasons or () if isinstance(s, int)]


class SiteGuardMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter, made strict, in its place (first to see a request).

    Every request the downloader gets is checked, redirects included: Scrapy's lets
    ``dont_filter`` requests through, and robots.txt, sitemap and redirected requests all
    are. A scheme other than http(s) is refused (Scrapy would read ``file:`` and ``s3:``
    URLs too); so is a host the spider does not count as one of its sites
    (``spider.allows(request)``; Scrapy's ``allowed_domains`` for a spider without it).
    A refusal fails the request with RefusedRequest, so its errback records it.
    """

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        # Scrapy's checks here too, where a refusal drops the request without a word to
        # its errback: this one checks when the request is downloaded, and says why
        return None

    def process_request(self, request: Request) -> None:
        chain = list(request.meta.get("redirect_urls", []))
        statuses = _int_statuses(request.meta.get("redirect_reasons"))
        scheme = urlparse_cached(request).scheme
        if scheme not in WEB_SCHEMES:
            self.stats.inc_value("needle/refused/scheme")
            raise RefusedRequest(request.url, "refused_scheme", f"a {scheme or 'schemeless'}: address is not a web one",
                                 chain=chain, statuses=statuses)
        spider = self.crawler.spider
        if not self.should_follow(request, spider):
            host = urlparse_cached(request).netloc
            self.stats.inc_value("offsite/filtered")
            self.stats.inc_value("needle/refused/host")
            raise RefusedRequest(request.url, "refused_host", f"{host} is not a host of the crawled site",
                                 chain=chain, statuses=statuses)
        return None

    def should_follow(self, request: Request, spider: Spider) -> bool:
        allows = getattr(spider, "allows", None)
        if allows is None:
            return super().should_follow(request, spider)
        return bool(allows(request))


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirect handling, plus loop detection and refused schemes.

    Without loop detection a loop a -> b -> a ends when the dupefilter quietly drops the
    second request for a; here it fails the request so its errback records a CrawlError.
    Redirect targets are not filtered as duplicates, so the chain is always recorded
    (the dedupe pipeline merges a post reached twice).

    A redirect to another scheme than http(s) (``Location: file:///etc/passwd``) Scrapy
    does not follow, and hands the 3xx to the spider as if it were the page; here it
    fails the request with RefusedRequest (refused_scheme). A redirect to another host is
    the SiteGuardMiddleware's to judge, when the redirected request comes to it.
    """

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status in _REDIRECT_STATUSES and b"Location" in response.headers and not (
                request.meta.get("dont_redirect", False)
                or response.status in getattr(self.crawler.spider, "handle_httpstatus_list", ())
                or response.status in request.meta.get("handle_httpstatus_list", ())
                or request.meta.get("handle_httpstatus_all", False)):
            location = safe_url_string(response.headers[b"Location"])
            if location.startswith("//"):
                location = f"{urlparse_cached(request).scheme}://{location.lstrip('/')}"
            target = urljoin(request.url, location)
            scheme = urlsplit(target).scheme.lower()
            if scheme not in WEB_SCHEMES:
                self.crawler.stats.inc_value("needle/refused/scheme")
                raise RefusedRequest(
                    target, "refused_scheme", f"{request.url} redirects to a {scheme or 'schemeless'}: address, "
                    "not a web one",
                    chain=[*request.meta.get("redirect_urls", []), request.url],
                    statuses=[*_int_statuses(request.meta.get("redirect_reasons")), response.status])
        return super().process_response(request, response)

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            raise RedirectLoopError(
                "redirect loop: " + " -> ".join([*chain, redirected.url])
            )
        result = super()._redirect(redirected, request, reason)
        result.dont_filter = True
        return result


class UsableCharsetMiddleware:
    """An HTML page whose charset names no text encoding (``charset=rot13``, ``<meta
    charset="base64">``) gets a usable one: UTF-8 if the body is UTF-8, else cp1252.

    Scrapy's response.text raises LookupError on such a charset, and MetaRefreshMiddleware
    (next in line) reads the text of every HtmlResponse, which would fail the page before
    the spider sees it. The charset the page declared is kept in
    ``meta["declared_charset"]`` so extraction can say what was wrong with it.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        request.meta.pop("declared_charset", None)  # a redirect's request carries the meta on
        if not isinstance(response, HtmlResponse):  # all MetaRefreshMiddleware reads
            return response
        try:
            declared = response.encoding
        except Exception:  # noqa: BLE001 - whatever Scrapy's encoding detection trips on
            declared = "unreadable"
        if text_charset(declared) is not None:
            return response
        try:
            response.body.decode("utf-8")
            usable = "utf-8"
        except UnicodeDecodeError:
            usable = "cp1252"
        request.meta["declared_charset"] = declared
        # built directly: response.replace() reads response.encoding, which may be what failed
        kwargs = {name: getattr(response, name) for name in response.attributes if name != "encoding"}
        return type(response)(**kwargs, encoding=usable)
