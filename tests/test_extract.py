"""Extraction from saved pages: what must be in the output and what must not.

Each page under tests/pages/ is modelled on a real platform's markup, with its full
chrome (navigation, cookie banner, sidebar, recent-posts widget, comments, footer).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.extract import (
    decode_html,
    extract_listing,
    extract_post,
    extract_recent_posts,
    looks_like_html,
    normalize_phone,
    page_kind,
    parse_page,
)
from crawler.records import DateSource, FetchInfo, ImagePosition, Post, WarningKind, content_hash

PAGES = Path(__file__).parent / "pages"
FETCHED = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)
TZ = "America/Edmonton"
EDMONTON = ZoneInfo(TZ)
UTC = timezone.utc

# page -> (url, expected fields, body must contain, body must not contain)
CASES = {
    "wordpress_yoast.html": dict(
        url="https://riverbendphysio.ca/blog/physiotherapy-runners-knee/?utm_source=newsletter",
        title="How Physiotherapy Helps Runner’s Knee",
        published=(datetime(2024, 4, 9, 15, 30, tzinfo=UTC), DateSource.JSONLD),
        modified=(datetime(2025, 1, 20, 18, 2, 11, tzinfo=UTC), DateSource.JSONLD),
        author="Priya Sandhu",
        kind="post",
        must=["patellofemoral pain syndrome", "What causes runner’s knee?", "Weak hip abductors and glutes",
              "Wall sits at a comfortable depth", "book an assessment"],
        must_not=["Book Online", "Skip to content", "Share on Facebook", "Leave a Reply", "marathon training",
                  "Recent Posts", "Winter Slips and Falls", "We use cookies", "All rights reserved",
                  "Monday - Friday", "Posted on", "Tagged", "Subscribe to our newsletter", "Previous:"],
    ),
    # Divi: the lead is loose <span>s in a text module, no <p>; the sidebar module sits
    # in the same builder row, inside the post's .entry-content
    "divi_builder.html": dict(
        url="https://airdriemotionphysio.ca/frozen-shoulder-stages/",
        title="Frozen Shoulder: The Three Stages and What Helps in Each",
        published=(datetime(2024, 10, 8, 14, 20, tzinfo=UTC), DateSource.META),
        author="Dr. Julie Martel, PT",
        kind="post",
        must=["A frozen shoulder creeps up slowly", "more common in people living with diabetes",
              "The good news is that it nearly always gets better", "Stage one: freezing",
              "most people get back to the activities they love"],
        must_not=["Book an Assessment", "Direct billing", "Topics", "Back Pain", "0 Comments",
                  "Submit a Comment", "All rights reserved", "403-555-0150", "Posts by"],
        min_words=60,
    ),
    "duda_sitebuilder.html": dict(
        url="https://www.northgatephysio.ca/blog/shockwave-therapy-explained",
        title="Shockwave Therapy Explained",
        published=(datetime(2025, 3, 11, tzinfo=EDMONTON), DateSource.TEXT),
        author=None,
        kind="post",
        must=["Heel pain that lingers", "How Does Shockwave Therapy Work?", "Plantar fasciitis",
              "call us at (587) 555-0123"],
        must_not=["March 11, 2025", "Pediatric Physio", "See how pediatric rehab", "February 24, 2025",
                  "All Rights Reserved", "Mon - Thu", "New patients save", "Contact Us"],
    ),
    "squarespace.html": dict(
        url="https://www.bownesschiro.com/journal/desk-stretches",
        title="5 Desk Stretches for Office Workers",
        published=(datetime(2023, 1, 16, 17, 15, tzinfo=UTC), DateSource.JSONLD),
        modified=(datetime(2023, 1, 18, 16, 2, 33, tzinfo=UTC), DateSource.JSONLD),
        author="Dr. Kendra Moss",
        kind="post",
        must=["your neck and upper back carry the load", "1. Chin tucks", "The doorway stretch opens a chest",
              "Wrist and hip flexor stretches"],
        must_not=["Now accepting new patients", "Journal", "0 Comments", "Be the first to comment",
                  "Heat or Ice?", "Stay in the loop", "uses cookies", "Mon–Fri", "Posture"],
    ),
    "ghost.html": dict(
        url="https://notes.southsidepelvic.com/pelvic-floor-after-pregnancy/",
        title="Pelvic Floor Health After Pregnancy",
        published=(datetime(2025, 9, 2, 14, 0, tzinfo=UTC), DateSource.JSONLD),
        modified=(datetime(2025, 10, 1, 16, 20, 12, tzinfo=UTC), DateSource.JSONLD),
        author="Amara Okafor",
        kind="post",
        must=["Pregnancy and birth stretch", "When to see a pelvic health physiotherapist",
              "Most people notice steady improvement", "Kegels are not right for everyone"],
        must_not=["Subscribe", "About the clinic", "Sign up for more like this", "Diastasis Recti Explained",
                  "4 min read", "Powered by Ghost", "Amara Okafor"],
    ),
    "blogger.html": dict(
        url="https://lakesidefamilyphysio.blogspot.com/2024/03/managing-tennis-elbow.html",
        title="Managing Tennis Elbow at Home",
        published=(datetime(2024, 3, 14, 15, 12, tzinfo=UTC), DateSource.MICRODATA),
        author="Tom Kowalski",
        kind="post",
        must=["Tennis elbow is pain on the outside", "Try isometric holds.", "Call 403-555-0118"],
        must_not=["Lakeside Family Physio", "Book an appointment", "Posted by", "Labels", "Email This",
                  "gardening elbow", "Post a Comment", "Popular Posts", "Shovelling Snow", "Older Post",
                  "Powered by"],
    ),
    "drupal_fr.html": dict(
        url="https://www.cliniquephysiolaurier.ca/fr/blogue/capsulite-retractile",
        title="L'épaule gelée : comprendre la capsulite rétractile",
        published=(datetime(2022, 10, 6, tzinfo=EDMONTON), DateSource.TEXT),
        author="Mélanie Gagnon",
        kind="post",
        must=["« épaule gelée »", "Les trois phases", "la phase d'enraidissement", "514 555-0199"],
        must_not=["Aller au contenu", "Nos services", "Publié par", "Étiquettes", "Articles récents",
                  "entorse de la cheville", "témoins", "Tous droits réservés", "Lundi au vendredi"],
    ),
    "wix_relative.html": dict(
        url="https://www.alignchiroreddeer.com/post/why-your-posture-matters",
        title="Why Your Posture Matters",
        # "3 days ago" from the fetch (2026-11-25 11:00 in Edmonton)
        published=(datetime(2026, 11, 22, 11, 0, tzinfo=EDMONTON), DateSource.TEXT),
        author="Dr. Sam Whitford",
        kind="post",
        must=["forward head posture", "Small habits, big difference", "call 403-555-0161"],
        must_not=["Book Online", "3 days ago", "3 min read", "Share via Facebook", "24 views", "Recent Posts",
                  "Sleeping Positions", "Write a comment", "Proudly created with Wix"],
    ),
    "hugo_nodate.html": dict(
        url="https://valleysportsmed.ca/posts/concussion-recovery/",
        title="Understanding Concussion Recovery",
        published=(None, None),
        author=None,
        kind="post",
        must=["A concussion is a brain injury", "Returning to sport", "Stage 1: symptom-limited activity"],
        must_not=["Valley Sports Medicine", "Articles", "Recent articles", "Preventing ACL injuries",
                  "Copyright 2024"],
    ),
    "malformed.html": dict(
        url="http://prairiewellness.ca/ice-or-heat.html",
        title="Ice or Heat? A quick guide",
        published=(datetime(2019, 6, 3, tzinfo=EDMONTON), DateSource.TEXT),
        author=None,
        kind="post",
        must=["Ice is usually best for the first forty-eight hours", "achy muscles & long-standing problems",
              "Never put ice directly on the skin", "Ask your physiotherapist at your next visit."],
        must_not=["Home |", "Services", "Posted: June 3, 2019", "(306) 555-0190"],
        min_words=80,
    ),
    "webflow_cp1252.html": dict(
        url="https://www.physiosaintjerome.ca/blogue/retour-au-ski-entorse-genou",
        title="Retour au ski après une entorse du genou",
        published=(datetime(2024, 1, 15, tzinfo=EDMONTON), DateSource.TEXT),
        author="Julien Côté",
        kind="post",
        must=["blessure fréquente chez les skieurs", "Les critères de retour", "à sauter et à atterrir"],
        must_not=["Prendre rendez-vous", "15 janvier 2024", "Par Julien", "Articles similaires",
                  "Douleur au dos en voiture", "témoins", "255, rue Saint-Georges"],
        min_words=80,
    ),
    "medium_mojibake.html": dict(
        url="https://medium.com/clinic-notes/its-not-just-a-sprain-4f2a9c1d?utm_source=rss",
        title="It’s Not Just a Sprain: Ankle Rehab That Works",
        published=(datetime(2025, 5, 30, 17, 4, 11, 204000, tzinfo=UTC), DateSource.JSONLD),
        modified=(datetime(2025, 6, 2, 8, 0, tzinfo=UTC), DateSource.JSONLD),
        author="Dr. Léa Fontaine",
        kind="post",
        must=["It’s the rehab, not the injury", "Single-leg balance work — first on the floor",
              "If you’re unsure"],
        must_not=["â€", "Sign in", "4 min read", "Responses (3)", "What are your thoughts?",
                  "Shin Splints 101", "Help"],
    ),
}


def _load(name: str) -> bytes:
    return (PAGES / name).read_bytes()


@pytest.fixture(scope="module")
def posts() -> dict[str, Post]:
    return {
        name: extract_post(_load(name), case["url"], fetched_at=FETCHED, timezone=TZ)
        for name, case in CASES.items()
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_title_date_author(posts, name):
    post, case = posts[name], CASES[name]
    assert post.title == case["title"]
    value, source = case["published"]
    assert (post.published, post.published_source) == (value, source)
    assert bool(post.published_raw) is (value is not None)
    if value is not None:
        assert post.published.utcoffset() is not None
    if "modified" in case:
        assert (post.modified, post.modified_source) == case["modified"]
    assert post.author == case["author"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_body_keeps_content_and_drops_chrome(posts, name):
    post, case = posts[name], CASES[name]
    for snippet in case["must"]:
        assert snippet in post.body, snippet
    for snippet in case["must_not"]:
        assert snippet not in post.body, snippet
    assert "\n\n" in post.body
    assert post.word_count > case.get("min_words", 100)


def test_a_sidebar_inside_the_posts_container_gives_no_headings_links_or_contacts(posts):
    """Needle's own reading of the container (headings, body links, contacts) leaves a
    page builder's sidebar module out, as the body text does."""
    post = posts["divi_builder.html"]
    assert [h.text for h in post.headings] == [
        "Frozen Shoulder: The Three Stages and What Helps in Each",
        "Stage one: freezing", "Stage two: frozen", "Stage three: thawing"]
    assert not [link.href for link in post.links if link.in_body]
    assert post.body_contacts.phones == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_kind(name):
    case = CASES[name]
    assert page_kind(_load(name), case["url"]) == case["kind"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_record_round_trips_and_is_hashed(posts, name):
    post = posts[name]
    assert post.content_hash
    assert Post.model_validate_json(post.model_dump_json()) == post
    again = extract_post(_load(name), CASES[name]["url"], fetched_at=FETCHED, timezone=TZ)
    assert again.content_hash == post.content_hash


def test_wordpress_fields(posts):
    post = posts["wordpress_yoast.html"]
    assert post.url == "https://riverbendphysio.ca/blog/physiotherapy-runners-knee/"
    assert post.site == "https://riverbendphysio.ca"
    assert post.meta.canonical == "https://riverbendphysio.ca/blog/physiotherapy-runners-knee/"
    assert post.summary.startswith("Runner's knee is one of the most common")
    assert post.language == "en"
    assert post.meta.html_lang == "en-CA"
    assert post.categories == ["Sports Injuries"]
    assert post.tags == ["knee pain", "running"]
    assert [(h.level, h.text) for h in post.headings] == [
        (1, "How Physiotherapy Helps Runner’s Knee"),
        (2, "What causes runner’s knee?"),
        (2, "How physiotherapy helps"),
        (3, "Exercises we often prescribe"),
    ]
    assert post.meta.h1_count == 1
    assert post.meta.jsonld_types == ["Article", "WebPage", "BreadcrumbList", "Organization", "Person"]
    assert "datePublished" in post.meta.jsonld_article_fields
    assert post.meta.open_graph["og:type"] == "article"
    assert post.meta.twitter["twitter:card"] == "summary_large_image"
    assert "max-snippet:-1" in post.meta.robots
    assert not post.warnings


def test_wordpress_images(posts):
    images = {i.src.rsplit("/", 1)[-1]: i for i in posts["wordpress_yoast.html"].images}
    assert images["runner-knee.jpg"].position is ImagePosition.HERO
    lazy = images["hip-strength.jpg"]  # data-lazy-src behind an SVG placeholder
    assert lazy.position is ImagePosition.INLINE
    assert lazy.caption == "Hip strengthening is the backbone of most rehab plans."
    assert images["decorative-divider.png"].alt == ""
    assert images["logo.png"].position is ImagePosition.OTHER


def test_wordpress_links(posts):
    links = posts["wordpress_yoast.html"].links
    body = [(l.href, l.internal) for l in links if l.in_body]
    assert ("https://riverbendphysio.ca/blog/choosing-running-shoes/", True) in body
    assert ("https://www.ncbi.nlm.nih.gov/books/NBK557657/", False) in body
    nav = [l for l in links if l.text == "Services"]
    assert nav and not nav[0].in_body
    external = [l for l in links if "ncbi" in l.href][0]
    assert external.rel == ["noopener", "nofollow"]
    assert not any(l.href.startswith(("tel:", "mailto:")) for l in links)


def test_wordpress_contacts(posts):
    post = posts["wordpress_yoast.html"]
    contacts = post.contacts
    assert contacts.phones == ["+1-780-555-0142", "+1-780-555-0143"]
    assert contacts.emails == ["hello@riverbendphysio.ca"]
    assert contacts.addresses == ["10220 104 Avenue NW, Suite 200, Edmonton, AB T5J 0H6"]
    assert "Monday - Friday: 7:00 am - 8:00 pm" in contacts.hours
    assert contacts.copyright_year == 2025
    assert post.body_contacts.phones == ["+1-780-555-0142"]


def test_sitebuilder_contacts_and_images(posts):
    post = posts["duda_sitebuilder.html"]
    assert post.contacts.addresses == ["9817 137 Avenue NW #110, Edmonton, AB T5E 1Y9"]
    assert post.contacts.phones == ["+1-587-555-0123"]
    assert post.contacts.emails == ["info@northgatephysio.ca"]
    hero = [i for i in post.images if i.position is ImagePosition.HERO]
    assert [i.src.rsplit("/", 1)[-1] for i in hero] == ["shockwave-1920w.jpg"]
    widget = [i for i in post.images if "640w" in i.src]
    assert widget and all(i.position is ImagePosition.OTHER for i in widget)


def test_recent_posts_widget_on_a_sitebuilder_post():
    teasers = extract_recent_posts(_load("duda_sitebuilder.html"),
                                   "https://www.northgatephysio.ca/blog/shockwave-therapy-explained", timezone=TZ)
    assert [t.url for t in teasers] == [
        "https://www.northgatephysio.ca/blog/pediatric-rehab-and-your-child",
        "https://www.northgatephysio.ca/blog/jaw-pain-and-tmj",
        "https://www.northgatephysio.ca/blog/orthotics-for-flat-feet",
    ]
    first = teasers[0]
    assert first.caption == "A boy sits on a playground swing while his mother watches."
    assert first.published == datetime(2025, 2, 24, tzinfo=EDMONTON)
    assert (first.published_source, first.published_raw) == (DateSource.TEXT, "February 24, 2025")
    assert first.summary == "See how pediatric rehab helps children move with confidence at home and at school."
    assert first.image_src.endswith("swing-640w.jpg")
    assert [t.position for t in teasers] == [0, 1, 2]


def test_recent_posts_widget_in_a_wordpress_sidebar():
    teasers = extract_recent_posts(_load("wordpress_yoast.html"),
                                   "https://riverbendphysio.ca/blog/physiotherapy-runners-knee/", timezone=TZ)
    assert [t.title for t in teasers] == [
        "Setting Up an Ergonomic Desk", "Winter Slips and Falls: Staying Upright", "What Is Vestibular Therapy?",
    ]
    assert teasers[0].published == datetime(2024, 3, 2, tzinfo=EDMONTON)


def test_wordpress_listing():
    url = "https://riverbendphysio.ca/blog/"
    listing = extract_listing(_load("wordpress_listing.html"), url, timezone=TZ)
    assert listing.post_urls == [
        "https://riverbendphysio.ca/blog/physiotherapy-runners-knee/",
        "https://riverbendphysio.ca/blog/ergonomic-desk-setup/",
        "https://riverbendphysio.ca/blog/winter-slips-and-falls/",
    ]
    assert listing.next_pages[0] == "https://riverbendphysio.ca/blog/page/2/"
    assert "https://riverbendphysio.ca/blog/page/3/" in listing.next_pages
    first, second, third = listing.teasers
    assert first.title == "How Physiotherapy Helps Runner’s Knee"
    assert first.caption == "A runner holding her knee on a gravel trail"
    assert first.published == datetime(2024, 4, 9, 15, 30, tzinfo=UTC)
    assert first.published_source is DateSource.TIME
    assert first.summary.startswith("Runner’s knee is one of the most common")
    assert second.caption is None  # alt="" : decorative
    assert second.summary.startswith("Neck ache")
    assert (third.published, third.published_source) == (datetime(2024, 1, 15, tzinfo=EDMONTON), DateSource.TEXT)
    assert all(t.listing_url == url for t in listing.teasers)
    assert page_kind(_load("wordpress_listing.html"), url) == "listing"


def test_page_shared_between_kind_and_extract():
    page = parse_page(_load("wordpress_yoast.html"), CASES["wordpress_yoast.html"]["url"])
    assert page_kind(page, page.url) == "post"
    post = extract_post(page, page.url, fetched_at=FETCHED, timezone=TZ)
    assert post.title == "How Physiotherapy Helps Runner’s Knee"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", False),
        (b"%PDF-1.7\n%\xe2\xe3", False),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", False),
        (b"<!DOCTYPE html><html><body>x</body></html>", True),
        (b"\xef\xbb\xbf<html><head><title>x</title></head></html>", True),
        (b"  <div class='post'>hello</div>", True),
        (b"just some plain text", False),
    ],
)
def test_looks_like_html(body, expected):
    assert looks_like_html(body) is expected


@pytest.mark.parametrize("body", [b"", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "   "])
def test_empty_or_binary_body_gives_a_post_with_warnings(body):
    post = extract_post(body, "https://c.ca/x", fetched_at=FETCHED)
    kinds = {w.kind for w in post.warnings}
    assert {WarningKind.NO_TITLE, WarningKind.NO_BODY} <= kinds
    assert post.url == "https://c.ca/x"
    assert post.content_hash


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(587) 735-6272", "+1-587-735-6272"),
        ("587.735.6272", "+1-587-735-6272"),
        ("+1 587 735 6272", "+1-587-735-6272"),
        ("tel:5877356272", "+1-587-735-6272"),
        ("01 23 45 67 89", "+33-1-23-45-67-89"),
        ("+33 1 23 45 67 89", "+33-1-23-45-67-89"),
    ],
)
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


def test_site_selectors_override():
    html = """<html><body><div class="x-head">Custom Title</div><div class="x-when">Posted 6 octobre 2022</div>
    <div class="x-text"><p>Only this text counts as the body of the post, nothing else on the page.</p></div>
    <div class="main"><h1>Site name</h1><p>Some other long text that a generic extractor might prefer to pick as the body.</p>
    <p>Even more of it here, long enough to win on length alone over the real body text.</p></div>
    <span class="x-by">Par Marie Tremblay</span></body></html>"""
    post = extract_post(html, "https://c.ca/x", fetched_at=FETCHED, timezone=TZ,
                        selectors={"title": ".x-head", "body": ".x-text", "date": ".x-when", "author": ".x-by"})
    assert post.title == "Custom Title"
    assert post.body == "Only this text counts as the body of the post, nothing else on the page."
    assert post.published == datetime(2022, 10, 6, tzinfo=EDMONTON)
    assert post.author == "Marie Tremblay"


def test_fetch_info_is_copied():
    fetch = FetchInfo(status=200, requested_url="https://c.ca/x?utm_source=a", fetched_at=FETCHED, bytes=1234)
    post = extract_post(_load("duda_sitebuilder.html"), "https://c.ca/x", fetch=fetch, timezone=TZ)
    assert post.fetch == fetch


def test_decode_html_wrong_declared_charset():
    body = '<html><head><meta charset="utf-8"><title>Café</title></head><body><p>Épaule</p></body></html>'.encode("cp1252")
    text, warnings = decode_html(body)
    assert "Café" in text and "Épaule" in text
    assert [w.kind for w in warnings] == [WarningKind.ENCODING]


@pytest.mark.parametrize(("meta", "http"), [
    ("base64", None), ("rot13", None), ("bogus-charset", None), ("idna", None),
    ("utf-8", "rot13"), (None, "base64"), ("rot13", "hex"),
])
def test_an_unusable_charset_is_passed_over_with_a_warning(meta, http):
    """A charset that names no text encoding (base64, rot13: codecs.lookup knows them, but
    bytes.decode raises LookupError) or none at all: the page is read as UTF-8 or cp1252,
    and the record says so; extraction never raises."""
    head = f'<meta charset="{meta}">' if meta else ""
    page = (f'<html><head>{head}<title>Épaule gelée</title></head><body><article><h1>Épaule gelée</h1>'
            + "<p>La capsulite de l’épaule se soigne en physiothérapie, pas à pas et sans hâte.</p>" * 5
            + "</article></body></html>")
    for body in (page.encode("utf-8"), page.encode("cp1252")):
        text, warnings = decode_html(body, http)
        assert "Épaule gelée" in text and "physiothérapie" in text
        assert warnings and {w.kind for w in warnings} == {WarningKind.ENCODING}
        unusable = [c for c in (http, meta) if c and c != "utf-8"]
        said = [w.message for w in warnings if "unknown charset" in w.message or "is no character" in w.message]
        assert all(any(repr(c) in message for message in said) for c in unusable), warnings
        post = extract_post(body, "https://c.ca/blog/epaule/", encoding=http, fetched_at=FETCHED, timezone=TZ)
        assert post.title == "Épaule gelée"
        assert WarningKind.ENCODING in [w.kind for w in post.warnings]


def test_no_date_page_warns(posts):
    post = posts["hugo_nodate.html"]
    assert [w.kind for w in post.warnings] == [WarningKind.NO_DATE]
    assert post.meta.robots == ["noindex", "nofollow"]
    assert post.meta.meta_description is None  # content="" is no description
    assert post.contacts.addresses == ["1420 Main Street, Penticton, BC V2A 5G8"]
    assert post.body_contacts.emails == ["clinic@valleysportsmed.ca"]


def test_relative_date_keeps_raw_text(posts):
    post = posts["wix_relative.html"]
    assert post.published_raw == "3 days ago"
    assert post.published.tzinfo is not None
    assert not [w for w in post.warnings if w.kind is not WarningKind.NO_DATE]


def test_malformed_html_warns_and_still_extracts(posts):
    post = posts["malformed.html"]
    assert [w.kind for w in post.warnings] == [WarningKind.MALFORMED_HTML]
    assert post.summary == "When to use ice and when to use heat."
    assert post.contacts.phones == ["+1-306-555-0190"]
    assert post.contacts.copyright_year == 2019


def test_wrong_charset_is_repaired_with_a_warning(posts):
    post = posts["webflow_cp1252.html"]
    assert [w.kind for w in post.warnings] == [WarningKind.ENCODING]
    assert post.language == "fr"
    assert post.contacts.addresses == ["255, rue Saint-Georges, Saint-Jérôme (Québec) J7Z 5A1"]


def test_mojibake_is_repaired_with_a_warning(posts):
    post = posts["medium_mojibake.html"]
    assert [w.kind for w in post.warnings] == [WarningKind.ENCODING]
    assert post.summary == "Why the ankle you “just rolled” deserves a real rehab plan."
    assert post.url == "https://medium.com/clinic-notes/its-not-just-a-sprain-4f2a9c1d"
    hero = [i for i in post.images if i.position is ImagePosition.HERO]
    assert hero[0].caption == "Photo: Clinic Notes"


def test_french_page(posts):
    post = posts["drupal_fr.html"]
    assert post.language == "fr"
    assert post.tags == ["Épaule", "Douleur chronique"]
    assert [h.lang for h in post.meta.hreflang] == ["fr", "en"]
    assert post.contacts.addresses == ["1234, rue Laurier Est, Montréal (Québec) H2J 1G5"]
    assert post.contacts.hours == ["Lundi au vendredi : 8 h à 20 h"]
    assert post.body_contacts.emails == ["info@cliniquephysiolaurier.ca"]
    hero = [i for i in post.images if i.position is ImagePosition.HERO]
    assert [i.alt for i in hero] == ["Une physiothérapeute mobilise l'épaule d'une patiente"]


def test_french_recent_posts_dates():
    teasers = extract_recent_posts(_load("drupal_fr.html"), CASES["drupal_fr.html"]["url"], timezone=TZ)
    assert [(t.title, t.published_raw) for t in teasers] == [
        ("L'entorse de la cheville : quoi faire ?", "12 septembre 2022"),
        ("Le mal de dos au bureau", "29 août 2022"),
    ]
    assert teasers[1].published == datetime(2022, 8, 29, tzinfo=EDMONTON)


def test_ghost_read_more_cards():
    teasers = extract_recent_posts(_load("ghost.html"), CASES["ghost.html"]["url"], timezone=TZ)
    assert [t.url for t in teasers] == [
        "https://notes.southsidepelvic.com/diastasis-recti-explained/",
        "https://notes.southsidepelvic.com/returning-to-running-postpartum/",
    ]
    assert teasers[0].title == "Diastasis Recti Explained"
    assert teasers[0].summary == "The gap between your abdominal muscles, and what actually helps it close."


def test_wix_recent_posts_titles():
    teasers = extract_recent_posts(_load("wix_relative.html"), CASES["wix_relative.html"]["url"], timezone=TZ)
    assert [t.title for t in teasers] == ["Sleeping Positions for Back Pain", "What to Expect at Your First Visit"]
    assert all(t.caption is None for t in teasers)  # alt=""


def test_author_avatar_is_not_the_hero(posts):
    images = posts["wix_relative.html"].images
    assert not [i for i in images if i.position is ImagePosition.HERO and "avatar" in i.src]


def test_blogger_tags_and_sidebar_contacts(posts):
    post = posts["blogger.html"]
    assert post.tags == ["elbow", "self-care"]
    assert post.contacts.addresses == ["4920 50 Street, Sylvan Lake, AB T4S 1A1"]
    assert post.contacts.hours == ["Tuesday to Saturday 9 am - 5 pm"]
    assert not post.warnings


def test_unreadable_posted_line_warns_instead_of_no_date():
    html = """<html><body><h1>Spring check-up</h1><p><i>Posted: sometime last spring-ish</i></p>
    <p>""" + "Gardening season is coming and our backs feel it every year. " * 5 + "</p></body></html>"
    post = extract_post(html, "https://c.ca/spring.html", fetched_at=FETCHED, timezone=TZ)
    assert [w.kind for w in post.warnings] == [WarningKind.UNPARSEABLE_DATE]
    assert "sometime last spring-ish" in post.warnings[0].message


def test_last_listing_page_with_one_card():
    html = """<html><body><nav><a href="/">Home</a><a href="/blog">Blog</a></nav><h1>Blog</h1>
    <div class="dmBlogList"><div class="postArticle"><a href="/blog/shin-splints"><img src="/i.png" alt="A runner"></a>
    <h3><a href="/blog/shin-splints">Shin Splints</a></h3><div class="postDate">May 10, 2016</div>
    <div class="postDescription">Why shin splints happen and how to train through them.</div></div></div>
    <div class="blogPagination"><a class="newer" href="/blog?page=4">Newer posts</a></div></body></html>"""
    url = "https://c.ca/blog?page=5"
    listing = extract_listing(html, url, timezone=TZ)
    assert listing.post_urls == ["https://c.ca/blog/shin-splints"]
    assert listing.teasers[0].published == datetime(2016, 5, 10, tzinfo=EDMONTON)
    assert page_kind(html, url) == "listing"


def _one_card_page(title: str, body_class: str = "", extra_head: str = "", prose: str = "") -> str:
    return f"""<html><head><title>{title} - Riverbend Physio</title>{extra_head}</head>
    <body class="{body_class}"><header class="site-header"><a href="/">Riverbend Physio</a>
    <nav><a href="/blog/">Blog</a> <a href="/contact/">Contact</a></nav></header>
    <main id="primary" class="site-main"><header class="page-header"><h1 class="page-title">{title}</h1></header>{prose}
    <article class="post-12 post type-post hentry">
    <a class="post-thumbnail" href="/blog/runners-knee/"><img src="/up/knee.jpg" alt="A runner holding her knee"></a>
    <header class="entry-header"><h2 class="entry-title"><a href="/blog/runners-knee/" rel="bookmark">Runner's Knee, Explained</a></h2>
    <div class="entry-meta"><time class="entry-date published" datetime="2024-05-14T09:00:00-06:00">May 14, 2024</time></div></header>
    <div class="entry-summary"><p>Why the front of the knee hurts on long runs, and what physiotherapy does about it.</p></div>
    </article>
    <nav class="navigation pagination"><div class="nav-links"><span class="page-numbers current">1</span></div></nav>
    </main><footer class="site-footer">Riverbend Physio, 4920 50 Street</footer></body></html>"""


@pytest.mark.parametrize("url,html", [
    # a WordPress month archive: the address says archive
    ("https://riverbendphysio.ca/2024/05/", _one_card_page("May 2024")),
    ("https://riverbendphysio.ca/blog/2024/", _one_card_page("2024")),
    # the last page of a paginated listing
    ("https://riverbendphysio.ca/blog/page/9/", _one_card_page("Blog")),
    # the theme says archive: body_class() or the_archive_title()'s prefix
    ("https://riverbendphysio.ca/knee-pain/", _one_card_page("Knee pain", body_class="archive category")),
    ("https://riverbendphysio.ca/knee-pain/", _one_card_page("Category: Knee pain")),
    ("https://riverbendphysio.ca/news/?m=202405", _one_card_page("Archives : mai 2024", body_class="paged")),
], ids=["month-url", "year-url", "last-page-url", "body-class", "archive-title", "french-title"])
def test_archive_page_with_one_card_is_a_listing(url, html):
    assert page_kind(html, url) == "listing"
    listing = extract_listing(html, url, timezone=TZ)
    assert listing.post_urls == ["https://riverbendphysio.ca/blog/runners-knee/"]
    teaser = listing.teasers[0]
    assert teaser.title == "Runner's Knee, Explained"
    assert teaser.caption == "A runner holding her knee"
    assert teaser.published == datetime(2024, 5, 14, 9, tzinfo=EDMONTON)
    assert teaser.summary.startswith("Why the front of the knee hurts")


def test_one_card_without_an_archive_sign_is_not_a_listing():
    html = _one_card_page("From our blog")
    assert page_kind(html, "https://riverbendphysio.ca/about-us/") != "listing"


def test_post_with_one_related_card_stays_a_post():
    prose = "".join(f"<p>{'Runners often push through knee pain until it stops them on a long run. ' * 4}</p>"
                    for _ in range(5))
    head = '<meta property="og:type" content="article">'
    # the post page sits at a date-style address and in a theme that marks archives
    html = _one_card_page("Shin Splints: What Helps", body_class="single single-post", extra_head=head,
                          prose=f'<div class="entry-content">{prose}</div><h3>Related posts</h3>')
    assert page_kind(html, "https://riverbendphysio.ca/2024/05/20/shin-splints/") == "post"
    assert page_kind(html.replace("single single-post", "archive"),
                     "https://riverbendphysio.ca/2024/05/20/shin-splints/") == "post"


# -- trafilatura's body, htmldate's fallback date (pages written for these tests) ----------

PRAIRIE = "https://prairiehands.ca/blog/stretching-before-gardening/"


def test_body_is_trafilaturas_text_with_needles_headings_and_captions():
    post = extract_post(_load("bottom_date_widget.html"), PRAIRIE, fetched_at=FETCHED, timezone=TZ)
    blocks = post.body.split("\n\n")
    assert blocks[0].startswith("Spring brings the first long afternoons")
    # headings and the caption trafilatura drops come back in their places
    assert blocks[1] == "Warm up like you would for a game"
    assert "A bench makes a good support for a hamstring stretch." in blocks
    for chrome in ("Recent posts", "Neck pain at the desk", "3 days ago", "Accept all cookies", "Book a massage"):
        assert chrome not in post.body
    assert [h.text for h in post.headings] == [
        "Stretching Before Gardening", "Warm up like you would for a game", "Switch tasks every twenty minutes",
    ]
    assert post.word_count > 120


def test_htmldate_dates_a_post_nothing_else_dates():
    post = extract_post(_load("bottom_date_widget.html"), PRAIRIE, fetched_at=FETCHED, timezone=TZ)
    assert post.published == datetime(2024, 4, 18, tzinfo=EDMONTON)
    assert (post.published_source, post.published_raw) == (DateSource.HEURISTIC, "2024-04-18")
    assert not any(w.kind is WarningKind.NO_DATE for w in post.warnings)


def test_htmldate_never_reads_a_recent_posts_widget():
    # htmldate alone answers 2025-01-05 here: the widget's card
    post = extract_post(_load("nodate_widget_trap.html"), "https://prairiehands.ca/blog/morning-heel-pain/",
                        fetched_at=FETCHED, timezone=TZ)
    assert post.published is None
    assert not any(c.source is DateSource.HEURISTIC for c in post.date_candidates)
    assert any(w.kind is WarningKind.NO_DATE for w in post.warnings)


def test_htmldate_never_overrides_a_structured_date(posts):
    # wordpress_yoast.html has JSON-LD dates and a dated recent-posts sidebar
    post = posts["wordpress_yoast.html"]
    assert post.published_source is DateSource.JSONLD
    assert not any(c.source is DateSource.HEURISTIC for c in post.date_candidates)


def test_layout_table_body_is_needles_cell():
    html = ("<html><body><table><tr><td><b>WHITFORD CLINIC</b><br><a href='/'>Home</a> | <a href='/a'>Articles</a>"
            "</td></tr><tr><td><h1>Ice or heat?</h1><p>" + "Ice calms a fresh sprain in the first two days. " * 8
            + "</p><h2>After that</h2><p>" + "Heat eases stiff muscles once the swelling is gone. " * 8
            + "</p></td></tr><tr><td>Whitford Clinic, 4907 50 Street, Leduc, AB T9E 6X2</td></tr></table></body></html>")
    post = extract_post(html, "https://whitford.example/articles/ice.html", fetched_at=FETCHED, timezone=TZ)
    assert post.body.startswith("Ice calms a fresh sprain")
    assert "After that" in post.body
    assert "4907 50 Street" not in post.body and "WHITFORD" not in post.body


def test_trafilatura_leaves_the_shared_tree_as_it_was():
    page = parse_page(_load("bottom_date_widget.html"), PRAIRIE)
    from lxml import etree
    before = etree.tostring(page.tree)
    extract_post(page, PRAIRIE, fetched_at=FETCHED, timezone=TZ)
    assert etree.tostring(page.tree) == before


def test_x_robots_tag_is_part_of_the_record_and_its_hash():
    html = "<html><head><title>Ice or heat?</title></head><body><h1>Ice or heat?</h1><p>" + "Ice calms a sprain. " * 20
    url = "https://whitford.example/articles/ice.html"
    plain = extract_post(html, url, fetched_at=FETCHED, timezone=TZ)
    tagged = extract_post(html, url, fetched_at=FETCHED, timezone=TZ, x_robots_tag=["noindex"])
    assert plain.meta.x_robots_tag == [] and tagged.meta.x_robots_tag == ["noindex"]
    # the record is built whole, then hashed once: the hash covers the header's directives
    assert tagged.content_hash == content_hash(tagged) != plain.content_hash
    assert Post.model_validate_json(tagged.model_dump_json()) == tagged


def test_a_page_without_html_is_one_valid_record():
    post = extract_post(b"", "https://whitford.example/empty", fetched_at=FETCHED, x_robots_tag=["none"])
    assert [w.kind for w in post.warnings] == [WarningKind.OTHER, WarningKind.NO_TITLE, WarningKind.NO_DATE,
                                               WarningKind.NO_BODY]
    assert post.meta.x_robots_tag == ["none"] and post.content_hash == content_hash(post)


def test_a_record_that_fails_validation_is_named_not_raised_as_pydantics(monkeypatch):
    import pickle

    from crawler import work
    from crawler.records import Post

    monkeypatch.setattr(work, "_extract_any", lambda *a, **k: ("post", Post(url="u", site="s", word_count="many")))
    with pytest.raises(work.InvalidRecord, match="Post failed validation: word_count") as caught:
        work.extract_any(b"<html></html>", "http://x.test/", encoding=None, selectors=None,
                         fetched_at=datetime.now(timezone.utc), timezone="UTC", languages=None,
                         fetch=work.FetchInfo())
    # it crosses from the worker process
    assert str(pickle.loads(pickle.dumps(caught.value))) == str(caught.value)
