"""Bylines: the author from every common form, credentials kept, never someone else's name.

Each page under tests/pages/bylines/ is one clinic post with one byline form and the same
traps: a "Share by Email" link under the title, an author-archive link in the navigation,
a team column inside the article after the text (author links and an ``.author`` span),
comments whose authors are marked up (``.author``, ``itemprop=author``, "by Mike"),
recent-posts cards "By Mark Li, RMT", a head ``meta itemprop=author`` naming the clinic
(Squarespace prints one), and a footer "Written by our team".
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.bylines import by_name, clean_author
from crawler.extract import extract_post

PAGES = Path(__file__).parent / "pages" / "bylines"
URL = "https://cedargrovephysio.ca/blog/knee-stairs/"
AUTHOR = "Dr. Sarah Chen, PT"

# page -> the form it carries
FORMS = {
    "jsonld.html": "JSON-LD Person by @id reference",
    "microdata.html": "itemprop=author with itemprop=name",
    "rel_author.html": "a rel=author",
    "author_archive.html": "a link to /author/sarah-chen/",
    "author_filter.html": "a link to /journal?author=<id> (Squarespace), the name its text",
    "author_filter_name.html": "a link to ?author=Dr.+Sarah+Chen%2C+PT with only an image in it",
    "byline_class.html": ".byline 'By ... on <date>'",
    "entry_author.html": ".entry-author 'Written by ...'",
    "author_class.html": ".author in a theme meta line",
    "theme_meta_line.html": "p.post-meta 'Posted on <date> by ... | Knees'",
    "by_text.html": "a bare 'By ...' paragraph under the title",
    "by_text_above.html": "'Knees · By ...' above the title",
    "footer_line.html": "Blogger-like post footer 'Posted by <a>...</a> at 9:00 AM'",
}


def _extract(name: str):
    return extract_post((PAGES / name).read_bytes(), URL, fetched_at=datetime(2025, 6, 1, tzinfo=timezone.utc),
                        timezone="America/Edmonton")


@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_byline_form_gives_the_author_with_credentials(name):
    post = _extract(name)
    assert post.author == AUTHOR, FORMS[name]
    assert post.title == "Why Your Knee Hurts on the Stairs"
    # the byline is no body text, nor are the traps
    for text in ("Sarah Chen", "Share by Email", "Mike Turner", "Our physiotherapists"):
        assert text not in post.body, text
    assert post.body.startswith("Knee pain on the stairs")


def test_a_post_without_a_byline_has_no_author_whatever_else_names_people():
    """Comment authors, share links, the team column, other posts' cards, the head's
    itemprop=author and the footer are all present: none of them is the post's author."""
    assert _extract("no_author.html").author is None


def test_forms_are_read_in_trust_order(tmp_path):
    """JSON-LD outranks a visible byline that disagrees; a visible byline outranks the
    head's meta author (here the clinic's name)."""
    page = (PAGES / "byline_class.html").read_text(encoding="utf-8")
    with_meta = page.replace("<title>", '<meta name="author" content="Cedar Grove Physiotherapy"><title>')
    assert extract_post(with_meta, URL).author == AUTHOR
    with_jsonld = page.replace("<title>", '<script type="application/ld+json">{"@type": "BlogPosting", '
                               '"author": {"@type": "Person", "name": "Sarah Chen"}}</script><title>')
    assert extract_post(with_jsonld, URL).author == "Sarah Chen"


@pytest.mark.parametrize("text, name", [
    ("By Dr. Sarah Chen, PT", "Dr. Sarah Chen, PT"),
    ("Posted on May 3, 2024 by Dr. Sarah Chen, PT, DPT", "Dr. Sarah Chen, PT, DPT"),
    ("By Sarah Chen, RMT · 4 min read", "Sarah Chen, RMT"),
    ("Written by: Kevin Lee", "Kevin Lee"),
    ("by Jane Doe and John Smith on March 3", "Jane Doe and John Smith"),
    ("Par Amélie Tremblay, pht", "Amélie Tremblay"),
    ("Von Max Mustermann | 3. Mai 2024", "Max Mustermann"),
    ("Share by Email", None),
    ("Der Bürgermeister von Berlin sagt", None),
    ("5 min read", None),
])
def test_by_phrases(text, name):
    assert by_name(text) == name


@pytest.mark.parametrize("text, name", [
    ("Dr. Sarah Chen, PT", "Dr. Sarah Chen, PT"),
    ("By Dr. Sarah Chen, PT on March 3, 2025", "Dr. Sarah Chen, PT"),
    ("Author: Kevin Lee | Physiotherapy", "Kevin Lee"),
    ("Email", None),
    ("https://example.org/sarah", None),
    ("Posted in 2024", None),
])
def test_clean_author(text, name):
    assert clean_author(text) == name
