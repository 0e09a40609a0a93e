"""Crawls of sites that try to steer the crawler: local files and other schemes named as
sitemaps, a sitemap index pointing at a third host, redirects out of the site, gzipped
sitemaps and a gzip bomb, a redirected robots.txt, a start page that moved, charsets that
name no text encoding.

Each test runs `needle crawl` in a child process against BlogSites on 127.0.0.1. The
sites have names under .test (clinic.test, www.clinic.test, elsewhere.test) that the
crawl resolves to 127.0.0.1 through blogsite.LoopbackResolver, so apex <-> www can be
played on loopback and no name is ever asked of a DNS server. Each test checks the JSON
Lines output and the index post by post, and which server was asked for what.
"""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
from base64 import b64encode
from pathlib import Path

import pytest
import crawled
from blogsite import RESOLVER, BlogSite, post_html
from conftest import LOCAL_CRAWL_SETTINGS, ROOT

from crawler.records import CrawlError, WarningKind
from crawler.urls import same_site

pytestmark = pytest.mark.timeout(120)

FAULTS = Path(__file__).resolve().parent


class Crawl(crawled.Crawl):
    def errors_for(self, reason: str) -> dict[str, CrawlError]:
        return {e.url: e for e in self.errors if e.reason == reason}


def run_crawl(start: str, workdir: Path, settings: dict[str, str] | None = None) -> Crawl:
    args = [sys.executable, "-m", "cli", "crawl", start, "-o", str(workdir / "records.jsonl"),
            "--index", str(workdir / "index"), "--summary-json", str(workdir / "summary.json")]
    settings = {**LOCAL_CRAWL_SETTINGS, "TWISTED_DNS_RESOLVER": RESOLVER, **(settings or {})}
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    # the crawl imports the resolver from blogsite.py
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(FAULTS), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=90, env=env)
    return Crawl(proc.returncode, workdir, proc.stdout + proc.stderr)


def assert_posts(crawl: Crawl, urls: set[str]) -> None:
    """Exit 0, and these posts (no others) in the output and in the index, URL by URL."""
    assert crawl.returncode == 0, crawl.stdout
    assert set(crawl.posts) == urls, f"posts: {sorted(crawl.posts)}\nerrors:\n{crawl.told()}"
    assert crawl.indexed_posts() == urls


def urlset(*urls: str) -> bytes:
    entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</urlset>").encode()


XML = {"Content-Type": "application/xml"}


def requested(site: BlogSite, path: str) -> bool:
    with site.lock:
        return path in site.served


# -- sites and hosts ---------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "same"), [
    ("http://clinic.ca/blog/", "https://clinic.ca/blog/", True),
    ("http://clinic.ca/blog/", "https://www.clinic.ca/", True),
    ("https://www.clinic.ca/", "http://CLINIC.ca:80/x", True),
    ("http://clinic.ca/", "https://clinic.ca:443/", True),
    ("http://clinic.ca/", "http://clinic.ca:8080/", False),  # another server on the host
    ("http://clinic.ca:8080/", "http://clinic.ca:8081/", False),
    ("http://clinic.ca/", "http://blog.clinic.ca/", False),
    ("http://clinic.ca/", "http://clinic.ca.evil.example/", False),
    ("file:///clinic.ca/x", "http://clinic.ca/", False),
    ("http://[oops/", "http://clinic.ca/", False),
])
def test_same_site(a: str, b: str, same: bool) -> None:
    assert same_site(a, b) is same and same_site(b, a) is same


# -- sitemaps: schemes and hosts ----------------------------------------------------------


def test_sitemaps_are_read_over_http_only_and_from_the_hosts_robots_txt_vouches_for(tmp_path: Path) -> None:
    with BlogSite(posts=10, host="clinic.test") as site, \
            BlogSite(posts=0, host="cdn.test") as cdn, BlogSite(posts=0, host="third.test") as third:
        # post 6: only a sitemap on another host, which robots.txt names, lists it
        site.unlisted.add(6)
        cdn.raw["/clinic-sitemap.xml"] = (200, XML, urlset(site.post_url(6)))
        # posts 7 to 9: only sitemaps the crawler must never read list them
        site.unlisted |= {7, 8, 9}
        local = tmp_path / "local-sitemap.xml"
        local.write_bytes(urlset(site.post_url(7)))
        data = "data:application/xml;base64," + b64encode(urlset(site.post_url(8))).decode()
        third.raw["/sitemap-third.xml"] = (200, XML, urlset(site.post_url(9)))
        site.robots_extra += [
            f"Sitemap: {local.as_uri()}",
            "Sitemap: ftp://127.0.0.1:1/sitemap.xml",
            f"Sitemap: {data}",
            f"Sitemap: {cdn.root}/clinic-sitemap.xml",
        ]
        # a sitemap index on the site pointing at a third host
        site.sitemap_index = [f"{third.root}/sitemap-third.xml"]
        crawl = run_crawl(site.url, tmp_path / "crawl")

    assert_posts(crawl, {site.post_url(n) for n in (1, 2, 3, 4, 5, 6, 10)})
    assert crawl.posts[site.post_url(6)].fetch.found_via == "sitemap"
    # what only the refused sitemaps list was never asked for, nor recorded
    for n in (7, 8, 9):
        assert not requested(site, f"/blog/post-{n}/"), n
        assert site.post_url(n) not in {e.url for e in crawl.sitemap}
    assert not third.hits, third.hits
    assert [path for _, path in cdn.hits if path != "/robots.txt"] == ["/clinic-sitemap.xml"]
    # every refused URL is an error record with its reason, from where it was named
    robots = f"{site.root}/robots.txt"
    schemes = crawl.errors_for("refused_scheme")
    assert len(schemes) == 3, crawl.told()
    assert {local.as_uri(), "ftp://127.0.0.1:1/sitemap.xml"} < set(schemes)
    assert any(url.startswith("data:application/xml;base64,") for url in schemes)  # quoted, maybe cut
    assert all(e.referrer == robots for e in schemes.values())
    hosts = crawl.errors_for("refused_host")
    assert set(hosts) == {f"{third.root}/sitemap-third.xml"}, crawl.told()
    assert hosts[f"{third.root}/sitemap-third.xml"].referrer == f"{site.root}/sitemap.xml"
    assert not crawl.errors_for("bad_sitemap_entry"), crawl.told()


def test_page_redirects_out_of_the_site_or_to_other_schemes_are_refused(tmp_path: Path) -> None:
    with BlogSite(posts=8, host="clinic.test") as site, BlogSite(posts=3, host="elsewhere.test") as elsewhere:
        site.redirects["/blog/post-2/"] = "file:///etc/passwd"
        site.redirects["/blog/post-3/"] = "ftp://127.0.0.1:1/post-3/"
        site.redirects["/blog/post-4/"] = "data:text/html,<html><body><h1>Planted</h1></body></html>"
        site.redirects["/blog/post-5/"] = f"{elsewhere.root}/blog/post-1/"
        # links and a canonical to another host and to a local file: never followed
        page = post_html(1, site).replace(
            "</head>", f'<link rel="canonical" href="{elsewhere.root}/blog/post-2/"></head>').replace(
            "</article>", f'<p><a href="file:///etc/hosts">hosts</a> <a href="{elsewhere.root}/blog/post-3/">'
                          "more</a></p></article>")
        site.raw["/blog/post-1/"] = (200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())
        crawl = run_crawl(site.url, tmp_path)

    assert_posts(crawl, {site.post_url(n) for n in (1, 6, 7, 8)})
    assert not elsewhere.hits, elsewhere.hits
    schemes = crawl.errors_for("refused_scheme")
    assert len(schemes) == 3, crawl.told()
    assert {"file:///etc/passwd", "ftp://127.0.0.1:1/post-3/"} < set(schemes)
    assert any(url.startswith("data:text/html,") for url in schemes)  # percent-encoded as Scrapy does
    assert schemes["file:///etc/passwd"].referrer == site.post_url(2)
    assert schemes["ftp://127.0.0.1:1/post-3/"].referrer == site.post_url(3)
    hosts = crawl.errors_for("refused_host")
    assert set(hosts) == {f"{elsewhere.root}/blog/post-1/"}, crawl.told()
    assert hosts[f"{elsewhere.root}/blog/post-1/"].referrer == site.post_url(5)
    # the redirects are recorded as the site made them
    redirects = {r.url: r.target for r in crawl.redirects}
    assert redirects[site.post_url(2)] == "file:///etc/passwd"
    assert redirects[site.post_url(5)] == f"{elsewhere.root}/blog/post-1/"


# -- gzipped sitemaps --------------------------------------------------------------------


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """200 MB of zeros, gzipped: about 200 KB."""
    out = io.BytesIO()
    zeros = bytes(1 << 20)
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
        for _ in range(200):
            gz.write(zeros)
    return out.getvalue()


def test_a_gzipped_sitemap_is_read_and_a_gzip_bomb_refused(tmp_path: Path, gzip_bomb: bytes) -> None:
    assert len(gzip_bomb) < 500_000
    with BlogSite(posts=8, host="clinic.test") as site:
        site.unlisted |= {7, 8}  # each listed only in a gzipped sitemap
        site.raw["/sitemap-orphans.xml.gz"] = (200, {"Content-Type": "application/x-gzip"},
                                               gzip.compress(urlset(site.post_url(7))))
        # gzip bytes whatever the name and type say
        site.raw["/sitemap-more"] = (200, {"Content-Type": "application/octet-stream"},
                                     gzip.compress(urlset(site.post_url(8))))
        site.raw["/sitemap-bomb.xml.gz"] = (200, {"Content-Type": "application/x-gzip"}, gzip_bomb)
        # and one a server compresses on the fly: Scrapy's HttpCompressionMiddleware's to refuse
        site.raw["/sitemap-bomb.xml"] = (200, {"Content-Type": "application/xml", "Content-Encoding": "gzip"},
                                         gzip_bomb)
        site.robots_extra += [f"Sitemap: {site.root}{path}" for path in
                              ("/sitemap-bomb.xml.gz", "/sitemap-orphans.xml.gz", "/sitemap-bomb.xml",
                               "/sitemap-more")]
        crawl = run_crawl(site.url, tmp_path)

    assert_posts(crawl, {site.post_url(n) for n in range(1, 9)})
    assert crawl.posts[site.post_url(7)].fetch.found_via == "sitemap"
    assert crawl.posts[site.post_url(8)].fetch.found_via == "sitemap"
    too_large = crawl.errors_for("too_large")
    assert set(too_large) == {f"{site.root}/sitemap-bomb.xml.gz", f"{site.root}/sitemap-bomb.xml"}, crawl.told()
    assert "DOWNLOAD_MAXSIZE" in too_large[f"{site.root}/sitemap-bomb.xml.gz"].message
    if crawl.summary.get("peak_rss_mb"):  # the 200 MB were never held
        assert crawl.summary["peak_rss_mb"] < 180, crawl.summary


# -- robots.txt and start pages that moved --------------------------------------------------


def test_a_redirected_robots_txt_is_followed(tmp_path: Path) -> None:
    with BlogSite(posts=8, host="clinic.test") as site:
        site.unlisted.add(8)  # only the sitemap the moved robots.txt names lists it
        site.raw["/sitemap-orphans.xml"] = (200, XML, urlset(site.post_url(8)))
        site.redirects["/robots.txt"] = "/robots-current.txt"
        site.raw["/robots-current.txt"] = (
            200, {"Content-Type": "text/plain"},
            f"User-agent: *\nAllow: /\nSitemap: {site.root}/sitemap-orphans.xml\n".encode())
        crawl = run_crawl(site.url, tmp_path)

    assert_posts(crawl, {site.post_url(n) for n in range(1, 9)})
    assert crawl.posts[site.post_url(8)].fetch.found_via == "sitemap"
    assert not crawl.errors, crawl.told()


def test_a_start_page_that_moved_to_www_is_crawled_there(tmp_path: Path) -> None:
    """clinic.test sends every request to www.clinic.test (on the same port, as a real
    site's bare domain does to its www on port 80 or 443)."""
    with BlogSite(posts=8, host="www.clinic.test") as site:
        site.host_redirects["clinic.test"] = site.root
        site.unlisted.add(8)  # only a sitemap named in www's robots.txt lists it
        site.raw["/sitemap-orphans.xml"] = (200, XML, urlset(site.post_url(8)))
        site.robots_extra.append(f"Sitemap: {site.root}/sitemap-orphans.xml")
        start = f"http://clinic.test:{site.port}/blog/"
        crawl = run_crawl(start, tmp_path)

    assert_posts(crawl, {site.post_url(n) for n in range(1, 9)})  # www's addresses
    assert crawl.posts[site.post_url(8)].fetch.found_via == "sitemap"
    assert {r.url: r.target for r in crawl.redirects}[start] == site.url
    assert not crawl.errors, crawl.told()
    # the apex was asked only for what the crawl starts with
    with site.lock:
        apex = sorted({path for host, path in site.hits if host.startswith("clinic.test")})
    assert apex == ["/blog/", "/robots.txt"], apex


def test_a_start_page_that_redirects_to_another_site_is_an_error(tmp_path: Path) -> None:
    with BlogSite(posts=4, host="clinic.test") as site, BlogSite(posts=4, host="elsewhere.test") as elsewhere:
        site.host_redirects["clinic.test"] = elsewhere.root
        crawl = run_crawl(site.url, tmp_path)

    assert crawl.returncode == 1, crawl.stdout  # no page could be fetched
    assert not crawl.posts and not crawl.indexed_posts()
    assert not elsewhere.hits, elsewhere.hits  # not even its robots.txt
    refused = crawl.errors_for("refused_host")
    error = refused.get(elsewhere.url)
    assert error is not None, crawl.told()
    assert error.referrer == site.url
    assert f"the start page {site.url} redirects there" in error.message
    assert {r.url: r.target for r in crawl.redirects}[site.url] == elsewhere.url


# -- charsets that name no text encoding -----------------------------------------------------


def test_pages_declaring_a_charset_that_is_no_text_encoding_are_extracted_with_a_warning(tmp_path: Path) -> None:
    with BlogSite(posts=6, host="clinic.test") as site:
        planted = {
            2: ("text/html; charset=rot13", "utf-8"),
            3: ("text/html", "base64"),
            4: ("text/html; charset=base64", "rot13"),
            5: ("text/html; charset=utf-8", "rot13"),
        }
        for n, (content_type, meta) in planted.items():
            page = post_html(n, site).replace('<meta charset="utf-8">', f'<meta charset="{meta}">')
            site.raw[f"/blog/post-{n}/"] = (200, {"Content-Type": content_type}, page.encode())
        crawl = run_crawl(site.url, tmp_path)

    assert_posts(crawl, {site.post_url(n) for n in range(1, 7)})
    assert not crawl.errors, crawl.told()
    for n in range(1, 7):
        post = crawl.posts[site.post_url(n)]
        assert post.title and post.title.startswith(f"Post {n}:")
        kinds = [w.kind for w in post.warnings]
        assert (WarningKind.ENCODING in kinds) is (n in planted), (n, post.warnings)
