"""Crawl the sample clinic blogs over real HTTP and check every record against the
site's own description (sample_site/description.py): titles, dates with their source,
captions, teasers, and every planted failure."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.records import DateSource, Post, Redirect, WarningKind
from sample_site.description import SITES, DeadCard, RelativeDate

from conftest import CrawlResult

TZ = ZoneInfo("America/Edmonton")


def all_posts():
    return [(key, post) for key, site in SITES.items() for post in site.posts]


def post_id(param):
    return f"{param[0]}:{param[1].slug}" if isinstance(param, tuple) else str(param)


def url_of(sample_site, key: str, post) -> str:
    return SITES[key].post_url(sample_site.base[key], post)


@pytest.fixture(scope="module")
def crawl(site_crawl: CrawlResult) -> CrawlResult:
    return site_crawl


# -- posts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", all_posts(), ids=post_id)
def test_every_post_is_recorded_with_its_title_and_dates(case, crawl, sample_site):
    key, spec = case
    post = crawl.posts.get(url_of(sample_site, key, spec))
    assert post is not None, f"{spec.slug} not recorded; got {sorted(crawl.posts)}"
    # the headline shown on the post; the SEO <title> as served stays in meta.title_tag
    assert post.title == spec.title
    assert post.meta.title_tag == SITES[key].title_tag(spec)
    assert post.site == sample_site.base[key].rstrip("/")

    if spec.published is None:
        assert post.published is None
        assert post.published_source is None
    elif isinstance(spec.published, RelativeDate):
        fetched = post.fetch.fetched_at
        assert post.published.astimezone(TZ).date() == spec.expected_published(fetched).date()
        assert post.published_source == DateSource.TEXT
        assert post.published_raw == spec.published_raw
    else:
        assert post.published == spec.published, (post.published, post.published_raw)
        assert post.published.tzinfo is not None
        assert post.published_source == spec.published_source
        # the raw text is the date itself; the page may print a word before it ("Posted")
        assert post.published_raw and post.published_raw in spec.published_raw
    if spec.modified is not None:
        assert post.modified == spec.modified
        assert post.modified_source == spec.modified_source


@pytest.mark.parametrize("case", all_posts(), ids=post_id)
def test_warnings_are_exactly_the_planted_ones(case, crawl, sample_site):
    key, spec = case
    post = crawl.posts[url_of(sample_site, key, spec)]
    assert {w.kind for w in post.warnings} == set(spec.warnings), [w.message for w in post.warnings]


@pytest.mark.parametrize("case", all_posts(), ids=post_id)
def test_author_terms_and_images(case, crawl, sample_site):
    key, spec = case
    post = crawl.posts[url_of(sample_site, key, spec)]
    if spec.author:
        assert post.author == spec.author
    assert set(spec.categories) <= set(post.categories)
    assert set(spec.tags) <= set(post.tags)
    for image in spec.images:
        found = [i for i in post.images if i.src.endswith(image.src)]
        assert found, f"{image.src} missing from {[i.src for i in post.images]}"
        assert found[0].alt == image.alt
        assert found[0].caption == image.caption
    assert post.word_count > 0
    assert post.content_hash


def test_language_of_french_posts(crawl, sample_site):
    french = [(k, p) for k, p in all_posts() if p.lang == "fr"]
    assert french
    for key, spec in french:
        assert crawl.posts[url_of(sample_site, key, spec)].language == "fr"


def test_body_excludes_site_chrome(crawl, sample_site):
    """Navigation, cookie banners, widgets and footers are not part of a post's text."""
    for key, spec in all_posts():
        post = crawl.posts[url_of(sample_site, key, spec)]
        clinic = SITES[key].clinic
        assert clinic.address not in post.body, spec.slug
        for other in SITES[key].posts:
            if other is not spec and other.summary not in spec.body_text():
                # a recent-posts card's one-liner never leaks into the post's body
                assert other.summary not in post.body, (spec.slug, other.slug)


def test_post_record_keys_are_the_interface(crawl):
    posts = [json.loads(l) for l in crawl.output.read_text().splitlines() if '"type":"post"' in l]
    record = next(p for p in posts if p["images"] and p["published"])
    for key in ("type", "url", "title", "published", "modified", "author", "summary", "body",
                "word_count", "images", "warnings"):
        assert key in record
    assert set(record["images"][0]) >= {"src", "alt", "caption"}
    assert datetime.fromisoformat(record["published"]).tzinfo is not None


# -- listing pages ---------------------------------------------------------------------------


def test_teasers_match_the_listing_cards(crawl, sample_site):
    for key, site in SITES.items():
        base = sample_site.base[key]
        for page_no, (path, entries) in enumerate(site.listing_pages(), 1):
            listing_url = base.rstrip("/") + path
            # cards for planted failures (an empty page, a binary one) are not posts
            failing = set(site.error_urls(base)) - {base.rstrip("/") + c.path for c in site.dead_cards}
            teasers = sorted((t for t in crawl.teasers
                              if t.listing_url == listing_url and t.url not in failing),
                             key=lambda t: t.position)
            assert len(teasers) == len(entries), (listing_url, [t.url for t in teasers])
            for teaser, entry in zip(teasers, entries):
                if isinstance(entry, DeadCard):
                    assert teaser.url == base.rstrip("/") + entry.path
                    assert teaser.title == entry.title
                    continue
                assert teaser.url == site.post_url(base, entry)
                assert teaser.title == (entry.teaser_title or entry.title)
                if key != "plain":  # the hand-written list shows titles and dates only
                    assert teaser.summary == entry.summary
                if entry.hero is not None:
                    assert teaser.caption in (entry.hero.alt, entry.hero.caption)
                shown = entry.teaser_date_text or entry.date_text
                # where the page's own dates disagree the card shows the byline's, not the truth
                if shown and entry.published is not None and not entry.teaser_date_text \
                        and not isinstance(entry.published, RelativeDate) \
                        and WarningKind.DATES_DISAGREE not in entry.warnings:
                    assert teaser.published is not None
                    assert teaser.published.astimezone(TZ).date() == entry.published.astimezone(TZ).date()


# -- planted failures ------------------------------------------------------------------------


def test_every_planted_failure_is_a_crawl_error(crawl, sample_site):
    got = {e.url: e.reason for e in crawl.errors}
    for key, site in SITES.items():
        base = sample_site.base[key].rstrip("/")
        loops = [r.path for r in site.routes if r.reason == "redirect_loop"]
        for url, reason in site.error_urls(base).items():
            if reason == "redirect_loop":
                continue  # a loop is one error, at whichever of its addresses was linked
            assert got.get(url) == reason, (url, reason, got.get(url))
        if loops:
            assert [u for u in got if u in {base + p for p in loops} and got[u] == "redirect_loop"]
    for error in crawl.errors:
        assert error.reason and error.message
        assert error.referrer, f"{error.url} has no referrer"


def test_redirects_are_recorded(crawl, sample_site):
    redirects = {r.url: r for r in crawl.records if isinstance(r, Redirect)}
    for key, site in SITES.items():
        base = sample_site.base[key].rstrip("/")
        for route in site.routes:
            if route.kind != "redirect" or route.reason or route.path.endswith(".xml"):
                continue
            chain = site.redirect_chain(route.path)
            if route.path not in [r.path for r in site.routes if r.kind == "redirect"][:1] and \
                    any(route.path == c for r in site.routes for c in site.redirect_chain(r.path)[1:]):
                continue  # an intermediate hop of another planted chain
            record = redirects.get(base + route.path)
            assert record is not None, f"{route.path} not recorded; have {sorted(redirects)}"
            assert record.target == base + chain[-1]
            assert record.chain == [base + p for p in chain[:-1]]
            assert all(300 <= s < 400 for s in record.statuses)


def test_tracking_parameters_do_not_duplicate_posts(crawl):
    assert not [u for u in crawl.posts if "utm_" in u]
    urls = [r.url for r in crawl.records if isinstance(r, Post)]
    assert len(urls) == len(set(urls))


def test_counts_in_summary_match_records(crawl):
    s = crawl.summary
    assert s["posts"] == len(crawl.posts) == sum(len(site.posts) for site in SITES.values())
    assert s["teasers"] == len(crawl.teasers)
    assert s["errors"] == len(crawl.errors)
    assert s["sitemap_entries"] == len(crawl.sitemap)
    assert s["finish_reason"] == "finished"
    assert sum(s["errors_by_reason"].values()) == s["errors"]
    for kind, count in s["warnings_by_kind"].items():
        assert count == sum(1 for p in crawl.posts.values() for w in p.warnings if w.kind.value == kind)
    assert "Crawl summary" in crawl.stdout and "pages/s" in crawl.stdout


def test_orphan_found_through_sitemap_and_depths(crawl, sample_site):
    for key, site in SITES.items():
        for spec in site.posts:
            post = crawl.posts[url_of(sample_site, key, spec)]
            if not spec.listed:
                assert post.fetch.found_via == "sitemap"
                assert post.fetch.depth is None
            else:
                assert post.fetch.found_via in ("link", "start")
                assert post.fetch.depth is not None and post.fetch.depth >= 1
            if site.listing_page_of(spec) == 1:
                assert post.fetch.depth == 1, (spec.slug, post.fetch.depth)  # one click from the start
            if "deep_page" in spec.seo:
                assert post.fetch.depth >= 4, (spec.slug, post.fetch.depth)


def test_sitemap_entries_and_lastmod(crawl, sample_site):
    listed = {e.url for e in crawl.sitemap}
    for key, site in SITES.items():
        base = sample_site.base[key].rstrip("/")
        for path in site.sitemap_paths():
            assert base + path in listed
        for spec in site.posts:
            post = crawl.posts[base + spec.path]
            if spec.in_sitemap and not isinstance(spec.published, RelativeDate):
                expected = site.sitemap_lastmod(spec)
                if expected is not None:
                    assert post.fetch.sitemap_lastmod is not None
                    assert post.fetch.sitemap_lastmod.date() == expected.date()


def test_robots_txt_is_obeyed_and_files_are_not_fetched(crawl, sample_site):
    assert crawl.summary["robots_disallowed"] >= 1
    for key in SITES:
        log = json.loads(urllib.request.urlopen(sample_site.base[key] + "/__requests__", timeout=5).read())
        paths = [entry if isinstance(entry, str) else entry.get("path", "") for entry in log]
        assert not [p for p in paths if p.startswith("/private/")], paths
        assert not [p for p in paths if p.endswith(".pdf")]
    assert not [u for u in crawl.posts if "/private/" in u]


def test_pdf_links_are_recorded_on_the_post(crawl):
    assert any(link.href.endswith(".pdf") for post in crawl.posts.values() for link in post.links)


def test_fetch_facts(crawl):
    for post in crawl.posts.values():
        assert post.fetch.status == 200
        assert post.fetch.fetched_at is not None
        assert post.fetch.bytes > 0
        assert post.fetch.response_time_ms is not None


def test_x_robots_tag_header_is_recorded(crawl, sample_site):
    for key, spec in all_posts():
        if spec.head.x_robots_tag:
            post = crawl.posts[url_of(sample_site, key, spec)]
            assert "noindex" in post.meta.x_robots_tag


# -- the other ways in --------------------------------------------------------------------


def test_scrapy_crawl_gives_the_same_posts(crawl, sample_site, tmp_path):
    """`scrapy crawl blog -a start_url=URL` from the project folder reads settings.py too."""
    import subprocess
    import sys

    from conftest import LOCAL_CRAWL_SETTINGS, ROOT

    out = tmp_path / "plain.jsonl"
    # extraction in the crawl's own process here; `needle crawl` above used a worker
    args = [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"start_url={sample_site.urls['plain']}",
            "-O", str(out), "-s", "LOG_LEVEL=WARNING", "-s", "NEEDLE_EXTRACT_WORKERS=0"]
    for name, value in LOCAL_CRAWL_SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    from crawler.records import parse_record

    records = [parse_record(line) for line in out.read_text().splitlines()]
    got = {r.url: r for r in records if isinstance(r, Post)}
    base = sample_site.base["plain"]
    expected = {u: p for u, p in crawl.posts.items() if u.startswith(base)}
    assert set(got) == set(expected)
    for url, post in got.items():
        assert post.content_hash == expected[url].content_hash


def test_extract_command_matches_the_spider(crawl, sample_site, tmp_path):
    """`needle extract FILE --url URL` runs exactly the spider's extraction."""
    from conftest import run_needle

    spec = SITES["wp"].post("tmj-jaw-exercises")
    url = url_of(sample_site, "wp", spec)
    page = tmp_path / "page.html"
    page.write_bytes(urllib.request.urlopen(url, timeout=5).read())
    crawled = crawl.posts[url]
    proc = run_needle("extract", str(page), "--url", url, "--timezone", "America/Edmonton",
                      "--fetched-at", crawled.fetch.fetched_at.isoformat())
    post = Post.model_validate_json(proc.stdout)
    assert post.title == crawled.title
    assert post.published == crawled.published
    assert post.body == crawled.body
    assert [w.kind for w in post.warnings] == [w.kind for w in crawled.warnings]

    stdin = run_needle("extract", "-", "--url", url, input=page.read_text())
    assert Post.model_validate_json(stdin.stdout).title == spec.title


def test_extract_command_without_url_uses_the_pages_canonical(crawl, sample_site, tmp_path):
    """A saved page needs no --url when it names its own address: the wp flavour's
    canonical link gives the spider's record, link for link, and nothing is warned."""
    from conftest import run_needle

    spec = SITES["wp"].post("tmj-jaw-exercises")
    url = url_of(sample_site, "wp", spec)
    page = tmp_path / "saved.html"
    page.write_bytes(urllib.request.urlopen(url, timeout=5).read())
    crawled = crawl.posts[url]
    proc = run_needle("extract", str(page), "--timezone", "America/Edmonton",
                      "--fetched-at", crawled.fetch.fetched_at.isoformat())
    post = Post.model_validate_json(proc.stdout)
    assert post.url == crawled.url
    assert (post.title, post.published, post.body) == (crawled.title, crawled.published, crawled.body)
    assert post.links == crawled.links
    assert proc.stderr == ""


def test_extract_command_without_url_uses_og_url_then_the_files_uri(tmp_path):
    """No canonical: og:url. Neither: the file's own URI, with a warning on stderr; from
    stdin, /dev/stdin's. Every case exits 0 with a record."""
    from conftest import run_needle

    body = ("<p>Heel pain that lingers past six weeks deserves a proper assessment and a plan.</p>"
            '<p><a href="/blog/plantar-fasciitis">Plantar fasciitis</a> is the usual cause.</p>')
    with_og = tmp_path / "og.html"
    with_og.write_text('<html><head><meta property="og:url" content="https://clinic.example/blog/heel-pain">'
                       f"</head><body><article><h1>Heel Pain</h1>{body}</article></body></html>")
    proc = run_needle("extract", str(with_og))
    post = Post.model_validate_json(proc.stdout)
    assert (post.url, post.site) == ("https://clinic.example/blog/heel-pain", "https://clinic.example")
    assert "https://clinic.example/blog/plantar-fasciitis" in [link.href for link in post.links]
    assert proc.stderr == ""

    bare = tmp_path / "bare page.html"
    bare.write_text(f"<html><body><article><h1>Heel Pain</h1>{body}</article></body></html>")
    proc = run_needle("extract", str(bare))
    post = Post.model_validate_json(proc.stdout)
    assert post.url == bare.resolve().as_uri()
    assert post.url.startswith("file:///") and "bare%20page.html" in post.url
    assert post.title == "Heel Pain"
    assert "no canonical link or og:url" in proc.stderr and bare.resolve().as_uri() in proc.stderr

    proc = run_needle("extract", "-", input=bare.read_text())
    assert Post.model_validate_json(proc.stdout).url == "file:///dev/stdin"
    assert "file:///dev/stdin" in proc.stderr


def test_extract_command_rejects_a_bad_fetch_time(tmp_path):
    from conftest import run_needle

    page = tmp_path / "p.html"
    page.write_text("<html><body><h1>x</h1></body></html>")
    proc = run_needle("extract", str(page), "--url", "http://127.0.0.1/x", "--fetched-at", "yesterday",
                      check=False)
    assert proc.returncode == 2
    assert "ISO 8601" in proc.stderr


def test_unreachable_site_is_a_crawl_error_not_a_crash(tmp_path):
    """Nothing listens on the port: the start page is recorded as an error, exit status 1."""
    import socket

    from conftest import LOCAL_CRAWL_SETTINGS, run_needle

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "r.jsonl"
    args = ["crawl", f"http://127.0.0.1:{port}/blog/", "-o", str(out), "--no-index"]
    for name, value in LOCAL_CRAWL_SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    proc = run_needle(*args, check=False)
    assert proc.returncode == 1
    from crawler.records import parse_record

    errors = [parse_record(l) for l in out.read_text().splitlines()]
    assert [(e.type, e.reason) for e in errors] == [("error", "connection_refused")]


def test_progress_line_when_asked(sample_site, tmp_path):
    """The live line goes to stderr (on a terminal by default; forced on here)."""
    from conftest import LOCAL_CRAWL_SETTINGS, run_needle

    args = ["crawl", sample_site.urls["plain"], "--no-index", "-s", "NEEDLE_PROGRESS=on"]
    for name, value in LOCAL_CRAWL_SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    proc = run_needle(*args)
    last = [line for line in proc.stderr.splitlines() if "pages/s" in line][-1]
    assert int(last.split("posts")[1].split()[0]) == len(SITES["plain"].posts)


def test_interrupted_crawl_resumes_from_its_jobdir(sample_site, tmp_path):
    """Stopped by the page limit, then resumed: together the two runs record every post once."""
    from conftest import LOCAL_CRAWL_SETTINGS, run_needle
    from crawler.records import parse_record

    out, jobdir = tmp_path / "r.jsonl", tmp_path / "job"
    args = ["crawl", sample_site.urls["wp"], "-o", str(out), "--no-index", "--jobdir", str(jobdir),
            "--summary-json", str(tmp_path / "s.json"), "-s", "CONCURRENT_REQUESTS=1"]
    for name, value in LOCAL_CRAWL_SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    run_needle(*args, "--max-pages", "14")
    first = json.loads((tmp_path / "s.json").read_text())
    assert first["finish_reason"] == "closespider_pagecount"
    posts_first = [r for r in map(parse_record, out.read_text().splitlines()) if isinstance(r, Post)]
    assert 0 < len(posts_first) < len(SITES["wp"].posts)

    run_needle(*args)
    assert json.loads((tmp_path / "s.json").read_text())["finish_reason"] == "finished"
    posts = [r.url for r in map(parse_record, out.read_text().splitlines()) if isinstance(r, Post)]
    expected = {SITES["wp"].post_url(sample_site.base["wp"], p) for p in SITES["wp"].posts}
    assert set(posts) == expected
    assert len(posts) == len(set(posts))


def test_pages_over_the_size_limit_are_crawl_errors(sample_site, tmp_path):
    from conftest import LOCAL_CRAWL_SETTINGS, run_needle
    from crawler.records import CrawlError, parse_record

    out = tmp_path / "r.jsonl"
    args = ["crawl", sample_site.urls["wp"], "-o", str(out), "--no-index", "-s", "DOWNLOAD_MAXSIZE=2000"]
    for name, value in LOCAL_CRAWL_SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    run_needle(*args)
    errors = [r for r in map(parse_record, out.read_text().splitlines()) if isinstance(r, CrawlError)]
    start = sample_site.urls["wp"]
    assert [e.reason for e in errors if e.url == start] == ["too_large"]
    assert "size limit" in next(e.message for e in errors if e.url == start)


def test_contact_and_team_pages_are_recorded_with_the_clinics_facts(crawl, sample_site):
    """The audit learns the clinic's current details and staff from these pages."""
    from crawler.extract import normalize_phone
    from crawler.records import PageRole, SitePage

    pages = [r for r in crawl.records if isinstance(r, SitePage)]
    assert len(pages) == crawl.summary["site_pages"]
    for key, site in SITES.items():
        base = sample_site.base[key].rstrip("/")
        by_url = {p.url: p for p in pages}
        contact = by_url[base + site.pages["contact"]]
        assert contact.role == PageRole.CONTACT
        assert normalize_phone(site.clinic.phone) in contact.body_contacts.phones
        team = by_url[base + site.pages["team"]]
        assert team.role == PageRole.TEAM
        names = " ".join(h.text for h in team.headings)
        for member in site.clinic.staff:
            assert member.name in names
        for former in site.clinic.former_staff:
            assert former not in names
        assert by_url[base + site.pages["home"]].role == PageRole.HOME
    assert not [p for p in pages if "/private/" in p.url]


def test_the_index_holds_every_record_of_the_crawl(crawl):
    """Search, the audit and the SEO report read the crawl back from the index."""
    from indexer.store import load_records

    def key(r):
        return (r.type, r.url, getattr(r, "listing_url", ""), getattr(r, "position", 0))

    stored = load_records(crawl.index)
    assert sorted(map(key, stored)) == sorted(map(key, crawl.records))


def test_a_sitemap_index_that_lists_itself_does_not_loop(tmp_path):
    """A real-world misconfiguration: the crawl reads each sitemap once and goes on."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from conftest import LOCAL_CRAWL_SETTINGS, run_needle
    from crawler.records import parse_record

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    site = tmp_path / "site"
    (site / "blog").mkdir(parents=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (site / "robots.txt").write_text(f"User-agent: *\nSitemap: {base}/sitemap.xml\n")
    (site / "sitemap.xml").write_text(
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/sitemap.xml</loc></sitemap><sitemap><loc>{base}/posts.xml</loc></sitemap>"
        "</sitemapindex>")
    (site / "posts.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}/blog/knee-pain.html</loc><lastmod>2025-03-01</lastmod></url></urlset>")
    (site / "blog" / "index.html").write_text("<html><body><h1>Blog</h1></body></html>")
    (site / "blog" / "knee-pain.html").write_text(
        '<html lang="en"><head><title>Knee pain after running</title>'
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2025-03-01T09:00:00-07:00"></head>'
        "<body><article><h1>Knee pain after running</h1>"
        + "<p>Runners often feel a dull ache around the kneecap after long runs.</p>" * 20
        + "</article></body></html>")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        out = tmp_path / "r.jsonl"
        args = ["crawl", base + "/blog/", "-o", str(out), "--no-index"]
        for name, value in LOCAL_CRAWL_SETTINGS.items():
            args += ["-s", f"{name}={value}"]
        run_needle(*args, timeout=60)
    finally:
        server.shutdown()
        server.server_close()
    posts = [r for r in map(parse_record, out.read_text().splitlines()) if isinstance(r, Post)]
    assert [p.url for p in posts] == [base + "/blog/knee-pain.html"]
    assert posts[0].fetch.found_via == "sitemap"
    assert posts[0].fetch.sitemap_lastmod is not None


def test_a_page_that_breaks_extraction_is_a_crawl_error(sample_site, tmp_path):
    """A bad per-site selector makes extraction raise: the page is recorded, the crawl goes on."""
    from conftest import LOCAL_CRAWL_SETTINGS, run_needle
    from crawler.records import CrawlError, parse_record

    host = sample_site.urls["plain"].split("/")[2]
    out = tmp_path / "r.jsonl"
    args = ["crawl", sample_site.urls["plain"], "-o", str(out), "--no-index",
            "-s", "NEEDLE_SITE_SELECTORS=" + json.dumps({host: {"body": "p[[["}})]
    for name, value in LOCAL_CRAWL_SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    run_needle(*args)
    errors = [r for r in map(parse_record, out.read_text().splitlines()) if isinstance(r, CrawlError)]
    broken = [e for e in errors if e.reason == "extraction_error"]
    assert broken and all(e.message for e in broken)


def test_crawl_from_a_sitemap(sample_site, tmp_path):
    """Given the sitemap instead of the front page, every post it lists is crawled."""
    from conftest import LOCAL_CRAWL_SETTINGS, run_needle
    from crawler.records import parse_record

    site = SITES["wp"]
    out = tmp_path / "r.jsonl"
    args = ["crawl", sample_site.base["wp"] + site.sitemap_path, "-o", str(out), "--no-index"]
    for name, value in LOCAL_CRAWL_SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    run_needle(*args)
    posts = {r.url: r for r in map(parse_record, out.read_text().splitlines()) if isinstance(r, Post)}
    expected = {site.post_url(sample_site.base["wp"], p) for p in site.posts if p.in_sitemap}
    assert expected <= set(posts)
    assert {posts[u].fetch.found_via for u in expected} == {"sitemap"}


def test_per_site_page_limit_stops_a_site_and_prunes_nothing(sample_site, tmp_path):
    """A site that reaches its page limit gets no more requests; the index, built by a full
    crawl before, keeps every post (a partial crawl cannot tell which posts are gone)."""
    from conftest import LOCAL_CRAWL_SETTINGS, run_needle
    from indexer.store import load_posts

    index = tmp_path / "index"
    base = ["crawl", sample_site.urls["wp"], "--index", str(index)]
    for name, value in LOCAL_CRAWL_SETTINGS.items():
        base += ["-s", f"{name}={value}"]
    run_needle(*base)
    full = {p.url for p in load_posts(index)}
    assert len(full) == len(SITES["wp"].posts)

    summary = tmp_path / "s.json"
    proc = run_needle(*base, "--summary-json", str(summary), "-s", "NEEDLE_MAX_PAGES_PER_SITE=8")
    capped = json.loads(summary.read_text())
    assert capped["finish_reason"] == "finished"
    assert capped["skipped_at_site_limit"] > 0
    assert capped["posts"] < len(full)
    assert "per-site page limit" in proc.stdout
    assert {p.url for p in load_posts(index)} == full
