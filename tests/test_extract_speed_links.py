"""``page_links`` resolves each href as written once a page; the same links as resolving
every link (the plain way), on the generated site and on random link lists with repeated,
relative, empty and missing hrefs and rel values; a cache keyed wrongly is caught."""

from __future__ import annotations

import random
from pathlib import Path

from crawler.links import page_links
from crawler.page import parse_page
from crawler.text import clean, link_text
from crawler.urls import is_internal
from sample_site.generated import generate_site


def plain_page_links(page, body_links: set) -> list[dict]:
    out = []
    for el in page.tree.iter("a"):
        href = page.resolve(el.get("href"))
        if not href:
            continue
        rel = [r for r in (el.get("rel") or "").lower().split() if r]
        out.append({"href": href, "text": clean(link_text(el))[:300] or clean(el.get("title") or el.get("aria-label") or ""),
                    "internal": is_internal(href, page.site), "rel": rel, "in_body": el in body_links})
    return out


HREFS = ["/a/", "/a/", "b", "../c", "", None, "#top", "mailto:x@y.z", "http://x.test/d?utm_source=1", "//cdn.test/e",
         "https://other.test/", "javascript:void(0)", " /a/ ", "?page=2", "HTTP://X.TEST/F"]
RELS = [None, "", "nofollow", "NoFollow  noopener", "tag", " next "]


def test_page_links_as_the_plain_way(tmp_path: Path):
    generate_site(tmp_path, "http://127.0.0.1:8080", 10, 2)
    pages = [parse_page(f.read_bytes(), "http://127.0.0.1:8080/blog/x/", encoding="utf-8")
             for f in sorted(tmp_path.rglob("index.html"))[:20]]
    rng = random.Random(21)
    for _ in range(200):
        links = []
        for _ in range(rng.randint(0, 12)):
            href, rel = rng.choice(HREFS), rng.choice(RELS)
            attrs = (f' href="{href}"' if href is not None else "") + (f' rel="{rel}"' if rel is not None else "")
            links.append(f"<a{attrs}>{rng.choice(['', 'x', ' Two  words '])}</a>")
        base = rng.choice(["", "<base href='http://x.test/sub/'>"])
        pages.append(parse_page(f"<html><head>{base}</head><body>{''.join(links)}</body></html>",
                                rng.choice(["http://x.test/p/q", "https://www.x.test/"])))
    count = 0
    for page in pages:
        anchors = list(page.tree.iter("a"))
        body = set(anchors[::2])
        want = plain_page_links(page, body)
        assert page_links(page, body) == want
        count += len(want)
    assert count > 1000
    # a cache keyed by the resolved address's text would be wrong: "b" differs by page
    one = parse_page("<html><body><a href='b'>x</a></body></html>", "http://x.test/1/")
    two = parse_page("<html><body><a href='b'>x</a></body></html>", "http://x.test/2/")
    assert page_links(one, set())[0]["href"] != page_links(two, set())[0]["href"]
