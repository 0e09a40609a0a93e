"""What a crawl may delete from the index, tried with real crawls of a real server.

Every test crawls a BlogSite on 127.0.0.1 with `needle crawl` in a child process, changes
how the site answers, crawls again, and checks the index afterwards post by post.
"""

from __future__ import annotations

import json
from pathlib import Path

from blogsite import BlogSite
from conftest import LOCAL_CRAWL_SETTINGS, run_needle

from crawler.records import CrawlError, Post
from indexer.store import load_posts, load_records
from indexer.writer import IndexWriter


def crawl(site_url: str, index: Path, *extra: str) -> tuple[int, dict, str]:
    """One `needle crawl`: its exit code, its summary, its stderr."""
    summary = index.parent / "summary.json"
    summary.unlink(missing_ok=True)
    args = ["crawl", site_url, "--index", str(index), "--summary-json", str(summary), *extra]
    for name, value in LOCAL_CRAWL_SETTINGS.items():
        args += ["-s", f"{name}={value}"]
    proc = run_needle(*args, check=False, timeout=120)
    assert proc.returncode in (0, 4), proc.stderr
    return proc.returncode, json.loads(summary.read_text()), proc.stderr


def posts_by_url(index: Path) -> dict[str, Post]:
    return {p.url: p for p in load_posts(index)}


def same_posts(before: dict[str, Post], after: dict[str, Post]) -> None:
    assert sorted(after) == sorted(before)
    for url, post in before.items():
        assert after[url].content_hash == post.content_hash, url
        assert after[url].title == post.title and after[url].body == post.body, url


def test_another_sites_crawl_leaves_the_first_sites_posts_alone(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=6) as a, BlogSite(posts=4) as b:
        assert crawl(a.url, index)[0] == 0
        before = posts_by_url(index)
        assert len(before) == 6
        code, summary, _ = crawl(b.url, index)
        code2, summary2, _ = crawl(b.url, index)  # twice: nothing of a's is ever missing
        after = posts_by_url(index)
    assert code == code2 == 0
    same_posts(before, {u: p for u, p in after.items() if u.startswith(a.root)})
    assert len([u for u in after if u.startswith(b.root)]) == 4
    assert summary2["index_posts"].get("missing", 0) == 0 and summary2["index_removed"] == {}


def test_a_storm_of_503_and_429_keeps_every_post(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=8) as site:
        crawl(site.url, index)
        before = posts_by_url(index)
        for n in range(1, 7):
            site.status[f"/blog/post-{n}/"] = 503 if n % 2 else 429
        code, summary, stderr = crawl(site.url, index)
    # 2 of 8 posts seen: the breaker says so, and nothing is removed or marked missing
    assert code == 4 and "Circuit breaker" in stderr and summary["index_breaker"]
    same_posts(before, posts_by_url(index))
    errors = {r.url: r.reason for r in load_records(index, kinds={"error"})}
    assert sorted(errors.values()) == ["http_429"] * 3 + ["http_503"] * 3
    assert summary["index_posts"].get("missing", 0) == 0


def test_a_few_transient_errors_keep_the_stored_versions_and_mark_nothing(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=8) as site:
        crawl(site.url, index)
        before = posts_by_url(index)
        site.status["/blog/post-2/"] = 503
        site.status["/blog/post-5/"] = 500
        code, summary, _ = crawl(site.url, index)
        # twice in a row: an error is never "missing"
        code2, summary2, _ = crawl(site.url, index)
    assert code == code2 == 0
    same_posts(before, posts_by_url(index))
    assert summary2["index_posts"].get("missing", 0) == 0 and summary2["index_removed"] == {}
    assert {r.reason for r in load_records(index, kinds={"error"})} == {"http_503", "http_500"}


def test_a_crawl_that_sees_30_percent_of_last_time_changes_nothing_destructive(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=10) as site:
        crawl(site.url, index)
        before = posts_by_url(index)
        site.unlisted.update(range(4, 11))  # linked from nowhere, not in the sitemap
        for n in range(4, 11):
            site.status[f"/blog/post-{n}/"] = 200  # and a page that is no post any more
        code, summary, stderr = crawl(site.url, index)
    assert code == 4
    assert "fewer than 50%" in stderr and "nothing was removed or marked missing" in stderr
    assert summary["index_breaker"] and summary["index_removed"] == {}
    same_posts(before, posts_by_url(index))


def test_404_and_410_remove_a_post_and_missing_removes_it_after_two_crawls(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=10) as site:
        crawl(site.url, index)
        before = posts_by_url(index)
        site.deleted.add(2)  # 404, linked from nowhere
        site.unlisted.add(3)
        site.status["/blog/post-3/"] = 410
        site.unlisted.add(4)
        site.status["/blog/post-4/"] = 200  # answers, but no longer with a post: missing
        code, summary, _ = crawl(site.url, index)
        after_one = posts_by_url(index)
        code2, summary2, _ = crawl(site.url, index)
        after_two = posts_by_url(index)
    assert code == code2 == 0
    assert summary["index_removed"] == {"http_404": 1, "http_410": 1}
    assert summary["index_posts"]["missing"] == 1
    gone = {site.post_url(2), site.post_url(3)}
    same_posts({u: p for u, p in before.items() if u not in gone}, after_one)  # post 4 kept
    assert summary2["index_removed"] == {"missing": 1}
    same_posts({u: p for u, p in before.items() if u not in gone | {site.post_url(4)}}, after_two)


def test_a_post_that_redirects_to_another_post_is_replaced_by_it(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=6) as site:
        crawl(site.url, index)
        before = posts_by_url(index)
        site.unlisted.add(2)
        site.redirects["/blog/post-2/"] = "/blog/post-5/"
        code, summary, _ = crawl(site.url, index)
    assert code == 0 and summary["index_removed"] == {"redirected": 1}
    same_posts({u: p for u, p in before.items() if u != site.post_url(2)}, posts_by_url(index))


def test_an_unlinked_post_that_still_answers_stays(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=6) as site:
        crawl(site.url, index)
        before = posts_by_url(index)
        site.unlisted.add(3)  # an orphan now, but alive: the crawl asks for it by address
        for _ in range(2):
            code, summary, _ = crawl(site.url, index)
            assert code == 0 and summary["index_removed"] == {}
    same_posts(before, posts_by_url(index))


def test_fetch_facts_are_fresh_when_the_content_is_unchanged(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=4) as site:
        crawl(site.url, index)
        first = posts_by_url(index)[site.post_url(3)]
        assert first.fetch.found_via in ("link", "sitemap") and first.fetch.depth == 1
        site.unlisted.add(3)  # no link, no sitemap entry any more
        crawl(site.url, index)
        again = posts_by_url(index)[site.post_url(3)]
    assert again.content_hash == first.content_hash
    assert again.fetch.depth is None and again.fetch.found_via == "known"


def test_a_locked_index_gets_exit_3_and_the_documented_message(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=3) as site:
        crawl(site.url, index)
        before = posts_by_url(index)
        served = len(site.served)
        holder = IndexWriter(index)
        try:
            proc = run_needle("crawl", site.url, "--index", str(index), check=False, timeout=60)
            (tmp_path / "none.jsonl").write_text("")
            update = run_needle("index", str(tmp_path / "none.jsonl"), "--index", str(index),
                                check=False, timeout=60)
        finally:
            holder.abort()
        assert len(site.served) == served  # nothing was crawled
    assert proc.returncode == 3 and "the index is locked by another writer" in proc.stderr
    assert update.returncode == 3 and "the index is locked by another writer" in update.stderr
    same_posts(before, posts_by_url(index))


def test_errors_stay_beside_the_posts_they_concern(tmp_path):
    index = tmp_path / "index"
    with BlogSite(posts=4) as site:
        crawl(site.url, index)
        site.status["/blog/post-1/"] = 503
        crawl(site.url, index)
        records = load_records(index)
    post_urls = {r.url for r in records if isinstance(r, Post)}
    errors = [r for r in records if isinstance(r, CrawlError)]
    assert site.post_url(1) in post_urls
    assert [(e.url, e.reason) for e in errors] == [(site.post_url(1), "http_503")]
