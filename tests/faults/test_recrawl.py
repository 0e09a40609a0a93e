"""A recrawl asks for what the index holds conditionally and skips what did not change."""

from __future__ import annotations

import json
from pathlib import Path

from blogsite import BlogSite
from conftest import LOCAL_CRAWL_SETTINGS, run_needle

from indexer.store import load_posts


def crawl(site: BlogSite, index: Path, *extra: str) -> dict:
    summary = index.parent / "summary.json"
    args = ["crawl", site.url, "--index", str(index), "--summary-json", str(summary), *extra]
    for name, value in LOCAL_CRAWL_SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    run_needle(*args, timeout=120)
    return json.loads(summary.read_text())


def test_an_unchanged_site_is_revalidated_not_extracted(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=6) as site:
        first = crawl(site, index)
        before = {p.url: p for p in load_posts(index)}
        again = crawl(site, index)
        answered_304 = list(site.not_modified)
    assert first["extracted"] == 7 and first["not_modified"] == 0  # 6 posts and the blog's page
    # every post was asked for with its ETag and answered 304; the blog page had the same bytes
    assert sorted(answered_304) == sorted(f"/blog/post-{n}/" for n in range(1, 7))
    assert (again["not_modified"], again["same_bytes"], again["extracted"]) == (6, 1, 0)
    assert again["index_posts"]["unchanged"] == 6 and again["index_posts"].get("missing", 0) == 0
    after = {p.url: p for p in load_posts(index)}
    assert sorted(after) == sorted(before)
    for url, post in before.items():
        assert after[url].content_hash == post.content_hash and after[url].fetch.status == 200
        assert after[url].fetch.etag == post.fetch.etag and after[url].fetch.bytes == post.fetch.bytes


def test_an_edited_post_is_extracted_again_and_full_extracts_everything(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=6) as site:
        crawl(site, index)
        site.edition[3] = 1
        edited = crawl(site, index)
        changed = json.loads(run_needle("changes", "--index", str(index), "--format", "json").stdout)
        full = crawl(site, index, "--full")
    assert (edited["not_modified"], edited["extracted"]) == (5, 1)
    assert edited["index_posts"]["updated"] == 1
    assert [(c["url"], c["change"], sorted(c["fields"])) for c in changed] == \
        [(site.post_url(3), "changed", ["body"])]
    assert (full["not_modified"], full["same_bytes"], full["extracted"]) == (0, 0, 7)


def test_a_server_without_validators_is_skipped_by_the_bytes(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=4) as site:
        site.conditional = False
        crawl(site, index)
        site.edition[2] = 1
        again = crawl(site, index)
        assert site.not_modified == []
    # the same bytes for three posts and the blog page; the edited post's bytes differ
    assert (again["same_bytes"], again["extracted"]) == (4, 1)
    assert {p.url: p.body for p in load_posts(index)}[site.post_url(2)].count("edition 1") == 1


def test_pages_only_unchanged_posts_link_to_are_still_crawled(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=7) as site:
        site.unlisted.add(7)  # only on the archive page, which only the posts link to
        site.archive = [7]
        crawl(site, index)
        site.posts = 8  # a new post, also only on the archive page
        site.unlisted.add(8)
        site.archive = [7, 8]
        again = crawl(site, index)
        changed = json.loads(run_needle("changes", "--index", str(index), "--format", "json").stdout)
    assert again["not_modified"] >= 6  # the posts were not read again, their links were followed
    posts = {p.url: p for p in load_posts(index)}
    assert site.post_url(8) in posts and posts[site.post_url(8)].fetch.found_via == "link"
    assert posts[site.post_url(7)].fetch.found_via == "link" and posts[site.post_url(7)].fetch.depth == 3
    assert [(c["url"], c["change"]) for c in changed] == [(site.post_url(8), "new")]


def test_a_recrawl_of_the_unchanged_sample_site_extracts_nothing_and_keeps_every_record(tmp_path):
    from collections import Counter

    from sample_site.server import SampleSite

    from indexer.store import load_records

    index = tmp_path / "index"
    with SampleSite(mode="process", slow_seconds=9) as site:
        kinds = []
        for run in range(2):
            summary = tmp_path / f"summary{run}.json"
            args = ["crawl", *site.urls.values(), "--index", str(index), "--summary-json", str(summary)]
            for name, value in LOCAL_CRAWL_SETTINGS.items():
                args += ["-s", f"{name}={value}"]
            run_needle(*args, timeout=180)
            kinds.append(Counter(r.type for r in load_records(index)))
        first, again = json.loads((tmp_path / "summary0.json").read_text()), json.loads(summary.read_text())
    # posts, listings (with their cards) and site pages: nothing read again, nothing lost
    assert again["extracted"] == 0 and again["not_modified"] + again["same_bytes"] == first["extracted"]
    assert again["pages"] == first["pages"]
    assert kinds[1] == kinds[0] and kinds[0]["teaser"] > 0 and kinds[0]["post"] > 0
    assert again["index_removed"] == {} and again["index_posts"]["unchanged"] == kinds[0]["post"]


def test_a_wrong_304_does_not_hide_a_change_the_sitemap_announces(tmp_path):
    """A cache in front of the site answers 304 to every conditional GET. A post whose
    sitemap <lastmod> is later than its last fetch is asked for without validators and
    read again; an edit nothing announces stays hidden until `needle crawl --full`."""
    from datetime import datetime, timezone

    index = tmp_path / "index"
    with BlogSite(posts=4) as site:
        site.lastmod = "2024-01-01"  # every post's entry: long before the first crawl
        crawl(site, index)
        site.wrong_304 = True
        site.added[2] = ["A new section on returning to running after a knee injury, step by step."]
        site.lastmods["/blog/post-2/"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        site.added[3] = ["A silent edit: nothing tells a crawler about it."]
        second = crawl(site, index)
        after_second = {p.url: p for p in load_posts(index)}
        full = crawl(site, index, "--full")
        after_full = {p.url: p for p in load_posts(index)}

    assert second["extracted"] == 1 and second["not_modified"] == 3, second  # post 2 read, the rest trusted
    assert "A new section on returning" in after_second[site.post_url(2)].body
    assert "A silent edit" not in after_second[site.post_url(3)].body  # the wrong 304 hid it
    assert full["not_modified"] == 0 and "A silent edit" in after_full[site.post_url(3)].body


def test_a_revalidated_post_keeps_its_text_and_takes_its_new_depth(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=4) as site:
        site.unlisted.add(4)  # first only on the archive page: three clicks deep
        site.archive = [4]
        crawl(site, index)
        before = {p.url: p for p in load_posts(index)}[site.post_url(4)]
        site.unlisted.clear()  # now on the blog's front page too
        again = crawl(site, index)
        after = {p.url: p for p in load_posts(index)}[site.post_url(4)]
    assert again["not_modified"] == 4 and again["extracted"] == 1  # only the blog page, which changed
    assert (before.fetch.depth, after.fetch.depth) == (3, 1)
    assert after.content_hash == before.content_hash and after.body == before.body
