"""A large deterministic generated clinic blog, written to a folder and served statically.

Its one job: benchmarks (bench/crawl.py, bench/extract_profile.py) and tests need a
WordPress-style clinic blog of any size, the same for the same seed, on disk and behind a
plain static file server. ``generate_site(root, origin, posts, seed)`` writes it;
``StaticServer(root)`` serves the folder from a child process on 127.0.0.1 at a free port:

    python -m sample_site.generated DIR     # prints the port on the first line, serves until killed

Unlike the hand-written sample sites (sample_site.description), it is not a set of planted
cases: a test checks that a crawl found every generated post (``generate_site``'s paths).
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent  # the tree that holds this package
TZ = ZoneInfo("America/Edmonton")  # settings.NEEDLE_TIMEZONE's default
BLOG = "/blog/"
PER_PAGE = 10  # WordPress's default "posts per page"

# --------------------------------------------------------------------------------------
# The site: a clinic's WordPress blog, generated from a seeded vocabulary
# --------------------------------------------------------------------------------------

TREATMENTS = [
    "physiotherapy", "massage therapy", "dry needling", "acupuncture", "chiropractic care",
    "custom orthotics", "shockwave therapy", "vestibular rehabilitation",
    "pelvic floor physiotherapy", "kinesiology taping", "manual therapy", "exercise therapy",
    "intramuscular stimulation", "cupping", "concussion rehabilitation", "sports massage",
]
CONDITIONS = [
    "concussion", "TMJ dysfunction", "sciatica", "low back pain", "neck pain",
    "plantar fasciitis", "tennis elbow", "rotator cuff tears", "whiplash", "tension headaches",
    "runner's knee", "shin splints", "osteoarthritis", "ankle sprains", "frozen shoulder",
    "carpal tunnel syndrome", "jaw pain", "hip bursitis", "Achilles tendinopathy", "vertigo",
]
PEOPLE = [
    "runners", "office workers", "new parents", "seniors", "hockey players", "desk workers",
    "golfers", "skiers", "weekend warriors", "teenage athletes", "gardeners", "cyclists",
]
BODY = [
    "the lower back", "the neck", "the shoulder", "the knee", "the jaw", "the hip", "the ankle",
    "the upper back", "the wrist", "the foot", "the hamstrings", "the calves",
]
BENEFITS = [
    "reduce pain", "restore range of motion", "speed up healing", "release muscle tension",
    "improve circulation", "rebuild strength", "correct movement patterns", "prevent re-injury",
    "calm an irritated nerve", "improve balance", "ease stiffness", "support a safe return to sport",
]
ACTIONS = [
    "a thorough assessment", "a home exercise program", "hands-on treatment", "gradual loading",
    "posture coaching", "a graded return-to-activity plan", "soft tissue release",
    "joint mobilization", "ice and relative rest", "a supportive pair of orthotics",
]
CATEGORIES = [
    "Physiotherapy", "Massage Therapy", "Dry Needling", "Concussion", "TMJ", "Sciatica",
    "Orthotics", "Chiropractic", "Sports Injuries", "Pelvic Health", "Acupuncture", "Clinic News",
]
TAGS = [
    "back pain", "neck pain", "posture", "running", "hockey", "headaches", "jaw", "sleep",
    "ergonomics", "stretching", "strength", "recovery", "injury prevention", "seniors",
    "pregnancy", "desk work", "winter sports", "golf", "balance", "nerve pain",
]
AUTHORS = [
    "Dr. Priya Nair, DC", "Megan Tremblay, MPT", "Jordan Kowalski, RMT", "Amélie Gagnon, PT",
    "Daniel Okafor, MScPT", "Sarah Lindqvist, RMT",
]
COMMENTERS = ["Linda", "Mark T.", "Josée", "Raj", "Hannah", "Kevin", "Margaret", "Tom B."]

TITLES = [
    "{Treatment} 101", "How {Treatment} Helps With {Condition}",
    "{n} Signs You Might Need {Treatment}", "What to Expect at Your First {Treatment} Appointment",
    "{Condition}: Causes, Symptoms and Treatment", "Is {Treatment} Right for Your {Condition}?",
    "{n} Stretches for {Condition}", "{Treatment} for {People}: What You Need to Know",
    "Why {People} Get {Condition}", "Myths About {Treatment}, Busted",
    "{Condition} After {n} Weeks: When to See a Physio", "A Physio's Guide to {Condition}",
]

SENTENCES = [
    "{Treatment} can help with {condition} because it works to {benefit}.",
    "Many of our patients with {condition} are surprised by how quickly {treatment} helps them {benefit}.",
    "If you are one of the many {people} living with {condition}, you are not alone.",
    "Our therapists start every visit with {action}, so the plan fits your body and your goals.",
    "Pain in {body} is rarely caused by one thing, which is why we look at how you move as a whole.",
    "Research on {treatment} keeps growing, and the evidence for {condition} is encouraging.",
    "{People} often push through early warning signs, and that is when {condition} settles in.",
    "A typical session lasts forty-five minutes and includes {action} as well as {treatment}.",
    "Most people notice a difference after two or three visits, although every case is different.",
    "The goal is not only to {benefit} but also to {benefit2} so the problem does not come back.",
    "We often combine {treatment} with {treatment2} for the best results.",
    "Ask your therapist whether your extended health benefits cover {treatment}.",
    "Stiffness in {body} first thing in the morning is a common sign of {condition}.",
    "Simple habits such as regular breaks, good sleep and staying active make a real difference.",
    "When {condition} is left untreated, it can change the way you walk, sit and even breathe.",
    "During the assessment we check strength, flexibility and the joints around {body}.",
    "You do not need a doctor's referral to book an appointment with a physiotherapist in Alberta.",
    "Home exercises are the part of the plan that you control, and they matter as much as the visits.",
    "For {people}, a gradual return to activity works better than complete rest.",
    "Some soreness after {treatment} is normal and usually fades within a day or two.",
    "Tell your therapist about any medications, recent surgeries or health conditions before you start.",
    "We will explain what we find in plain language and show you how to {benefit}.",
    "{Treatment} is safe for most people, but it is not the right choice for everyone.",
    "Small changes to your workstation can take a surprising amount of load off {body}.",
    "If your symptoms include numbness, weakness or dizziness, see a health professional promptly.",
    "Our clinic team works together, so your physiotherapist and massage therapist share one plan.",
]
HEADINGS = [
    "What Is {Treatment}?", "How Does {Treatment} Work?", "Common Causes of {Condition}",
    "Who Can Benefit?", "What to Expect During Your Visit", "Is It Safe?",
    "How Many Sessions Will I Need?", "Tips You Can Try at Home", "When to See a Professional",
    "The Benefits of {Treatment}", "Getting Back to the Things You Love", "Book Your Assessment",
]


@dataclass
class Post:
    index: int
    slug: str
    title: str
    published: datetime
    modified: datetime
    author: str
    categories: list[str]
    tags: list[str]
    summary: str
    treatment: str
    condition: str
    comments: int

    @property
    def path(self) -> str:
        return f"{BLOG}{self.slug}/"


@dataclass
class SiteInfo:
    posts: int = 0
    html_pages: int = 0  # pages under /blog/ the crawl should fetch
    listing_pages: int = 0
    other_files: int = 0
    bytes: int = 0
    post_bytes: int = 0
    seconds: float = 0.0
    post_urls: set[str] = field(default_factory=set)


def _slugify(text: str) -> str:
    text = text.lower().replace("'", "")
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _title_case(text: str) -> str:
    small = {"a", "an", "and", "the", "for", "of", "to", "at", "with", "your", "in", "on"}
    words = text.split(" ")
    return " ".join(w if (i and w in small) or not w[:1].islower() else _cap(w) for i, w in enumerate(words))


def _date_text(value: datetime) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class SiteWriter:
    """Writes the blog as static files: one index.html per URL folder, like a cached WP site."""

    def __init__(self, root: Path, origin: str, n_posts: int, seed: int):
        self.root = root
        self.origin = origin
        self.rng = random.Random(seed)
        self.info = SiteInfo()
        self.posts = self._make_posts(n_posts)
        self.by_category: dict[str, list[Post]] = {c: [] for c in CATEGORIES}
        self.by_month: dict[tuple[int, int], list[Post]] = {}
        for post in self.posts:  # newest first, as every WP listing shows them
            for cat in post.categories:
                self.by_category[cat].append(post)
            self.by_month.setdefault((post.published.year, post.published.month), []).append(post)
        self.chrome_cache: dict[str, str] = {}

    # -- content -------------------------------------------------------------------

    def _make_posts(self, n: int) -> list[Post]:
        rng = self.rng
        # posts spread over ten years up to the sample site's "today", newest first
        end = datetime(2026, 11, 20, tzinfo=TZ)
        span = timedelta(days=3650)
        stamps = sorted((end - span * rng.random() for _ in range(n)), reverse=True)
        posts, slugs = [], set()
        for i, stamp in enumerate(stamps):
            published = stamp.replace(hour=rng.choice([7, 8, 9, 10, 13, 16]), minute=rng.choice([0, 15, 30, 45]),
                                      second=0, microsecond=0)
            treatment, condition = rng.choice(TREATMENTS), rng.choice(CONDITIONS)
            title = rng.choice(TITLES).format(
                Treatment=_title_case(treatment), Condition=_title_case(condition),
                People=_title_case(rng.choice(PEOPLE)), n=rng.choice([3, 4, 5, 6, 7]))
            slug = base = _slugify(title)
            k = 2
            while slug in slugs:  # WordPress appends -2, -3 to a repeated slug
                slug, k = f"{base}-{k}", k + 1
            slugs.add(slug)
            modified = published + timedelta(days=rng.choice([0, 0, 0, 3, 40, 400]), hours=rng.randint(0, 5))
            cats = rng.sample(CATEGORIES, rng.choice([1, 1, 2]))
            summary = (f"{_cap(treatment)} can help {rng.choice(PEOPLE)} with {condition}: "
                       f"here is how it works, what to expect and when to book.")
            posts.append(Post(
                index=n - i, slug=slug, title=title, published=published, modified=min(modified, end),
                author=rng.choice(AUTHORS), categories=cats, tags=rng.sample(TAGS, rng.randint(2, 4)),
                summary=summary, treatment=treatment, condition=condition,
                comments=rng.choice([0, 0, 0, 1, 2, 3]),
            ))
        return posts

    def _fill(self, template: str, post: Post) -> str:
        rng = self.rng
        treatment2 = rng.choice([t for t in TREATMENTS if t != post.treatment])
        return template.format(
            treatment=post.treatment, Treatment=_cap(post.treatment), treatment2=treatment2,
            condition=post.condition, Condition=_title_case(post.condition),
            people=rng.choice(PEOPLE), People=_cap(rng.choice(PEOPLE)), body=rng.choice(BODY),
            benefit=rng.choice(BENEFITS), benefit2=rng.choice(BENEFITS), action=rng.choice(ACTIONS),
        )

    def _paragraph(self, post: Post, sentences: int, link: tuple[str, str] | None = None) -> str:
        parts = [_e(self._fill(self.rng.choice(SENTENCES), post)) for _ in range(sentences)]
        if link:
            href, words = link
            parts.insert(self.rng.randint(1, len(parts)),
                         f'If you want to read more, see <a href="{href}">{_e(words)}</a>.')
        return "<p>" + " ".join(parts) + "</p>"

    def _figure(self, post: Post, n: int) -> str:
        rng = self.rng
        src = f"/wp-content/uploads/{post.published:%Y/%m}/{post.slug}-{n}.jpg"
        alt = f"{_cap(rng.choice(PEOPLE))[:-1]} receiving {post.treatment} for {rng.choice(BODY)[4:]}"
        caption = f"{_cap(post.treatment)} at our clinic: {rng.choice(BENEFITS)} and {rng.choice(BENEFITS)}."
        return (f'<figure class="wp-block-image size-large"><img decoding="async" width="1024" height="683" '
                f'src="{src}" alt="{_e(alt)}" class="wp-image-{post.index * 10 + n}" '
                f'srcset="{src} 1024w, {src[:-4]}-300x200.jpg 300w" sizes="(max-width: 1024px) 100vw, 1024px">'
                f'<figcaption class="wp-element-caption">{_e(caption)}</figcaption></figure>')

    def _body(self, post: Post, older: list[Post]) -> str:
        rng = self.rng
        out: list[str] = []
        # 6 sections of 1-2 paragraphs: about 600 words, as the seed post has
        headings = rng.sample(HEADINGS, 6)
        links = [(o.path, o.title) for o in rng.sample(older, min(2, len(older)))]
        links.append(("/contact/", "book an assessment with our team"))
        figures = rng.randint(1, 2)
        for s, heading in enumerate(headings):
            out.append(f"<h2 class=\"wp-block-heading\">{_e(_title_case(self._fill(heading, post)))}</h2>")
            for q in range(2 if s else 1):
                link = links.pop() if links and rng.random() < 0.3 else None
                out.append(self._paragraph(post, rng.randint(2, 4), link))
            if s == 2:
                items = "".join(f"<li>{_e(_cap(b))}</li>" for b in rng.sample(BENEFITS, 4))
                out.append(f'<ul class="wp-block-list">{items}</ul>')
            if s in (1, 4) and figures:
                out.append(self._figure(post, figures))
                figures -= 1
        for href, words in links:  # the links not placed yet go in a closing paragraph
            out.append(f'<p>Related reading: <a href="{href}">{_e(words)}</a>.</p>')
        return "\n".join(out)

    # -- page chrome ---------------------------------------------------------------

    def _head(self, title: str, canonical: str, description: str, extra: str = "") -> str:
        # WordPress heads are long: Yoast tags, stylesheets, emoji script, inline CSS
        return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} - Bow Valley Physio &amp; Wellness</title>
<meta name="description" content="{_e(description)}">
<meta name="robots" content="index, follow, max-image-preview:large, max-snippet:-1, max-video-preview:-1">
<link rel="canonical" href="{canonical}">
<meta property="og:locale" content="en_US">
<meta property="og:site_name" content="Bow Valley Physio &amp; Wellness">
<meta property="og:title" content="{_e(title)}">
<meta property="og:description" content="{_e(description)}">
<meta property="og:url" content="{canonical}">
{extra}<meta name="twitter:card" content="summary_large_image">
<link rel="alternate" type="application/rss+xml" title="Bow Valley Physio &raquo; Feed" href="{self.origin}/feed/">
<link rel="stylesheet" id="wp-block-library-css" href="/wp-includes/css/dist/block-library/style.min.css?ver=6.6.2" media="all">
<link rel="stylesheet" id="theme-style-css" href="/wp-content/themes/physio/style.css?ver=2.4.1" media="all">
<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>
<script>window._wpemojiSettings = {{"baseUrl":"https:\\/\\/s.w.org\\/images\\/core\\/emoji\\/15.0.3\\/72x72\\/","ext":".png","svgUrl":"https:\\/\\/s.w.org\\/images\\/core\\/emoji\\/15.0.3\\/svg\\/","svgExt":".svg","source":{{"concatemoji":"\\/wp-includes\\/js\\/wp-emoji-release.min.js?ver=6.6.2"}}}};
!function(i,n){{var o,s,e;function c(e){{try{{var t={{supportTests:e,timestamp:(new Date).valueOf()}};sessionStorage.setItem(o,JSON.stringify(t))}}catch(e){{}}}}}}(window,document);</script>
<style id="global-styles-inline-css">{_GLOBAL_CSS}</style>
<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
</head>
"""

    def _header(self) -> str:
        return """<a class="skip-link screen-reader-text" href="#primary">Skip to content</a>
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="/" rel="home">Bow Valley Physio &amp; Wellness</a></p>
<p class="site-description">Physiotherapy, massage and chiropractic care in Calgary</p></div>
<nav id="site-navigation" class="main-navigation" aria-label="Primary"><ul id="primary-menu" class="menu">
<li class="menu-item"><a href="/">Home</a></li>
<li class="menu-item menu-item-has-children"><a href="/services/">Services</a><ul class="sub-menu">
<li><a href="/services/physiotherapy/">Physiotherapy</a></li><li><a href="/services/massage-therapy/">Massage Therapy</a></li>
<li><a href="/services/dry-needling/">Dry Needling</a></li><li><a href="/services/concussion/">Concussion Care</a></li>
<li><a href="/services/orthotics/">Custom Orthotics</a></li></ul></li>
<li class="menu-item"><a href="/about/">Our Team</a></li>
<li class="menu-item current-menu-item"><a href="/blog/">Blog</a></li>
<li class="menu-item"><a href="/contact/">Contact</a></li>
<li class="menu-item menu-button"><a href="https://bowvalleyphysio.janeapp.com/">Book Online</a></li>
</ul></nav>
<div class="header-contact"><a href="tel:+14035550142">(403) 555-0142</a></div>
</header>
"""

    def _sidebar(self) -> str:
        # identical on every page; built once
        if "sidebar" in self.chrome_cache:
            return self.chrome_cache["sidebar"]
        recent = "".join(
            f'<li><a href="{p.path}"><img width="150" height="150" src="/wp-content/uploads/'
            f'{p.published:%Y/%m}/{p.slug}-1-150x150.jpg" alt="{_e(_cap(p.treatment))} session at the clinic">'
            f'</a><a href="{p.path}">{_e(p.title)}</a><span class="post-date">{_date_text(p.published)}</span>'
            f"<p>{_e(p.summary)}</p></li>"
            for p in self.posts[:5]
        )
        cats = "".join(
            f'<li class="cat-item"><a href="{BLOG}category/{_slugify(c)}/">{_e(c)}</a> '
            f"({len(self.by_category[c])})</li>"
            for c in CATEGORIES if self.by_category[c]
        )
        months = "".join(
            f'<li><a href="{BLOG}{y}/{m:02d}/">{datetime(y, m, 1):%B} {y}</a>&nbsp;({len(ps)})</li>'
            for (y, m), ps in self.by_month.items()
        )
        html_ = f"""<aside id="secondary" class="widget-area">
<section id="search-2" class="widget widget_search"><form role="search" method="get" class="search-form" action="/">
<label><span class="screen-reader-text">Search for:</span><input type="search" class="search-field" placeholder="Search &hellip;" name="s"></label>
<input type="submit" class="search-submit" value="Search"></form></section>
<section id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul>{recent}</ul></section>
<section id="categories-2" class="widget widget_categories"><h2 class="widget-title">Categories</h2><ul>{cats}</ul></section>
<section id="archives-2" class="widget widget_archive"><h2 class="widget-title">Archives</h2><ul>{months}</ul></section>
</aside>
"""
        self.chrome_cache["sidebar"] = html_
        return html_

    @staticmethod
    def _footer() -> str:
        return """<footer id="colophon" class="site-footer">
<div class="footer-widgets"><section class="widget"><h2 class="widget-title">Visit Us</h2>
<p>Bow Valley Physio &amp; Wellness<br>1204 Kensington Road NW, Suite 210<br>Calgary, AB T2N 3P5</p>
<p>Phone: <a href="tel:+14035550142">(403) 555-0142</a><br>Email: <a href="mailto:hello@bowvalleyphysio.example">hello@bowvalleyphysio.example</a></p></section>
<section class="widget"><h2 class="widget-title">Hours</h2><p>Monday&ndash;Thursday 7am&ndash;8pm<br>Friday 7am&ndash;5pm<br>Saturday 9am&ndash;2pm</p></section></div>
<div class="site-info">&copy; 2026 Bow Valley Physio &amp; Wellness. All rights reserved. <a href="/privacy-policy/">Privacy Policy</a></div>
</footer>
<div id="cookie-notice" class="cookie-notice" role="dialog"><p>We use cookies to improve your experience.</p><a href="#" class="cn-accept">Ok</a></div>
<script src="/wp-content/themes/physio/js/navigation.js?ver=2.4.1" id="physio-navigation-js"></script>
<script src="/wp-includes/js/comment-reply.min.js?ver=6.6.2" id="comment-reply-js" async></script>
"""

    def _page(self, head: str, body_class: str, main: str) -> str:
        return (f'{head}<body class="{body_class}">\n<div id="page" class="site">\n{self._header()}'
                f'<div id="content" class="site-content">\n<main id="primary" class="site-main">\n{main}\n</main>\n'
                f"{self._sidebar()}</div>\n{self._footer()}</div>\n</body>\n</html>\n")

    # -- pages ---------------------------------------------------------------------

    def _jsonld(self, post: Post, url: str) -> str:
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "BlogPosting", "@id": f"{url}#article", "headline": post.title,
                 "datePublished": _iso(post.published), "dateModified": _iso(post.modified),
                 "author": {"@type": "Person", "name": post.author},
                 "publisher": {"@id": f"{self.origin}/#organization"},
                 "mainEntityOfPage": {"@id": url}, "articleSection": post.categories,
                 "keywords": post.tags, "inLanguage": "en-US",
                 "image": f"{self.origin}/wp-content/uploads/{post.published:%Y/%m}/{post.slug}-hero.jpg",
                 "description": post.summary},
                {"@type": "WebPage", "@id": url, "url": url, "name": post.title},
                {"@type": "MedicalClinic", "@id": f"{self.origin}/#organization",
                 "name": "Bow Valley Physio & Wellness", "telephone": "+1-403-555-0142"},
                {"@type": "BreadcrumbList", "itemListElement": [
                    {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{self.origin}/"},
                    {"@type": "ListItem", "position": 2, "name": "Blog", "item": f"{self.origin}{BLOG}"},
                    {"@type": "ListItem", "position": 3, "name": post.title}]},
            ],
        }
        return f'<script type="application/ld+json" class="yoast-schema-graph">{json.dumps(graph)}</script>\n'

    def _comments(self, post: Post) -> str:
        rng = self.rng
        items = []
        for c in range(post.comments):
            cid = post.index * 10 + c
            when = post.published + timedelta(days=rng.randint(1, 60))
            items.append(
                f'<li id="comment-{cid}" class="comment"><article class="comment-body"><footer class="comment-meta">'
                f'<b class="fn">{rng.choice(COMMENTERS)}</b> <time datetime="{_iso(when)}">{_date_text(when)} at '
                f'{when:%-I:%M %p}</time></footer><div class="comment-content"><p>'
                f"{_e(self._fill(rng.choice(SENTENCES), post))}</p></div>"
                f'<div class="reply"><a rel="nofollow" class="comment-reply-link" href="{post.path}?replytocom={cid}'
                f'#respond">Reply</a></div></article></li>'
            )
        listing = f'<h2 class="comments-title">{len(items)} thoughts on &ldquo;{_e(post.title)}&rdquo;</h2>' \
                  f'<ol class="comment-list">{"".join(items)}</ol>' if items else ""
        return (f'<div id="comments" class="comments-area">{listing}<div id="respond" class="comment-respond">'
                '<h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>'
                '<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">'
                '<p class="comment-notes">Your email address will not be published.</p>'
                '<p class="comment-form-comment"><label for="comment">Comment</label><textarea id="comment" name="comment"></textarea></p>'
                '<p class="comment-form-author"><label for="author">Name</label><input id="author" name="author" type="text"></p>'
                '<p class="comment-form-email"><label for="email">Email</label><input id="email" name="email" type="email"></p>'
                f'<p class="form-submit"><input name="submit" type="submit" value="Post Comment">'
                f'<input type="hidden" name="comment_post_ID" value="{post.index}"></p></form></div></div>')

    def post_page(self, i: int) -> str:
        post = self.posts[i]
        url = self.origin + post.path
        newer = self.posts[i - 1] if i > 0 else None
        older_post = self.posts[i + 1] if i + 1 < len(self.posts) else None
        cats = ", ".join(f'<a href="{BLOG}category/{_slugify(c)}/" rel="category tag">{_e(c)}</a>'
                         for c in post.categories)
        tags = ", ".join(f'<span class="tag">{_e(t)}</span>' for t in post.tags)
        hero = f"/wp-content/uploads/{post.published:%Y/%m}/{post.slug}-hero.jpg"
        nav = ""
        if older_post:
            nav += (f'<div class="nav-previous"><a href="{older_post.path}" rel="prev"><span class="nav-subtitle">'
                    f'Previous:</span> <span class="nav-title">{_e(older_post.title)}</span></a></div>')
        if newer:
            nav += (f'<div class="nav-next"><a href="{newer.path}" rel="next"><span class="nav-subtitle">'
                    f'Next:</span> <span class="nav-title">{_e(newer.title)}</span></a></div>')
        extra = (f'<meta property="og:type" content="article">\n'
                 f'<meta property="article:published_time" content="{_iso(post.published)}">\n'
                 f'<meta property="article:modified_time" content="{_iso(post.modified)}">\n'
                 f'<meta property="og:image" content="{self.origin}{hero}">\n'
                 f'<meta name="author" content="{_e(post.author)}">\n'
                 + self._jsonld(post, url))
        head = self._head(post.title, url, post.summary, extra)
        classes = " ".join(f"category-{_slugify(c)}" for c in post.categories)
        main = f"""<article id="post-{post.index}" class="post-{post.index} post type-post status-publish format-standard has-post-thumbnail hentry {classes}">
<header class="entry-header">
<h1 class="entry-title">{_e(post.title)}</h1>
<div class="entry-meta"><span class="posted-on">Posted on <a href="{post.path}" rel="bookmark"><time class="entry-date published" datetime="{_iso(post.published)}">{_date_text(post.published)}</time><time class="updated" datetime="{_iso(post.modified)}">{_date_text(post.modified)}</time></a></span><span class="byline"> by <span class="author vcard">{_e(post.author)}</span></span></div>
</header>
<div class="post-thumbnail"><img width="1200" height="675" src="{hero}" class="attachment-post-thumbnail wp-post-image" alt="{_e(_cap(post.treatment))} for {_e(post.condition)} at Bow Valley Physio" decoding="async" fetchpriority="high"></div>
<div class="entry-content">
{self._body(post, self.posts[i + 1:i + 60])}
</div>
<footer class="entry-footer"><span class="cat-links">Posted in {cats}</span><span class="tags-links">Tagged {tags}</span></footer>
</article>
<nav class="navigation post-navigation" aria-label="Posts"><h2 class="screen-reader-text">Post navigation</h2><div class="nav-links">{nav}</div></nav>
{self._comments(post)}"""
        return self._page(head, f"post-template-default single single-post postid-{post.index} single-format-standard", main)

    @staticmethod
    def _pagination(base: str, page: int, pages: int) -> str:
        """WordPress's paginate_links(): first, current +-2, last, dots between (end_size 1, mid_size 2)."""
        def href(n: int) -> str:
            return base if n == 1 else f"{base}page/{n}/"

        parts = []
        if page > 1:
            parts.append(f'<a class="prev page-numbers" href="{href(page - 1)}">&laquo; Previous</a>')
        dots = False
        for n in range(1, pages + 1):
            if n == page:
                parts.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
                dots = True
            elif n <= 1 or n > pages - 1 or abs(n - page) <= 2:
                parts.append(f'<a class="page-numbers" href="{href(n)}">{n}</a>')
                dots = True
            elif dots:
                parts.append('<span class="page-numbers dots">&hellip;</span>')
                dots = False
        if page < pages:
            parts.append(f'<a class="next page-numbers" href="{href(page + 1)}">Next &raquo;</a>')
        return ('<nav class="navigation pagination" aria-label="Posts pagination"><h2 class="screen-reader-text">'
                f'Posts pagination</h2><div class="nav-links">{"".join(parts)}</div></nav>')

    def _card(self, post: Post) -> str:
        thumb = f"/wp-content/uploads/{post.published:%Y/%m}/{post.slug}-hero-768x432.jpg"
        return f"""<article id="post-{post.index}" class="post-{post.index} post type-post status-publish format-standard has-post-thumbnail hentry">
<a class="post-thumbnail" href="{post.path}"><img width="768" height="432" src="{thumb}" alt="{_e(_cap(post.treatment))} for {_e(post.condition)}" loading="lazy" decoding="async"></a>
<header class="entry-header"><h2 class="entry-title"><a href="{post.path}" rel="bookmark">{_e(post.title)}</a></h2>
<div class="entry-meta"><span class="posted-on"><a href="{post.path}" rel="bookmark"><time class="entry-date published" datetime="{_iso(post.published)}">{_date_text(post.published)}</time></a></span><span class="byline"> by <span class="author vcard">{_e(post.author)}</span></span></div></header>
<div class="entry-summary"><p>{_e(post.summary)} [&hellip;]</p></div>
<footer class="entry-footer"><a class="more-link" href="{post.path}">Continue reading<span class="screen-reader-text"> &ldquo;{_e(post.title)}&rdquo;</span></a></footer>
</article>"""

    def listing_pages(self, base: str, title: str, posts: list[Post], body_class: str) -> list[tuple[str, str]]:
        """(path, html) of every page of one archive."""
        pages = max(1, -(-len(posts) // PER_PAGE))
        out = []
        for n in range(1, pages + 1):
            path = base if n == 1 else f"{base}page/{n}/"
            chunk = posts[(n - 1) * PER_PAGE:n * PER_PAGE]
            page_title = title if n == 1 else f"{title} - Page {n} of {pages}"
            head = self._head(page_title, self.origin + path, f"{title}: articles from our clinic team.",
                              '<meta property="og:type" content="website">\n')
            main = (f'<header class="page-header"><h1 class="page-title">{_e(title)}</h1></header>\n'
                    + "\n".join(self._card(p) for p in chunk) + "\n" + self._pagination(base, n, pages))
            cls = f"{body_class} paged paged-{n}" if n > 1 else body_class
            out.append((path, self._page(head, cls, main)))
        return out

    def static_page(self, path: str, title: str) -> str:
        head = self._head(title, self.origin + path, f"{title} at Bow Valley Physio & Wellness.",
                          '<meta property="og:type" content="website">\n')
        main = (f'<article class="page type-page"><header class="entry-header"><h1 class="entry-title">{_e(title)}</h1>'
                f'</header><div class="entry-content"><p>Call us at (403) 555-0142 or book online.</p></div></article>')
        return self._page(head, "page-template-default page", main)

    # -- files ---------------------------------------------------------------------

    def _write(self, path: str, text: str) -> int:
        target = self.root / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        target.write_bytes(data)
        self.info.bytes += len(data)
        return len(data)

    def write(self) -> SiteInfo:
        started = time.perf_counter()
        info = self.info
        for i, post in enumerate(self.posts):
            info.post_bytes += self._write(post.path, self.post_page(i))
            info.post_urls.add(self.origin + post.path)
        info.posts = len(self.posts)

        archives = [(BLOG, "Blog", self.posts, "blog")]
        archives += [(f"{BLOG}category/{_slugify(c)}/", c, ps, f"archive category category-{_slugify(c)}")
                     for c, ps in self.by_category.items() if ps]
        archives += [(f"{BLOG}{y}/{m:02d}/", f"Month: {datetime(y, m, 1):%B %Y}", ps, "archive date")
                     for (y, m), ps in self.by_month.items()]
        for base, title, posts, cls in archives:
            for path, text in self.listing_pages(base, title, posts, cls):
                self._write(path, text)
                info.listing_pages += 1
        info.html_pages = info.posts + info.listing_pages

        # pages outside /blog/ that the header and footer link to: out of the crawl's scope
        for path, title in [("/", "Home"), ("/services/", "Services"), ("/about/", "Our Team"),
                            ("/contact/", "Contact"), ("/privacy-policy/", "Privacy Policy")] + [
                (f"/services/{s}/", s.replace("-", " ").title())
                for s in ("physiotherapy", "massage-therapy", "dry-needling", "concussion", "orthotics")]:
            self._write(path, self.static_page(path, title))
            info.other_files += 1

        self._write_robots_and_sitemaps()
        info.seconds = time.perf_counter() - started
        return info

    def _write_robots_and_sitemaps(self) -> None:
        # Yoast's layout: robots.txt names an index, posts split 1,000 to a file
        self._write("/robots.txt", "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
                                   f"Sitemap: {self.origin}/sitemap_index.xml\n")
        files = []
        for k in range(0, len(self.posts), 1000):
            name = "post-sitemap.xml" if k == 0 else f"post-sitemap{k // 1000 + 1}.xml"
            urls = "".join(f"<url><loc>{self.origin}{p.path}</loc><lastmod>{_iso(p.modified)}</lastmod></url>\n"
                           for p in self.posts[k:k + 1000])
            self._write(f"/{name}", _urlset(urls))
            files.append((name, self.posts[k].modified))
        cats = "".join(f"<url><loc>{self.origin}{BLOG}category/{_slugify(c)}/</loc></url>\n"
                       for c, ps in self.by_category.items() if ps)
        self._write("/category-sitemap.xml", _urlset(cats))
        files.append(("category-sitemap.xml", self.posts[0].modified))
        index = "".join(f"<sitemap><loc>{self.origin}/{name}</loc><lastmod>{_iso(when)}</lastmod></sitemap>\n"
                        for name, when in files)
        self._write("/sitemap_index.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
                    f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{index}</sitemapindex>\n')
        self.info.other_files += 2 + len(files)


def _urlset(urls: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n')


# About 3 KB of inline theme.json CSS, as every WordPress 6 page carries.
_GLOBAL_CSS = " ".join(
    f":root{{--wp--preset--color--{name}: #{(i * 2654435761) % 0xFFFFFF:06x};}}"
    f" .has-{name}-color{{color: var(--wp--preset--color--{name}) !important;}}"
    f" .has-{name}-background-color{{background-color: var(--wp--preset--color--{name}) !important;}}"
    for i, name in enumerate(["black", "white", "primary", "secondary", "tertiary", "accent", "muted",
                              "pale-pink", "vivid-red", "luminous-vivid-orange", "pale-cyan-blue",
                              "vivid-cyan-blue", "vivid-purple", "cyan-bluish-gray"])
)


def generate_site(root: Path, origin: str, posts: int, seed: int) -> tuple[SiteInfo, list[str]]:
    writer = SiteWriter(root, origin, posts, seed)
    return writer.write(), [p.path for p in writer.posts]


def edit_posts(root: Path, paths: list[str], note: str) -> int:
    """Rewrite the HTML files of these posts (paths as generate_site returns them) with a
    changed first paragraph: a sentence is added to it, so the bytes and the file's mtime
    change, as when an editor revises a post. Returns the bytes written."""
    written = 0
    for path in paths:
        target = root / path.lstrip("/") / "index.html"
        text = target.read_text(encoding="utf-8")
        start = text.index('<div class="entry-content">')
        p = text.index("<p>", start) + len("<p>")
        text = text[:p] + _e(note) + " " + text[p:]
        data = text.encode("utf-8")
        before = target.stat().st_mtime
        target.write_bytes(data)
        # SimpleHTTPRequestHandler compares whole seconds with If-Modified-Since: make sure the
        # new mtime is a later second than the one a crawl saw, even if this runs right after it
        if int(target.stat().st_mtime) <= int(before):
            os.utime(target, (before + 1, before + 1))
        written += len(data)
    return written


# --------------------------------------------------------------------------------------
# The static server (child process)
# --------------------------------------------------------------------------------------

def serve(directory: str) -> None:
    """Serve directory on 127.0.0.1 at a free port; print the port, then serve until killed."""
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Handler(SimpleHTTPRequestHandler):
        # HTTP/1.1 keep-alive, as any real web server offers; Scrapy reuses connections
        protocol_version = "HTTP/1.1"
        timeout = 30  # drop idle keep-alive connections eventually
        extensions_map = {**SimpleHTTPRequestHandler.extensions_map,
                          ".html": "text/html; charset=utf-8", ".xml": "application/xml",
                          ".txt": "text/plain; charset=utf-8"}

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # one line per request would cost more than serving the page

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128  # the crawl opens up to 64 connections at once

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a crawler closing a keep-alive connection is not an error

    server = Server(("127.0.0.1", 0), partial(Handler, directory=directory))
    print(server.server_address[1], flush=True)
    server.serve_forever()


class StaticServer:
    def __init__(self, directory: Path):
        self.directory = directory
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0

    def __enter__(self) -> "StaticServer":
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "sample_site.generated", str(self.directory)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
            cwd=ROOT, env=env,
        )
        assert self.proc.stdout
        timer = threading.Timer(15, self.proc.kill)  # a server that never starts must not hang us
        timer.start()
        try:
            line = self.proc.stdout.readline()
        finally:
            timer.cancel()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError("the static server did not start")
        self.port = int(line)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_s(self) -> float | None:
        """The server's CPU time so far (Linux /proc), to show what serving costs on a shared machine."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rpartition(")")[2].split()  # type: ignore[union-attr]
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
        except (OSError, ValueError, IndexError, AttributeError):
            return None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m sample_site.generated DIR   (serve DIR on 127.0.0.1; prints the port)",
              file=sys.stderr)
        return 2
    serve(args[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
