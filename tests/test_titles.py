"""Title policy: ``title`` is the headline the reader sees on the post (its h1 in the
article, else og:title, else the JSON-LD headline, else the <title> without the site's
name); the SEO <title> stays as written in ``meta.title_tag``.

Each page under tests/pages/titles/ is one clinic post with one way of showing its title.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract import extract_post

PAGES = Path(__file__).parent / "pages" / "titles"
URL = "https://cedargrovephysio.ca/blog/knee-stairs/"
HEADLINE = "Why Your Knee Hurts on the Stairs"
SEO = "Knee Pain Treatment Without Surgery in Cedar Grove, Calgary | Cedar Grove Physiotherapy"

# page -> (what it shows, the <title> as written)
CASES = {
    "headline_vs_seo.html": ("h1 in the article; og:title, JSON-LD headline and <title> all the SEO phrasing", SEO),
    "slug_og_title.html": ("h1 in the article; og:title is the slug", "knee-stairs | Cedar Grove Physiotherapy"),
    "og_title.html": ("no h1: og:title", SEO),
    "title_tag_pipe.html": ("no h1, no og:title: '<headline> | Site'", f"{HEADLINE} | Cedar Grove Physiotherapy"),
    "title_tag_dash.html": ("no h1, no og:title: '<headline> - Site'", f"{HEADLINE} - Cedar Grove Physio"),
    "logo_and_section_h1.html": ("the site's name and 'Blog' in h1s, the headline an h2", SEO),
    "banner_headline.html": ("the h1 in a banner outside the article, og:title agreeing",
                             f"{HEADLINE} | Cedar Grove Physiotherapy"),
    "kicker_h1.html": ("a kicker run into the h1", f"{HEADLINE} | Cedar Grove Physiotherapy"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_title_is_the_headline_shown_and_the_seo_title_is_kept(name):
    shown, title_tag = CASES[name]
    post = extract_post((PAGES / name).read_bytes(), URL)
    assert post.title == HEADLINE, shown
    assert post.meta.title_tag == title_tag
    # the headline is not body text, however it was marked up
    assert post.body.startswith("Knee pain on the stairs"), post.body[:60]
