"""Search quality over the real crawl of the three bundled sample clinic blogs.

The queries are what a patient or a clinic manager types; the expected posts come from
``sample_site.description`` (titles by site and slug), so a change in the sample content
shows up as a clear mismatch here rather than a silent drift.
"""

from __future__ import annotations

import re

import pytest

from sample_site.description import SITES
from search import search
from search.query import close_searchers


def title(key: str, slug: str) -> str:
    return SITES[key].post(slug).title


def titles(results) -> list[str]:
    return [h.title for h in results.hits]


@pytest.fixture(scope="module")
def ix(site_crawl):
    yield site_crawl.index
    close_searchers()


MVA = {title("builder", "motor-vehicle-accident-recovery"), title("wp", "mva-physiotherapy-car-accident"),
       title("plain", "whiplash-car-accident")}
TMJ = {title("builder", "tmj-jaw-pain-relief"), title("wp", "tmj-jaw-exercises")}
MASSAGE = {title("builder", "massage-therapy-stress-relief"), title("builder", "massage-holiday-special"),
           title("wp", "registered-massage-therapy-direct-billing")}
CONCUSSION = {title("builder", "concussion-management-young-athletes"), title("wp", "concussion-baseline-testing")}
SCIATICA = {title("builder", "sciatica-exercises"), title("wp", "sciatica-myths"), title("plain", "sciatica-relief")}
DRY_NEEDLING = {title("builder", "dry-needling-chronic-pain"), title("builder", "dry-needling-muscle-tension"),
                title("wp", "acupuncture-vs-dry-needling")}


# --- synonyms: the patient's word, the clinic's word ------------------------------------


@pytest.mark.parametrize(
    ("query", "expected", "count"),
    [
        ("car accident", MVA, 3),  # the builder post says "motor vehicle accident" only
        ("motor vehicle accident", MVA, 3),
        ("jaw", TMJ, 2),
        ("TMJ", TMJ, 2),
        ("RMT", MASSAGE, 3),  # no post says "RMT" in its title
        ("massage therapist", MASSAGE, 3),
    ],
)
def test_synonym_queries_rank_the_topic_first(ix, query, expected, count):
    assert set(titles(search(ix, query))[:count]) == expected


def test_physical_therapy_finds_physiotherapy_posts(ix):
    results = search(ix, "physical therapy", per_page=50)
    top = results.hits[0]
    assert top.title == title("wp", "physiotherapy-vs-physical-therapy")
    found = set(titles(results))
    # posts that say physiotherapy / physio / physiothérapie, never "physical therapy"
    assert {title("builder", "pelvic-floor-physiotherapy"), title("builder", "what-to-expect-first-visit"),
            title("wp", "telehealth-physiotherapy"), title("wp", "physiotherapie-retour-course-a-pied")} <= found
    for hit in results.hits[:5]:
        assert re.search(r"physio", hit.title + " ".join(hit.categories) + hit.snippet, re.I)


# --- typos: corrected, and said so -------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant", "expected"),
    [("concusion", "concussion", CONCUSSION), ("sciatcia", "sciatica", SCIATICA)],
)
def test_typo_gets_did_you_mean_and_the_right_posts(ix, typed, meant, expected):
    results = search(ix, typed)
    assert results.suggestion == meant and results.query_used == meant and results.corrected
    assert set(titles(results)[: len(expected)]) == expected


def test_correct_words_get_no_suggestion(ix):
    assert search(ix, "concussion").suggestion is None
    assert search(ix, "douleur lombaire").suggestion is None  # French words are known words


# --- French: accents optional ------------------------------------------------------------


def test_french_query_finds_the_french_posts(ix):
    assert titles(search(ix, "douleur lombaire"))[0] == title("plain", "douleur-lombaire")
    assert titles(search(ix, "course à pied"))[0] == title("wp", "physiotherapie-retour-course-a-pied")
    # typed without accents, and the accented word of the post still matches
    unaccented = search(ix, "physiotherapie course a pied", per_page=3)
    assert title("wp", "physiotherapie-retour-course-a-pied") in titles(unaccented)[:2]
    assert "<mark" in unaccented.hits[titles(unaccented).index("Retour à la course")].snippet


# --- phrases, fields, filters, sort ------------------------------------------------------


def test_phrase_dry_needling(ix):
    results = search(ix, '"dry needling"')
    assert set(titles(results)[:3]) == DRY_NEEDLING
    for hit in results.hits[:3]:
        assert re.search(r'<mark class="match term\d">dry</mark> <mark class="match term\d">needling</mark>',
                         hit.snippet, re.I)


def test_title_field_query(ix):
    assert set(titles(search(ix, "title:jaw"))) == TMJ


def test_year_filter(ix):
    results = search(ix, "physiotherapy", year=2023, per_page=50)
    assert results.hits and all(h.published.year == 2023 for h in results.hits)
    assert set(results.facets["year"]) == {"2023"}
    assert title("wp", "shockwave-therapy-plantar-fasciitis") in titles(results)


def test_year_in_the_query(ix):
    results = search(ix, "shockwave year:2023")
    assert set(titles(results)) == {title("wp", "shockwave-therapy-plantar-fasciitis"),
                                    title("wp", "new-for-2023-shockwave-therapy")}


def test_category_filter_from_a_facet(ix):
    facets = search(ix, "").facets["category"]
    assert facets["Running & Sports"] == 5
    results = search(ix, "injury", category="running & sports", per_page=20)
    assert results.hits and all("Running & Sports" in h.categories for h in results.hits)
    assert titles(results)[0] in {title("wp", "return-to-running-after-injury"),
                                  title("wp", "running-injuries-physiotherapy")}


def test_sort_newest_puts_undated_posts_last(ix):
    results = search(ix, "physiotherapy", sort="newest", per_page=50)
    dates = [h.published for h in results.hits]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    assert dates[len(dated):] == [None] * (len(dates) - len(dated))  # undated at the end
    assert results.hits[0].title == title("builder", "pediatric-physiotherapy-milestones")  # "3 days ago"


# --- nothing irrelevant first ------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "topic"),
    [
        ("concussion", r"concussion"),
        ("orthotics", r"orthotic"),
        ("shockwave", r"shockwave"),
        ("whiplash", r"whiplash|car accident"),
        ("pregnancy", r"pregnancy|pelvic"),
        ("desk posture", r"posture"),
        ("headache", r"headache"),
        ("plantar fasciitis", r"plantar|heel"),
        ("running injury", r"running"),
        ("open house", r"open house"),
    ],
)
def test_top_hit_is_about_the_topic(ix, query, topic):
    top = search(ix, query).hits[0]
    assert re.search(topic, top.title + " " + " ".join(top.categories), re.I), top.title


def test_a_clinic_news_post_does_not_outrank_treatment_posts(ix):
    hits = titles(search(ix, "sciatica", per_page=5))
    assert title("builder", "spring-open-house-2024") not in hits
    assert title("plain", "new-hours") not in hits


# --- snippets: compact, marked, inert ----------------------------------------------------


@pytest.mark.parametrize("query", ["sciatica", "car accident", "physiotherapy", "dry needling", "douleur"])
def test_snippet_is_one_short_marked_line(ix, query):
    for hit in search(ix, query).hits:
        snippet = hit.snippet
        assert "\n" not in snippet and "  " not in snippet
        visible = re.sub(r"<[^>]+>", "", snippet)
        assert 0 < len(visible) <= 260, visible
        assert "<" not in re.sub(r"</?mark[^>]*>", "", snippet)  # only our own tags are markup
    assert "<mark" in search(ix, query).hits[0].snippet
