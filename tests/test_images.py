"""What a page says about its images beyond src and alt: size attributes and a
decorative role, which the SEO report weighs an empty alt text with."""

from __future__ import annotations

from datetime import datetime, timezone

from crawler.extract import extract_post

PAGE = """<!doctype html><html lang="en"><head><title>Knee pain after running</title></head><body>
<main><article><h1>Knee pain after running</h1>
<p>Runners' knee pain usually comes from load, not damage: training, shoes and hip strength come first.</p>
<img src="/img/photo.jpg" alt="" width="800" height="600px">
<p>Strength work for the hips and the thigh takes most of the load off the knee within weeks.</p>
<img src="/img/dot.png" alt="" width="16" height="16">
<img src="/img/rule.png" alt="" role="presentation">
<img src="/img/flourish.png" alt="" aria-hidden="true" width="100%">
<p>Come and see us if the pain lasts more than two weeks or wakes you at night.</p>
</article></main></body></html>"""


def test_size_attributes_and_decorative_roles_are_kept():
    post = extract_post(PAGE.encode(), "https://clinic.example/blog/knee/",
                        fetched_at=datetime(2026, 11, 30, tzinfo=timezone.utc), timezone="UTC")
    images = {i.src.rsplit("/", 1)[-1]: (i.alt, i.width, i.height, i.decorative) for i in post.images}
    assert images == {
        "photo.jpg": ("", 800, 600, False),
        "dot.png": ("", 16, 16, False),
        "rule.png": ("", None, None, True),
        "flourish.png": ("", None, None, True),  # "100%" is no size in pixels
    }
