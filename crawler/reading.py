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

import re
import threading
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


# trafilatura's two raw-tree prunes before extraction (trafilatura.xpaths), as it writes them:
# their re:test() calls back into Python for every div, section and list, which made them a
# quarter of trafilatura's time on a clinic's post. The same matches, in the same order, are
# found by one walk over those elements; used only while trafilatura's XPaths read as here.
_APPENDED = re.compile("mvp-post-add-(?:box|wrap)|infinite-?scroll")
_APPENDED_BOX = re.compile("mvp-post-add-(?:box|wrap)")
_COMMENTS_ID = re.compile("^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)")
_COMMENTS_LIST_ID = re.compile("^(?:[Cc]omment(?!ary)|comol)")
_COMMENTS_CLASS = re.compile("^[Cc]omment(?!ary)|(?:article|post)-comments")
_RAW_PRUNE_PATH = (
    ".//*[self::div or self::section or self::aside][ "
    "re:test(@id, 'mvp-post-add-(?:box|wrap)|infinite-?scroll') or "
    "re:test(@class, 'mvp-post-add-(?:box|wrap)|infinite-?scroll')][ "
    "not(.//h1) or re:test(@id, 'mvp-post-add-(?:box|wrap)') or re:test(@class, 'mvp-post-add-(?:box|wrap)')]")
_COMMENTS_PRUNE_PATH = (
    ".//*[self::div or self::list or self::section or self::details or self::ol or self::ul][ "
    "re:test(@id, '^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)') or "
    "re:test(@class, '^[Cc]omment(?!ary)|(?:article|post)-comments')][ "
    "not(self::ol or self::ul) or re:test(@id, '^(?:[Cc]omment(?!ary)|comol)') or "
    "re:test(@class, '^[Cc]omment(?!ary)|(?:article|post)-comments')]")


def _found(pattern, value: str | None) -> bool:
    # re:test() of an absent attribute tests the empty string
    return pattern.search(value or "") is not None


def appended_articles(tree) -> list:
    """The elements ``_RAW_PRUNE_PATH`` selects, in document order."""
    out = []
    for el in tree.iterdescendants("div", "section", "aside"):
        ident, cls = el.get("id"), el.get("class")
        if (ident is None and cls is None) or not (_found(_APPENDED, ident) or _found(_APPENDED, cls)):
            continue
        if el.find(".//h1") is None or _found(_APPENDED_BOX, ident) or _found(_APPENDED_BOX, cls):
            out.append(el)
    return out


def comment_sections(tree) -> list:
    """The elements ``_COMMENTS_PRUNE_PATH`` selects, in document order."""
    out = []
    for el in tree.iterdescendants("div", "list", "section", "details", "ol", "ul"):
        ident, cls = el.get("id"), el.get("class")
        if (ident is None and cls is None) or not (_found(_COMMENTS_ID, ident) or _found(_COMMENTS_CLASS, cls)):
            continue
        if el.tag not in ("ol", "ul") or _found(_COMMENTS_LIST_ID, ident) or _found(_COMMENTS_CLASS, cls):
            out.append(el)
    return out


def _path(xpath) -> str:
    return " ".join(getattr(xpath, "path", "").split())


def _walked_prunes(core) -> dict | None:
    """trafilatura's raw-tree prune lists with the regex XPaths swapped for the walks above,
    or None when its XPaths are not those the walks reproduce."""
    raw = getattr(core, "RAW_TREE_PRUNE_XPATH", None)
    comments = getattr(core, "REMOVE_COMMENTS_AND_LISTS_XPATH", None)
    if not raw or not comments or len(comments) != 1 or _path(comments[0]) != " ".join(_COMMENTS_PRUNE_PATH.split()):
        return None
    if _path(raw[0]) != " ".join(_RAW_PRUNE_PATH.split()):
        return None
    return {"RAW_TREE_PRUNE_XPATH": [appended_articles, *raw[1:]],
            "REMOVE_COMMENTS_AND_LISTS_XPATH": [comment_sections]}


_patch_lock = threading.Lock()
_patch_users = 0
_patch_saved: dict = {}


def _install(core) -> bool:
    """Swap the settled comparison and the walked prunes into trafilatura (first user)."""
    original = getattr(core, "_extract_and_compare", None)
    if original is None or not all(hasattr(core, n) for n in ("extract_content", "compare_extraction")):
        return False
    prunes = _walked_prunes(core) or {}
    _patch_saved.update({name: getattr(core, name) for name in prunes}, _extract_and_compare=original)
    core._extract_and_compare = _settled_first(original, core)
    for name, value in prunes.items():
        setattr(core, name, value)
    return True


@contextmanager
def settled_comparison():
    """For the time of a call: trafilatura skips the comparison where it is settled, and
    prunes the raw tree by walking it. If an upgrade of trafilatura moved what this relies
    on, its own code runs unchanged. Calls in several threads share one swap (counted), so
    the last one out restores trafilatura's own functions, never another call's."""
    global _patch_users
    from trafilatura import core

    with _patch_lock:
        if _patch_users == 0 and not _install(core):
            installed = False
        else:
            _patch_users += 1
            installed = True
    try:
        yield installed
    finally:
        if installed:
            with _patch_lock:
                _patch_users -= 1
                if _patch_users == 0:
                    for name, value in _patch_saved.items():
                        setattr(core, name, value)
                    _patch_saved.clear()


_options: list = []


def _extraction_options(url: str | None):
    """The options ``bare_extraction(url=url, fast=False, include_comments=False,
    include_tables=True)`` builds for itself, from one set built once a process: building
    them reads a dozen values through configparser on every call. Only the address
    differs from one page to the next, set as trafilatura's ``Extractor`` sets it; each
    call gets its own copy (none is shared between threads)."""
    from trafilatura.settings import Extractor

    if not _options:
        _options.append(Extractor(output_format="python", fast=False, comments=False, tables=True))
    options = copy(_options[0])
    options.url = url
    source = url or None
    options.source = source and source.encode("utf-8", "replace").decode("utf-8")
    return options


def trafilatura_text(tree, url: str | None) -> str:
    """trafilatura's full-mode body text of ``tree`` (no comments, tables kept)."""
    from trafilatura import bare_extraction

    with settled_comparison():
        doc = bare_extraction(tree, url=url, options=_extraction_options(url))
    return getattr(doc, "text", None) or ""
