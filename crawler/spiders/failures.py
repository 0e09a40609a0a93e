"""What a failed request becomes: a CrawlError record with its reason, the page that led
there, and for a refused address the redirect that led to it (a mixin of the blog spider:
it uses the spider's stats, tracking parameters and the posts the index holds)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from crawler.middlewares import RedirectLoopError, RefusedRequest
from crawler.records import CrawlError, Redirect
from crawler.spiders.addresses import shortened, splittable
from crawler.urls import canonicalize

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


class FailureRecording:
    def _refused(self, text: str, reason: str, message: str, *, referrer: str | None) -> CrawlError:
        """An error record for a URL the crawler will not fetch (reason refused_scheme or
        refused_host), with the URL as written."""
        quoted = shortened(text)
        return self._error(splittable(quoted), reason, None, message, referrer=referrer)

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
