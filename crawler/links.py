"""Images and links of a page, with each image's place in the post (hero, inline, other)."""

from __future__ import annotations

import re

from crawler import selectors as S
from crawler.page import Page, matches
from crawler.records import Image, ImagePosition
from crawler.text import clean, link_text
from crawler.urls import is_internal, resolve


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


def img_source(el) -> str | None:
    src = (el.get("src") or "").strip()
    if not src or _PLACEHOLDER_SRC.search(src):
        for attr in _LAZY_ATTRS:
            if el.get(attr):
                return el.get(attr).strip()
        return _srcset_first(el.get("data-srcset") or el.get("data-lazy-srcset") or el.get("srcset")) or (src or None)
    return src


def image_caption(el) -> str | None:
    node = el.getparent()
    depth = 0
    while node is not None and depth < 4:
        if node.tag == "figure":
            cap = node.find(".//figcaption")
            return clean(cap.text_content()) or None if cap is not None else None
        cls = node.get("class") or ""
        if "wp-caption" in cls or "image-caption-wrapper" in cls:
            cap = node.xpath(".//*[contains(@class,'caption-text') or contains(@class,'image-caption')]")
            return clean(cap[0].text_content()) or None if cap else None
        node = node.getparent()
        depth += 1
    return None


def post_images(page: Page, body_images: list, container) -> list[Image]:
    tree = page.tree
    if tree is None:
        return []
    og_image = page.meta1("og:image", "og:image:url", "twitter:image")
    og_path = re.sub(r"^https?://[^/]+", "", og_image or "").split("?")[0]
    hero_els = matches(page, S.HERO_IMAGE)
    inline = set(body_images)
    first_text_p = None
    if container is not None:
        for p in container.iter("p"):
            if len(clean(p.text_content())) > 40:
                first_text_p = p
                break
    images: list[Image] = []
    hero_found = False
    seen: set[tuple[str, ImagePosition]] = set()
    for el in tree.iter("img"):
        raw = img_source(el)
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
              and doc_index(page, el) < doc_index(page, first_text_p) and not _links_home(page, el)
              and not _small_or_avatar(el)):
            position = ImagePosition.HERO  # a featured image the theme shows above the body
        elif el in inline:
            position = ImagePosition.INLINE
            if not images or all(i.position is not ImagePosition.HERO for i in images):
                # the first image before the first paragraph, or the og:image, leads the post
                if (og_path and path == og_path) or (first_text_p is not None and doc_index(page, el) < doc_index(page, first_text_p)):
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
        images.append(Image(src=src, alt=alt.strip() if alt is not None else None, caption=image_caption(el),
                            position=position, width=_pixels(el.get("width")), height=_pixels(el.get("height")),
                            decorative=(el.get("role") or "").strip().lower() in ("presentation", "none")
                            or (el.get("aria-hidden") or "").strip().lower() == "true"))
    return images


def _pixels(value: str | None) -> int | None:
    """A width or height attribute in pixels ("600", "600px"); none for "100%" or junk."""
    value = (value or "").strip().lower().removesuffix("px").strip()
    return int(value) if value.isdigit() and len(value) <= 6 else None


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


def doc_index(page: Page, el) -> int:
    return page.doc_order.get(el, 0)


def page_links(page: Page, body_links: set) -> list[dict]:
    """Every link of the page, as the fields of a ``Link``: the record's constructor
    validates the 150-odd of a post in one call, at a fraction of one model call each."""
    tree = page.tree
    if tree is None:
        return []
    out = []
    site, base = page.site, page.base_url
    targets: dict = {}  # an href as written -> (its absolute address, internal): menus repeat links
    for el in tree.iter("a"):
        raw = el.get("href")
        target = targets.get(raw)
        if target is None:
            href = resolve(raw or "", base)  # page.resolve
            target = targets[raw] = (href, is_internal(href, site) if href else False)
        href, internal = target
        if not href:
            continue
        rel = el.get("rel")
        out.append({"href": href, "text": clean(link_text(el))[:300] or clean(el.get("title") or el.get("aria-label") or ""),
                    "internal": internal, "rel": rel.lower().split() if rel else [], "in_body": el in body_links})
    return out
