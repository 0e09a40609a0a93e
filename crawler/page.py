"""Page parsing: one parsed page every stage shares, so nobody parses twice.

A ``Page`` holds the lxml tree, the head's meta tags, the JSON-LD objects, the site
chrome (boilerplate elements) and the element index every selector list is matched
through; ``Page.memo`` keeps what later stages work out once per page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree, html as lxml_html

from crawler import selectors as S
from crawler.decode import XML_DECL, decode_html
from crawler.matching import ElementIndex, select, selector_set
from crawler.records import RecordWarning
from crawler.text import clean, text_len
from crawler.urls import canonicalize, resolve, site_of


ARTICLE_TYPES = {
    "article", "blogposting", "newsarticle", "techarticle", "report", "scholarlyarticle",
    "socialmediaposting", "liveblogposting", "opinionnewsarticle", "analysisnewsarticle",
    "medicalscholarlyarticle", "reportagenewsarticle", "backgroundnewsarticle", "posting",
}
LISTING_TYPES = {"blog", "collectionpage", "itemlist", "searchresultspage"}


# lxml.html picks each element's class in a Python callback (a form, an input... get their
# own), called for every element a page's code touches: about a thousand calls a page.
# Extraction uses no form API, so every element is an HtmlElement, picked in C.
_ELEMENT_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment, pi=lxml_html.HtmlProcessingInstruction,
    entity=lxml_html.HtmlEntity)


def _parse_tree(text: str) -> tuple[lxml_html.HtmlElement | None, int]:
    text = XML_DECL.sub("", text, count=1)
    parser = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    parser.set_element_class_lookup(_ELEMENT_CLASSES)
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


def types_of(obj: dict) -> list[str]:
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
    # the decoded HTML, comments included (the tree drops them): htmldate's last resort
    source: str | None = field(default=None, repr=False)

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
                        for t in types_of(member):
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
            types = {t.lower() for t in types_of(obj)}
            if types & ARTICLE_TYPES:
                return obj
            if webpage is None and "datePublished" in obj and types & {"webpage", "medicalwebpage", "itempage"}:
                webpage = obj
        return webpage

    @cached_property
    def jsonld_webpages(self) -> list[dict]:
        return [o for o in self.jsonld_objects
                if {t.lower() for t in types_of(o)} & {"webpage", "medicalwebpage", "itempage"}]

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
        chrome = matches(self, S.BOILERPLATE)
        # a chrome selector never swallows the post itself
        for el in matches(self, S.strong_content()):
            if el in chrome or text_len(el) < 300:
                continue
            for ancestor in el.iterancestors():
                chrome.discard(ancestor)
        return chrome

    @cached_property
    def site_chrome(self) -> set:
        """Header, footer, navigation, sidebars, banners, comments: SITE_CHROME's matches."""
        return matches(self, S.SITE_CHROME) if self.tree is not None else set()

    @cached_property
    def memo(self) -> dict:
        """What later stages work out once per page (the container, card groups)."""
        return {}

    @cached_property
    def content_chrome(self) -> set:
        if self.tree is None:
            return set()
        return matches(self, S.CONTENT_CHROME)

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
            for el in select(self.tree, sel):
                if clean(el.text_content()):
                    return el
        for el in self.tree.iter("h1"):
            if not self.in_chrome(el) and clean(el.text_content()):
                return el
        for _, el in ordered(self.tree, S.TITLE, self):
            if el.tag not in ("title", "meta") and not self.in_chrome(el) and clean(el.text_content()):
                return el
        return None

    @cached_property
    def index(self) -> ElementIndex | None:
        """The page's elements indexed once; every selector list is matched through it."""
        return ElementIndex(self.tree, self.source) if self.tree is not None else None

    @cached_property
    def doc_order(self) -> dict:
        return self.index.order if self.index is not None else {}


def ordered(root, selectors: list[str], page: "Page | None" = None) -> list[tuple[int, object]]:
    """Matches of a selector list as (selector index, element), best selector first.

    With ``page`` (``root`` its tree or an element of it) the page's element index and
    its cached matches are reused. The result may be shared: do not modify it."""
    if page is not None and page.index is not None:
        return selector_set(selectors).ranked_in(page.index, root)
    return selector_set(selectors).ranked(root)


def matches(page: "Page", selectors: list[str]) -> set:
    return {el for _, el in ordered(page.tree, selectors, page)} if page.tree is not None else set()


def declared_address(page: Page) -> str | None:
    """The address the page gives itself: its canonical link, else og:url, when absolute
    http(s) (a saved page whose origin is unknown has nothing else to go by)."""
    if page.tree is None:
        return None
    hrefs = [link.get("href") for link in page.tree.iter("link")
             if "canonical" in (link.get("rel") or "").lower().split()]
    for href in [*hrefs, page.meta1("og:url")]:
        href = (href or "").strip()
        if href.lower().startswith(("http://", "https://")) and resolve(href, href):
            return resolve(href, href)
    return None


def parse_page(html, url: str, *, encoding: str | None = None, selectors: dict[str, str] | None = None) -> Page:
    """Decode and parse once; pass the Page to ``page_kind`` and ``extract_*`` to share it."""
    if isinstance(html, Page):
        return html
    if isinstance(html, lxml_html.HtmlElement):
        return Page(url=url, tree=html, site_selectors=dict(selectors or {}))
    text, warnings = decode_html(html if html is not None else "", encoding)
    tree, errors = _parse_tree(text)
    return Page(url=url, tree=tree, warnings=warnings, parse_errors=errors, site_selectors=dict(selectors or {}),
                source=text)
