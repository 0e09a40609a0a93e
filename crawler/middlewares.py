"""Downloader middlewares: Scrapy's own, adjusted where a silent drop would lose a page."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest


class RedirectLoopError(IgnoreRequest):
    """A redirect led back to a URL already in the chain."""


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirect handling, plus loop detection.

    Without it a loop a -> b -> a ends when the dupefilter quietly drops the second
    request for a; here it fails the request so its errback records a CrawlError.
    Redirect targets are not filtered as duplicates, so the chain is always recorded
    (the dedupe pipeline merges a post reached twice).
    """

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            raise RedirectLoopError(
                "redirect loop: " + " -> ".join([*chain, redirected.url])
            )
        result = super()._redirect(redirected, request, reason)
        result.dont_filter = True
        return result
