"""The post's author, from every common byline form, most explicit first.

1. the site's own author selector;
2. JSON-LD: the article's ``author`` / ``creator`` (a name, a Person, a reference);
3. microdata in the post: ``itemprop=author`` (its ``itemprop=name``, ``content`` or text);
4. ``rel=author`` links;
5. author-archive and author-filter links: ``/author/x/``, ``?author=Dr.+Name``
   (Squarespace's meta line links to ``/journal?author=...``);
6. theme classes: ``.byline``, ``.author``, ``.entry-author`` ... (``selectors.AUTHOR``);
7. "By Dr. X, PT" in the post's meta lines, then next to the title;
8. the head: ``meta name=author``, ``article:author`` (a name, not a profile URL),
   ``dc.creator``, a head ``meta itemprop=author``. Last: a head's author is often the
   clinic or an SEO editor, where the byline names the person the reader sees.

Page forms (3-7) are read only inside the post: the part of the page that holds its
title and its content, outside chrome, other posts' cards, comments, share bars and
sidebars, so a comment's author, a "Share by email" link or a team widget is never the
byline. Credentials stay: "Dr. Sarah Chen, PT" is the author.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote_plus, urlsplit

from crawler import selectors as S
from crawler.matching import select
from crawler.page import Page, ordered
from crawler.text import clean, text_near

# a credential after a name: PT, DPT, RMT, DC, MD, PhD, MScPT, R.Kin, CSCS (two capitals at least)
_CREDENTIAL = r"(?:[A-Z][A-Za-z.]{0,7}[A-Z][A-Za-z.]{0,6}\.?|Jr\.?|Sr\.?)"
_NAME_WORD = r"[A-ZÀ-Ý][\w'’.-]*"
_PARTICLE = r"(?:de|del|della|der|van|von|da|du|le|la|di|ten|ter|bin|al)"
NAME = (rf"{_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_NAME_WORD}){{0,3}}"
        rf"(?:[ \t]*,[ \t]*{_CREDENTIAL}(?![\w]))*")
# "By Jane Doe", "Written by ...", "Par ...", "Von ..." (German), "Auteur : ..."
_BY_NAME = re.compile(
    # German "von" only opens a line: mid-sentence it is "of" ("Bürgermeister von Berlin")
    r"(?:^(?i:von)|(?:^|(?<=[\s(|·•—–-]))"
    r"(?i:by|par|written[ \t]+by|posted[ \t]+by|écrit[ \t]+par|auteur[ \t]*:|author[ \t]*:))"
    rf"(?:[ \t]*:[ \t]*|[ \t]+)(?P<name>{NAME}(?:[ \t]+(?i:and|&|et|und)[ \t]+{NAME})?)"
)
_BY = re.compile(r"^\s*(?:written\s+|posted\s+|publi[ée]\s+|écrit\s+)?(?:by|par|von|de|from|auteur\s*:?|author\s*:?)\s+",
                 re.IGNORECASE)
_AUTHOR_JUNK = re.compile(r"https?://|@|\d{4}|\bposted\b|\bcomments?\b", re.IGNORECASE)
# what a share bar or a widget says where a name would be ("Share by Email")
_NOT_NAMES = frozenset((
    "email", "e-mail", "mail", "facebook", "twitter", "linkedin", "pinterest", "whatsapp", "print", "share",
    "reply", "comment", "comments", "subscribe", "login", "read more", "the team", "us", "anonymous", "unknown",
))
# ancestors (class or id) that hold other people's names: comments, share bars, sidebars,
# other posts' cards
_OTHERS = re.compile(
    r"(?:^|[\s_-])(?:comments?|commentlist|respond|reply|share|sharing|sharedaddy|social|sidebar|widget|"
    r"related|recent|popular|newsletter|subscribe|nav|navigation|menu|team|staff|testimonials?|reviews?)"
    r"(?=$|[\s_-])",
    re.IGNORECASE,
)
_CREDENTIAL_TAIL = re.compile(rf"(?:\s*,\s*{_CREDENTIAL}(?![\w]))+$")


def clean_author(text: str | None) -> str | None:
    """A byline's name: "By Dr. Sarah Chen, PT on May 3" -> "Dr. Sarah Chen, PT"; None for no name."""
    text = clean(text)
    text = _BY.sub("", text)
    text = re.split(r"\s+(?:on|le|am|in|dans|\||·|•|—|–)\s+|\s*[|·•]\s*", text)[0].strip(" ,;:-")
    if not text or len(text) > 80 or _AUTHOR_JUNK.search(text) or len(text.split()) > 8:
        return None
    if text.casefold() in _NOT_NAMES or not re.search(r"[^\W\d_]", text):
        return None
    # a comma list that is not a name plus credentials reads as several names: keep it
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
                names.append(clean(name))
        elif isinstance(item, str) and not item.startswith("http"):
            names.append(clean(item))
    names = [n for n in names if n]
    return ", ".join(dict.fromkeys(names)) or None


def _post_scope(page: Page, main):
    """The part of the page that is the post: the lowest element holding its title and
    its content container (the container alone without a title; the body without both)."""
    title = page.title_element
    if main is None:
        return title.getparent() if title is not None and title.getparent() is not None else page.body
    if title is None:
        return main if main.getparent() is None or main.getparent().tag in ("body", "html") else main.getparent()
    # the container's parent too: a byline often sits beside the body (Blogger's post-footer)
    parent = main.getparent()
    if parent is not None and parent.tag not in ("body", "html"):
        main = parent
    if any(a is main for a in title.iterancestors()) or title is main:
        return main
    holders = set(main.iterancestors())
    for ancestor in title.iterancestors():
        if ancestor in holders:
            return ancestor
    return page.body


def _among_others(page: Page, el, scope, cards: set) -> bool:
    """Inside chrome, another post's card, or a comments/share/sidebar block below scope."""
    if page.in_chrome(el):
        return True
    node = el
    while node is not None and node is not scope:
        if node in cards:
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and _OTHERS.search(marks):
            return True
        node = node.getparent()
    return node is None  # not under scope at all


_META_LINE_TAGS = ("header", "footer")
# a post's header or footer line (Blogger's post-footer, a theme's entry-info)
_META_MARK = re.compile(r"(?:^|[\s_-])(?:header|footer|meta|byline|info|signature)(?=$|[\s_-])", re.IGNORECASE)
# a block that holds the author ("article_autor"): its contents are the byline, wherever it sits
_AUTHOR_BLOCK = re.compile(r"(?:^|[\s_-])(?:author|autor|auteur)(?=$|[\s_-])", re.IGNORECASE)


def _byline_limit(page: Page, scope, main) -> int | None:
    """Document position past which a name is no byline: the post's first prose paragraph
    (a byline sits above it; below are author boxes, team lists and sidebars)."""
    order = page.doc_order
    for p in (main if main is not None else scope).iter("p", "div"):
        if p.tag == "div" and len(p) and any(c.tag in ("p", "div") for c in p):
            continue
        if len(clean(p.text_content())) >= 150 and not page.in_chrome(p):
            return order.get(p)
    return None


def _in_byline_zone(page: Page, el, limit: int | None, meta_lines: set) -> bool:
    if limit is None or page.doc_order.get(el, 0) < limit:
        return True
    # below the prose only inside a meta line ("Posted in Knees by Dr. X" under the post)
    def marks(a) -> str:
        return f"{a.get('class') or ''} {a.get('id') or ''}"

    return (any(a in meta_lines or a.tag in _META_LINE_TAGS or _META_MARK.search(marks(a))
                for a in (el, *el.iterancestors()))
            or any(_AUTHOR_BLOCK.search(marks(a)) for a in el.iterancestors()))


def _in_scope(scope, el) -> bool:
    return el is scope or any(a is scope for a in el.iterancestors())


def _from_element(el) -> str | None:
    text = el.get("content") if el.tag == "meta" else clean(el.text_content())
    name = clean_author(text)
    if name and not _BY_NAME.search(clean(text or "")):
        return name
    # "Posted on May 3, 2024 by Dr. X, PT": the name after "by"
    return by_name(text or "") or name


def by_name(text: str) -> str | None:
    """The name in "By Dr. Sarah Chen, PT" (first such phrase), credentials kept."""
    for line in clean_lines(text):
        m = _BY_NAME.search(line)
        if m:
            name = clean_author(m.group("name"))
            if name:
                return name
    return None


def clean_lines(text: str) -> list[str]:
    return [clean(line) for line in text.splitlines() if line.strip()]


def _link_name(page: Page, a) -> str | None:
    """An author-archive or author-filter link's name: its text, else the address's."""
    name = clean_author(a.text_content())
    if name:
        return name
    href = a.get("href") or ""
    parts = urlsplit(href)
    values = parse_qs(parts.query).get("author") or []
    raw = values[0] if values else ""
    if not raw:
        m = re.search(r"/authors?/([^/?#]+)", parts.path)
        raw = unquote_plus(m.group(1)).replace("-", " ").title() if m else ""
    # a Squarespace filter is an id (5f0d...), not a name
    if raw and (" " in raw.strip() or re.fullmatch(r"[A-Za-zÀ-ÿ.'’]+", raw)):
        return clean_author(raw)
    return None


_AUTHOR_LINKS = (
    "//a[contains(@href, '/author/') or contains(@href, '/authors/') or contains(@href, '?author=')"
    " or contains(@href, '&author=')]"
)


def post_author(page: Page, main=None, cards: set = frozenset()) -> str | None:
    """The post's author (see the module's docstring for the order), or None."""
    tree = page.tree
    if tree is None:
        return None
    sel = page.site_selectors.get("author")
    if sel:
        for el in select(tree, sel):
            name = _from_element(el)
            if name:
                return name
    name = _jsonld_author(page)
    if name:
        return name
    scope = _post_scope(page, main)
    if scope is None:
        return None

    limit = _byline_limit(page, scope, main)
    meta_lines = set(page.content_chrome)

    def visible(els, anywhere: bool = False):
        """Elements of the post's byline zone; ``anywhere`` in the post for explicit markup."""
        for el in els:
            if el.tag in ("meta", "link") and not _in_scope(page.body, el):
                continue  # the head's microdata is read with the head's meta tags
            if not _among_others(page, el, scope, cards) and (
                    anywhere or _in_byline_zone(page, el, limit, meta_lines)):
                yield el

    # microdata: the author's name inside the post
    for el in visible(tree.xpath("//*[@itemprop='author']"), anywhere=True):
        names = [n for n in el.xpath(".//*[@itemprop='name']")]
        for target in names or [el]:
            name = clean_author(target.get("content") or clean(target.text_content()))
            if name:
                return name
    # rel=author, then links to the author's archive or the blog filtered by author
    for el in visible(tree.xpath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]"), anywhere=True):
        name = _link_name(page, el)
        if name:
            return name
    for el in visible(tree.xpath(_AUTHOR_LINKS)):
        name = _link_name(page, el)
        if name:
            return name
    # theme classes: .byline, .author, .entry-author ... (their text may say "By ...")
    for el in visible(e for _, e in ordered(tree, S.AUTHOR, page)):
        name = _from_element(el)
        if name:
            return name
    # "By Dr. X, PT" in the post's meta lines, then next to the title
    lines = {e for _, e in ordered(tree, S.CONTENT_CHROME, page)}
    lines.update(e for e in scope.iter() if isinstance(e.tag, str) and e.tag not in ("html", "body")
                 and _META_MARK.search(f"{e.get('class') or ''} {e.get('id') or ''}"))
    for el in visible(sorted(lines, key=lambda e: page.doc_order.get(e, 0))):
        name = by_name(" ".join(el.itertext()))
        if name:
            return name
    title = page.title_element
    if title is not None:
        name = by_name(text_near(page, title, after=200, before=80))
        if name:
            return name
    # the head
    meta = page.meta1("author", "article:author", "twitter:creator", "dc.creator", "dcterms.creator",
                      "parsely-author", "sailthru.author")
    if meta and not meta.startswith("http"):
        name = clean_author(meta.lstrip("@")) if "@" not in meta[1:] else None
        if name:
            return name
    return None
