"""The sample clinic site serves what its description says, misbehaving where planted."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from sample_site.description import SITES
from sample_site.server import SampleSite

TIMEOUT = 3.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, timeout: float = TIMEOUT) -> tuple[int, dict[str, str], bytes]:
    """GET without following redirects: (status, headers, body)."""
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def site():
    with SampleSite(slow_seconds=1.5) as running:
        yield running


@pytest.mark.parametrize("key", list(SITES))
def test_every_post_is_served(site, key):
    spec = SITES[key]
    for post in spec.posts:
        status, headers, body = fetch(spec.post_url(site.base[key], post))
        assert status == 200, post.path
        assert headers["Content-Type"].startswith("text/html")
        assert post.title.encode(post.served_charset) in body or "&" in post.title
