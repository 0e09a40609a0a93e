"""trafilatura's full reading with the comparison skipped where it cannot change the text
(crawler/reading.py): the same text as trafilatura's own full mode, with less work."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

import lxml.html
import pytest
import trafilatura.core
import trafilatura.external
from trafilatura import bare_extraction

from crawler.reading import page_text_bound, settled_comparison, trafilatura_text

PAGES = Path(__file__).parent / "pages"

PARAGRAPH = ("Physiotherapy after a knee injury starts with gentle range of motion work, then "
             "strength, balance and a graded return to running over several weeks. ")


def _post(paragraphs: int, sidebar_items: int) -> str:
    body = "".join(f"<p>{PARAGRAPH * 2}</p>" for _ in range(paragraphs))
    sidebar = "".join(f"<li><a href='/blog/p{i}/'>Recent post number {i} about shoulder pain "
                      f"and what to do about it</a></li>" for i in range(sidebar_items))
    return (f"<html><head><title>Knee</title></head><body><header><nav><a href='/'>Home</a></nav>"
            f"</header><main><article><h1>Knee rehab</h1>{body}</article></main>"
            f"<div class='widget-area'><ul>{sidebar}</ul></div></body></html>")


def _full_mode(tree) -> str:
    """trafilatura's own full mode, nothing skipped."""
    doc = bare_extraction(deepcopy(tree), url="https://clinic.example/blog/knee/", fast=False,
                          include_comments=False, include_tables=True)
    return getattr(doc, "text", None) or ""


@pytest.fixture
def readability_calls(monkeypatch):
    calls = []
    original = trafilatura.external.try_readability

    def counted(tree):
        calls.append(tree)
        return original(tree)
    monkeypatch.setattr(trafilatura.external, "try_readability", counted)
    return calls


def test_the_installed_trafilatura_has_what_the_skip_relies_on():
    original = trafilatura.core._extract_and_compare
    with settled_comparison() as installed:
        assert installed
        assert trafilatura.core._extract_and_compare is not original
    assert trafilatura.core._extract_and_compare is original


def test_a_post_that_is_most_of_its_page_skips_readability(readability_calls):
    tree = lxml.html.fromstring(_post(paragraphs=8, sidebar_items=3))
    expected = _full_mode(tree)
    assert len(readability_calls) == 1  # trafilatura alone compares
    readability_calls.clear()
    assert trafilatura_text(tree, "https://clinic.example/blog/knee/") == expected
    assert readability_calls == []


def test_a_post_that_is_a_small_part_of_its_page_is_compared(readability_calls):
    tree = lxml.html.fromstring(_post(paragraphs=2, sidebar_items=60))
    expected = _full_mode(tree)
    compared = len(readability_calls)
    assert compared >= 1
    readability_calls.clear()
    assert trafilatura_text(tree, "https://clinic.example/blog/knee/") == expected
    assert len(readability_calls) == compared


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.html")))
def test_the_same_text_as_trafilaturas_full_mode(name):
    tree = lxml.html.fromstring((PAGES / name).read_bytes())
    assert trafilatura_text(deepcopy(tree), "https://clinic.example/blog/x/") == _full_mode(tree)


def test_the_bound_covers_readabilitys_text():
    tree = lxml.html.fromstring(_post(paragraphs=3, sidebar_items=10))
    readable = trafilatura.external.try_readability(deepcopy(tree))
    text = " ".join(readable.text_content().split())
    assert 0 < len(text) <= page_text_bound(tree)


def test_no_bound_where_raw_text_elements_hold_markup():
    # an <xmp>'s text comes back from readability's serialise-and-parse escaped, longer
    tree = lxml.html.fromstring("<html><body><p>Knee rehab</p><xmp><b>bold</b></xmp></body></html>")
    assert page_text_bound(tree) is None
    empty_frame = lxml.html.fromstring("<html><body><p>Knee rehab</p><iframe src='x'></iframe></body></html>")
    assert page_text_bound(empty_frame) == len("Knee rehab") + len(" VIDEO")


PRUNE_CASES = """<html><body>
<div id="comments"><p>a comment</p></div><div id="commentary"><p>an essay</p></div>
<section class="post-comments"><p>x</p></section><ol class="commentlist"><li>c</li></ol>
<ul id="comol"><li>d</li></ul><ul class="tags comments"><li>e</li></ul><ol id="disqus_thread"><li>f</li></ol>
<details class="Comment-box"><p>g</p></details><div class="article-comments-wrap"><p>h</p></div>
<div class="mvp-post-add-box"><h1>next article</h1></div><section id="infinite-scroll"><h1>kept</h1></section>
<aside class="infinitescroll"><p>appended</p></aside><div class="elementor-share-buttons">share</div>
</body></html>"""


@pytest.mark.parametrize("source", [PRUNE_CASES] + sorted(p.name for p in PAGES.glob("*.html")))
def test_raw_prune_walks_select_what_trafilaturas_xpaths_select(source):
    from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

    from crawler.reading import appended_articles, comment_sections

    html = source if source.startswith("<") else (PAGES / source).read_bytes()
    tree = lxml.html.fromstring(html)
    assert appended_articles(tree) == RAW_TREE_PRUNE_XPATH[0](tree)
    assert comment_sections(tree) == REMOVE_COMMENTS_AND_LISTS_XPATH[0](tree)
    if source == PRUNE_CASES:
        assert len(appended_articles(tree)) == 2 and len(comment_sections(tree)) == 6


def test_trafilatura_prunes_by_walking_during_the_call_only():
    from crawler.reading import appended_articles, comment_sections

    raw, comments = trafilatura.core.RAW_TREE_PRUNE_XPATH, trafilatura.core.REMOVE_COMMENTS_AND_LISTS_XPATH
    with settled_comparison():
        assert trafilatura.core.RAW_TREE_PRUNE_XPATH[0] is appended_articles
        assert trafilatura.core.REMOVE_COMMENTS_AND_LISTS_XPATH == [comment_sections]
    assert trafilatura.core.RAW_TREE_PRUNE_XPATH is raw
    assert trafilatura.core.REMOVE_COMMENTS_AND_LISTS_XPATH is comments


def test_the_pruned_page_reads_as_trafilaturas_full_mode():
    tree = lxml.html.fromstring(PRUNE_CASES.replace("<div id=\"comments\">", f"<article><p>{PARAGRAPH * 4}</p></article>"
                                                                                 "<div id=\"comments\">"))
    assert trafilatura_text(deepcopy(tree), "https://clinic.example/blog/x/") == _full_mode(tree)


def test_overlapping_calls_in_threads_leave_trafilatura_as_it_was():
    """Two threads' calls overlap (one enters, the other enters, the first leaves): the
    swap is shared, and trafilatura's own functions come back when the last one leaves."""
    import threading

    core = trafilatura.core
    original, prunes = core._extract_and_compare, core.RAW_TREE_PRUNE_XPATH
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = []

    def first():
        with settled_comparison():
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second():
        first_in.wait(10)
        with settled_comparison():
            second_in.set()
            first_out.wait(10)
            seen.append(core._extract_and_compare is not original)  # still swapped for this call

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert seen == [True]
    assert core._extract_and_compare is original and core.RAW_TREE_PRUNE_XPATH is prunes
