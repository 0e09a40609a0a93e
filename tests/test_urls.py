"""URL canonicalisation: one spelling per page."""

import pytest

from crawler.urls import canonicalize, in_scope, is_internal, resolve, site_of


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://clinic.ca/blog/post/?utm_source=fb&utm_medium=social", "https://clinic.ca/blog/post/"),
        ("https://clinic.ca/blog/post/#comments", "https://clinic.ca/blog/post/"),
        ("https://clinic.ca/blog/?page=2&utm_campaign=x", "https://clinic.ca/blog/?page=2"),
        ("https://clinic.ca/?p=123&fbclid=abc&gclid=def", "https://clinic.ca/?p=123"),
        ("HTTPS://Clinic.CA:443/Blog/Post", "https://clinic.ca/Blog/Post"),
        ("http://clinic.ca:80/a", "http://clinic.ca/a"),
        ("http://clinic.ca:8080/a", "http://clinic.ca:8080/a"),
        ("https://clinic.ca", "https://clinic.ca/"),
        ("https://clinic.ca/blog/?b=2&a=1", "https://clinic.ca/blog/?a=1&b=2"),
        ("https://clinic.ca/a/../b/", "https://clinic.ca/b/"),
        ("https://clinic.ca/café", "https://clinic.ca/caf%C3%A9"),
        ("https://clinic.ca/post/?replytocom=42", "https://clinic.ca/post/"),
        ("https://clinic.ca/post/?UTM_Source=x", "https://clinic.ca/post/"),
    ],
)
def test_canonicalize(url, expected):
    assert canonicalize(url) == expected


def test_canonicalize_custom_tracking_params():
    assert canonicalize("https://c.ca/x?src=nl&id=3", tracking_params=["src"]) == "https://c.ca/x?id=3"
    # an explicit list replaces the default one
    assert canonicalize("https://c.ca/x?ref=a", tracking_params=["src"]) == "https://c.ca/x?ref=a"


def test_canonicalize_is_idempotent():
    once = canonicalize("https://Clinic.ca/b/?z=1&a=%7e&utm_id=2#top")
    assert canonicalize(once) == once


def test_site_of():
    assert site_of("https://WWW.Clinic.ca:443/blog/x?y=1") == "https://www.clinic.ca"
    assert site_of("http://127.0.0.1:8123/blog/") == "http://127.0.0.1:8123"


def test_is_internal():
    site = "https://clinic.ca"
    assert is_internal("/blog/x", site)
    assert is_internal("https://www.clinic.ca/blog/", site)
    assert is_internal("http://clinic.ca/", site)
    assert not is_internal("https://facebook.com/clinic", site)
    assert not is_internal("https://shop.clinic.ca/", site)
    assert not is_internal("mailto:hi@clinic.ca", site)
    assert not is_internal("tel:5875550123", site)


def test_in_scope():
    assert in_scope("https://clinic.ca/blog/post/", "https://clinic.ca/blog")
    assert in_scope("https://clinic.ca/blog", "https://clinic.ca/blog/")
    assert in_scope("https://www.clinic.ca/blog/x", "https://clinic.ca/blog/")
    assert not in_scope("https://clinic.ca/blogroll", "https://clinic.ca/blog")
    assert not in_scope("https://other.ca/blog/x", "https://clinic.ca/blog")
    assert in_scope("https://clinic.ca/anything", "https://clinic.ca/")


def test_resolve():
    assert resolve("../b?utm_source=x#f", "https://c.ca/blog/a/") == "https://c.ca/blog/b"
    assert resolve("javascript:void(0)", "https://c.ca/") is None
    assert resolve("#top", "https://c.ca/") is None
    assert resolve("", "https://c.ca/") is None
    assert resolve("ftp://c.ca/file", "https://c.ca/") is None
