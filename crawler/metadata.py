"""Metadata of a post: title, author, summary, categories and tags, language, the head's SEO facts."""

from __future__ import annotations

import re

from crawler import selectors as S
from crawler.dates import find_snippets
from crawler.page import Page, ordered, types_of
from crawler.records import Hreflang, PageMeta
from crawler.text import clean


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


def norm_title(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.replace("\u00ad", "").lower()).strip()


# an h1 that names a section of the site, not the post
_SECTION_NAMES = frozenset((
    "blog", "our blog", "the blog", "news", "latest news", "journal", "articles", "article", "resources",
    "blogue", "actualités", "actualites", "nouvelles", "aktuelles", "magazin", "news events", "posts",
))


def _in_article(page: Page, element, main) -> bool:
    """Is the heading part of the post: inside its container, or in an element that holds
    both (an <article>, the post's wrapper), not a page banner or the site's header?"""
    if main is None:
        return any(a.tag in ("article", "main") for a in element.iterancestors())
    if element is main or any(a is main for a in element.iterancestors()):
        return True
    # the element holding both must be close to the container: a page-wide wrapper holds
    # every h1 of the page (hidden "Navigation" headings, popups) too
    holders = {a: n for n, a in enumerate(main.iterancestors(), 1)}
    for ancestor in element.iterancestors():
        if ancestor in holders:
            return holders[ancestor] <= 3 and ancestor.tag not in ("body", "html")
    return False


def _shown(element) -> str:
    # soft hyphens are invisible: "Er\u00adin\u00adne\u00adrung" reads "Erinnerung"
    return clean(element.text_content().replace("\u00ad", ""))


def post_title(page: Page, main=None) -> str | None:
    """The headline shown on the post: its h1 in the article, else og:title, else the
    JSON-LD headline, else the <title> without " | Site name". The SEO title stays in
    ``meta.title_tag``. An h1 elsewhere (a banner) counts when the head's titles agree
    with it; an h1 that is the site's or a section's name ("Blog") never does."""
    element = page.title_element
    heading = _shown(element) if element is not None else ""
    if page.site_selectors.get("title") and heading:
        return heading
    site_name = page.meta1("og:site_name", "application-name")
    title_tag = ""
    if page.tree is not None:
        found = page.tree.find(".//title")
        title_tag = clean(found.text_content()) if found is not None else ""
    article = page.jsonld_article or {}
    headline = article.get("headline") or article.get("name")
    headline = clean(headline) if isinstance(headline, str) else ""
    og_title = clean(page.meta1("og:title", "twitter:title") or "")
    named = [t for t in (og_title, headline, title_tag) if t]
    if heading:
        norm = norm_title(heading)
        if (site_name and norm == norm_title(site_name) and named) or norm in _SECTION_NAMES:
            heading = ""
        elif any(norm and norm in norm_title(t) for t in named) or not named:
            return heading
        else:
            for other in page.tree.iter("h1"):
                # a later h1 the head's titles agree with: the first was a banner or a hidden label
                text = _shown(other)
                if other is not element and text and not page.in_chrome(other) and any(
                        norm_title(text) in norm_title(t) for t in named):
                    return text
            for text in (_strip_site_name(t, site_name) for t in (og_title, headline) if t):
                if len(norm_title(text)) >= 12 and norm_title(text) in norm:
                    # an h1 with a kicker run into it ("Tunesien Große Aufgaben ..."): the headline
                    return text
            if element.tag == "h1" and _in_article(page, element, main):
                # the reader's headline, where the SEO title says something else
                return heading
    for text in (og_title, headline):
        if text:
            return _strip_site_name(text, site_name)
    if heading:
        return heading
    if title_tag:
        return _strip_site_name(title_tag, site_name)
    return None


def post_summary(page: Page, blocks: list[str]) -> str | None:
    article = page.jsonld_article or {}
    desc = article.get("description") if isinstance(article.get("description"), str) else None
    for text in (page.meta1("description"), page.meta1("og:description", "twitter:description"), desc):
        if text and clean(text):
            return clean(text)
    for block in blocks:
        if len(block) >= 60 and not find_snippets(block[:40], 1):
            return block if len(block) <= 300 else block[:297].rsplit(" ", 1)[0] + "…"
    return None


def post_terms(page: Page) -> tuple[list[str], list[str]]:
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
        text = clean(value).strip("#")
        if text and len(text) <= 80 and text.lower() not in {b.lower() for b in bucket}:
            bucket.append(text)

    if tree is None:
        return categories, tags
    sidebar = lambda el: page.in_chrome(el) and not page.content_chrome.intersection(el.iterancestors())  # noqa: E731
    for _, el in ordered(tree, S.CATEGORY_LINKS, page):
        if not sidebar(el) or el.get("rel"):
            add(categories, el.text_content())
    for _, el in ordered(tree, S.TAG_LINKS, page):
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
            if "BreadcrumbList" in types_of(obj) and isinstance(obj.get("itemListElement"), list):
                items = [i for i in obj["itemListElement"] if isinstance(i, dict)]
                names = []
                for item in items:
                    name = item.get("name") or (item.get("item") or {}).get("name") if isinstance(item.get("item"), dict) else item.get("name")
                    names.append(clean(name) if isinstance(name, str) else "")
                for name in names[1:-1]:
                    if name and name.lower() not in {"blog", "news", "articles", "actualités", "nouvelles"}:
                        add(categories, name)
                break
    return categories, tags


_EN_WORDS = frozenset("the and of to is in that for with you your are this on it be can as".split())
_FR_WORDS = frozenset("le la les et des du un une est pour que qui dans en vous votre sur au avec pas".split())


def page_language(page: Page, text: str) -> str | None:
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


def page_meta(page: Page, x_robots_tag: list[str] = ()) -> PageMeta:
    """The head's SEO facts, and the X-Robots-Tag directives the response carried."""
    tree = page.tree
    if tree is None:
        return PageMeta(x_robots_tag=list(x_robots_tag))
    title = tree.find(".//title")
    canonical = None
    hreflang = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = link.get("href")
        if not href:
            continue
        if "canonical" in rel and canonical is None:
            canonical = page.resolve(href) or href
        elif "alternate" in rel and link.get("hreflang"):
            hreflang.append(Hreflang(lang=link.get("hreflang").strip(), href=page.resolve(href) or href))
    robots: list[str] = []
    for key in ("robots", "googlebot"):
        for value in page.meta.get(key, []):
            for directive in value.lower().split(","):
                directive = directive.strip()
                if directive and directive not in robots:
                    robots.append(directive)
    open_graph: dict[str, str] = {}
    twitter: dict[str, str] = {}
    for key, values in page.meta.items():
        if key.startswith("og:") and key not in open_graph:
            open_graph[key] = values[0]
        elif key.startswith("twitter:") and key not in twitter:
            twitter[key] = values[0]
    article = page.jsonld_article
    lang = tree.get("lang") or tree.get("xml:lang")
    return PageMeta(
        title_tag=(clean(title.text_content()) or None) if title is not None else None,
        meta_description=page.meta1("description"),
        canonical=canonical,
        robots=robots,
        x_robots_tag=list(x_robots_tag),
        open_graph=open_graph,
        twitter=twitter,
        jsonld_types=page.jsonld_top_types,
        jsonld_article_fields=([k for k, v in article.items() if not k.startswith("@") and v not in (None, "", [], {})]
                               if article else []),
        h1_count=sum(1 for _ in tree.iter("h1")),
        hreflang=hreflang,
        html_lang=lang.strip() if lang else None,
    )
