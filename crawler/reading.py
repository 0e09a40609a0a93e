"""trafilatura's full reading of a page, without the comparison that cannot change it.

In full mode (``fast=False``) trafilatura reads the page with its own extractor, then
always runs readability on a copy of the page and, in some cases, jusText, and keeps
its own reading unless one of its rules prefers theirs (``trafilatura.external``:
``compare_extraction``, ``_prefer_readability``). On a clinic's post those rules can be
decided before readability runs: its text is some of the page's text, in page order, so
it is never longer than the page's whole text (whitespace collapsed, scripts and styles
left out, as readability drops them). When trafilatura's own text is at least half of
that, readability cannot be "much longer" (twice), and when its reading also has
paragraphs, is long enough and holds nothing jusText is called to repair, the comparison
returns trafilatura's own reading unchanged: it is skipped. Every other page gets the
full comparison. The result is the same either way; only the work differs.
"""

from __future__ import annotations

from contextlib import contextmanager
from copy import copy

from lxml import etree

# HTML's raw-text elements: readability's output is serialised and parsed again, and text
# in these comes back with its escapes as text (longer); a video iframe gets "VIDEO"
_RAW_TEXT = ("xmp", "iframe", "noembed", "noframes", "plaintext")


def page_text_bound(tree) -> int | None:
    """An upper bound on the length of any text readability can return for ``tree``
    (trafilatura's ``trim``: whitespace runs as one space), or None when the page holds
    raw-text elements with content, where no cheap bound holds.

    Leaving text out of a text never adds a word, so the trimmed page text less the
    non-space characters of the scripts and styles readability drops bounds any text
    made of the rest, in order."""
    extra = 0
    for el in tree.iter(_RAW_TEXT):
        if len(el) or (el.text and not el.text.isspace()):
            return None
        extra += len(" VIDEO")
    dropped = 0
    for el in tree.iter("script", "style"):
        if el.text and not len(el):
            dropped += len("".join(el.text.split()))
    return len(" ".join(etree.tostring(tree, method="text", encoding=str).split())) - dropped + extra


def comparison_settled(body, text: str, tree, options) -> bool:
    """Would ``compare_extraction`` return trafilatura's own ``body`` and ``text`` as they
    are? Only said when it provably would (balanced focus, the only one Needle uses)."""
    from trafilatura.external import SANITIZED_XPATH

    if options.fast or options.focus != "balanced":
        return False
    size = options.min_extracted_size
    if len(text) < size:  # short: jusText is tried
        return False
    bound = page_text_bound(tree)
    if bound is None or bound > 2 * len(text):  # readability could be twice as long
        return False
    structured = bool(body.xpath(".//p//text()")) and len(body.findall(".//table")) <= len(body.findall(".//p"))
    if not structured and bound > 2 * size:  # readability could replace a reading without paragraphs
        return False
    # "unclean" output (asides, figures, navs...) sends it to jusText
    return not body.xpath(SANITIZED_XPATH)


def _settled_first(original, core):
    """trafilatura's ``_extract_and_compare``, with the comparison skipped when settled."""
    def extract_and_compare(cleaned_tree, cleaned_tree_backup, tree, options):
        if options.fast or options.focus != "balanced":
            return original(cleaned_tree, cleaned_tree_backup, tree, options)
        body, text = core.extract_content(cleaned_tree, options)
        if comparison_settled(body, text, tree, options):
            return body, text
        return core.compare_extraction(cleaned_tree_backup, copy(tree), body, text, options)
    return extract_and_compare


@contextmanager
def settled_comparison():
    """For the time of a call: trafilatura skips the comparison where it is settled. If an
    upgrade of trafilatura moved what this relies on, its own code runs unchanged."""
    from trafilatura import core

    original = getattr(core, "_extract_and_compare", None)
    if original is None or not all(hasattr(core, n) for n in ("extract_content", "compare_extraction")):
        yield False
        return
    core._extract_and_compare = _settled_first(original, core)
    try:
        yield True
    finally:
        core._extract_and_compare = original


def trafilatura_text(tree, url: str | None) -> str:
    """trafilatura's full-mode body text of ``tree`` (no comments, tables kept)."""
    from trafilatura import bare_extraction

    with settled_comparison():
        doc = bare_extraction(tree, url=url, fast=False, include_comments=False, include_tables=True)
    return getattr(doc, "text", None) or ""
