"""The crawl history and `needle changes`: crawl a real blog, edit it, crawl again."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from blogsite import BlogSite
from browser import chrome
from selenium.webdriver.common.by import By
from conftest import LOCAL_CRAWL_SETTINGS, run_needle


def crawl(site: BlogSite, index: Path, *paths: str) -> dict:
    summary = index.parent / "summary.json"
    args = ["crawl", site.url, *(site.root + p for p in paths), "--index", str(index), "--summary-json", str(summary)]
    for name, value in LOCAL_CRAWL_SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    run_needle(*args, timeout=120)
    return json.loads(summary.read_text())


def changes(index: Path, *args: str) -> list[dict]:
    proc = run_needle("changes", "--index", str(index), "--format", "json", *args, timeout=60)
    return json.loads(proc.stdout)


def test_changes_lists_exactly_what_was_edited(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=6) as site:
        first = crawl(site, index)
        assert sorted((c["change"], c["url"]) for c in changes(index)) == \
            [("new", site.post_url(n)) for n in range(1, 7)]
        again = crawl(site, index)
        assert changes(index) == []  # an unchanged recrawl changes nothing

        site.titles[1] = "Knee care that works"
        site.dates[2] = date(2025, 2, 3)
        site.edition[3] = 1  # one paragraph rewritten
        site.alts[4] = "A physiotherapist guiding a knee exercise"
        site.deleted.add(5)  # answers 404
        site.posts = 7  # a new post
        third = crawl(site, index)
        found = changes(index)
        table = run_needle("changes", "--index", str(index), timeout=60).stdout
        since_first = changes(index, "--since", str(first["crawl_id"]))

    assert first["crawl_id"] < again["crawl_id"] < third["crawl_id"]
    by_url = {c["url"]: c for c in found}
    assert {url: (c["change"], sorted(c["fields"]), c["reason"]) for url, c in by_url.items()} == {
        site.post_url(1): ("changed", ["title"], None),
        site.post_url(2): ("changed", ["published"], None),
        site.post_url(3): ("changed", ["body"], None),
        site.post_url(4): ("changed", ["images"], None),
        site.post_url(5): ("gone", [], "http_404"),
        site.post_url(7): ("new", [], None),
    }
    assert by_url[site.post_url(1)]["fields"]["title"] == {"old": "Post 1: shoulder care", "new": "Knee care that works"}
    body = by_url[site.post_url(3)]["fields"]["body"]
    assert 0 < body["share"] < 0.2 and body["excerpt"] == {"old": "0.", "new": "1."}
    assert by_url[site.post_url(4)]["fields"]["images"]["added"] == \
        ["post-4.jpg | A physiotherapist guiding a knee exercise | Exercise 4"]
    assert "Knee care that works" in table and "gone" in table
    # --since the first crawl: the second crawl had none, so the same rows
    assert sorted(c["url"] for c in since_first) == sorted(by_url)


def test_changes_without_history_says_so(tmp_path):
    proc = run_needle("changes", "--index", str(tmp_path / "none"), check=False, timeout=60)
    assert proc.returncode == 3 and "no crawl history" in proc.stderr


def test_changes_shows_the_clinics_phone_and_staff(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=3) as site:
        site.phone = "(780) 555-0142"
        site.staff = ["Dr. Sarah Chen, PT", "Marcus Roy, RMT"]
        pages = ("/contact/", "/team/")  # start pages too: site pages outside /blog/ are crawled from there
        crawl(site, index, *pages)
        first = {c["url"]: c for c in changes(index) if c["kind"] == "page"}
        crawl(site, index, *pages)
        assert changes(index) == []  # nothing moved
        site.phone = "(780) 555-0199"
        site.staff = ["Dr. Sarah Chen, PT", "Priya Raman, PT"]
        site.edition[1] = 1  # a post edit beside them
        crawl(site, index, *pages)
        found = changes(index)
        table = run_needle("changes", "--index", str(index), timeout=60).stdout
        html = tmp_path / "changes.html"
        run_needle("changes", "--index", str(index), "--format", "html", "-o", str(html), timeout=60)

    assert sorted(first) == [f"{site.root}/contact/", f"{site.root}/team/"]
    assert {c["change"] for c in first.values()} == {"new"}
    pages = {c["url"]: (c["change"], c["fields"]) for c in found if c["kind"] == "page"}
    assert pages == {
        f"{site.root}/contact/": ("changed", {"phones": {"removed": ["+1-780-555-0142"], "added": ["+1-780-555-0199"]}}),
        f"{site.root}/team/": ("changed", {"staff": {"removed": ["Marcus Roy, RMT"], "added": ["Priya Raman, PT"]}}),
    }
    assert [c["url"] for c in found if c["kind"] == "post"] == [site.post_url(1)]
    assert "+1-780-555-0199" in table and "+Priya Raman, PT" in table

    with chrome() as driver:  # the HTML page as a reader sees it
        driver.get(html.as_uri())
        rows = driver.find_elements(By.CSS_SELECTOR, "tr.change-row")
        shown = {r.get_attribute("data-url"): (r.get_attribute("data-kind"), r.text) for r in rows}
        counts = {b.get_attribute("data-count"): b.text for b in driver.find_elements(By.CSS_SELECTOR, "#summary b")}
        struck = driver.find_element(By.CSS_SELECTOR, ".diff del").value_of_css_property("text-decoration-line")
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert set(shown) == {f"{site.root}/contact/", f"{site.root}/team/", site.post_url(1)}
    assert shown[f"{site.root}/team/"][0] == "page" and "+Priya Raman, PT" in shown[f"{site.root}/team/"][1]
    assert "body (" in shown[site.post_url(1)][1]
    assert counts == {"changed": "3"} and struck == "line-through" and errors == []


def test_changes_on_the_sample_site_after_its_editors_worked(tmp_path):
    """The hand-written sample blog, crawled, edited as its editors would (a title, a date,
    a paragraph, an image's alt text, a post deleted, a post added), crawled again."""
    from dataclasses import replace

    from sample_site.description import SITES
    from sample_site.model import img, local, p
    from sample_site.server import SampleSite

    index = tmp_path / "index"
    spec = SITES["plain"]
    by_slug = {post.slug: post for post in spec.posts}
    posture = by_slug["posture-at-work"]
    edited = {
        "chiropractic-adjustment-cracking": replace(by_slug["chiropractic-adjustment-cracking"],
                                                    title="What Is That Popping Sound?"),
        "whiplash-car-accident": replace(by_slug["whiplash-car-accident"], date_text="Nov. 15, 2023",
                                         published_raw="Nov. 15, 2023", published=local(2023, 11, 15, 0)),
        "orthotics-myths": replace(by_slug["orthotics-myths"], body=(
            *by_slug["orthotics-myths"].body,
            p("Since we wrote this, custom orthotics have become lighter and thinner; ask us about the new designs."))),
        "posture-at-work": replace(posture, body=tuple(
            img(b.image.src, "A chiropractor adjusting a desk chair for a patient", b.image.caption)
            if b.kind == "img" else b for b in posture.body)),
    }
    added = replace(by_slug["chiropractic-adjustment-cracking"], slug="knee-pain-running",
                    path="/articles/knee-pain.html", title="Knee Pain When Running",
                    body=(p("Runners' knee pain usually comes from load, not damage: we look at training, "
                            "shoes and hip strength before anything else."),))
    posts = [edited.get(post.slug, post) for post in spec.posts if post.slug != "sciatica-relief"] + [added]

    with SampleSite(mode="thread", slow_seconds=2) as site:
        root = site.base["plain"]
        start = site.urls["plain"]
        crawl_args = ["crawl", start, "--index", str(index)]
        for name, value in LOCAL_CRAWL_SETTINGS.items():
            crawl_args += ["-s", f"{name}={value}"]
        run_needle(*crawl_args, timeout=180)
        site.edit("plain", replace(spec, posts=posts))
        run_needle(*crawl_args, timeout=180)
        found = changes(index)
        run_needle(*crawl_args, timeout=180)
        again = changes(index)

    url = {slug: root + post.path for slug, post in by_slug.items()}
    assert {c["url"]: (c["change"], sorted(c["fields"]), c["reason"]) for c in found if c["kind"] == "post"} == {
        url["chiropractic-adjustment-cracking"]: ("changed", ["title"], None),
        url["whiplash-car-accident"]: ("changed", ["modified", "published"], None),
        url["orthotics-myths"]: ("changed", ["body"], None),
        url["posture-at-work"]: ("changed", ["images"], None),
        url["sciatica-relief"]: ("gone", [], "http_404"),
        root + "/articles/knee-pain.html": ("new", [], None),
    }
    by_url = {c["url"]: c for c in found}
    assert by_url[url["whiplash-car-accident"]]["fields"]["published"]["new"].startswith("2023-11-15"), by_url[url["whiplash-car-accident"]]
    assert "lighter and thinner" in by_url[url["orthotics-myths"]]["fields"]["body"]["excerpt"]["new"]
    assert again == []  # an unchanged recrawl reports nothing


def test_each_crawl_is_recorded_with_its_settings_and_old_ones_leave_by_age(tmp_path):
    import sqlite3
    from datetime import datetime, timedelta, timezone

    from indexer.history import History

    index = tmp_path / "index"
    with BlogSite(posts=2) as site:
        crawl(site, index)
        with sqlite3.connect(index / "history.sqlite") as db:  # the first crawl, as if 40 days ago
            old = (datetime.now(timezone.utc) - timedelta(days=40)).isoformat()
            db.execute("UPDATE crawls SET started = ?, finished = ? WHERE id = 1", (old, old))
        summary = index.parent / "summary.json"
        args = ["crawl", site.url, "--index", str(index), "--summary-json", str(summary),
                "-s", "NEEDLE_HISTORY_DAYS=30", "-s", "NEEDLE_MISSING_CRAWLS=3"]
        for name, value in LOCAL_CRAWL_SETTINGS.items():
            args += ["-s", f"{name}={value}"]
        run_needle(*args, timeout=120)
    with History(index) as history:
        crawls = history.crawls()
    assert [c["id"] for c in crawls] == [2]  # the 40-day-old crawl left the history
    settings = crawls[0]["settings"]
    assert settings["NEEDLE_HISTORY_DAYS"] == 30 and settings["NEEDLE_MISSING_CRAWLS"] == 3
    assert settings["DOWNLOAD_TIMEOUT"] == 4 and "NEEDLE_INDEX" in settings
