"""Render the description into HTTP responses: path (with query) -> Response.

Pure functions of (site description, base URL, outbound base URL, now). The server looks a
request up by its path and query first, then by its path alone, so links that carry
tracking parameters reach the same page.
"""

from __future__ import annotations

import json
import random
import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Iterable

from sample_site.description import OUTBOUND, SITES, TZ
from sample_site.model import AUTO, LINK_RE, Block, DeadCard, ImageSpec, PostSpec, SiteSpec

HTML = "text/html; charset=utf-8"
UTM = "?utm_source=newsletter&utm_medium=email"


@dataclass
class Response:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    slow: bool = False  # the server waits slow_seconds before answering

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def _html(text: str, status: int = 200, extra: Iterable[tuple[str, str]] = ()) -> Response:
    return Response(status, [("Content-Type", HTML), *extra], text.encode("utf-8"))


def _redirect(base: str, status: int, location: str) -> Response:
    target = location if "://" in location else base + location
    return Response(status, [("Location", target), ("Content-Type", HTML)],
                    f'<a href="{escape(target)}">Moved</a>'.encode())


# -- bytes of the non-HTML files ------------------------------------------------------


def png_bytes(rgb: tuple[int, int, int] = (120, 170, 200)) -> bytes:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"\x00" + bytes(rgb)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pdf_bytes(title: str) -> bytes:
    """A valid one-page PDF with a line of text."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def binary_bytes() -> bytes:
    """A PNG followed by noise: what a misconfigured server sends as text/html."""
    noise = random.Random(7).randbytes(2048)
    return png_bytes() + noise


# -- shared pieces ---------------------------------------------------------------------


def _href(href: str, outbound: str) -> str:
    if href.startswith("outbound:"):
        return outbound + href[len("outbound:"):]
    return href


def _inline(text: str, outbound: str) -> str:
    """Escape block text and turn ``[words](href)`` into links."""
    out, last = [], 0
    for m in LINK_RE.finditer(text):
        out.append(escape(text[last:m.start()]))
        out.append(f'<a href="{escape(_href(m.group(2), outbound))}">{escape(m.group(1))}</a>')
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _img(image: ImageSpec, cls: str = "") -> str:
    alt = "" if image.alt is None else f' alt="{escape(image.alt)}"'
    cls = f' class="{cls}"' if cls else ""
    return f'<img src="{escape(image.src)}"{alt}{cls} width="800" height="533" loading="lazy">'


def _blocks(blocks: Iterable[Block], outbound: str, figures: bool) -> str:
    out = []
    for b in blocks:
        if b.kind in ("h2", "h3", "h4"):
            out.append(f"<{b.kind}>{_inline(b.text, outbound)}</{b.kind}>")
        elif b.kind == "p":
            out.append(f"<p>{_inline(b.text, outbound)}</p>")
        elif b.kind == "quote":
            out.append(f"<blockquote><p>{_inline(b.text, outbound)}</p></blockquote>")
        elif b.kind in ("ul", "ol"):
            items = "".join(f"<li>{_inline(i, outbound)}</li>" for i in b.items)
            out.append(f"<{b.kind}>{items}</{b.kind}>")
        elif b.kind == "table":
            rows = "".join("<tr>" + "".join(f"<td>{_inline(c, outbound)}</td>" for c in r)
                           + "</tr>" for r in b.rows)
            out.append(f'<table border="1" cellpadding="4">{rows}</table>')
        elif b.kind == "img" and b.image:
            if figures:
                cap = (f'<figcaption class="wp-element-caption">{escape(b.image.caption)}'
                       "</figcaption>" if b.image.caption else "")
                out.append(f'<figure class="wp-block-image size-large">{_img(b.image)}{cap}</figure>')
            else:
                out.append(f'<div class="imageWidget">{_img(b.image)}</div>')
    return "\n".join(out)


def _lastmod(value: datetime | None) -> str:
    return f"<lastmod>{value.isoformat()}</lastmod>" if value else ""


def _urlset(entries: Iterable[tuple[str, datetime | None]]) -> bytes:
    rows = "\n".join(f"  <url><loc>{escape(u)}</loc>{_lastmod(m)}</url>" for u, m in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{rows}\n</urlset>\n").encode()


def _xml(body: bytes) -> Response:
    return Response(200, [("Content-Type", "application/xml; charset=utf-8")], body)


def _robots(site: SiteSpec, base: str) -> Response:
    lines = ["User-agent: *"]
    if site.key == "wp":
        lines += ["Disallow: /wp-admin/", "Allow: /wp-admin/admin-ajax.php"]
    lines += [f"Disallow: {d}" for d in site.robots_disallow]
    lines += ["", f"Sitemap: {base}{site.sitemap_path}", ""]
    return Response(200, [("Content-Type", "text/plain; charset=utf-8")],
                    "\n".join(lines).encode())


def _files(site: SiteSpec) -> dict[str, Response]:
    """Images (every src the description names) and the PDF."""
    srcs = {i.src for post in site.posts for i in post.images}
    srcs |= {_card_image(c) for c in site.dead_cards}
    srcs.add(_logo(site))
    out = {s: Response(200, [("Content-Type", "image/png")], png_bytes()) for s in srcs}
    out[site.pdf_path] = Response(200, [("Content-Type", "application/pdf")],
                                  pdf_bytes(site.clinic.name))
    return out


def _logo(site: SiteSpec) -> str:
    return "/wp-content/uploads/logo.png" if site.key == "wp" else "/images/logo.png"


def _card_image(card: DeadCard) -> str:
    return "/images/" + card.path.rstrip("/").rsplit("/", 1)[-1] + ".png"


def _error_page(site: SiteSpec, status: int, title: str) -> str:
    return (f"<!DOCTYPE html><html><head><title>{escape(title)} | {escape(site.clinic.name)}"
            f"</title></head><body><h1>{escape(title)}</h1><p>Sorry, that page is not "
            f'available. <a href="{site.blog_path}">Back to the blog</a></p></body></html>')


def _misbehaving(site: SiteSpec, base: str, slow_page: str) -> dict[str, Response]:
    out: dict[str, Response] = {}
    for r in site.routes:
        if r.kind == "redirect" and r.location:
            out[r.path] = _redirect(base, r.status, r.location)
        elif r.kind in ("404", "410", "500"):
            title = "Internal Server Error" if r.kind == "500" else "Page not found"
            out[r.path] = _html(_error_page(site, r.status, title), r.status)
        elif r.kind == "slow":
            resp = _html(slow_page)
            resp.slow = True
            out[r.path] = resp
        elif r.kind == "empty":
            out[r.path] = Response(200, [("Content-Type", HTML)], b"")
        elif r.kind == "binary":
            out[r.path] = Response(200, [("Content-Type", "text/html")], binary_bytes())
    return out


def _post_headers(post: PostSpec) -> list[tuple[str, str]]:
    headers = [("Content-Type", f"text/html; charset={post.declared_charset}")]
    if post.head.x_robots_tag:
        headers.append(("X-Robots-Tag", post.head.x_robots_tag))
    return headers


def _encode(post: PostSpec, html: str) -> bytes:
    return html.encode(post.served_charset)


def _title_tag(site: SiteSpec, post: PostSpec) -> str:
    title = site.title_tag(post)
    return "" if title is None else f"<title>{escape(title)}</title>"


def _meta_description(site: SiteSpec, post: PostSpec) -> str:
    desc = site.meta_description(post)
    return "" if desc is None else f'<meta name="description" content="{escape(desc)}">'


# -- builder ----------------------------------------------------------------------------


def _builder_link(post: PostSpec) -> str:
    return post.path + (UTM if post.tracking_link else "")


def _builder_page(site: SiteSpec, title_html: str, head: str, main: str,
                  lang: str = "en") -> str:
    c = site.clinic
    tel = "+1" + "".join(ch for ch in c.phone if ch.isdigit())
    hours = "".join(f"<li>{escape(h)}</li>" for h in c.hours)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{title_html}
{head}
<link rel="stylesheet" href="/_dm/s/rt/dist/css/d-css-runtime.min.css">
</head>
<body id="dmRoot" class="dmRoot dmDesktopBody">
<div id="cookie-banner" class="dmCookieNotice" role="dialog">
  <p>We use cookies to improve your experience on our website. By browsing this website,
  you agree to our use of cookies.</p><button class="dmCookieAccept">Accept</button>
</div>
<div class="dmHeader" id="hcontainer">
  <a href="/" class="dmLogo"><img src="/images/logo.png" alt="{escape(c.name)} logo"></a>
  <a class="dmCall" href="tel:{tel}"><span class="text">Call {escape(c.phone)}</span></a>
  <nav class="unifiednav" role="navigation"><ul>
    <li><a href="/">Home</a></li><li><a href="/blog">Blog</a></li>
    <li><a href="/our-team">Our Team</a></li><li><a href="/contact">Contact</a></li>
  </ul></nav>
</div>
<div class="dmContent" id="content">
{main}
</div>
<div class="dmFooter" id="fcontainer">
  <div class="dmFooterContainer">
    <h4>{escape(c.name)}</h4>
    <p class="address">{escape(c.address)}</p>
    <p class="phone"><a href="tel:{tel}">{escape(c.phone)}</a></p>
    <p class="email"><a href="mailto:{c.email}">{escape(c.email)}</a></p>
    <ul class="hours">{hours}</ul>
    <p class="copyright">&copy; {c.copyright_year} {escape(c.name)}. All rights reserved.
    <a href="{site.private_path}">Staff login</a></p>
  </div>
</div>
</body>
</html>
"""


def _builder_card(post: PostSpec | DeadCard, with_title: bool) -> str:
    if isinstance(post, DeadCard):
        href, alt, src = post.path, post.image_alt, _card_image(post)
        title, date, summary = post.title, post.date_text, post.summary
    else:
        href = _builder_link(post)
        alt = post.hero.alt if post.hero else None
        src = post.hero.src if post.hero else "/images/logo.png"
        title = post.teaser_title or post.title
        date = post.teaser_date_text or post.date_text
        summary = post.summary
    alt_attr = "" if alt is None else f' alt="{escape(alt)}"'
    title_html = (f'<h3 class="postTitle"><a href="{escape(href)}">{escape(title)}</a></h3>'
                  if with_title else "")
    date_html = f'<div class="postDate">{escape(date)}</div>' if date else ""
    return (f'<div class="postArticle"><a class="postImg" href="{escape(href)}">'
            f'<img src="{escape(src)}"{alt_attr}></a>{title_html}{date_html}'
            f'<div class="postDescription">{escape(summary)}</div>'
            f'<a class="dmReadMore" href="{escape(href)}">Read More</a></div>')


def _builder_post(site: SiteSpec, post: PostSpec, outbound: str) -> str:
    date = ""
    if post.date_text:
        date = f'<div class="postDate"><span class="dmBlogDate">{escape(post.date_text)}</span>'
        if post.modified_text:
            date += f' <span class="dmBlogUpdated">{escape(post.modified_text)}</span>'
        date += "</div>"
    hero = f'<div class="blogPostHero">{_img(post.hero)}</div>' if post.hero else ""
    recent = [p for p in site.posts if p.listed and p is not post][:4]
    widget = "\n".join(_builder_card(p, with_title=False) for p in recent)
    main = f"""<div class="dmBlogPost">
{hero}
<h1 class="blogPostTitle">{escape(post.title)}</h1>
{date}
<div class="blogPostText">
{_blocks(post.body, outbound, figures=False)}
</div>
</div>
<div class="dmWidget recentPosts"><h3>Recent Posts</h3>
{widget}
</div>"""
    return _builder_page(site, _title_tag(site, post),
                         _meta_description(site, post), main, post.lang)


def _builder_listing(site: SiteSpec, number: int, entries, pages: int) -> str:
    cards = "\n".join(_builder_card(e, with_title=True) for e in entries)
    nav = ""
    if number > 1:
        nav += f'<a class="newer" href="{site.listing_page_path(number - 1)}">Newer posts</a>'
    if number < pages:
        nav += f' <a class="older" href="{site.listing_page_path(number + 1)}">Older posts</a>'
    main = f"""<h1>Blog</h1>
<div class="dmBlogList">
{cards}
</div>
<div class="blogPagination">{nav}</div>"""
    title = "Blog" + (f" - Page {number}" if number > 1 else "")
    return _builder_page(site, f"<title>{title} | {escape(site.clinic.name)}</title>",
                         '<meta name="description" content="Physiotherapy, massage and '
                         'wellness tips from the Riverbend team.">', main)


# -- wp ---------------------------------------------------------------------------------


def _slug(text: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in out.split("-") if part)


def _wp_lang(lang: str) -> str:
    return f"{lang}-CA"


def _wp_jsonld(site: SiteSpec, post: PostSpec, base: str) -> str:
    url = base + post.path
    canonical = _wp_canonical(post, base) or url
    published = post.published.isoformat() if isinstance(post.published, datetime) else None
    modified = post.modified.isoformat() if post.modified else published
    person_id = f"{base}/#/schema/person/{_slug(post.author or 'staff')}"
    article = {
        "@type": "BlogPosting",
        "@id": f"{canonical}#article",
        "isPartOf": {"@id": canonical},
        "author": {"name": post.author, "@id": person_id},
        "headline": _social_title(post),
        "datePublished": published,
        "dateModified": modified,
        "mainEntityOfPage": {"@id": canonical},
        "wordCount": post.word_count,
        "publisher": {"@id": f"{base}/#organization"},
        "image": {"@id": f"{canonical}#primaryimage"},
        "thumbnailUrl": base + post.hero.src if post.hero else None,
        "keywords": list(post.tags),
        "articleSection": list(post.categories),
        "inLanguage": _wp_lang(post.lang),
    }
    for key in post.head.jsonld_drop:
        article.pop(key, None)
    graph = [
        article,
        {"@type": "WebPage", "@id": canonical, "url": canonical, "name": post.title,
         "isPartOf": {"@id": f"{base}/#website"}, "datePublished": published,
         "dateModified": modified, "inLanguage": _wp_lang(post.lang)},
        {"@type": "ImageObject", "@id": f"{canonical}#primaryimage",
         "url": base + post.hero.src if post.hero else None,
         "caption": post.hero.alt if post.hero else None},
        {"@type": "WebSite", "@id": f"{base}/#website", "url": f"{base}/",
         "name": site.clinic.name, "publisher": {"@id": f"{base}/#organization"}},
        {"@type": "Organization", "@id": f"{base}/#organization", "name": site.clinic.name,
         "url": f"{base}/", "telephone": site.clinic.phone},
    ]
    if post.author:
        graph.append({"@type": "Person", "@id": person_id, "name": post.author,
                      "url": f"{base}/author/{_slug(post.author)}/"})
    text = json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False)
    return text.replace("</", "<\\/")  # never end the <script> early


def _social_title(post: PostSpec) -> str:
    return post.title if post.head.social_title == AUTO else post.head.social_title


def _wp_canonical(post: PostSpec, base: str) -> str | None:
    if post.head.canonical is None:
        return None
    return base + (post.path if post.head.canonical == AUTO else post.head.canonical)


def _wp_head(site: SiteSpec, post: PostSpec, base: str) -> str:
    url = base + post.path
    canonical = _wp_canonical(post, base)
    desc = site.meta_description(post)
    robots = post.head.robots or ("index, follow, max-image-preview:large, max-snippet:-1, "
                                  "max-video-preview:-1")
    lines = [_title_tag(site, post), _meta_description(site, post),
             f'<meta name="robots" content="{escape(robots)}">']
    if canonical:
        lines.append(f'<link rel="canonical" href="{escape(canonical)}">')
    title = _social_title(post)
    og_all = [
        ("og:locale", "fr_CA" if post.lang == "fr" else "en_CA"),
        ("og:type", "article"), ("og:title", title), ("og:description", desc or ""),
        ("og:url", canonical or url), ("og:site_name", site.clinic.name),
        ("og:image", base + post.hero.src if post.hero else ""),
    ]
    if post.head.og == "partial":
        og_all = [("og:title", title)]
    elif post.head.og == "none":
        og_all = []
    lines += [f'<meta property="{k}" content="{escape(v)}">' for k, v in og_all]
    if isinstance(post.published, datetime):
        lines.append(f'<meta property="article:published_time" '
                     f'content="{post.published.isoformat()}">')
    if post.modified:
        lines.append(f'<meta property="article:modified_time" '
                     f'content="{post.modified.isoformat()}">')
    if post.author:
        lines.append(f'<meta name="author" content="{escape(post.author)}">')
    if post.head.og == "auto":
        lines += ['<meta name="twitter:card" content="summary_large_image">',
                  f'<meta name="twitter:title" content="{escape(title)}">',
                  '<meta name="twitter:label1" content="Written by">',
                  f'<meta name="twitter:data1" content="{escape(post.author or "")}">']
    lines += [f'<link rel="alternate" hreflang="{lang}" href="{base}{path}">'
              for lang, path in post.head.hreflang]
    lines.append('<script type="application/ld+json" class="yoast-schema-graph">'
                 f"{_wp_jsonld(site, post, base)}</script>")
    return "\n".join(line for line in lines if line)


def _wp_sidebar(site: SiteSpec) -> str:
    recent = "".join(f'<li><a href="{p.path}">{escape(p.title)}</a></li>'
                     for p in [p for p in site.posts if p.listed][:5])
    cats = "".join(f'<li class="cat-item"><a href="/category/{_slug(c)}/">{escape(c)}</a></li>'
                   for c in _wp_categories(site))
    return f"""<aside id="secondary" class="widget-area">
<section class="widget widget_search"><form role="search" method="get" action="/">
<label>Search for: <input type="search" name="s"></label><button>Search</button></form></section>
<section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul>{recent}</ul></section>
<section class="widget widget_categories"><h2 class="widget-title">Categories</h2><ul>{cats}</ul></section>
<section class="widget widget_text"><h2 class="widget-title">Book an appointment</h2>
<p>Call <a href="tel:+1{"".join(ch for ch in site.clinic.phone if ch.isdigit())}">{escape(site.clinic.phone)}</a></p></section>
</aside>"""


def _wp_categories(site: SiteSpec) -> list[str]:
    return sorted({c for p in site.posts for c in p.categories})


def _wp_tags(site: SiteSpec) -> list[str]:
    return sorted({t for p in site.posts for t in p.tags})


def _wp_page(site: SiteSpec, head: str, main: str, body_class: str, lang: str = "en") -> str:
    c = site.clinic
    hours = "<br>".join(escape(h) for h in c.hours)
    return f"""<!DOCTYPE html>
<html lang="{_wp_lang(lang)}">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}
<link rel="stylesheet" id="theme-style-css" href="/wp-content/themes/summit/style.css?ver=6.6.2" media="all">
<meta name="generator" content="WordPress 6.6.2">
</head>
<body class="{body_class}">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#primary">Skip to content</a>
<header id="masthead" class="site-header">
  <div class="site-branding"><a href="/" rel="home"><img src="/wp-content/uploads/logo.png" alt="{escape(c.name)}"></a>
  <p class="site-title"><a href="/" rel="home">{escape(c.name)}</a></p></div>
  <div class="header-phone"><a href="tel:+1{"".join(ch for ch in c.phone if ch.isdigit())}">{escape(c.phone)}</a></div>
  <nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">
    <li class="menu-item"><a href="/">Home</a></li><li class="menu-item"><a href="/blog/">Blog</a></li>
    <li class="menu-item"><a href="/our-team/">Our Team</a></li><li class="menu-item"><a href="/contact/">Contact</a></li>
  </ul></nav>
</header>
<div id="content" class="site-content">
<main id="primary" class="site-main">
{main}
</main>
{_wp_sidebar(site)}
</div>
<footer id="colophon" class="site-footer">
  <div class="footer-widgets"><p class="clinic-address">{escape(c.address)}</p>
  <p class="clinic-phone">Phone: {escape(c.phone)}</p><p class="clinic-hours">{hours}</p></div>
  <div class="site-info">&copy; {c.copyright_year} {escape(c.name)} &middot;
  <a href="{site.private_path}">Staff portal</a> &middot; <a href="/privacy-policy/">Privacy Policy</a></div>
</footer>
</div>
</body>
</html>
"""


def _wp_time(value: datetime, text: str, cls: str) -> str:
    return f'<time class="{cls}" datetime="{value.isoformat()}">{escape(text)}</time>'


def _wp_post(site: SiteSpec, post: PostSpec, base: str, outbound: str) -> str:
    byline_at = post.head.byline_datetime or post.published
    posted = ""
    if isinstance(byline_at, datetime) and post.date_text:
        posted = _wp_time(byline_at, post.date_text, "entry-date published")
        if post.modified and post.modified != post.published and post.modified_text:
            posted += " " + _wp_time(post.modified, post.modified_text, "updated")
        word = "Publié le" if post.lang == "fr" else "Posted on"
        posted = (f'<span class="posted-on">{word} <a href="{post.path}" rel="bookmark">'
                  f"{posted}</a></span>")
    byline = ""
    if post.author:
        byline = (f' <span class="byline">by <span class="author vcard"><a class="url fn n" '
                  f'href="/author/{_slug(post.author)}/">{escape(post.author)}</a></span></span>')
    title = (f'<h1 class="entry-title">{escape(post.title)}</h1>' if post.head.h1
             else f'<div class="entry-title">{escape(post.title)}</div>')
    extra_h1 = f"<h1>{escape(post.head.extra_h1)}</h1>\n" if post.head.extra_h1 else ""
    hero = (f'<div class="post-thumbnail">{_img(post.hero, "attachment-post-thumbnail")}</div>'
            if post.hero else "")
    cats = ", ".join(f'<a href="/category/{_slug(c)}/" rel="category tag">{escape(c)}</a>'
                     for c in post.categories)
    tags = ", ".join(f'<a href="/tag/{_slug(t)}/" rel="tag">{escape(t)}</a>' for t in post.tags)
    main = f"""<article id="post-{zlib.crc32(post.slug.encode()) % 9000 + 1000}" class="post type-post status-publish format-standard has-post-thumbnail hentry">
<header class="entry-header">
{title}
<div class="entry-meta">{posted}{byline}</div>
</header>
{hero}
<div class="entry-content">
{extra_h1}{_blocks(post.body, outbound, figures=True)}
</div>
<footer class="entry-footer"><span class="cat-links">Posted in {cats}</span>
<span class="tags-links">Tagged {tags}</span></footer>
</article>
<div id="comments" class="comments-area">
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes">Your email address will not be published.</p>
<p class="comment-form-comment"><label for="comment">Comment</label><textarea id="comment" name="comment"></textarea></p>
<p class="comment-form-author"><label for="author">Name</label><input id="author" name="author" type="text"></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" value="Post Comment"></p>
</form></div></div>"""
    return _wp_page(site, _wp_head(site, post, base), main,
                    "post-template-default single single-post", post.lang)


def _wp_excerpt(post: PostSpec) -> str:
    thumb = (f'<a class="post-thumbnail" href="{post.path}" aria-hidden="true">'
             f'{_img(post.hero, "attachment-post-thumbnail")}</a>' if post.hero else "")
    date = ""
    if isinstance(post.head.byline_datetime or post.published, datetime) and post.date_text:
        date = _wp_time(post.head.byline_datetime or post.published,  # type: ignore[arg-type]
                        post.teaser_date_text or post.date_text, "entry-date published")
    author = (f' <span class="byline">by <span class="author vcard">{escape(post.author)}'
              "</span></span>" if post.author else "")
    return f"""<article class="post type-post hentry">
{thumb}
<header class="entry-header"><h2 class="entry-title"><a href="{post.path}" rel="bookmark">{escape(post.teaser_title or post.title)}</a></h2>
<div class="entry-meta"><span class="posted-on">{date}</span>{author}</div></header>
<div class="entry-summary"><p>{escape(post.summary)}</p></div>
<a class="more-link" href="{post.path}">Continue reading<span class="screen-reader-text"> {escape(post.title)}</span></a>
</article>"""


def _wp_archive(site: SiteSpec, base: str, path: str, heading: str, posts: list[PostSpec],
                pagination: str = "") -> str:
    items = "\n".join(_wp_excerpt(p) for p in posts)
    head = (f"<title>{escape(heading)} | {escape(site.clinic.name)}</title>\n"
            f'<meta name="robots" content="index, follow">\n'
            f'<link rel="canonical" href="{base}{path}">')
    main = (f'<header class="page-header"><h1 class="page-title">{escape(heading)}</h1></header>'
            f"\n{items}\n{pagination}")
    return _wp_page(site, head, main, "blog archive")


def _wp_pagination(site: SiteSpec, number: int, pages: int) -> str:
    links = []
    if number > 1:
        links.append(f'<a class="prev page-numbers" href="{site.listing_page_path(number - 1)}">Previous</a>')
    for n in range(1, pages + 1):
        links.append(f'<span aria-current="page" class="page-numbers current">{n}</span>'
                     if n == number else
                     f'<a class="page-numbers" href="{site.listing_page_path(n)}">{n}</a>')
    if number < pages:
        links.append(f'<a class="next page-numbers" href="{site.listing_page_path(number + 1)}">Next</a>')
    return ('<nav class="navigation pagination" aria-label="Posts"><div class="nav-links">'
            + "".join(links) + "</div></nav>")


def _wp_sitemaps(site: SiteSpec, base: str, now: datetime) -> dict[str, Response]:
    posts = [p for p in site.posts if p.in_sitemap]
    post_entries = [(base + p.path, site.sitemap_lastmod(p, now)) for p in posts]
    post_entries += [(base + path, None) for path in site.extra_sitemap_paths]
    pages = [(base + path, None) for role, path in site.pages.items() if role != "private"]
    pages.append((base + site.blog_path, None))
    cats = [(f"{base}/category/{_slug(c)}/", None) for c in _wp_categories(site)]
    newest = max((m for _, m in post_entries if m), default=None)
    index = "\n".join(
        f"  <sitemap><loc>{base}/{name}</loc>{_lastmod(newest)}</sitemap>"
        for name in ("post-sitemap.xml", "page-sitemap.xml", "category-sitemap.xml"))
    return {
        "/sitemap_index.xml": _xml(
            ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex '
             f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{index}\n</sitemapindex>\n'
             ).encode()),
        "/post-sitemap.xml": _xml(_urlset(post_entries)),
        "/page-sitemap.xml": _xml(_urlset(pages)),
        "/category-sitemap.xml": _xml(_urlset(cats)),
    }


# -- plain ------------------------------------------------------------------------------


def _plain_page(site: SiteSpec, title: str, content: str, lang: str | None = None) -> str:
    c = site.clinic
    lang_attr = f' lang="{lang}"' if lang else ""
    return f"""<html{lang_attr}>
<head>
<title>{escape(title)}</title>
</head>
<body bgcolor="#ffffff" text="#000000" link="#003399">
<table width="760" align="center" border="0" cellpadding="8">
<tr><td bgcolor="#cce0ff">
<font face="Arial, Helvetica" size="5"><b>{escape(c.name.upper())}</b></font><br>
<font face="Arial, Helvetica" size="2"><a href="/index.html">Home</a> |
<a href="/articles.html">Articles</a> | <a href="/staff.html">Our Staff</a> |
<a href="/contact.html">Contact Us</a></font>
</td></tr>
<tr><td>
<font face="Arial, Helvetica" size="2">
{content}
</font>
</td></tr>
<tr><td align="center"><hr>
<font size="1">{escape(c.name)} &middot; {escape(c.address)} &middot; Phone {escape(c.phone)}<br>
Hours: {" &middot; ".join(escape(h) for h in c.hours)}<br>
&copy; {c.copyright_year} {escape(c.name)}. <a href="{site.private_path}">Staff area</a></font>
</td></tr>
</table>
</body>
</html>
"""


def _plain_malformed(blocks: Iterable[Block], outbound: str) -> str:
    """Hand-written HTML with the usual mistakes; a browser still shows the whole text."""
    out = []
    for n, b in enumerate(blocks):
        if b.kind in ("h2", "h3", "h4"):
            out.append(f"<{b.kind}><font color=navy>{_inline(b.text, outbound)}</{b.kind}>")
        elif b.kind == "p":
            out.append(f"<p>{_inline(b.text, outbound)}" + ("</div>" if n % 2 else ""))
        elif b.kind in ("ul", "ol"):
            out.append(f"<{b.kind}>" + "".join(f"<li>{_inline(i, outbound)}" for i in b.items))
        else:
            out.append(_blocks([b], outbound, figures=False))
    return "\n".join(out) + "\n</div></div></b>"


def _plain_post(site: SiteSpec, post: PostSpec, outbound: str) -> str:
    body = (_plain_malformed(post.body, outbound) if post.malformed
            else _blocks(post.body, outbound, figures=False))
    date = f"<p><i>{escape(post.date_text)}</i></p>" if post.date_text else ""
    lang = post.lang if post.lang != "en" else None
    back = "Retour aux articles" if post.lang == "fr" else "Back to articles"
    content = (f"<h1>{escape(post.title)}</h1>\n{date}\n{body}\n"
               f'<p><a href="/articles.html">&laquo; {back}</a></p>')
    return _plain_page(site, site.title_tag(post) or "", content, lang)


# -- site assembly ----------------------------------------------------------------------


def _contact_html(site: SiteSpec) -> str:
    c = site.clinic
    hours = "".join(f"<li>{escape(h)}</li>" for h in c.hours)
    return (f"<h1>Contact Us</h1><p>Phone: <a href=\"tel:+1"
            f"{''.join(ch for ch in c.phone if ch.isdigit())}\">{escape(c.phone)}</a></p>"
            f"<p>Address: {escape(c.address)}</p><p>Email: <a href=\"mailto:{c.email}\">"
            f"{escape(c.email)}</a></p><h2>Hours</h2><ul>{hours}</ul>"
            f'<p><a href="{site.pdf_path}">New patient forms (PDF)</a></p>')


def _team_html(site: SiteSpec) -> str:
    people = "".join(f'<div class="team-member"><h3>{escape(s.name)}</h3>'
                     f'<p class="role">{escape(s.role)}</p></div>' for s in site.clinic.staff)
    return f"<h1>Our Team</h1>{people}"


def _home_html(site: SiteSpec) -> str:
    recent = [p for p in site.posts if p.listed][:3]
    links = "".join(f'<li><a href="{p.path}">{escape(p.title)}</a></li>' for p in recent)
    return (f"<h1>Welcome to {escape(site.clinic.name)}</h1>"
            "<p>Physiotherapy, chiropractic and massage therapy to get you moving again.</p>"
            f"<h2>From our blog</h2><ul>{links}</ul>"
            f'<p><a href="{site.blog_path}">All articles</a></p>')


def _private_html(site: SiteSpec) -> str:
    return "<h1>Staff portal</h1><p>Please sign in.</p>"


def _builder_site(site: SiteSpec, base: str, outbound: str, now: datetime) -> dict[str, Response]:
    out: dict[str, Response] = {}
    pages = site.listing_pages()
    for n, (path, entries) in enumerate(pages, 1):
        out[path] = _html(_builder_listing(site, n, entries, len(pages)))
    for post in site.posts:
        out[post.path] = Response(200, _post_headers(post),
                                  _encode(post, _builder_post(site, post, outbound)))
    simple = {"home": ("Physiotherapy in Edmonton", _home_html(site)),
              "contact": ("Contact", _contact_html(site)),
              "team": ("Our Team", _team_html(site)),
              "private": ("Staff portal", _private_html(site))}
    for role, (title, main) in simple.items():
        out[site.pages[role]] = _html(_builder_page(
            site, f"<title>{title} | {escape(site.clinic.name)}</title>", "", main))
    entries = [(base + p, None) for r, p in site.pages.items() if r != "private"]
    entries.append((base + site.blog_path, None))
    entries += [(base + p.path, site.sitemap_lastmod(p, now)) for p in site.posts if p.in_sitemap]
    entries += [(base + path, None) for path in site.extra_sitemap_paths]
    out["/sitemap.xml"] = _xml(_urlset(entries))
    slow = _builder_page(site, "<title>Ergonomic Assessments</title>", "",
                         "<h1>Ergonomic Assessments</h1><p>Book a workstation assessment.</p>")
    out.update(_misbehaving(site, base, slow))
    return out


def _wp_site(site: SiteSpec, base: str, outbound: str, now: datetime) -> dict[str, Response]:
    out: dict[str, Response] = {}
    pages = site.listing_pages()
    for n, (path, entries) in enumerate(pages, 1):
        out[path] = _html(_wp_archive(site, base, path, "Blog", entries,
                                      _wp_pagination(site, n, len(pages))))
    for post in site.posts:
        out[post.path] = Response(200, _post_headers(post),
                                  _encode(post, _wp_post(site, post, base, outbound)))
    listed = [p for p in site.posts if p.listed]
    for cat in _wp_categories(site):
        path = f"/category/{_slug(cat)}/"
        out[path] = _html(_wp_archive(site, base, path, f"Category: {cat}",
                                      [p for p in listed if cat in p.categories]))
    for tag in _wp_tags(site):
        path = f"/tag/{_slug(tag)}/"
        out[path] = _html(_wp_archive(site, base, path, f"Tag: {tag}",
                                      [p for p in listed if tag in p.tags]))
    simple = {"home": ("Home", _home_html(site)), "contact": ("Contact", _contact_html(site)),
              "team": ("Our Team", _team_html(site)),
              "private": ("Staff portal", _private_html(site))}
    for role, (title, main) in simple.items():
        path = site.pages[role]
        head = (f"<title>{title} | {escape(site.clinic.name)}</title>\n"
                f'<link rel="canonical" href="{base}{path}">')
        out[path] = _html(_wp_page(site, head, f'<article class="page">{main}</article>', "page"))
    out["/privacy-policy/"] = _html(_wp_page(
        site, f"<title>Privacy Policy | {escape(site.clinic.name)}</title>",
        "<h1>Privacy Policy</h1><p>We collect only what we need to book and bill visits.</p>",
        "page"))
    out.update(_wp_sitemaps(site, base, now))
    out.update(_misbehaving(site, base, ""))
    return out


def _plain_site(site: SiteSpec, base: str, outbound: str, now: datetime) -> dict[str, Response]:
    out: dict[str, Response] = {}
    rows = "".join(
        f'<tr><td><a href="{p.path}">{escape(p.title)}</a></td>'
        f"<td>{escape(p.date_text or '')}</td></tr>\n" for p in site.posts if p.listed)
    rows += ('<tr><td><a href="/articles/clinic-news.html">Clinic News</a></td><td></td></tr>\n'
             '<tr><td><a href="/articles/xray-gallery.html">X-Ray Gallery</a></td><td></td></tr>\n')
    listing = (f'<h1>Articles</h1>\n<table border="0" cellpadding="4" width="100%">\n{rows}'
               f'</table>\n<p><a href="{site.pdf_path}">New patient form (PDF)</a></p>')
    out[site.blog_path] = _html(_plain_page(site, f"Articles - {site.clinic.name}", listing))
    for post in site.posts:
        out[post.path] = Response(200, _post_headers(post),
                                  _encode(post, _plain_post(site, post, outbound)))
    home = _html(_plain_page(site, site.clinic.name, _home_html(site)))
    out["/"] = home
    out[site.pages["home"]] = home
    for role, title, main in (("contact", "Contact Us", _contact_html(site)),
                              ("team", "Our Staff", _team_html(site)),
                              ("private", "Staff area", _private_html(site))):
        out[site.pages[role]] = _html(_plain_page(site, f"{title} - {site.clinic.name}", main))
    entries = [(base + site.pages["home"], None), (base + site.blog_path, None)]
    entries += [(base + p.path, site.sitemap_lastmod(p, now)) for p in site.posts if p.in_sitemap]
    out["/sitemap.xml"] = _xml(_urlset(entries))
    out.update(_misbehaving(site, base, ""))
    return out


_FLAVOURS = {"builder": _builder_site, "wp": _wp_site, "plain": _plain_site}


def render_site(site: SiteSpec | str, base: str, outbound: str = "http://127.0.0.1:9",
                now: datetime | None = None) -> dict[str, Response]:
    """Every response of one site: path (plus ?query where it matters) -> Response.

    ``now`` resolves relative dates in the sitemap; a crawl compares them with its own
    fetch time, so pass the server's start time.
    """
    if isinstance(site, str):
        site = SITES[site]
    base = base.rstrip("/")
    outbound = outbound.rstrip("/")
    now = (now or datetime.now(TZ)).astimezone(TZ)
    out = _FLAVOURS[site.key](site, base, outbound, now)
    out.update(_files(site))
    out["/robots.txt"] = _robots(site, base)
    return out


def not_found(site: SiteSpec | str | None = None) -> Response:
    if isinstance(site, str):
        site = SITES[site]
    if site is None:
        return _html("<html><body><h1>Not Found</h1></body></html>", 404)
    return _html(_error_page(site, 404, "Page not found"), 404)


def render_outbound(base: str) -> dict[str, Response]:
    """The stand-in external site."""
    out: dict[str, Response] = {}
    for r in OUTBOUND:
        if r.location:
            out[r.path] = _redirect(base.rstrip("/"), r.status, r.location)
        else:
            title = "Clinical guideline" if r.status == 200 else "Not available"
            out[r.path] = _html(f"<html><head><title>{title}</title></head><body><h1>{title}"
                                "</h1></body></html>", r.status)
    out["/robots.txt"] = Response(200, [("Content-Type", "text/plain")],
                                  b"User-agent: *\nDisallow:\n")
    return out


__all__ = ["Response", "binary_bytes", "not_found", "pdf_bytes", "png_bytes", "render_outbound",
           "render_site"]
