"""The crawl history and `needle changes`: crawl a real blog, edit it, crawl again."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from blogsite import BlogSite
from conftest import LOCAL_CRAWL_SETTINGS, run_needle


def crawl(site: BlogSite, index: Path) -> dict:
    summary = index.parent / "summary.json"
    args = ["crawl", site.url, "--index", str(index), "--summary-json", str(summary)]
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
