"""Shortcuts taken for speed in extraction give what the plain way gives.

``text_len`` counts words instead of running a regex, the dates' microdata and the page
kind's article-body marks are looked up in the page's element index instead of by XPath
over every element, and trafilatura gets its options built once a process. Each is
compared with the plain way on varied input; a shortcut written slightly wrong is caught.
"""

from __future__ import annotations

import random

from crawler import kind, reading
from crawler.dates import find
from crawler.page import parse_page
from crawler.text import WS, text_len

SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", "\x0b", "\x1c"]
WORDS = ["a", "knee", "é", "ß", "x1", "—"]


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(SPACES if rng.random() < 0.5 else WORDS) for _ in range(rng.randint(0, 12)))


class _Text:
    def __init__(self, text):
        self.text = text

    def text_content(self):
        return self.text


def test_text_len_is_the_regex_count():
    rng = random.Random(7)
    for _ in range(5000):
        el = _Text(_random_text(rng))
        assert text_len(el) == len(WS.sub(" ", el.text_content()))
    assert text_len(_Text(None)) == 0
    page = parse_page("<html><body><div>\n  two <b>words</b>\u00a0</div></body></html>", "http://x.test/")
    assert text_len(page.tree.find(".//div")) == len(" two words ")


MARKUP = [
    ("div", "itemprop", "datePublished"), ("span", "itemprop", "dateModified"), ("meta", "itemprop", "dateCreated"),
    ("time", "itemprop", "datepublished"), ("div", "itemprop", "datePublished "), ("div", "ITEMPROP", "dateModified"),
    ("div", "itemprop", "articleBody"), ("div", "itemprop", "articlebody"), ("div", "class", "entry-content"),
    ("div", "class", "post entry-content x"), ("div", "class", "\tentry-content\n"), ("div", "class", "x\u00a0entry-content"),
    ("div", "class", "entry-contents"), ("div", "class", "Entry-content"), ("p", "class", "meta"), ("span", "title", "t"),
]


def _random_page(rng: random.Random):
    parts = []
    for _ in range(rng.randint(0, 5)):
        tag, name, value = rng.choice(MARKUP)
        parts.append(f'<{tag} {name}="{value}">text</{tag}>' if tag != "meta" else f'<meta {name}="{value}" content="2024-01-02">')
    # now and then a second top-level element after the first (a second <html>), which
    # the XPaths search too
    second = f"<html><body>{rng.choice(MARKUP)[0]} <div itemprop='datePublished'>d</div></body></html>"
    return parse_page(f"<html><head></head><body><article>{''.join(parts)}</article></body></html>"
                      f"{second if rng.random() < 0.2 else ''}", "http://x.test/")


def test_microdata_dates_and_article_body_marks_as_their_xpaths():
    rng = random.Random(11)
    seen_dates = seen_marks = 0
    for _ in range(2000):
        page = _random_page(rng)
        want = page.tree.xpath(find._MICRODATA_DATES)
        assert find._microdata_dates(page) == want
        marked = bool(page.tree.xpath(kind._ARTICLE_BODY))
        assert kind._article_body_marked(page) is marked
        seen_dates += len(want)
        seen_marks += marked
    assert seen_dates > 500 and 300 < seen_marks < 1900
    # the class test is XPath's, not str.split's: a no-break space joins two words
    page = parse_page('<html><body><div class="x\u00a0entry-content">t</div></body></html>', "http://x.test/")
    assert "entry-content" in page.index.by_class and not kind._article_body_marked(page)


def test_trafilatura_options_are_those_bare_extraction_builds():
    from trafilatura.settings import Extractor

    for url in ("http://x.test/a", "https://clinic.ca/blog/é/", "", None, "http://x.test/\ud800"):
        plain = Extractor(output_format="python", fast=False, precision=False, recall=False, comments=False,
                          formatting=None, links=False, images=False, tables=True, dedup=False, lang=None, url=url,
                          with_metadata=False, only_with_metadata=False, author_blacklist=None, url_blacklist=None,
                          date_params=None)
        ours = reading._extraction_options(url)
        assert ours is not reading._extraction_options(url)  # a copy per call
        for name in Extractor.__slots__:
            assert getattr(ours, name) == getattr(plain, name), name
