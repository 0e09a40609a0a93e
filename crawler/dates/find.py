"""Finding a post's dates on the page: which elements, meta keys and text to read, in trust order."""

from __future__ import annotations

import re
from datetime import datetime

from crawler import selectors as S
from crawler.dates.parse import DateCollector, DateFinding, find_snippets, is_modified_cue, parse_structured
from crawler.matching import select
from crawler.page import Page, matches, ordered
from crawler.records import DateKind, DateSource, FetchInfo
from crawler.text import INVISIBLE_TAGS, clean, inside, swapped_out, text_near


def find_dates(page: Page, *, container, cards: set, tz: str, languages: list[str], fetched_at: datetime | None,
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
        for key in S.META_PUBLISHED:
            for value in page.meta.get(key, [])[:1]:
                dc.add_structured(value, DateKind.PUBLISHED, DateSource.META)
        for key in S.META_MODIFIED:
            for value in page.meta.get(key, [])[:1]:
                dc.add_structured(value, DateKind.MODIFIED, DateSource.META)
        # microdata
        for el in _microdata_dates(page):
            if page.in_chrome(el):
                continue
            kind = DateKind.MODIFIED if el.get("itemprop") == "dateModified" else DateKind.PUBLISHED
            raw = el.get("content") or el.get("datetime") or (el.get("title") if el.tag == "abbr" else None) or el.text_content()
            if not dc.add_structured(raw, kind, DateSource.MICRODATA):
                dc.add_text(clean(raw), kind=kind, source=DateSource.MICRODATA, limit=1)
        # <time datetime> outside chrome
        times = 0
        for el in tree.iter("time"):
            if times >= 4 or page.in_chrome(el) or el.get("itemprop") or (cards and inside(el, cards)):
                continue
            times += 1
            cls = (el.get("class") or "").lower()
            context = clean((el.getparent().text or "") if el.getparent() is not None else "") + " " + cls
            kind = DateKind.MODIFIED if re.search(r"updated|modified", cls) or is_modified_cue(context) else DateKind.PUBLISHED
            if el.get("datetime"):
                dc.add_structured(el.get("datetime"), kind, DateSource.TIME)
            else:
                dc.add_text(clean(el.text_content()), kind=kind, limit=1, report_unparseable=True)
        # human text: date/byline elements, then the lines around the title
        date_sel = page.site_selectors.get("date")
        explicit = select(tree, date_sel) if date_sel else []
        seen_text: set[str] = set()
        for el in explicit:
            text = clean(el.get("content") or el.get("datetime") or el.text_content())
            if _ISOISH.match(text):
                dc.add_structured(text, DateKind.PUBLISHED, DateSource.TEXT)
            else:
                dc.add_text(text, limit=1, report_unparseable=True)
        modified_els = matches(page, S.DATE_MODIFIED)
        for _, el in ordered(tree, S.DATE, page)[:12]:
            if el.tag == "time" or page.in_chrome(el) or (cards and inside(el, cards)):
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
        # in document order: a set of elements iterates by memory address, which made the
        # candidates' order (and so the record) differ from one process to the next
        for el in sorted(modified_els, key=lambda el: page.doc_order.get(el, 0)):
            if el.tag != "time" and not page.in_chrome(el):
                dc.add_text(_spaced_text(el, skip_datetime=True), kind=DateKind.MODIFIED, limit=1)
        title = page.title_element
        if title is not None:
            near = text_near(page, title)
            dc.add_text(near, limit=2)
            for line in near.splitlines()[:20]:
                cue = _DATE_CUE.match(line)
                if cue and line[cue.end():].strip(" :") and not find_snippets(line, 1) and len(line) <= 80:
                    dc.add_unparseable(line, DateSource.TEXT)
    dc.add_url(page.url)
    if tree is not None and not dc.has_published():
        _heuristic_date(page, dc, container, cards)
    if fetch is not None:
        if fetch.last_modified:
            value = parse_structured(fetch.last_modified)
            if value is not None:
                dc.add_value(value, DateKind.MODIFIED, DateSource.HTTP, fetch.last_modified)
        if fetch.sitemap_lastmod is not None:
            dc.add_value(fetch.sitemap_lastmod, DateKind.MODIFIED, DateSource.SITEMAP,
                         fetch.sitemap_lastmod.isoformat())
    return dc.finish()


def _heuristic_date(page: Page, dc: DateCollector, container, cards: set) -> None:
    """htmldate's fast page-wide search, when nothing Needle reads gave a published date.

    Other posts' cards (recent-posts widgets, a builder's card group) are swapped out
    first: their dates are never this post's. The rest of the chrome stays: headers and
    footers hold the right date on many real-world pages (bench/eval_extraction.py)."""
    from htmldate import find_date

    bounds = dict(url=page.url, original_date=True, extensive_search=False, outputformat="%Y-%m-%d",
                  min_date=dc.earliest.replace(tzinfo=None), max_date=dc.latest.replace(tzinfo=None))
    try:
        with swapped_out(cards - {page.body, container, page.tree}):
            found = find_date(page.tree, **bounds)
        if not found and page.source and "<!--" in page.source:
            # the tree has no comments; blogs (Movable Type, goo) keep an RDF trackback
            # block with dc:date in one, which htmldate reads from the page's text
            found = find_date(page.source, **bounds)
        if not found:
            # the extensive search reads free text, image paths and, last, the copyright
            # year, which it gives as January 1st: no publication date, so not kept
            with swapped_out(cards - {page.body, container, page.tree}):
                found = find_date(page.tree, **{**bounds, "extensive_search": True})
            if found and found.endswith("-01-01"):
                found = None
    except Exception:  # the fallback never costs the record
        return
    if found:
        dc.add_structured(found, DateKind.PUBLISHED, DateSource.HEURISTIC)


_MICRODATA_DATES = "//*[@itemprop='datePublished' or @itemprop='dateModified' or @itemprop='dateCreated']"


def _microdata_dates(page: Page) -> list:
    """The elements ``_MICRODATA_DATES`` selects, in document order: those of the page's
    index with an itemprop (a lookup, not a walk of every element)."""
    if page.index is None or not page.index.whole_document:
        return page.tree.xpath(_MICRODATA_DATES)
    return [el for el in page.index.by_attr.get("itemprop")
            if el.get("itemprop") in ("datePublished", "dateModified", "dateCreated")]


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
    return clean(" ".join(parts))


def _is_date_element(el) -> bool:
    marks = f"{el.get('class', '')} {el.get('itemprop', '')} {el.get('id', '')}".lower()
    return "date" in marks or "posted" in marks or "published" in marks
