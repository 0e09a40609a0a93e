"""A worker writes a post's JSON once and takes its content hash from it
(crawler.records.hashed_json): the same hash and the same JSON as hashing, then writing."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.extract import extract_post
from crawler.records import FetchInfo, Post, content_hash, hashed_json
from crawler.work import extract_packed, unpack

PAGES = Path(__file__).parent / "pages"
FETCHED = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)
FETCH = FetchInfo(status=200, requested_url="https://clinic.example/blog/x/", fetched_at=FETCHED, etag='"abc"',
                  last_modified="Mon, 30 Nov 2026 10:00:00 GMT", depth=2, found_via="link")


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.html")))
def test_one_serialisation_gives_the_hash_and_the_json(name):
    post = extract_post((PAGES / name).read_bytes(), "https://clinic.example/blog/x/", fetched_at=FETCHED,
                        fetch=FETCH, hashed=False)
    assert post.content_hash == ""
    expected = post.model_copy(deep=True).with_hash()
    assert hashed_json(post) == expected.model_dump_json()
    assert post.content_hash == expected.content_hash == content_hash(expected)


def test_text_that_looks_like_the_cut_fields_changes_nothing():
    body = 'He said "fetch":{} and "content_hash":"", then left.'
    post = Post(url="https://clinic.example/blog/x/", site="https://clinic.example", title='"fetch":{', body=body,
                fetch=FETCH)
    expected = post.model_copy(deep=True).with_hash()
    assert hashed_json(post) == expected.model_dump_json()


def test_the_worker_sends_the_record_extract_post_gives():
    html = (PAGES / "wordpress_yoast.html").read_bytes()
    url = "https://riverbendphysio.ca/blog/physiotherapy-runners-knee/"
    kind, record = unpack(extract_packed(html, url, encoding=None, selectors=None, fetched_at=FETCHED,
                                         timezone="America/Edmonton", languages=["en"], fetch=FETCH))
    assert kind == "post"
    direct = extract_post(html, url, fetched_at=FETCHED, timezone="America/Edmonton", languages=["en"], fetch=FETCH)
    assert record.content_hash and record.model_dump_json() == direct.model_dump_json()
