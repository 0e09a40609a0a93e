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


def _get(site, key: str, path: str, timeout: float = TIMEOUT):
    return fetch(site.base[key] + path, timeout)


@pytest.mark.parametrize("key", list(SITES))
def test_pages_listing_and_files_are_served(site, key):
    spec = SITES[key]
    for role, path in spec.pages.items():
        status, _, body = _get(site, key, path)
        assert status == 200, (role, path)
    for path, entries in spec.listing_pages():
        status, _, body = _get(site, key, path)
        assert status == 200, path
        for entry in entries:
            assert entry.path.encode() in body, (path, entry.path)
    for post in spec.posts:
        for image in post.images:
            status, headers, body = _get(site, key, image.src)
            assert (status, headers["Content-Type"]) == (200, "image/png")
            assert body.startswith(b"\x89PNG\r\n\x1a\n")
    status, headers, body = _get(site, key, spec.pdf_path)
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")


@pytest.mark.parametrize("key", list(SITES))
def test_contact_and_team_pages_carry_current_details(site, key):
    clinic = SITES[key].clinic
    _, _, contact = _get(site, key, SITES[key].pages["contact"])
    text = contact.decode()
    assert clinic.phone in text and clinic.address in text
    assert all(h in text for h in clinic.hours)
    _, _, team = _get(site, key, SITES[key].pages["team"])
    for member in clinic.staff:
        assert member.name in team.decode()
    for former in clinic.former_staff:
        assert former not in team.decode()


def _sitemap_locs(xml: bytes) -> list[str]:
    import xml.etree.ElementTree as ET

    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    return [loc.text or "" for loc in ET.fromstring(xml).iter(f"{ns}loc")]


@pytest.mark.parametrize("key", list(SITES))
def test_robots_and_sitemap_match_the_description(site, key):
    spec, base = SITES[key], site.base[key]
    status, _, robots = _get(site, key, "/robots.txt")
    assert status == 200
    assert f"Sitemap: {base}{spec.sitemap_path}" in robots.decode()
    assert "Disallow: /private/" in robots.decode()
    assert spec.private_path.startswith("/private/")
    # the disallowed area is linked, so a crawler meets it and must skip it
    _, _, home = _get(site, key, spec.pages["home"])
    assert spec.private_path.encode() in home

    _, _, sitemap = _get(site, key, spec.sitemap_path)
    locs = _sitemap_locs(sitemap)
    if key == "wp":  # a sitemap index, as Yoast writes it
        assert f"{base}/post-sitemap.xml" in locs
        locs = _sitemap_locs(_get(site, key, "/post-sitemap.xml")[2])
        assert _get(site, key, "/sitemap.xml")[0] == 301
    post_locs = [u for u in locs if u.removeprefix(base) in {p.path for p in spec.posts}
                 or u.removeprefix(base) in spec.extra_sitemap_paths]
    assert post_locs == [base + path for path in spec.sitemap_paths()]
    for path in spec.extra_sitemap_paths:
        assert _get(site, key, path)[0] == 404


def test_sitemap_lastmod_is_the_description_s():
    from datetime import datetime
    import xml.etree.ElementTree as ET

    from sample_site.render import render_site

    spec = SITES["wp"]
    base = "http://127.0.0.1:1"
    xml = render_site("wp", base)["/post-sitemap.xml"].body
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    lastmods = {u.findtext(f"{ns}loc"): u.findtext(f"{ns}lastmod") for u in ET.fromstring(xml)}
    post = spec.post("running-injuries-physiotherapy")
    assert datetime.fromisoformat(lastmods[base + post.path]) == spec.sitemap_lastmod(post)
    assert spec.sitemap_lastmod(post) != post.modified


@pytest.mark.parametrize("key", list(SITES))
def test_planted_errors_answer_as_designed(site, key):
    spec = SITES[key]
    for route in spec.routes:
        if route.kind == "slow":
            continue
        status, headers, body = _get(site, key, route.path)
        assert status == route.status, route.path
        if route.kind == "redirect":
            assert headers["Location"] == site.base[key] + route.location
        elif route.kind == "empty":
            assert body == b"" and headers["Content-Type"].startswith("text/html")
        elif route.kind == "binary":
            assert headers["Content-Type"] == "text/html" and body.startswith(b"\x89PNG")
    for url, reason in spec.error_urls(site.base[key]).items():
        assert reason in {"http_404", "http_500", "timeout", "redirect_loop", "empty_body", "binary_body"}


def test_redirect_chains():
    spec = SITES["builder"]
    assert spec.redirect_chain("/blog/jaw-pain-tmj") == ["/blog/jaw-pain-tmj",
                                                         "/blog/tmj-jaw-pain-relief"]
    assert spec.redirect_chain("/blog/concussion-tips") == [
        "/blog/concussion-tips", "/blog/concussion-2025",
        "/blog/concussion-management-young-athletes"]
    loop = spec.redirect_chain("/blog/holiday-hours")
    assert loop[0] == loop[-1] and len(loop) == 3


def test_redirects_end_on_a_post_and_a_loop_loops(site):
    spec, base = SITES["builder"], site.base["builder"]
    with urllib.request.urlopen(base + "/blog/concussion-tips", timeout=TIMEOUT) as response:
        assert response.url == spec.post_url(base, "concussion-management-young-athletes")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(base + "/blog/holiday-hours", timeout=TIMEOUT)
    caught.value.close()
    assert "redirect" in str(caught.value).lower() or caught.value.code in (301, 302)


def test_slow_page_outlasts_a_short_timeout(site):
    import socket
    import time

    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        _get(site, "builder", "/blog/ergonomic-assessment", timeout=0.5)
    assert time.monotonic() - started < 1.4  # the client gave up, the server did not answer


def test_tracking_links_reach_the_same_post(site):
    spec = SITES["builder"]
    post = spec.post("massage-therapy-stress-relief")
    _, _, listing = _get(site, "builder", spec.blog_path)
    tracked = post.path + "?utm_source=newsletter&amp;utm_medium=email"
    assert tracked.encode() in listing
    _, _, other = _get(site, "builder", spec.post("tmj-jaw-pain-relief").path)
    assert tracked.encode() in other  # the recent-posts widget too
    plain = _get(site, "builder", post.path)[2]
    assert _get(site, "builder", post.path + "?utm_source=newsletter&utm_medium=email")[2] == plain


def test_wrong_charset_and_noindex_header(site):
    spec = SITES["plain"]
    post = spec.post("orthotics-myths")
    _, headers, body = _get(site, "plain", post.path)
    assert headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert "Montréal".encode("utf-8") in body
    assert "MontrÃ©al" in body.decode("iso-8859-1")
    _, headers, _ = _get(site, "builder", SITES["builder"].post("patient-appreciation-week").path)
    assert headers["X-Robots-Tag"] == "noindex"


def test_outbound_stand_in(site):
    assert _get(site, "outbound", "/guidelines/whiplash")[0] == 200
    assert _get(site, "outbound", "/old-study")[0] == 404
    assert _get(site, "outbound", "/gone-study")[0] == 410
    assert _get(site, "outbound", "/moved")[0] == 301
    assert "outbound" not in site.urls


def test_request_log_records_what_was_served(site):
    _get(site, "plain", "/contact.html?from=test")
    assert "/contact.html?from=test" in site.served_paths("plain")


def test_process_mode_serves_and_stops():
    import time

    with SampleSite(mode="process", slow_seconds=1) as running:
        assert set(running.urls) == set(SITES)
        for key, url in running.urls.items():
            assert fetch(url)[0] == 200
        proc = running._proc
    started = time.monotonic()
    assert proc is not None and proc.poll() is not None
    assert time.monotonic() - started < 1


def test_thread_mode_stops_while_a_slow_request_waits():
    import threading
    import time

    running = SampleSite(slow_seconds=30).start()
    waiter = threading.Thread(
        target=lambda: _swallow(running.base["builder"] + "/blog/ergonomic-assessment"),
        daemon=True)
    waiter.start()
    time.sleep(0.2)
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 3


def _swallow(url: str) -> None:
    try:
        fetch(url, timeout=5)
    except Exception:  # the server drops the connection on shutdown; that is the point
        pass


# -- the description is consistent with its own planted cases ------------------------------

from datetime import timedelta  # noqa: E402

from lxml import html as lxml_html  # noqa: E402

from crawler.records import DateSource  # noqa: E402
from sample_site.description import TODAY, RelativeDate  # noqa: E402
from sample_site.render import render_site  # noqa: E402

BASE, OUT = "http://127.0.0.1:1", "http://127.0.0.1:2"
ALL_POSTS = [(key, post) for key, spec in SITES.items() for post in spec.posts]


def _page(key: str, path: str):
    return lxml_html.fromstring(render_site(key, BASE, OUT)[path].body)


def test_sizes_and_clean_posts():
    assert 12 <= len(SITES["builder"].posts) <= 17
    assert 12 <= len(SITES["wp"].posts) <= 17
    assert 5 <= len(SITES["plain"].posts) <= 8
    assert len(SITES["wp"].clean_posts) >= 3
    assert len(SITES["builder"].clean_posts) >= 3
    assert [p.slug for p in SITES["plain"].clean_posts] == ["chiropractic-adjustment-cracking"]
    assert len({p.slug for _, p in ALL_POSTS}) == len(ALL_POSTS)


@pytest.mark.parametrize("key,post", ALL_POSTS, ids=[f"{k}/{p.slug}" for k, p in ALL_POSTS])
def test_planted_facts_agree_with_the_content(key, post):
    spec = SITES[key]
    published = post.expected_published(TODAY)
    old = not post.published_is_relative and published is not None and (
        published < TODAY - timedelta(days=730))
    assert old == ("old_post" in post.audit)
    assert (post.word_count < 150) == ("thin" in post.audit)
    assert (published is None) == ("no_date" in post.audit)
    title = spec.title_tag(post)
    if title is not None and "title_too_long" not in post.seo and "title_too_short" not in post.seo:
        assert 30 <= len(title) <= 60, title
    desc = spec.meta_description(post)
    if desc is not None and not {"meta_description_too_long", "meta_description_too_short"} & set(post.seo):
        assert 70 <= len(desc) <= 155, desc
    if published is not None and not post.published_is_relative:
        assert published.tzinfo is not None
        assert post.published_source is not None and post.published_raw
    if post.published_source is DateSource.TEXT:
        assert post.published_raw and post.published_raw in (post.date_text or "")
    if post.clean:
        assert not post.malformed and post.declared_charset == post.served_charset


def test_duplicate_titles_and_descriptions_are_only_the_planted_ones():
    for key, spec in SITES.items():
        titles: dict[str, list[str]] = {}
        descs: dict[str, list[str]] = {}
        for post in spec.posts:
            if spec.title_tag(post):
                titles.setdefault(spec.title_tag(post), []).append(post.slug)
            if spec.meta_description(post):
                descs.setdefault(spec.meta_description(post), []).append(post.slug)
        for slugs in titles.values():
            assert (len(slugs) > 1) == all("title_duplicate" in spec.post(s).seo for s in slugs)
        for slugs in descs.values():
            assert (len(slugs) > 1) == all(
                "meta_description_duplicate" in spec.post(s).seo for s in slugs)


def test_relative_date_resolves_against_the_fetch_time():
    post = SITES["builder"].post("pediatric-physiotherapy-milestones")
    assert isinstance(post.published, RelativeDate)
    fetched = TODAY + timedelta(hours=15)
    assert post.expected_published(fetched) == fetched - timedelta(days=3)
    with pytest.raises(ValueError):
        post.expected_published()


def test_every_body_link_lands_somewhere_known():
    for key, spec in SITES.items():
        routes = render_site(key, BASE, OUT)
        for post in spec.posts:
            for href, _ in post.links():
                if href.startswith("outbound:"):
                    continue
                assert href in routes, (key, post.slug, href)


def test_deep_posts_are_deep():
    spec = SITES["builder"]
    for post in spec.posts:
        page = spec.listing_page_of(post)
        assert (page is not None and page >= 4) == ("deep_page" in post.seo), post.slug


def test_wp_pages_carry_the_planted_seo_faults():
    wp = SITES["wp"]

    def page(slug):
        return _page("wp", wp.post(slug).path)

    clean = page("physiotherapy-vs-physical-therapy")
    assert len(clean.xpath("//h1")) == 1
    assert clean.xpath("//link[@rel='canonical']/@href") == [BASE + wp.post(
        "physiotherapy-vs-physical-therapy").path]
    assert clean.xpath("//html/@lang") == ["en-CA"]
    assert clean.xpath("//figure/figcaption")
    assert clean.xpath("//time[@datetime]")
    assert not page("shockwave-therapy-plantar-fasciitis").xpath("//h1")
    assert len(page("sciatica-myths").xpath("//h1")) == 2
    assert page("winter-slips-falls").xpath("//title") == []
    assert page("concussion-baseline-testing").xpath(
        "//meta[@name='robots']/@content") == ["noindex, follow"]
    assert page("physiotherapie-retour-course-a-pied").xpath("//html/@lang") == ["fr-CA"]
    assert len(page("return-to-running-after-injury").xpath("//link[@hreflang]")) == 2
    og = page("registered-massage-therapy-direct-billing").xpath("//meta[starts-with(@property,'og:')]")
    assert [m.get("property") for m in og] == ["og:title"]
    import json

    graph = json.loads(page("running-injury-physiotherapy-guide").xpath(
        "//script[@type='application/ld+json']/text()")[0])["@graph"]
    article = next(node for node in graph if node["@type"] == "BlogPosting")
    assert not {"dateModified", "author", "image"} & set(article)
    tmj = page("tmj-jaw-exercises")
    assert tmj.xpath("//time[contains(@class,'published')]/@datetime")[0].startswith("2026-05-19")
    assert tmj.xpath("//meta[@property='article:published_time']/@content")[0].startswith(
        "2025-05-19")


def test_builder_and_plain_pages_have_no_metadata():
    builder = _page("builder", SITES["builder"].post("sciatica-exercises").path)
    assert not builder.xpath("//script[@type='application/ld+json']")
    assert not builder.xpath("//link[@rel='canonical']")
    assert not builder.xpath("//meta[starts-with(@property,'og:')]")
    assert builder.xpath("//*[@id='cookie-banner']")
    plain = _page("plain", SITES["plain"].post("sciatica-relief").path)
    assert not plain.xpath("//meta") and plain.xpath("//html/@lang") == []
    assert "© 2019" in plain.text_content()
    french = _page("plain", SITES["plain"].post("douleur-lombaire").path)
    assert french.xpath("//html/@lang") == ["fr"]
    assert "6 octobre 2022" in french.text_content()
