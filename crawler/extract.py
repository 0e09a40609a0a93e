"""Pure extraction: (html, url) -> Post / Listing fields. No crawler, no network.

The HTML is decoded and parsed once (``parse_page``) into a ``Page`` that every field
extractor shares: the lxml tree, the head's meta tags, the JSON-LD objects, the set of
boilerplate elements (site chrome, widgets) and the main-content container.

Main content is found selector-first (``selectors.CONTENT``: article bodies of the
common platforms) with boilerplate pruned while the text is read, and a paragraph
density score when no selector matches (site builders). That container gives the
headings, images, links and contacts of the body. The body text itself is
trafilatura's (fast mode) wherever it reads the page: on public real-world pages
(bench/eval_extraction.py, docs/extraction-quality.md) it scores F1 0.95 against
0.89 for the container's text. Needle's own reading stays the fallback, and decides
where trafilatura is known to go wrong (layout tables, a site's own body selector).

Phones are normalised to ``+1-AAA-EEE-NNNN`` (North America) and ``+33-X-XX-XX-XX-XX``
(France); emails are lower-cased.
"""

from __future__ import annotations

import codecs
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone as dt_timezone
from functools import cached_property
from typing import Iterable, Literal

from lxml import etree, html as lxml_html

from crawler import selectors as S
from crawler.dates import DateCollector, DateFinding, find_snippets, is_modified_cue, parse_human, parse_structured
from crawler.records import (
    ContactFacts,
    DateKind,
    DateSource,
    FetchInfo,
    Heading,
    Hreflang,
    Image,
    ImagePosition,
    Link,
    PageMeta,
    Post,
    RecordWarning,
    Teaser,
    WarningKind,
)
from crawler.urls import canonicalize, is_internal, resolve, site_of

__all__ = [
    "Listing", "Page", "extract_post", "extract_listing", "extract_recent_posts", "page_kind",
    "parse_page", "decode_html", "looks_like_html",
]

ARTICLE_TYPES = {
    "article", "blogposting", "newsarticle", "techarticle", "report", "scholarlyarticle",
    "socialmediaposting", "liveblogposting", "opinionnewsarticle", "analysisnewsarticle",
    "medicalscholarlyarticle", "reportagenewsarticle", "backgroundnewsarticle", "posting",
}
LISTING_TYPES = {"blog", "collectionpage", "itemlist", "searchresultspage"}
BLOCK_TAGS = frozenset(
    "p div section article main header footer aside nav h1 h2 h3 h4 h5 h6 ul ol li dl dt dd "
    "blockquote pre table thead tbody tfoot tr td th caption figure figcaption address hr br "
    "details summary form fieldset center".split()
)
HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# never text, anywhere
INVISIBLE_TAGS = frozenset("script style noscript template svg head title meta link iframe object embed".split())
_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


def _clean(text: str | None) -> str:
    # str.split() and re's \s agree on what whitespace is (str.isspace): the same
    # result as _WS.sub(" ", text).strip(), at a quarter of the cost
    return " ".join(text.split()) if text else ""


# --------------------------------------------------------------------------- decoding

_BOMS = [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# UTF-8 read as cp1252/latin-1: a lead byte (Ã, Â, â, ...) then continuation-range chars
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+"
)


def looks_like_html(body: bytes | str | None) -> bool:
    """Cheap check for the spider: is this body an HTML page at all (not empty, binary, PDF)?"""
    if not body:
        return False
    head = body[:2048]
    if isinstance(head, str):
        head = head.encode("utf-8", "replace")
    if head.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")):
        return False
    for bom, enc in _BOMS:
        if head.startswith(bom):
            head = head.decode(enc, "replace").encode("utf-8", "replace")
            break
    if head.count(b"\x00") > 2:
        return False
    return bool(re.search(rb"<(?:!doctype\s+html|html|head|body|title|meta|div|p|article)\b", head, re.IGNORECASE))


def _fix_mojibake(text: str) -> tuple[str, int]:
    """Undo UTF-8 bytes that were decoded as cp1252/latin-1, run by run."""
    fixed = 0

    def repair(m: re.Match) -> str:
        nonlocal fixed
        run = m.group(0)
        raw = bytearray()
        for ch in run:
            try:
                raw += ch.encode("cp1252")
            except UnicodeEncodeError:
                if ord(ch) > 255:
                    return run
                raw.append(ord(ch))
        try:
            out = raw.decode("utf-8")
        except UnicodeDecodeError:
            return run
        fixed += 1
        return out

    return _MOJIBAKE.sub(repair, text), fixed


# Codecs Python has that are no character encoding of a web page: they transform text
# (idna, punycode, the escapes) or browsers refuse them (utf-7). Codecs that are not
# text encodings at all (base64, rot13, zlib, hex, ...) CodecInfo tells apart itself.
_NOT_PAGE_CHARSETS = {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "utf-7"}
_LATIN1_LABELS = ("latin-1", "iso8859-1", "ascii")  # browsers read these as windows-1252


def text_charset(label: str | None) -> str | None:
    """Python's codec name for a declared charset label, or None when the label names no
    character encoding a web page can be decoded with: unknown (``bogus``), not a text
    encoding (``base64``, ``rot13``) or a text transform (``idna``)."""
    if not label:
        return None
    try:
        info = codecs.lookup(label.strip())
    except (LookupError, TypeError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_CHARSETS:
        return None
    return info.name


def _codec_key(label: str) -> str:
    try:
        return codecs.lookup(label.strip()).name
    except (LookupError, TypeError, ValueError):
        return label.strip().lower()


def _unusable(label: str) -> str:
    try:
        codecs.lookup(label.strip())
    except (LookupError, TypeError, ValueError):
        return f"unknown charset {label!r}"
    return f"charset {label!r} is no character encoding for a web page"


def decode_html(body: bytes | str, encoding: str | None = None) -> tuple[str, list[RecordWarning]]:
    """Decode a body to text; repair a wrong declared charset and mojibake, with warnings.

    Order: BOM, the given (HTTP) encoding, the ``<meta charset>``, UTF-8, then
    charset-normalizer's guess. A charset that fails strictly is reported; so is a
    declared one that names no usable encoding (unknown, or a codec such as base64 or
    rot13: passed over), and so is repaired mojibake. Whatever a page declares, this
    does not raise.
    """
    warnings: list[RecordWarning] = []
    if isinstance(body, str):
        text = body
    else:
        text = None
        for bom, enc in _BOMS:
            if body.startswith(bom):
                text = body[len(bom):].decode(enc, "replace")
                break
        if text is None:
            labels = []
            if encoding:
                labels.append(encoding)
            m = _META_CHARSET.search(body[:4096])
            if m:
                labels.append(m.group(1).decode("ascii", "ignore"))
            declared: list[tuple[str, str]] = []  # (label as written, codec) of the usable ones
            unusable: set[str] = set()
            for label in labels:
                codec = text_charset(label)
                if codec is not None:
                    declared.append((label, codec))
                elif _codec_key(label) not in unusable:  # said once when the header and <meta> agree
                    unusable.add(_codec_key(label))
                    warnings.append(RecordWarning(kind=WarningKind.ENCODING, message=_unusable(label)))
            tried = []
            # windows-1252 is what browsers fall back to for Western pages
            for name in [codec for _, codec in declared] + ["utf-8", "cp1252"]:
                if name in tried:
                    continue
                tried.append(name)
                if name in _LATIN1_LABELS:
                    name = "cp1252"  # what browsers do with these labels
                try:
                    text = body.decode(name)
                except (UnicodeError, LookupError):  # UnicodeError: a codec's own complaint too
                    continue
                if declared and name != declared[0][1] and not (
                        name == "cp1252" and declared[0][1] in _LATIN1_LABELS):
                    warnings.append(RecordWarning(
                        kind=WarningKind.ENCODING,
                        message=f"declared charset {declared[0][0]!r} does not decode the page; read as {name}",
                    ))
                elif not declared and labels:  # only unusable ones: say what was used instead
                    warnings[-1] = RecordWarning(kind=WarningKind.ENCODING,
                                                 message=f"{warnings[-1].message}; read as {name}")
                break
            if text is None:
                from charset_normalizer import from_bytes

                best = from_bytes(body).best()
                if best is not None and best.encoding:
                    text = str(best)
                    warnings.append(RecordWarning(
                        kind=WarningKind.ENCODING,
                        message=f"charset {declared[0][0] if declared else 'undeclared'!r} does not decode the "
                                f"page; guessed {best.encoding}",
                    ))
                else:
                    text = body.decode("utf-8", "replace")
                    warnings.append(RecordWarning(kind=WarningKind.ENCODING, message="undecodable bytes replaced"))
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _MOJIBAKE.search(text):
        text, fixed = _fix_mojibake(text)
        if fixed:
            warnings.append(RecordWarning(
                kind=WarningKind.ENCODING, message=f"repaired {fixed} mojibake sequence(s) (UTF-8 read as cp1252)",
            ))
    return text, warnings


# --------------------------------------------------------------------------- the parsed page


def _parse_tree(text: str) -> tuple[lxml_html.HtmlElement | None, int]:
    text = _XML_DECL.sub("", text, count=1)
    parser = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    if not text.strip():
        return None, 0
    try:
        tree = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return None, 0
    errors = sum(1 for e in parser.error_log if e.type_name in ("ERR_TAG_NAME_MISMATCH", "ERR_NAME_REQUIRED",
                                                               "ERR_GT_REQUIRED", "ERR_LTSLASH_REQUIRED",
                                                               "ERR_ATTRIBUTE_WITHOUT_VALUE", "ERR_TAG_NOT_FINISHED"))
    return tree, errors


def _jsonld_load(text: str):
    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    # what themes get wrong: CDATA/comment wrappers, trailing commas, raw newlines
    text = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$|^\s*<!--|-->\s*$", "", text)
    text = re.sub(r",\s*([}\]])", r"\1", text)
    try:
        return json.loads(text, strict=False)
    except ValueError:
        return None


def _types(obj: dict) -> list[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return [t]
    if isinstance(t, list):
        return [x for x in t if isinstance(x, str)]
    return []


def _walk_json(obj, out: list[dict]) -> None:
    if isinstance(obj, list):
        for item in obj:
            _walk_json(item, out)
    elif isinstance(obj, dict):
        if "@type" in obj or "@id" in obj:
            out.append(obj)
        for key, value in obj.items():
            if isinstance(value, (dict, list)) and key != "@context":
                _walk_json(value, out)


@dataclass
class Page:
    """One parsed page: every extractor reads this, nobody re-parses."""

    url: str
    tree: lxml_html.HtmlElement | None
    warnings: list[RecordWarning] = field(default_factory=list)
    parse_errors: int = 0
    site_selectors: dict[str, str] = field(default_factory=dict)

    @cached_property
    def canonical_url(self) -> str:
        return canonicalize(self.url)

    @cached_property
    def site(self) -> str:
        return site_of(self.url)

    @cached_property
    def base_url(self) -> str:
        if self.tree is not None:
            for href in self.tree.xpath("//head/base/@href")[:1]:
                absolute = resolve(href, self.url)
                if absolute:
                    return absolute
        return self.url

    @cached_property
    def body(self):
        if self.tree is None:
            return None
        found = self.tree.find("body")
        return found if found is not None else self.tree

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """<meta> name/property/itemprop (lower-case) -> contents, in page order."""
        out: dict[str, list[str]] = {}
        if self.tree is None:
            return out
        for el in self.tree.iter("meta"):
            key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
            content = el.get("content")
            if key and content is not None and content.strip():
                out.setdefault(key.strip().lower(), []).append(content.strip())
        return out

    def meta1(self, *keys: str) -> str | None:
        for key in keys:
            values = self.meta.get(key)
            if values:
                return values[0]
        return None

    @cached_property
    def jsonld_roots(self) -> list:
        roots = []
        if self.tree is None:
            return roots
        for script in self.tree.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"):
            data = _jsonld_load(script.text or "")
            if data is not None:
                roots.append(data)
        return roots

    @cached_property
    def jsonld_objects(self) -> list[dict]:
        out: list[dict] = []
        for root in self.jsonld_roots:
            _walk_json(root, out)
        return out

    @cached_property
    def jsonld_top_types(self) -> list[str]:
        """Types of the top-level objects and @graph members (what SEO tools list)."""
        types: list[str] = []
        for root in self.jsonld_roots:
            items = root if isinstance(root, list) else [root]
            for item in items:
                if not isinstance(item, dict):
                    continue
                members = item.get("@graph") if isinstance(item.get("@graph"), list) else [item]
                for member in members:
                    if isinstance(member, dict):
                        for t in _types(member):
                            if t not in types:
                                types.append(t)
        return types

    @cached_property
    def jsonld_by_id(self) -> dict[str, dict]:
        out = {}
        for obj in self.jsonld_objects:
            if isinstance(obj.get("@id"), str) and len(obj) > 1:
                out.setdefault(obj["@id"], obj)
        return out

    @cached_property
    def jsonld_article(self) -> dict | None:
        webpage = None
        for obj in self.jsonld_objects:
            types = {t.lower() for t in _types(obj)}
            if types & ARTICLE_TYPES:
                return obj
            if webpage is None and "datePublished" in obj and types & {"webpage", "medicalwebpage", "itempage"}:
                webpage = obj
        return webpage

    @cached_property
    def jsonld_webpages(self) -> list[dict]:
        return [o for o in self.jsonld_objects
                if {t.lower() for t in _types(o)} & {"webpage", "medicalwebpage", "itempage"}]

    def jsonld_ref(self, value):
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in self.jsonld_by_id:
            return self.jsonld_by_id[value["@id"]]
        return value

    # boilerplate ------------------------------------------------------------
    @cached_property
    def chrome(self) -> set:
        """Site chrome and widgets: never body text, title, date or author."""
        if self.tree is None:
            return set()
        chrome = _matches(self, S.BOILERPLATE)
        # a chrome selector never swallows the post itself
        for el in _matches(self, S.strong_content()):
            if el in chrome or _text_len(el) < 300:
                continue
            for ancestor in el.iterancestors():
                chrome.discard(ancestor)
        return chrome

    @cached_property
    def site_chrome(self) -> set:
        """Header, footer, navigation, sidebars, banners, comments: SITE_CHROME's matches."""
        return _matches(self, S.SITE_CHROME) if self.tree is not None else set()

    @cached_property
    def teaser_groups(self) -> dict:
        return {}

    @cached_property
    def content_chrome(self) -> set:
        if self.tree is None:
            return set()
        return _matches(self, S.CONTENT_CHROME)

    def in_chrome(self, el, stop=None) -> bool:
        chrome = self.chrome
        while el is not None and el is not stop:
            if el in chrome:
                return True
            el = el.getparent()
        return False

    def resolve(self, href: str | None) -> str | None:
        return resolve(href or "", self.base_url)

    @cached_property
    def title_element(self):
        """The post's title heading: the site-specific selector, else the first h1 outside chrome."""
        if self.tree is None:
            return None
        sel = self.site_selectors.get("title")
        if sel:
            for el in S.select(self.tree, sel):
                if _clean(el.text_content()):
                    return el
        for el in self.tree.iter("h1"):
            if not self.in_chrome(el) and _clean(el.text_content()):
                return el
        for _, el in _ordered(self.tree, S.TITLE, self):
            if el.tag not in ("title", "meta") and not self.in_chrome(el) and _clean(el.text_content()):
                return el
        return None

    @cached_property
    def container(self):
        return _find_container(self)

    @cached_property
    def card_elements(self) -> set:
        """Cards of other posts (recent-posts widgets): their dates are not this post's."""
        cards: set = set()
        for _, widget in _ordered(self.tree, S.RELATED_WIDGETS, self) if self.tree is not None else []:
            cards.add(widget)
        if self.container is not None:
            cards.update(_teaser_group(self, self.container))
        return cards

    @cached_property
    def index(self) -> S.ElementIndex | None:
        """The page's elements indexed once; every selector list is matched through it."""
        return S.ElementIndex(self.tree) if self.tree is not None else None

    @cached_property
    def doc_order(self) -> dict:
        return self.index.order if self.index is not None else {}



# --------------------------------------------------------------------------- selector helpers

def _ordered(root, selectors: list[str], page: "Page | None" = None) -> list[tuple[int, object]]:
    """Matches of a selector list as (selector index, element), best selector first.

    With ``page`` (``root`` its tree or an element of it) the page's element index and
    its cached matches are reused. The result may be shared: do not modify it."""
    if page is not None and page.index is not None:
        return S.selector_set(selectors).ranked_in(page.index, root)
    return S.selector_set(selectors).ranked(root)


def _matches(page: "Page", selectors: list[str]) -> set:
    return {el for _, el in _ordered(page.tree, selectors, page)} if page.tree is not None else set()


# --------------------------------------------------------------------------- text


@dataclass
class _TextOut:
    blocks: list[str] = field(default_factory=list)
    headings: list[tuple[int, str, object]] = field(default_factory=list)
    images: list = field(default_factory=list)
    links: list = field(default_factory=list)


def _read_text(root, skip: set, skip_test=None) -> _TextOut:
    """Text of ``root`` as blocks (one per paragraph, heading, list item...), skipping
    the subtrees in ``skip`` and invisible elements."""
    out = _TextOut()
    buf: list[str] = []

    def flush() -> None:
        if buf:
            text = _clean("".join(buf))
            buf.clear()
            if text:
                out.blocks.append(text)

    walker = etree.iterwalk(root, events=("start", "end"))
    skipped = set()
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if el is not root and (el in skip or tag in INVISIBLE_TAGS or (skip_test and skip_test(el))):
                skipped.add(el)
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                flush()
            if tag == "img":
                out.images.append(el)
            elif tag == "a":
                out.links.append(el)
            elif tag in HEADING_TAGS:
                text = _clean(el.text_content())
                if text:
                    out.headings.append((HEADING_TAGS[tag], text, el))
            if el.text:
                buf.append(el.text)
        else:
            if el in skipped:
                skipped.discard(el)
            elif tag in BLOCK_TAGS:
                flush()
            elif tag in ("td", "th"):
                buf.append(" ")
            if el is not root and el.tail:
                buf.append(el.tail)
    flush()
    return out


def _link_text(el) -> str:
    """``el.text_content()``, without lxml's XPath call for the common childless element."""
    if len(el):
        return el.text_content()
    return el.text or ""


def _text_len(el) -> int:
    return len(_WS.sub(" ", el.text_content() or ""))


# --------------------------------------------------------------------------- main content


def _find_container(page: Page):
    """The main-content element: per-site selector, then CONTENT in order, then density."""
    tree = page.tree
    if tree is None:
        return None
    override = page.site_selectors.get("body")
    if override:
        for el in S.select(tree, override):
            if _text_len(el) > 0:
                return el
    best_by_rank: dict[int, list] = {}
    for rank, el in _ordered(tree, S.CONTENT, page):
        if page.in_chrome(el):
            continue
        best_by_rank.setdefault(rank, []).append(el)
    for rank in sorted(best_by_rank):
        candidates = best_by_rank[rank]
        scored = [(len(_paragraph_text(el, page)), el) for el in candidates]
        length, el = max(scored, key=lambda pair: pair[0])
        # a selector that only finds a stub (an empty .content wrapper) is not the body
        if length >= 200 or (rank >= len(S.CONTENT) - 6 and length >= 80):
            return el
    return _densest(page)


def _paragraph_text(el, page: Page) -> str:
    parts = []
    for p in el.iter("p", "li", "h2", "h3", "blockquote", "pre"):
        if p.tag == "li" and p.getparent() is not None and p.getparent().tag not in ("ul", "ol"):
            continue
        if not page.in_chrome(p, stop=el.getparent()):
            parts.append(p.text_content())
    text = " ".join(parts)
    if not text.strip():
        text = el.text_content()
    return _clean(text)


def _densest(page: Page):
    """Parent with the most paragraph text (for pages no selector knows: site builders)."""
    scores: dict = {}
    body = page.body
    if body is None:
        return None
    for p in body.iter("p", "li", "div", "span", "h2", "h3", "td"):
        if p.tag in ("div", "span", "td"):
            # builder themes write paragraphs as divs/spans with direct text
            text = _clean((p.text or "") + "".join((c.tail or "") for c in p))
        else:
            text = _clean(p.text_content())
        if len(text) < 25 or page.in_chrome(p):
            continue
        weight = len(text) + (text.count(".") + text.count(",")) * 10
        parent = p.getparent()
        depth = 0
        while parent is not None and depth < 3:
            scores[parent] = scores.get(parent, 0) + weight / (1 + depth)
            parent = parent.getparent()
            depth += 1
    if not scores:
        return body
    best = max(scores, key=scores.get)
    # An unclosed <li> swallows the headings and paragraphs after it (the parser
    # nests them in the list), so the list outscores the real container, whose
    # opening paragraphs are then lost. Headings inside a list mean that repair.
    while best.tag in ("ul", "ol", "li") and best.getparent() is not None and best.find(".//li//h2") is not None:
        best = best.getparent()
    return best if best.tag != "html" else body


# --------------------------------------------------------------------------- title, author, summary

_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|«|/|:)\s+")


def _strip_site_name(title: str, site_name: str | None) -> str:
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    if site_name:
        name = site_name.lower()
        kept = [p for p in parts if p.strip().lower() != name]
        if kept and len(kept) < len(parts):
            return " - ".join(kept) if len(kept) > 1 else kept[0]
    # the site name is the short end part: "Dry Needling 101 | Healing Haven"
    if len(parts[-1]) < len(" ".join(parts[:-1])):
        return title[: title.rfind(parts[-1])].rstrip(" |-–—:·•»/").strip()
    return title


def _norm_title(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def _title(page: Page) -> str | None:
    element = page.title_element
    heading = _clean(element.text_content()) if element is not None else ""
    if page.site_selectors.get("title") and heading:
        return heading
    site_name = page.meta1("og:site_name", "application-name")
    title_tag = ""
    if page.tree is not None:
        found = page.tree.find(".//title")
        title_tag = _clean(found.text_content()) if found is not None else ""
    article = page.jsonld_article or {}
    headline = article.get("headline") or article.get("name")
    headline = _clean(headline) if isinstance(headline, str) else ""
    og_title = _clean(page.meta1("og:title", "twitter:title") or "")
    named = [t for t in (og_title, headline, title_tag) if t]
    if heading:
        norm = _norm_title(heading)
        # an h1 that is the site's name (logo) is no title
        if site_name and norm == _norm_title(site_name) and named:
            heading = ""
        elif any(norm and norm in _norm_title(t) for t in named) or not named:
            return heading
    for text in (og_title, headline):
        if text:
            return _strip_site_name(text, site_name)
    if heading:
        return heading
    if title_tag:
        return _strip_site_name(title_tag, site_name)
    return None


_BY = re.compile(r"^\s*(?:written\s+|posted\s+|publi[ée]\s+)?(?:by|par|de|from|auteur\s*:?|author\s*:?)\s+", re.IGNORECASE)
_AUTHOR_JUNK = re.compile(r"https?://|@|\d{4}|\bposted\b|\bcomments?\b", re.IGNORECASE)


def _clean_author(text: str | None) -> str | None:
    text = _clean(text)
    text = _BY.sub("", text)
    text = re.split(r"\s+(?:on|le|in|dans|\||·|•|—|–)\s+|\s*[|·•]\s*", text)[0].strip(" ,;:-")
    if not text or len(text) > 60 or _AUTHOR_JUNK.search(text) or len(text.split()) > 6:
        return None
    return text


def _jsonld_author(page: Page) -> str | None:
    article = page.jsonld_article
    if not article:
        return None
    value = article.get("author") or article.get("creator")
    names = []
    for item in value if isinstance(value, list) else [value]:
        item = page.jsonld_ref(item)
        if isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, str):
                names.append(_clean(name))
        elif isinstance(item, str) and not item.startswith("http"):
            names.append(_clean(item))
    names = [n for n in names if n]
    return ", ".join(dict.fromkeys(names)) or None


def _author(page: Page) -> str | None:
    tree = page.tree
    if tree is None:
        return None
    sel = page.site_selectors.get("author")
    if sel:
        for el in S.select(tree, sel):
            name = _clean_author(el.text_content())
            if name:
                return name
    name = _jsonld_author(page)
    if name:
        return name
    for el in _ordered(tree, S.AUTHOR, page):
        el = el[1]
        if page.in_chrome(el):
            continue
        name = _clean_author(el.get("content") or el.text_content())
        if name:
            return name
    meta = page.meta1("author", "article:author", "twitter:creator", "dc.creator", "parsely-author")
    if meta and not meta.startswith("http"):
        return _clean_author(meta.lstrip("@")) if "@" not in meta[1:] else None
    # "By Jane Doe" near the title
    title = page.title_element
    if title is not None:
        near = _text_near(page, title, after=200, before=0)
        m = re.search(r"\b(?i:by|par|written by|écrit par)[ \t]+([A-ZÀ-Ý][\w'’.-]+(?:[ \t]+[A-ZÀ-Ý][\w'’.-]+){0,3})", near)
        if m:
            return _clean_author(m.group(1))
    return None


def _summary(page: Page, blocks: list[str]) -> str | None:
    article = page.jsonld_article or {}
    desc = article.get("description") if isinstance(article.get("description"), str) else None
    for text in (page.meta1("description"), page.meta1("og:description", "twitter:description"), desc):
        if text and _clean(text):
            return _clean(text)
    for block in blocks:
        if len(block) >= 60 and not find_snippets(block[:40], 1):
            return block if len(block) <= 300 else block[:297].rsplit(" ", 1)[0] + "…"
    return None


# --------------------------------------------------------------------------- dates


def _text_near(page: Page, el, *, after: int = 300, before: int = 120) -> str:
    """Visible text just before and after an element (the title): bylines live there."""
    parts_after: list[str] = []
    size = 0
    for node in el.xpath("following::text()[normalize-space()][position() <= 40]"):
        parent = node.getparent()
        if parent is None or parent.tag in INVISIBLE_TAGS or page.in_chrome(parent):
            continue
        if parent.tag == "time" and parent.get("datetime") and node.is_text:
            continue  # already read from its datetime attribute
        if len(node.strip()) >= 100:
            break  # body prose: its dates are what the post talks about, not when it was written
        parts_after.append(str(node))
        size += len(node)
        if size >= after:
            break
    parts_before: list[str] = []
    size = 0
    if before:
        for node in reversed(el.xpath("preceding::text()[normalize-space()][position() <= 8]")):
            parent = node.getparent()
            if parent is None or parent.tag in INVISIBLE_TAGS or page.in_chrome(parent) or len(node.strip()) >= 100:
                break
            parts_before.insert(0, str(node))
            size += len(node)
            if size >= before:
                break
    # one line per text node: a name never runs on into the next paragraph
    return "\n".join(_clean(t) for t in parts_before + parts_after if t.strip())


def _dates(page: Page, *, tz: str, languages: list[str], fetched_at: datetime | None,
           fetch: FetchInfo | None, earliest: str) -> DateFinding:
    dc = DateCollector(tz=tz, languages=languages, fetched_at=fetched_at, earliest=earliest)
    tree = page.tree
    if tree is not None:
        # JSON-LD: the article object, and the WebPage Yoast/RankMath put beside it
        # the Article describes the post; a WebPage's dates only when there is no Article
        for obj in [page.jsonld_article]:
            if not obj:
                continue
            published = obj.get("datePublished") or obj.get("dateCreated")
            if isinstance(published, str):
                dc.add_structured(published, DateKind.PUBLISHED, DateSource.JSONLD)
            if isinstance(obj.get("dateModified"), str):
                dc.add_structured(obj["dateModified"], DateKind.MODIFIED, DateSource.JSONLD)
        for key in ("article:published_time", "og:published_time", "datepublished", "pubdate", "publish-date",
                    "publish_date", "dc.date.issued", "dc.date", "dcterms.date", "dcterms.created", "date",
                    "sailthru.date", "parsely-pub-date", "article.published", "published_time"):
            for value in page.meta.get(key, [])[:1]:
                if key == "datepublished":
                    continue  # itemprop meta is microdata, below
                dc.add_structured(value, DateKind.PUBLISHED, DateSource.META)
        for key in ("article:modified_time", "og:updated_time", "dcterms.modified", "last-modified",
                    "article.updated", "modified_time"):
            for value in page.meta.get(key, [])[:1]:
                dc.add_structured(value, DateKind.MODIFIED, DateSource.META)
        # microdata
        for el in tree.xpath("//*[@itemprop='datePublished' or @itemprop='dateModified' or @itemprop='dateCreated']"):
            if page.in_chrome(el):
                continue
            kind = DateKind.MODIFIED if el.get("itemprop") == "dateModified" else DateKind.PUBLISHED
            raw = el.get("content") or el.get("datetime") or (el.get("title") if el.tag == "abbr" else None) or el.text_content()
            if not dc.add_structured(raw, kind, DateSource.MICRODATA):
                dc.add_text(_clean(raw), kind=kind, source=DateSource.MICRODATA, limit=1)
        # <time datetime> outside chrome
        times = 0
        for el in tree.iter("time"):
            if times >= 4 or page.in_chrome(el) or el.get("itemprop") or (page.card_elements and _in(el, page.card_elements)):
                continue
            times += 1
            cls = (el.get("class") or "").lower()
            context = _clean((el.getparent().text or "") if el.getparent() is not None else "") + " " + cls
            kind = DateKind.MODIFIED if re.search(r"updated|modified", cls) or is_modified_cue(context) else DateKind.PUBLISHED
            if el.get("datetime"):
                dc.add_structured(el.get("datetime"), kind, DateSource.TIME)
            else:
                dc.add_text(_clean(el.text_content()), kind=kind, limit=1, report_unparseable=True)
        # human text: date/byline elements, then the lines around the title
        date_sel = page.site_selectors.get("date")
        explicit = S.select(tree, date_sel) if date_sel else []
        seen_text: set[str] = set()
        for el in explicit:
            text = _clean(el.get("content") or el.get("datetime") or el.text_content())
            if _ISOISH.match(text):
                dc.add_structured(text, DateKind.PUBLISHED, DateSource.TEXT)
            else:
                dc.add_text(text, limit=1, report_unparseable=True)
        modified_els = _matches(page, S.DATE_MODIFIED)
        cards = page.card_elements
        for _, el in _ordered(tree, S.DATE, page)[:12]:
            if el.tag == "time" or page.in_chrome(el) or (cards and _in(el, cards)):
                continue
            text = _spaced_text(el, skip_datetime=True)
            if not text or text in seen_text or len(text) > 300:
                continue
            seen_text.add(text)
            kind = DateKind.MODIFIED if el in modified_els else None
            found = dc.add_text(text, kind=kind, limit=2)
            if (not found and len(text) <= 60 and _is_date_element(el) and not el.get("title")
                    and re.search(r"\b(?:19|20)\d\d\b|" + _MONTH_WORD, text, re.IGNORECASE)):
                dc.add_text(text, kind=kind, report_unparseable=True)
        for el in modified_els:
            if el.tag != "time" and not page.in_chrome(el):
                dc.add_text(_spaced_text(el, skip_datetime=True), kind=DateKind.MODIFIED, limit=1)
        title = page.title_element
        if title is not None:
            near = _text_near(page, title)
            dc.add_text(near, limit=2)
            for line in near.splitlines()[:20]:
                cue = _DATE_CUE.match(line)
                if cue and line[cue.end():].strip(" :") and not find_snippets(line, 1) and len(line) <= 80:
                    dc.add_unparseable(line, DateSource.TEXT)
    dc.add_url(page.url)
    if tree is not None and not dc.has_published():
        _heuristic_date(page, dc)
    if fetch is not None:
        if fetch.last_modified:
            value = parse_structured(fetch.last_modified)
            if value is not None:
                dc.add_value(value, DateKind.MODIFIED, DateSource.HTTP, fetch.last_modified)
        if fetch.sitemap_lastmod is not None:
            dc.add_value(fetch.sitemap_lastmod, DateKind.MODIFIED, DateSource.SITEMAP,
                         fetch.sitemap_lastmod.isoformat())
    return dc.finish()


def _heuristic_date(page: Page, dc: DateCollector) -> None:
    """htmldate's fast page-wide search, when nothing Needle reads gave a published date.

    Other posts' cards (recent-posts widgets, a builder's card group) are swapped out
    first: their dates are never this post's. The rest of the chrome stays: headers and
    footers hold the right date on many real-world pages (bench/eval_extraction.py)."""
    from htmldate import find_date

    try:
        with _swapped_out(page.card_elements - {page.body, page.container, page.tree}):
            found = find_date(page.tree, url=page.url, original_date=True, extensive_search=False,
                              outputformat="%Y-%m-%d", min_date=dc.earliest.replace(tzinfo=None),
                              max_date=dc.latest.replace(tzinfo=None))
    except Exception:  # the fallback never costs the record
        return
    if found:
        dc.add_structured(found, DateKind.PUBLISHED, DateSource.HEURISTIC)


_ISOISH = re.compile(r"^\d{4}-\d{2}-\d{2}")
# a line that announces a date: "Posted: ...", "Published on ...", "Publié le ..."
_DATE_CUE = re.compile(
    r"^(?:posted|published|publi[ée]|dated?|updated|last updated|mis [àa] jour|modifi[ée])\s*(?::|on\b|le\b)(?!\s*by\b)",
    re.IGNORECASE,
)
_MONTH_WORD = (r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|f[ée]v|avr|mai|juin|juil|ao[uû]t|"
               r"sept|d[ée]c)[a-zéû]*\b")


def _spaced_text(el, *, skip_datetime: bool = False) -> str:
    """Text with a space between nodes: adjacent <time>s must not run together."""
    parts = []
    for node in el.xpath(".//text()"):
        parent = node.getparent()
        if parent is None or parent.tag in INVISIBLE_TAGS:
            continue
        if skip_datetime and parent.tag == "time" and parent.get("datetime") and node.is_text:
            continue
        parts.append(str(node))
    return _clean(" ".join(parts))


def _is_date_element(el) -> bool:
    marks = f"{el.get('class', '')} {el.get('itemprop', '')} {el.get('id', '')}".lower()
    return "date" in marks or "posted" in marks or "published" in marks


# --------------------------------------------------------------------------- images, links, terms

_PLACEHOLDER_SRC = re.compile(r"^data:|(?:^|/)(?:blank|spacer|placeholder|lazy|pixel|transparent|loading)[\w-]*\.(?:gif|png|svg)", re.IGNORECASE)
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-image", "data-orig-file", "data-url", "data-lazy")


def _srcset_first(srcset: str | None) -> str | None:
    if not srcset:
        return None
    best, best_w = None, -1.0
    for part in srcset.split(","):
        bits = part.strip().split()
        if not bits:
            continue
        width = 0.0
        if len(bits) > 1:
            try:
                width = float(bits[1].rstrip("wx"))
            except ValueError:
                pass
        if width > best_w:
            best, best_w = bits[0], width
    return best


def _img_src(el) -> str | None:
    src = (el.get("src") or "").strip()
    if not src or _PLACEHOLDER_SRC.search(src):
        for attr in _LAZY_ATTRS:
            if el.get(attr):
                return el.get(attr).strip()
        return _srcset_first(el.get("data-srcset") or el.get("data-lazy-srcset") or el.get("srcset")) or (src or None)
    return src


def _caption(el) -> str | None:
    node = el.getparent()
    depth = 0
    while node is not None and depth < 4:
        if node.tag == "figure":
            cap = node.find(".//figcaption")
            return _clean(cap.text_content()) or None if cap is not None else None
        cls = node.get("class") or ""
        if "wp-caption" in cls or "image-caption-wrapper" in cls:
            cap = node.xpath(".//*[contains(@class,'caption-text') or contains(@class,'image-caption')]")
            return _clean(cap[0].text_content()) or None if cap else None
        node = node.getparent()
        depth += 1
    return None


def _images(page: Page, body_images: list, container) -> list[Image]:
    tree = page.tree
    if tree is None:
        return []
    og_image = page.meta1("og:image", "og:image:url", "twitter:image")
    og_path = re.sub(r"^https?://[^/]+", "", og_image or "").split("?")[0]
    hero_els = _matches(page, S.HERO_IMAGE)
    inline = set(body_images)
    first_text_p = None
    if container is not None:
        for p in container.iter("p"):
            if len(_clean(p.text_content())) > 40:
                first_text_p = p
                break
    images: list[Image] = []
    hero_found = False
    seen: set[tuple[str, ImagePosition]] = set()
    for el in tree.iter("img"):
        raw = _img_src(el)
        if not raw:
            continue
        src = page.resolve(raw) or raw
        if el.getparent() is not None and el.getparent().tag == "noscript":
            continue
        path = re.sub(r"^https?://[^/]+", "", src).split("?")[0]
        chrome = page.in_chrome(el)
        if el in hero_els and not chrome:
            position = ImagePosition.HERO
        elif (not chrome and not hero_found and first_text_p is not None and el not in inline
              and _doc_index(page, el) < _doc_index(page, first_text_p) and not _links_home(page, el)
              and not _small_or_avatar(el)):
            position = ImagePosition.HERO  # a featured image the theme shows above the body
        elif el in inline:
            position = ImagePosition.INLINE
            if not images or all(i.position is not ImagePosition.HERO for i in images):
                # the first image before the first paragraph, or the og:image, leads the post
                if (og_path and path == og_path) or (first_text_p is not None and _doc_index(page, el) < _doc_index(page, first_text_p)):
                    position = ImagePosition.HERO
        elif og_path and path == og_path and not page.in_chrome(el):
            position = ImagePosition.HERO
        else:
            position = ImagePosition.OTHER
        hero_found = hero_found or position is ImagePosition.HERO
        key = (src, position)
        if key in seen:
            continue
        seen.add(key)
        alt = el.get("alt")
        images.append(Image(src=src, alt=alt.strip() if alt is not None else None, caption=_caption(el),
                            position=position))
    return images


def _small_or_avatar(el) -> bool:
    """Author avatars and icons near the title are not the post's lead image."""
    marks = f"{el.get('class', '')} {el.get('alt', '')} {el.get('src', '')}".lower()
    if re.search(r"avatar|author|profile|gravatar|icon|logo|writer", marks):
        return True
    for attr in ("width", "height"):
        try:
            if int(str(el.get(attr, "999")).rstrip("px")) < 100:
                return True
        except ValueError:
            pass
    return False


def _links_home(page: Page, el) -> bool:
    """A logo: an image inside a link to the site's home page."""
    for ancestor in el.iterancestors("a"):
        href = page.resolve(ancestor.get("href"))
        return bool(href) and href.rstrip("/") == page.site.rstrip("/")
    return False


def _doc_index(page: Page, el) -> int:
    return page.doc_order.get(el, 0)


def _links(page: Page, body_links: set) -> list[Link]:
    tree = page.tree
    if tree is None:
        return []
    out = []
    for el in tree.iter("a"):
        href = page.resolve(el.get("href"))
        if not href:
            continue
        rel = [r for r in (el.get("rel") or "").lower().split() if r]
        out.append(Link(href=href, text=_clean(_link_text(el))[:300] or _clean(el.get("title") or el.get("aria-label") or ""),
                        internal=is_internal(href, page.site), rel=rel, in_body=el in body_links))
    return out


def _terms(page: Page) -> tuple[list[str], list[str]]:
    tree = page.tree
    categories: list[str] = []
    tags: list[str] = []

    def add(bucket: list[str], value) -> None:
        if isinstance(value, list):
            for v in value:
                add(bucket, v)
            return
        if not isinstance(value, str):
            return
        text = _clean(value).strip("#")
        if text and len(text) <= 80 and text.lower() not in {b.lower() for b in bucket}:
            bucket.append(text)

    if tree is None:
        return categories, tags
    sidebar = lambda el: page.in_chrome(el) and not page.content_chrome.intersection(el.iterancestors())  # noqa: E731
    for _, el in _ordered(tree, S.CATEGORY_LINKS, page):
        if not sidebar(el) or el.get("rel"):
            add(categories, el.text_content())
    for _, el in _ordered(tree, S.TAG_LINKS, page):
        if not sidebar(el) or el.get("rel"):
            add(tags, el.text_content())
    for value in page.meta.get("article:section", []):
        add(categories, value)
    for value in page.meta.get("article:tag", []):
        add(tags, value)
    article = page.jsonld_article or {}
    add(categories, article.get("articleSection"))
    keywords = article.get("keywords")
    if isinstance(keywords, str):
        keywords = [k for k in re.split(r"\s*,\s*", keywords) if k]
    add(tags, keywords)
    if not categories:
        # a breadcrumb's middle items: Home > Blog > Category > Post
        for obj in page.jsonld_objects:
            if "BreadcrumbList" in _types(obj) and isinstance(obj.get("itemListElement"), list):
                items = [i for i in obj["itemListElement"] if isinstance(i, dict)]
                names = []
                for item in items:
                    name = item.get("name") or (item.get("item") or {}).get("name") if isinstance(item.get("item"), dict) else item.get("name")
                    names.append(_clean(name) if isinstance(name, str) else "")
                for name in names[1:-1]:
                    if name and name.lower() not in {"blog", "news", "articles", "actualités", "nouvelles"}:
                        add(categories, name)
                break
    return categories, tags


# --------------------------------------------------------------------------- language

_EN_WORDS = frozenset("the and of to is in that for with you your are this on it be can as".split())
_FR_WORDS = frozenset("le la les et des du un une est pour que qui dans en vous votre sur au avec pas".split())


def _language(page: Page, text: str) -> str | None:
    tree = page.tree
    candidates = []
    if tree is not None:
        candidates.append(tree.get("lang") or tree.get("xml:lang"))
    candidates += [page.meta1("content-language"), page.meta1("og:locale"), page.meta1("language", "dc.language")]
    for value in candidates:
        if value and re.match(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]+)*$", value.strip()):
            return value.strip().split("-")[0].split("_")[0].lower()
    words = re.findall(r"[a-zà-ÿ]+", text[:3000].lower())
    en = sum(w in _EN_WORDS for w in words)
    fr = sum(w in _FR_WORDS for w in words)
    if en + fr < 5:
        return None
    return "fr" if fr > en else "en"


# --------------------------------------------------------------------------- contacts

_PHONE_NA = re.compile(
    r"(?<![\w/.+-])(?:\+?1[\s.-]?)?(?:\(\s*([2-9]\d\d)\s*\)\s*|([2-9]\d\d)[\s.-])([2-9]\d\d)[\s.-](\d{4})(?![\w-])"
)
_PHONE_FR = re.compile(r"(?<![\w+])(?:\+33\s?(?:\(0\)\s?)?|0)([1-9])(?:[\s.-]?(\d\d)){4}(?!\d)")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_STREET = re.compile(
    r"\b\d{1,6}[A-Za-z]?(?:[ \t,]+(?:[A-ZÀ-Ý0-9][\w'’.-]*|de|du|des|la|le)){1,6}?[ \t]+"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Trail|Tr|Way|Lane|Ln|Crescent|Cres|Court|Ct|"
    r"Place|Pl|Highway|Hwy|Parkway|Pkwy|Gate|Square|Sq|Terrace|Close|Circle|Cir|Landing|Common|Centre|Center)\b\.?"
    r"(?:[ \t]+(?:NW|NE|SW|SE|N|S|E|W)\b)?(?:,?[ \t]*(?:#|Suite[ \t]|Unit[ \t]|Ste\.?[ \t]|Bureau[ \t])[ \t]*\w+)?"
    r"|\b\d{1,6}(?:-\d+)?,?\s+(?:rue|avenue|av\.|boulevard|boul\.|bd|chemin|ch\.|route|place|allée|impasse|rang|côte)\s+[\w'’ .-]{2,40}",
)
_POSTAL = re.compile(r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d\b|\b\d{5}(?:-\d{4})?\b")
_DAYS = (r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|\.)?|monday|tuesday|wednesday|thursday|friday|"
         r"saturday|sunday|weekdays|weekends|lun(?:di)?|mar(?:di)?|mer(?:credi)?|jeu(?:di)?|ven(?:dredi)?|"
         r"sam(?:edi)?|dim(?:anche)?")
_HOURS = re.compile(
    rf"\b(?:{_DAYS})\b\.?(?:\s*(?:-|–|to|à|au|&|,|through)\s*\b(?:{_DAYS})\b\.?)*\s*:?\s*"
    r"(?:\d{1,2}(?::\d\d)?\s*(?:[ap]\.?m\.?|h\d{0,2})?\s*(?:-|–|to|à)\s*\d{1,2}(?::\d\d)?\s*(?:[ap]\.?m\.?|h\d{0,2})?|closed|fermé)",
    re.IGNORECASE,
)
_HOURS_LOWER = re.compile(_HOURS.pattern)
# what _HOURS (lowered text) and _COPYRIGHT cannot match without: a much cheaper scan
_HOURS_RANGE = re.compile(r"\d(?::\d\d)?\s*(?:[ap]\.?m\.?|h\d{0,2})?\s*(?:-|–|to|à)\s*\d|closed|fermé")
_COPYRIGHT_MARK = re.compile(r"©|&copy;|\(c\)|copyright", re.IGNORECASE)
_COPYRIGHT = re.compile(r"(?:©|&copy;|\(c\)|copyright)\s*(?:(?:19|20)\d\d\s*[-–]\s*)?((?:19|20)\d\d)", re.IGNORECASE)


def normalize_phone(text: str) -> str | None:
    """``(587) 735-6272`` -> ``+1-587-735-6272``; ``01 23 45 67 89`` -> ``+33-1-23-45-67-89``."""
    m = _PHONE_NA.search(text)
    if m:
        return f"+1-{m.group(1) or m.group(2)}-{m.group(3)}-{m.group(4)}"
    digits = re.sub(r"\D", "", text)
    if len(digits) == 10 and digits[0] in "23456789" and digits[3] in "23456789":
        return f"+1-{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if len(digits) == 11 and digits[0] == "1":
        return f"+1-{digits[1:4]}-{digits[4:7]}-{digits[7:]}"
    m = _PHONE_FR.search(text)
    if m:
        d = re.sub(r"\D", "", m.group(0))
        d = d[2:] if d.startswith("33") else d[1:]
        d = d.lstrip("0") if len(d) > 9 else d
        return "+33-" + d[0] + "-" + "-".join(d[i:i + 2] for i in range(1, 9, 2))
    return None


def _contacts(blocks: list[str], anchors: Iterable) -> ContactFacts:
    facts = ContactFacts()

    def add(bucket: list[str], value: str | None) -> None:
        if value and value not in bucket:
            bucket.append(value)

    for el in anchors:
        href = (el.get("href") or "").strip()
        low = href.lower()
        if low.startswith("tel:"):
            add(facts.phones, normalize_phone(href[4:]))
        elif low.startswith("mailto:"):
            address = href[7:].split("?")[0].strip().lower()
            if _EMAIL.fullmatch(address):
                add(facts.emails, address)
    text = "\n".join(blocks)
    # each pattern below needs a marker a plain-text search finds far faster than the
    # pattern's own scan: no marker, no match (most post bodies hold no contact at all)
    for m in _PHONE_NA.finditer(text):
        add(facts.phones, normalize_phone(m.group(0)))
    if "0" in text or "+33" in text:
        for m in _PHONE_FR.finditer(text):
            add(facts.phones, normalize_phone(m.group(0)))
    if "@" in text:
        for m in _EMAIL.finditer(text):
            email = m.group(0).lower()
            if not re.search(r"\.(?:png|jpe?g|gif|webp|svg)$", email):
                add(facts.emails, email)
    for m in _STREET.finditer(text):
        start, end = m.start(), m.end()
        tail = text[end:end + 90]
        postal = _POSTAL.search(tail)
        if postal:
            end += postal.end()
        else:
            # the city and province on the same line: "..., Edmonton, AB"
            line_rest = re.match(r"[^\n]{0,60}?,\s*(?:[A-Z]{2}|Alberta|Ontario|Québec|Quebec|British Columbia)\b", tail)
            if line_rest:
                end += line_rest.end()
        add(facts.addresses, _clean(text[start:end].replace("\n", ", ")).strip(" ,"))
    # _HOURS is lower-case: matched case-sensitively on the lowered text (several times
    # faster than IGNORECASE), when lowering keeps every character's position
    low = text.lower()
    if _HOURS_RANGE.search(low):
        if len(low) == len(text):
            for m in _HOURS_LOWER.finditer(low):
                add(facts.hours, _clean(text[m.start():m.end()]))
        else:
            for m in _HOURS.finditer(text):
                add(facts.hours, _clean(m.group(0)))
    years = [int(m.group(1)) for m in _COPYRIGHT.finditer(text)] if _COPYRIGHT_MARK.search(text) else []
    if years:
        facts.copyright_year = max(years)
    return facts


# --------------------------------------------------------------------------- head meta


def _page_meta(page: Page) -> PageMeta:
    tree = page.tree
    meta = PageMeta()
    if tree is None:
        return meta
    title = tree.find(".//title")
    if title is not None:
        meta.title_tag = _clean(title.text_content()) or None
    meta.meta_description = page.meta1("description")
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = link.get("href")
        if not href:
            continue
        if "canonical" in rel and meta.canonical is None:
            meta.canonical = page.resolve(href) or href
        elif "alternate" in rel and link.get("hreflang"):
            meta.hreflang.append(Hreflang(lang=link.get("hreflang").strip(), href=page.resolve(href) or href))
    robots: list[str] = []
    for key in ("robots", "googlebot"):
        for value in page.meta.get(key, []):
            for directive in value.lower().split(","):
                directive = directive.strip()
                if directive and directive not in robots:
                    robots.append(directive)
    meta.robots = robots
    for key, values in page.meta.items():
        if key.startswith("og:") and key not in meta.open_graph:
            meta.open_graph[key] = values[0]
        elif key.startswith("twitter:") and key not in meta.twitter:
            meta.twitter[key] = values[0]
    meta.jsonld_types = page.jsonld_top_types
    article = page.jsonld_article
    if article:
        meta.jsonld_article_fields = [k for k, v in article.items() if not k.startswith("@") and v not in (None, "", [], {})]
    meta.h1_count = sum(1 for _ in tree.iter("h1"))
    lang = tree.get("lang") or tree.get("xml:lang")
    meta.html_lang = lang.strip() if lang else None
    return meta


# --------------------------------------------------------------------------- entry points

def _outermost_set(elements) -> list:
    chosen = set(elements)
    return [el for el in chosen if el.getparent() is not None
            and not any(a in chosen for a in el.iterancestors())]


@contextmanager
def _swapped_out(elements):
    """Swap elements for empty placeholders (tails kept) for the time of a library call
    that copies the tree, so the copy leaves them out; put them back after."""
    swapped = []
    try:
        for el in _outermost_set(elements):
            holder = etree.Element("span")
            holder.tail, el.tail = el.tail, None
            el.getparent().replace(el, holder)
            swapped.append((el, holder))
        yield
    finally:
        for el, holder in reversed(swapped):
            el.tail = holder.tail
            holder.getparent().replace(holder, el)


def _trafilatura_blocks(page: Page, prune: set) -> list[str]:
    """The post's text by trafilatura (fast mode, no comments, tables kept), one block a line.

    ``prune`` (banners, comment sections, widgets) is swapped out around the call.
    """
    from trafilatura import bare_extraction

    try:
        with _swapped_out(prune):
            doc = bare_extraction(page.tree, url=page.url, fast=True, include_comments=False, include_tables=True)
    except Exception:  # a library failure leaves Needle's own reading in place
        doc = None
    text = getattr(doc, "text", None) or ""
    return [line for line in (_clean(x) for x in text.splitlines()) if line]


def _body_blocks(page: Page, container, body: _TextOut) -> list[str]:
    """The post body: trafilatura's reading of the page, with the headings and captions
    it dropped from Needle's container put back; Needle's own reading when it finds nothing.

    On real-world pages (bench/eval_extraction.py) trafilatura's text scores F1 0.95
    against 0.89 for Needle's container; the pruning and the merge keep the sample
    site's widgets, banners and comments out and its headings in, at no cost there.
    """
    if container is not None and (container.tag == "td" or next(container.iterancestors("td"), None) is not None):
        # a layout table (sites of the 2000s): trafilatura reads it as a data table,
        # navigation and footer rows included; Needle's cell is the post
        return body.blocks
    prune = set(page.content_chrome) | _matches(page, S.TRAFILATURA_PRUNE)
    if container is not None:
        prune |= set(_teaser_group(page, container))
    prune -= {page.body, container, page.tree}
    theirs = _trafilatura_blocks(page, prune)
    if not theirs:
        return body.blocks
    kept = {text for _, text, _ in body.headings}
    if container is not None:
        kept.update(_clean(f.text_content()) for f in container.iter("figcaption"))
    return _merge_blocks(theirs, body.blocks, kept)


def _merge_blocks(theirs: list[str], ours: list[str], keep: set[str]) -> list[str]:
    """trafilatura's blocks, plus Needle's blocks it dropped between two blocks it kept
    next to each other (headings, captions): the article's own, by both readings."""
    where = {}
    for i, block in enumerate(theirs):
        where.setdefault(block, i)
    inserts: dict[int, list[str]] = {}
    last = None
    gap: list[str] = []
    for block in ours:
        i = where.get(block)
        if i is None:
            gap.append(block)
            continue
        if last is not None and i == last + 1 and gap and all(b in keep for b in gap):
            inserts.setdefault(i, []).extend(gap)
        last, gap = i, []
    if not inserts:
        return theirs
    out = []
    for i, block in enumerate(theirs):
        out.extend(inserts.get(i, ()))
        out.append(block)
    return out


def parse_page(html, url: str, *, encoding: str | None = None, selectors: dict[str, str] | None = None) -> Page:
    """Decode and parse once; pass the Page to ``page_kind`` and ``extract_*`` to share it."""
    if isinstance(html, Page):
        return html
    if isinstance(html, lxml_html.HtmlElement):
        return Page(url=url, tree=html, site_selectors=dict(selectors or {}))
    text, warnings = decode_html(html if html is not None else "", encoding)
    tree, errors = _parse_tree(text)
    return Page(url=url, tree=tree, warnings=warnings, parse_errors=errors, site_selectors=dict(selectors or {}))


def _leading_meta_block(block: str, title: str | None) -> bool:
    """A byline/date line or the title repeated at the top of the body."""
    if title and _norm_title(block) == _norm_title(title):
        return True
    if len(block) > 140:
        return False
    if find_snippets(block, 1) and len(block.split()) <= 16:
        return True
    if re.match(r"^(?:\d+\s*min(?:ute)?s?\s+read|lecture\s+de\s+\d+\s*min)", block, re.IGNORECASE):
        return True
    return bool(re.match(r"^(?:by|par|posted|publié|written by|écrit par)\b", block, re.IGNORECASE)) and len(block.split()) <= 12


def extract_post(
    html,
    url: str,
    *,
    fetched_at: datetime | None = None,
    timezone: str = "UTC",
    languages: list[str] | None = None,
    selectors: dict[str, str] | None = None,
    fetch: FetchInfo | None = None,
    encoding: str | None = None,
    earliest_date: str = "1995-01-01",
) -> Post:
    """Every Post field the HTML can give. Never raises on bad input: it warns instead.

    ``fetched_at`` anchors relative dates and the plausibility window (default: the
    fetch's time, else now). ``timezone`` is the site's zone for dates written without
    one. ``selectors`` ({"title"|"body"|"date"|"author": css}) override the generic ones.
    """
    page = parse_page(html, url, encoding=encoding or (fetch.encoding if fetch else None), selectors=selectors)
    if selectors and not page.site_selectors:
        page.site_selectors = dict(selectors)
    fetched_at = fetched_at or (fetch.fetched_at if fetch else None) or datetime.now(dt_timezone.utc)
    post = Post(url=page.canonical_url, site=page.site)
    post.warnings.extend(page.warnings)
    if fetch is not None:
        post.fetch = fetch.model_copy(deep=True)
    if page.tree is None:
        post.warn(WarningKind.OTHER, "empty or non-HTML body")
        post.warn(WarningKind.NO_TITLE, "no title: the page has no HTML")
        post.warn(WarningKind.NO_DATE, "no date: the page has no HTML")
        post.warn(WarningKind.NO_BODY, "no body: the page has no HTML")
        return post.with_hash()
    if page.parse_errors >= 3:
        post.warn(WarningKind.MALFORMED_HTML, f"{page.parse_errors} tag errors repaired by the parser")

    post.meta = _page_meta(page)
    post.title = _title(page)
    container = page.container
    title_el = page.title_element
    skip = page.chrome | page.content_chrome
    if title_el is not None:
        skip = skip | {title_el}
    if container is not None:
        skip = skip | set(_teaser_group(page, container))
    body = _read_text(container, skip) if container is not None else _TextOut()
    blocks = body.blocks
    if not page.site_selectors.get("body"):  # a site's own body selector is the last word
        blocks = _body_blocks(page, container, body)
    author = _author(page)
    while blocks and len(blocks) > 1 and (_leading_meta_block(blocks[0], post.title)
                                          or (author and _norm_title(blocks[0]) == _norm_title(author))):
        blocks = blocks[1:]
    post.body = "\n\n".join(blocks)
    post.word_count = len(_WORD.findall(post.body))
    headings = [(lvl, text) for lvl, text, _ in body.headings]
    if title_el is not None and title_el.tag in HEADING_TAGS:
        headings.insert(0, (HEADING_TAGS[title_el.tag], _clean(title_el.text_content())))
    post.headings = [Heading(level=lvl, text=text[:300]) for lvl, text in headings]
    post.language = _language(page, post.body)
    langs = list(dict.fromkeys(([post.language] if post.language else []) + list(languages or [])))
    finding = _dates(page, tz=timezone, languages=langs, fetched_at=fetched_at, fetch=fetch, earliest=earliest_date)
    post.date_candidates = finding.candidates
    if finding.published:
        post.published = finding.published.value
        post.published_source = finding.published.source
        post.published_raw = finding.published.raw
    if finding.modified:
        post.modified = finding.modified.value
        post.modified_source = finding.modified.source
        post.modified_raw = finding.modified.raw
    post.warnings.extend(finding.warnings)
    post.author = author
    post.summary = _summary(page, blocks)
    post.images = _images(page, body.images, container)
    body_links = set(body.links)
    post.links = _links(page, body_links)
    post.categories, post.tags = _terms(page)

    outside = _read_text(page.body, {container} if container is not None and container is not page.body else set())
    outside_anchors = [a for a in page.tree.iter("a") if a not in body_links]
    post.contacts = _contacts(outside.blocks, outside_anchors)
    _jsonld_contacts(page, post.contacts)
    post.body_contacts = _contacts(blocks, body.links)

    if not post.title:
        post.warn(WarningKind.NO_TITLE, "no title found (og:title, JSON-LD headline, h1, <title>)")
    if post.published is None and not any(w.kind is WarningKind.UNPARSEABLE_DATE for w in post.warnings):
        post.warn(WarningKind.NO_DATE, "no publication date found")  # an unreadable date is reported as such
    if post.word_count < 5:
        post.warn(WarningKind.NO_BODY, f"main content has {post.word_count} words")
    return post.with_hash()


def _jsonld_contacts(page: Page, facts: ContactFacts) -> None:
    """The clinic's own details from LocalBusiness/Organization JSON-LD (site-wide)."""
    for obj in page.jsonld_objects:
        types = {t.lower() for t in _types(obj)}
        if not types or types & ARTICLE_TYPES or "person" in types:
            continue
        phone = obj.get("telephone")
        if isinstance(phone, str):
            value = normalize_phone(phone)
            if value and value not in facts.phones:
                facts.phones.append(value)
        email = obj.get("email")
        if isinstance(email, str):
            email = email.replace("mailto:", "").strip().lower()
            if _EMAIL.fullmatch(email) and email not in facts.emails:
                facts.emails.append(email)
        address = obj.get("address")
        if isinstance(address, str) and address.strip() and not facts.addresses:
            facts.addresses.append(_clean(address.replace("\n", ", ")))
        if isinstance(address, dict):
            parts = [address.get(k) for k in ("streetAddress", "addressLocality", "addressRegion", "postalCode")]
            text = ", ".join(_clean(p) for p in parts if isinstance(p, str) and p.strip())
            if text and text not in facts.addresses:
                facts.addresses.append(text)
        hours = obj.get("openingHours")
        for value in hours if isinstance(hours, list) else [hours]:
            if isinstance(value, str) and value.strip() and value.strip() not in facts.hours:
                facts.hours.append(value.strip())


# --------------------------------------------------------------------------- listings


@dataclass
class Listing:
    """A listing page: its teaser cards, the posts they point to, and where it continues."""

    url: str
    teasers: list[Teaser] = field(default_factory=list)
    post_urls: list[str] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)


_NOT_POST_PATH = re.compile(r"/(?:category|categories|tag|tags|author|authors|page|search|feed|wp-login|cart|account|comments?)(?:/|$)|[?&](?:s|replytocom|share)=|#", re.IGNORECASE)
_MORE_TEXT = re.compile(r"^(?:read more|continue reading|lire la suite|en savoir plus|learn more|more|suite|»|→|\.\.\.|…)\W*$", re.IGNORECASE)
_NEXT_TEXT = re.compile(r"^\W*(?:next|older|older posts|older entries|next page|more posts|load more|suivant|page suivante|articles plus anciens|plus anciens|»|›|→)\W*$|older posts|next page|page suivante", re.IGNORECASE)
_PAGE_URL = re.compile(r"(?:/page/(\d+)/?$|[?&](?:page|paged|p|offset|pg)=(\d+))", re.IGNORECASE)


def _card_link(page: Page, card):
    anchors = [card] if card.tag == "a" and card.get("href") else []
    anchors += [a for a in card.iter("a") if a.get("href") and a is not card]

    def ok(a) -> str | None:
        href = page.resolve(a.get("href"))
        if not href or not is_internal(href, page.site) or _NOT_POST_PATH.search(href.split(page.site, 1)[-1]):
            return None
        if "category" in (a.get("rel") or "") or "tag" in (a.get("rel") or "").split():
            return None
        return href

    ordered = ([a for a in anchors if a.xpath("ancestor::*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]")]
               + [a for a in anchors if a.find(".//img") is not None] + anchors)
    for a in ordered:
        href = ok(a)
        if href:
            return a, href
    return None, None


def _card_fields(page: Page, card, position: int, *, tz: str, languages, fetched_at) -> Teaser | None:
    link, href = _card_link(page, card)
    if href is None:
        return None
    heading = card.xpath(".//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
                         " | .//*[contains(@class,'title') or contains(@data-hook,'title')][not(self::img)]")
    title = _clean(heading[0].text_content()) if heading else ""
    if not title and link is not None and not any(c.tag in BLOCK_TAGS for c in link.iterdescendants()):
        text = _clean(link.text_content())
        if len(text.split()) >= 2 and not _MORE_TEXT.match(text):
            title = text
    img = card.find(".//img")
    image_src = caption = None
    if img is not None:
        raw = _img_src(img)
        image_src = page.resolve(raw) if raw else None
        caption = _caption(img) or (img.get("alt").strip() if img.get("alt") else None)
    published = raw_date = source = None
    collector = DateCollector(tz=tz, languages=languages, fetched_at=fetched_at)
    for t in card.iter("time"):
        if t.get("datetime"):
            published = collector.add_structured(t.get("datetime"), DateKind.PUBLISHED, DateSource.TIME)
            raw_date, source = t.get("datetime"), DateSource.TIME
            if published:
                break
    blocks = _read_text(card, set()).blocks
    if published is None:
        for block in blocks:
            snippets = find_snippets(block, 1)
            if snippets:
                value = parse_human(snippets[0], languages=collector.languages, tz=tz, fetched_at=collector.fetched_at)
                if value:
                    published, raw_date, source = value, snippets[0], DateSource.TEXT
                    break
    if published is not None and not collector.plausible(published):
        published = raw_date = source = None
    summary = None
    for _, el in _ordered(card, S.TEASER_SUMMARY, page):
        summary = _clean(el.text_content()) or None
        if summary:
            break
    if summary is None:
        for block in blocks:
            rest = block
            for known in (title, raw_date):
                if known:
                    rest = rest.replace(known, " ")
            rest = _clean(rest)
            if _MORE_TEXT.match(rest) or len(rest) < 30:
                continue
            summary = rest
            break
    return Teaser(url=href, listing_url=page.canonical_url, title=title or None, published=published,
                  published_source=source, published_raw=raw_date, caption=caption, image_src=image_src,
                  summary=summary, position=position)


def _outermost(elements: list) -> list:
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def _repeated_cards(page: Page, root, exclude) -> list:
    """Siblings of one shape that each hold a link and an image, heading or date: cards."""
    best: list = []
    for parent in root.iter():
        if len(parent) < 2:
            continue
        children = [c for c in parent if isinstance(c.tag, str)]
        if len(children) < 2:
            continue
        groups: dict[tuple, list] = {}
        for child in children:
            groups.setdefault((child.tag, child.get("class") or ""), []).append(child)
        for group in groups.values():
            if len(group) < 2 or len(group) <= len(best):
                continue
            if exclude(group[0]):
                continue
            cards = [c for c in group if c.find(".//a[@href]") is not None or (c.tag == "a" and c.get("href"))]
            # most rows look like cards (an image, a heading or a date): then every
            # linked row is one, including a card whose date is missing or garbled
            carded = [c for c in cards if c.find(".//img") is not None or c.xpath(".//h2|.//h3|.//h4|.//time")
                      or find_snippets(_clean(" ".join(c.itertext()))[:200], 1)]
            if len(carded) >= max(2, len(group) * 0.6) and len(cards) > len(best):
                best = cards
    return best


def _teaser_group(page: Page, root) -> list:
    """Cards pointing to other posts inside ``root`` (a builder's recent-posts block):
    short, mostly link text or an image plus a date. Kept per root: page_kind and
    extract_post both ask about the content container."""
    cached = page.teaser_groups.get(root)
    if cached is None:
        cached = page.teaser_groups[root] = _find_teaser_group(page, root)
    return list(cached)


def _find_teaser_group(page: Page, root) -> list:
    cards = _repeated_cards(page, root, lambda el: False)
    if len(cards) < 2:
        return []
    for card in cards:
        text = _clean(card.text_content())
        linked = sum(len(_clean(a.text_content())) for a in ([card] if card.tag == "a" else card.iter("a")))
        dated = card.find(".//img") is not None and (find_snippets(text, 1) or card.find(".//time") is not None)
        if len(text) > 500 or not (linked >= 0.5 * len(text) or dated):
            return []
    return cards


def _cards(page: Page, root, exclude) -> list:
    ranked: dict[int, list] = {}
    for rank, el in _ordered(root, S.TEASER_CARDS, page):
        if exclude(el) or el.find(".//a[@href]") is None:
            continue
        ranked.setdefault(rank, []).append(el)
    single = None
    for rank in sorted(ranked):
        cards = _outermost(ranked[rank])
        if len(cards) >= 2:
            return cards
        single = single or cards
    # the last page of a listing may hold a single card
    return _repeated_cards(page, root, exclude) or (single or [])


def _teasers(page: Page, cards: list, *, tz, languages, fetched_at) -> list[Teaser]:
    teasers: list[Teaser] = []
    seen: set[str] = set()
    for card in cards:
        teaser = _card_fields(page, card, len(teasers), tz=tz, languages=languages, fetched_at=fetched_at)
        if teaser is None or teaser.url in seen or teaser.url == page.canonical_url:
            continue
        seen.add(teaser.url)
        teasers.append(teaser)
    return teasers


def _site_chrome(page: Page) -> set:
    # shared by page_kind and extract_listing: callers only read it
    return page.site_chrome


def _in(el, elements: set) -> bool:
    while el is not None:
        if el in elements:
            return True
        el = el.getparent()
    return False


def _next_pages(page: Page, post_urls: set[str]) -> list[str]:
    tree = page.tree
    out: list[str] = []

    def add(href: str | None) -> None:
        href = page.resolve(href) if href else None
        if href and href != page.canonical_url and href not in out and href not in post_urls and is_internal(href, page.site):
            out.append(href)

    for el in tree.xpath("//link[@href] | //a[@href]"):
        rel = (el.get("rel") or "").lower().split()
        if "next" in rel:
            add(el.get("href"))
    for a in tree.iter("a"):
        if a.get("href") and _NEXT_TEXT.search(_clean(_link_text(a)) or a.get("aria-label") or ""):
            if "prev" not in (a.get("rel") or "") and not re.search(r"prev|newer|précéd", (a.get("class") or "") + _clean(_link_text(a)), re.IGNORECASE):
                add(a.get("href"))
    for _, el in _ordered(tree, S.PAGINATION, page):
        href = el.get("href") or (el.find(".//a[@href]").get("href") if el.find(".//a[@href]") is not None else None)
        if href and "prev" not in (el.get("rel") or "") and "prev" not in (el.get("class") or ""):
            add(href)
    site_chrome = None
    for a in tree.iter("a"):
        href = a.get("href") or ""
        if _PAGE_URL.search(href):
            if site_chrome is None:
                site_chrome = page.chrome - _matches(page, S.POST_CHROME)
            if _in(a, site_chrome):
                continue
            add(href)
    return out


def extract_listing(html, url: str, *, fetched_at: datetime | None = None, timezone: str = "UTC",
                    languages: list[str] | None = None, encoding: str | None = None) -> Listing:
    """Teaser cards in page order, the post URLs they point to, and the pagination links."""
    page = parse_page(html, url, encoding=encoding)
    listing = Listing(url=page.canonical_url)
    if page.tree is None:
        return listing
    chrome = _site_chrome(page)
    root = page.body
    cards = _cards(page, root, lambda el: _in(el, chrome))
    langs = list(dict.fromkeys(([_language(page, "")] if _language(page, "") else []) + list(languages or [])))
    listing.teasers = _teasers(page, cards, tz=timezone, languages=langs, fetched_at=fetched_at)
    listing.post_urls = [t.url for t in listing.teasers]
    listing.next_pages = _next_pages(page, set(listing.post_urls))
    return listing


def extract_recent_posts(html, url: str, *, fetched_at: datetime | None = None, timezone: str = "UTC",
                         languages: list[str] | None = None, encoding: str | None = None) -> list[Teaser]:
    """Cards of a post page's "recent posts" / "related posts" widgets, as teasers.

    ``listing_url`` is the post page's URL; the spider follows the teasers' URLs.
    """
    page = parse_page(html, url, encoding=encoding)
    if page.tree is None:
        return []
    widgets = _outermost([el for _, el in sorted(_ordered(page.tree, S.RELATED_WIDGETS, page), key=lambda p: _doc_index(page, p[1]))])
    cards: list = []
    for widget in widgets:
        found = _cards(page, widget, lambda el: False)
        if not found:
            found = [li for li in widget.iter("li") if li.find(".//a[@href]") is not None]
        cards.extend(c for c in found if c not in cards)
    if not cards:
        chrome = _site_chrome(page)
        for root in ([page.container] if page.container is not None else []) + [page.body]:
            cards = [c for c in _teaser_group(page, root) if not _in(c, chrome)]
            if cards:
                break
    langs = list(dict.fromkeys(([_language(page, "")] if _language(page, "") else []) + list(languages or [])))
    return _teasers(page, cards, tz=timezone, languages=langs, fetched_at=fetched_at)


_DATE_ARCHIVE_PATH = re.compile(r"/(?:19|20)\d\d(?:/\d{1,2}){0,2}/?$")
# WordPress's body_class() on archives and on page 2+ of any listing
_ARCHIVE_BODY_CLASSES = frozenset({"archive", "paged"})
# the_archive_title()'s prefixes, in English and French
_ARCHIVE_TITLE = re.compile(
    r"^(?:month|year|day|category|tag|author|archives?|mois|ann[ée]e|jour|cat[ée]gorie|[ée]tiquette|auteur)\s*:\s*\S",
    re.IGNORECASE,
)


def _archive_marks(page: Page) -> bool:
    """The theme says this is an archive: body classes, or an "Archives: ..." heading."""
    body = page.body
    if body is not None and _ARCHIVE_BODY_CLASSES & set((body.get("class") or "").split()):
        return True
    title = page.title_element
    return title is not None and bool(_ARCHIVE_TITLE.match(_clean(title.text_content())))


def page_kind(html_or_tree, url: str) -> Literal["post", "listing", "other"]:
    """Is this a single post, a listing of posts, or another page (home, contact)?"""
    page = parse_page(html_or_tree, url)
    tree = page.tree
    if tree is None:
        return "other"
    path = re.sub(r"^https?://[^/]+", "", page.canonical_url)
    post, listing = 0, 0
    types = {t.lower() for t in page.jsonld_top_types}
    og_type = (page.meta1("og:type") or "").lower()
    if og_type == "article":
        post += 2
    if types & ARTICLE_TYPES:
        post += 2
    if page.meta1("article:published_time"):
        post += 1
    if types & LISTING_TYPES:
        listing += 2
    if re.search(r"/\d{4}/\d{1,2}/\d{1,2}/[^/]+", path):
        post += 1
    listing_url = re.search(r"/(?:page/\d+/?$|category/|tag/|author/|archives?/?)|[?&](?:page|paged)=\d+|"
                            r"/(?:blog|blogue|news|articles|actualites|nouvelles|journal)/?$", path)
    if listing_url:
        listing += 2
    # an archive by its address (WordPress /2024/05/) or by the theme's own marks
    archive = not listing_url and (_DATE_ARCHIVE_PATH.search(path) or _archive_marks(page))
    if archive:
        listing += 2
    # The rest only adds to the scores, listing at most 3 (cards). A page whose head
    # already says "post" by that margin is one whatever the body holds: skip the card
    # and prose scans (extract_post finds what it needs itself).
    if post >= 3 and post >= listing + 3:
        return "post"
    chrome = _site_chrome(page)
    cards = _cards(page, page.body, lambda el: _in(el, chrome) or _in(el, page.chrome))
    if len(cards) >= 3:
        listing += 3
    elif len(cards) == 2 or (len(cards) == 1 and (listing_url or archive)):
        listing += 1  # the last page of a listing may hold one or two cards
    container = page.container
    if container is not None and page.title_element is not None:
        card_set = set(cards) | set(_teaser_group(page, container))
        prose = [p.text_content() for p in container.iter("p", "li")
                 if not _in(p, card_set) and not page.in_chrome(p, stop=container.getparent())]
        words = len(_WORD.findall(" ".join(prose)[:6000]))
        if words >= 150:
            post += 3
        elif words >= 60:
            post += 1
        if find_snippets(_text_near(page, page.title_element, after=120, before=60), 1):
            post += 1
    if tree.xpath("//*[@itemprop='articleBody'] | //*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]"):
        post += 1
    articles = [a for a in tree.iter("article") if not page.in_chrome(a)]
    if len(articles) == 1 and articles[0].find(".//h1") is not None:
        post += 1
    if re.search(r"/(?:blog|blogue|posts?|articles?|news|nouvelles|journal|actualites)/[^/?]*[a-z0-9]-[a-z0-9][^/?]*/?(?:\.html?)?$", path, re.IGNORECASE):
        post += 1
    if post >= 3 and post >= listing:
        return "post"
    if listing >= 3:
        return "listing"
    if post >= 2 and post > listing:
        return "post"
    return "other"
