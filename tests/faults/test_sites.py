"""Many clinics in one index: a sites file crawled at once, `needle sites`, and the reports
of one site; a bad sites file crawls nothing."""

from __future__ import annotations

import json

import pytest
from blogsite import BlogSite
from conftest import LOCAL_CRAWL_SETTINGS, run_needle

from crawler.sites import SitesFileError, load_sites
from indexer.store import load_posts


def _settings() -> list[str]:
    return [arg for name, value in LOCAL_CRAWL_SETTINGS.items() for arg in ("-s", f"{name}={value}")]


def test_a_sites_file_crawls_every_clinic_with_its_own_options(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=4) as north, BlogSite(posts=6) as south:
        north.lastmod = south.lastmod = "2024-05-01"  # date-only: read in each site's zone
        sites = tmp_path / "sites.toml"
        sites.write_text(f"""
[[site]]
label = "North Physio"
start = "{north.url}"
timezone = "America/Halifax"

[[site]]
label = "South Physio"
start = ["{south.url}"]
max_pages = 4
delay = 0
""", encoding="utf-8")
        records = tmp_path / "records.jsonl"
        crawled = run_needle("crawl", "--sites", str(sites), "--index", str(index), "-o", str(records),
                             *_settings(), timeout=180)
        listed = json.loads(run_needle("sites", "--index", str(index), "--format", "json", timeout=60).stdout)
        table = run_needle("sites", "--index", str(index), timeout=60).stdout
        north_audit = json.loads(run_needle("audit", "--index", str(index), "--site", north.root,
                                            "--no-check-links", "--format", "json", timeout=120).stdout)
        south_seo = json.loads(run_needle("seo", "--index", str(index), "--site", south.root.split("//")[1],
                                          "--format", "json", timeout=120).stdout)
        nowhere = run_needle("audit", "--index", str(index), "--site", "elsewhere.example", "--no-check-links",
                             check=False, timeout=60)

    posts = load_posts(index)
    assert crawled.returncode == 0
    assert sorted(p.url for p in posts if p.site == north.root) == [north.post_url(n) for n in range(1, 5)]
    # south's page limit (4 pages: robots.txt and sitemaps aside) left some posts out
    assert 0 < len([p for p in posts if p.site == south.root]) < 6
    lastmods = {row["url"].split("/blog/")[0]: row["lastmod"] for row in map(json.loads, records.read_text().splitlines())
                if row["type"] == "sitemap" and row.get("lastmod")}
    # a date without a zone is read in the site's own: north's file entry, south's the setting's
    assert lastmods[north.root] == "2024-05-01T00:00:00-03:00" and lastmods[south.root] == "2024-05-01T00:00:00-06:00"
    by_site = {row["site"]: row for row in listed}
    assert by_site[north.root]["label"] == "North Physio" and by_site[south.root]["label"] == "South Physio"
    assert by_site[north.root]["posts"] == 4 and by_site[north.root]["last_crawl"]["complete"] is True
    assert "North Physio" in table and "South Physio" in table
    assert {row["url"].split("/blog/")[0] for row in north_audit if row["scope"] == "post"} == {north.root}
    assert {f["url"].split("/blog/")[0] for f in south_seo["findings"] if "/blog/" in f["url"]} == {south.root}
    assert nowhere.returncode == 2 and "needle sites" in nowhere.stderr


@pytest.mark.parametrize("text, message", [
    ('[[site]]\nlabel = "North"\nstart = "ftp://x.example/"\n', "site 1 ('North'): start: 'ftp://x.example/' is not an http(s) address"),
    ('[[site]]\nstart = "https://a.example/blog/"\ntimezone = "Mars/Base"\n', "site 1: timezone: 'Mars/Base' is not a time zone name"),
    ('[[site]]\nstart = "https://a.example/"\n[[site]]\nlabel = "B"\nstart = "https://b.example/"\nmax_pages = 0\n',
     "site 2 ('B'): max_pages: Input should be greater than 0"),
    ('[[site]]\nstart = "https://a.example/"\nproxy = "x"\n', "site 1: proxy: not a site option"),
    ('[[site]]\nstart = "https://a.example/"\nselectors = { price = ".p" }\n', "selectors: 'price' is not one of"),
    ('[[site]]\nlabel = "A"\nstart = "https://a.example/"\n[[site]]\nlabel = "B"\nstart = "https://a.example/x/"\n',
     "host 'a.example' is in two sites ('A' and 'B')"),
    ('[[site]\n', "not valid TOML"),
])
def test_a_bad_sites_file_names_the_site_and_the_field(tmp_path, text, message):
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SitesFileError) as caught:
        load_sites(path)
    assert message in str(caught.value)


def test_a_plain_list_of_start_urls_is_a_sites_file(tmp_path):
    path = tmp_path / "sites.txt"
    path.write_text("# our clinics\nhttps://a.example/blog/\n\nhttps://b.example/news/  # the new one\n", encoding="utf-8")
    assert [s.start for s in load_sites(path)] == [["https://a.example/blog/"], ["https://b.example/news/"]]
    path.write_text("https://a.example/blog/\nnot a url\n", encoding="utf-8")
    with pytest.raises(SitesFileError, match="line 2: start: 'not a url' is not an http"):
        load_sites(path)


def test_a_bad_sites_file_crawls_nothing(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=2) as site:
        sites = tmp_path / "sites.toml"
        sites.write_text(f'[[site]]\nstart = "{site.url}"\n[[site]]\nlabel = "Bad"\nstart = "{site.url}x/"\ndelay = -1\n',
                         encoding="utf-8")
        proc = run_needle("crawl", "--sites", str(sites), "--index", str(index), *_settings(), check=False, timeout=60)
        hits = list(site.hits)
    assert proc.returncode == 2 and "site 2 ('Bad'): delay" in proc.stderr
    assert hits == [] and not index.exists()


def test_the_agency_page_shows_every_site_side_by_side(tmp_path):
    from browser import chrome
    from selenium.webdriver.common.by import By

    index = tmp_path / "index"
    with BlogSite(posts=3) as north, BlogSite(posts=5) as south:
        sites = tmp_path / "sites.txt"
        sites.write_text(f"{north.url}\n{south.url}\n", encoding="utf-8")
        run_needle("crawl", "--sites", str(sites), "--index", str(index), *_settings(), timeout=180)
        page = tmp_path / "agency.html"
        run_needle("sites", "--index", str(index), "--format", "html", "-o", str(page), timeout=120)
        south_seo = json.loads(run_needle("seo", "--index", str(index), "--site", south.root, "--format", "json",
                                          "--no-compare", timeout=120).stdout)

    with chrome() as driver:
        driver.get(page.as_uri())
        rows = {r.get_attribute("data-site"): r for r in driver.find_elements(By.CSS_SELECTOR, "tr.site-row")}
        posts = {site: int(r.find_elements(By.CSS_SELECTOR, "td.num")[0].text) for site, r in rows.items()}
        seo_scores = {site: int(r.get_attribute("data-seo-score")) for site, r in rows.items()}
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert posts == {north.root: 3, south.root: 5}
    assert seo_scores[south.root] == south_seo["summary"]["score"]  # the same figure as the site's own report
    assert errors == []


def test_search_and_a_locked_search_box_keep_to_one_site(tmp_path):
    """Two clinics in one index: `needle search --site` and `needle serve --site` show one
    clinic's posts only, and the locked service refuses to search the other."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from conftest import ROOT

    index = tmp_path / "index"
    with BlogSite(posts=3) as north, BlogSite(posts=4) as south:
        north.titles[2] = "Post 2: Kinesiology taping care"  # a word only the north clinic uses
        sites = tmp_path / "sites.txt"
        sites.write_text(f"{north.url}\n{south.url}\n", encoding="utf-8")
        run_needle("crawl", "--sites", str(sites), "--index", str(index), *_settings(), timeout=180)

    both = json.loads(run_needle("search", "physiotherapy", "--index", str(index), "--json", "--per-page", "20").stdout)
    north_only = json.loads(run_needle("search", "physiotherapy", "--index", str(index), "--json", "--per-page", "20",
                                       "--site", north.root.split("//")[1]).stdout)
    assert {h["url"].split("/blog/")[0] for h in both["hits"]} == {north.root, south.root}
    assert {h["url"].split("/blog/")[0] for h in north_only["hits"]} == {north.root} and north_only["total"] == 3
    related = json.loads(run_needle("related", north.post_url(1), "--index", str(index), "--json",
                                    "--site", north.root).stdout)
    assert related and {p["url"].split("/blog/")[0] for p in related} == {north.root}

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--index", str(index), "--port", str(port),
                               "--site", south.root, "--log-level", "warning"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/health", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        answer = json.loads(urllib.request.urlopen(f"{base}/api/search?q=physiotherapy&per_page=20", timeout=30).read())
        page = urllib.request.urlopen(f"{base}/?q=physiotherapy", timeout=30).read().decode()
        try:
            urllib.request.urlopen(f"{base}/api/search?q=physiotherapy&site={north.root}", timeout=30)
            refused = None
        except urllib.error.HTTPError as exc:
            refused = (exc.code, exc.read().decode())
        def suggested(query: str) -> list[str]:
            return json.loads(urllib.request.urlopen(f"{base}/api/suggest?q={query}", timeout=30).read())

        own_words, foreign_words = suggested("car"), suggested("kinesi")
        typo_answer = json.loads(urllib.request.urlopen(f"{base}/api/search?q=kinesiolgy", timeout=30).read())
        try:
            urllib.request.urlopen(f"{base}/api/related?url={north.post_url(1)}", timeout=30)
            foreign = None
        except urllib.error.HTTPError as exc:
            foreign = exc.code
    finally:
        server.terminate()
        server.wait(15)
    assert {h["url"].split("/blog/")[0] for h in answer["hits"]} == {south.root} and answer["total"] == 4
    assert south.post_url(1) in page and north.post_url(1) not in page
    assert refused is not None and refused[0] == 400 and "serves" in refused[1]
    assert foreign == 404  # the other clinic's post is not in this search box
    # suggestions as the visitor types: this clinic's words only
    assert "care" in own_words and foreign_words == []
    from search import search, suggest

    assert suggest(index, "kinesi") == ["kinesiology"]  # the whole index knows it
    assert suggest(index, "kinesi", site=north.root) == ["kinesiology"]
    # "did you mean" too: a typo is corrected to one of the site's own words only
    assert typo_answer["suggestion"] is None and typo_answer["total"] == 0
    assert search(index, "kinesiolgy").suggestion == "kinesiology"
    assert search(index, "kinesiolgy", site=north.root).suggestion == "kinesiology"
    assert search(index, "kinesiolgy", site=south.root).suggestion is None


def test_a_site_that_is_down_loses_nothing_and_the_others_still_crawl(tmp_path):
    index = tmp_path / "index"
    sites = tmp_path / "sites.txt"
    with BlogSite(posts=3) as up:
        with BlogSite(posts=4) as down:
            sites.write_text(f"{up.url}\n{down.url}\n", encoding="utf-8")
            run_needle("crawl", "--sites", str(sites), "--index", str(index), *_settings(), timeout=180)
            before = sorted(p.url for p in load_posts(index))
            down_root, down_posts = down.root, [down.post_url(n) for n in range(1, 5)]
        up.posts = 4  # the site that is up has a new post
        proc = run_needle("crawl", "--sites", str(sites), "--index", str(index), *_settings(), check=False,
                          timeout=180)
        listed = {row["site"]: row for row in json.loads(
            run_needle("sites", "--index", str(index), "--format", "json", timeout=60).stdout)}

    after = sorted(p.url for p in load_posts(index))
    # exit 4: the circuit breaker names the down site, so a scheduled run shows it failed
    assert proc.returncode == 4 and down_root in proc.stderr and "nothing was removed" in proc.stderr
    assert set(down_posts) <= set(before) and set(down_posts) <= set(after)  # nothing of the down site lost
    assert up.post_url(4) in after  # the other site was crawled
    assert listed[down_root]["posts"] == 4 and listed[down_root]["missing"] == 0


def test_autothrottle_keeps_a_sites_own_delay(tmp_path):
    """AutoThrottle lowers a host's delay after fast answers, but never below the delay the
    sites file gives that site (Scrapy's own floor is DOWNLOAD_DELAY, the same for all)."""
    delay = 0.4
    with BlogSite(posts=8) as site:
        sites = tmp_path / "sites.toml"
        sites.write_text(f'[[site]]\nstart = "{site.url}"\ndelay = {delay}\nconcurrency = 1\n', encoding="utf-8")
        throttled = {**LOCAL_CRAWL_SETTINGS, "AUTOTHROTTLE_ENABLED": "true", "AUTOTHROTTLE_START_DELAY": "0.01",
                     "DOWNLOAD_DELAY": "0.01", "RANDOMIZE_DOWNLOAD_DELAY": "false"}
        run_needle("crawl", "--sites", str(sites), "--index", str(tmp_path / "index"),
                   *[arg for name, value in throttled.items() for arg in ("-s", f"{name}={value}")], timeout=180)
        starts = sorted(t for t, _ in site.starts)

    assert sorted(p.url for p in load_posts(tmp_path / "index")) == sorted(site.post_url(n) for n in range(1, 9))
    gaps = [round(b - a, 3) for a, b in zip(starts, starts[1:])]
    assert len(gaps) >= 10 and min(gaps) >= delay - 0.05, gaps


def test_each_sites_politeness_is_keyed_as_scrapy_keys_its_download_slots(tmp_path):
    """DOWNLOAD_SLOTS keys are the host names Scrapy's downloader uses: no port, and an IPv6
    literal without its brackets (a "host:port" split on ':' would lose it)."""
    from scrapy.http import Request
    from scrapy.utils.httpobj import urlparse_cached

    from crawler.sites import crawl_settings

    sites = tmp_path / "sites.toml"
    sites.write_text('[[site]]\nstart = "http://[2001:db8::1]:8080/blog/"\ndelay = 0.5\n'
                     '[[site]]\nstart = "https://clinic.example:8443/blog/"\nhosts = ["www.clinic.example"]\n'
                     'concurrency = 2\n', encoding="utf-8")
    slots = crawl_settings(load_sites(sites))["DOWNLOAD_SLOTS"]
    assert slots == {"2001:db8::1": {"delay": 0.5}, "clinic.example": {"concurrency": 2},
                     "www.clinic.example": {"concurrency": 2}}
    for url in ("http://[2001:db8::1]:8080/blog/post/", "https://clinic.example:8443/blog/"):
        assert urlparse_cached(Request(url)).hostname in slots
