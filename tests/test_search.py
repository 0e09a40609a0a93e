"""Search quality and behaviour over a real on-disk index of a small clinic blog."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from indexer.analysis import load_synonyms, normalize_words, parse_synonyms, text_analyzer
from indexer.writer import IndexWriter
from search import QueryBudgetError, QuerySyntaxError, related, search, suggest
from search.query import close_searchers
from search.related import PostNotFoundError
from search.suggest import edit_distance
from test_index import SITE, build, clinic_posts, post


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    path = build(tmp_path_factory.mktemp("search") / "index")
    yield path
    close_searchers()


def slugs(results) -> list[str]:
    return [h.url.removeprefix(f"{SITE}/blog/").strip("/") for h in results.hits]


def top(ix, query, **kw) -> str:
    return slugs(search(ix, query, **kw))[0]


# --- realistic queries: what a patient or a clinic manager types --------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dry needling neck", "dry-needling-neck-pain"),
        ("whiplash", "whiplash-after-car-accident"),
        ("heel pain morning", "plantar-fasciitis"),
        ("runner's knee", "running-knee-pain"),
        ("pelvic floor after pregnancy", "pelvic-health"),
        ("holiday hours", "holiday-hours-2019"),
        ("vertigo", "vertigo-bppv"),
    ],
)
def test_expected_top_result(ix, query, expected):
    assert top(ix, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("car accident", "whiplash-after-car-accident"),  # body says "motor vehicle accident"
        ("MVA", "whiplash-after-car-accident"),
        ("TMJ", "tmj-jaw-pain"),  # the post says "jaw" only
        ("RMT", "massage-therapy-benefits"),
        ("temporomandibular joint", "tmj-jaw-pain"),
        ("lateral epicondylitis", "tennis-elbow"),
    ],
)
def test_synonyms_widen_the_query(ix, query, expected):
    assert top(ix, query) == expected


def test_synonym_group_finds_every_form(ix):
    found = set(slugs(search(ix, "physical therapy", per_page=20)))
    # physio, physiotherapy, physiotherapists, physiothérapie
    assert {"tmj-jaw-pain", "pelvic-health", "physiotherapie-epaule", "dry-needling-neck-pain"} <= found


def test_french_accents_fold(ix):
    assert top(ix, "physiotherapie epaule") == "physiotherapie-epaule"
    assert top(ix, "épaule gelée") == "physiotherapie-epaule"
    assert top(ix, "EPAULE") == "physiotherapie-epaule"


def test_typo_is_corrected_and_suggested(ix):
    results = search(ix, "plantar fasciitus")
    assert results.suggestion == "plantar fasciitis"
    assert results.query_used == "plantar fasciitis" and results.corrected
    assert slugs(results)[0] == "plantar-fasciitis"
    swapped = search(ix, "neck pian")  # a transposition is one edit
    assert swapped.suggestion == "neck pain"


def test_known_words_and_synonyms_are_not_corrected(ix):
    assert search(ix, "neck pain").suggestion is None
    assert search(ix, "physio").suggestion is None  # a synonym, though no post says it


def test_nothing_irrelevant_first(ix):
    results = search(ix, "knee")
    assert set(slugs(results)[:2]) == {"running-knee-pain", "acl-rehab"}
    assert "holiday-hours-2019" not in slugs(search(ix, "neck pain", per_page=20))


# --- query syntax ---------------------------------------------------------------------------


def test_phrase(ix):
    assert slugs(search(ix, '"low back pain"')) == ["low-back-pain-exercises"]
    assert "sciatica" in slugs(search(ix, "low back pain", per_page=20))


def test_boolean_operators(ix):
    both = slugs(search(ix, "neck AND pain"))
    assert set(both) == {"dry-needling-neck-pain", "desk-ergonomics"}
    assert slugs(search(ix, "neck AND NOT desk")) == ["acupuncture-headaches"]
    either = set(slugs(search(ix, "kneecap OR trapezius")))
    assert either == {"running-knee-pain", "dry-needling-neck-pain"}


def test_field_queries(ix):
    assert slugs(search(ix, "title:jaw")) == ["tmj-jaw-pain"]
    assert set(slugs(search(ix, "category:knee"))) == {"running-knee-pain", "acl-rehab"}
    assert set(slugs(search(ix, "tag:orthotics"))) == {"plantar-fasciitis"}
    # "neck" in the body but not the title: the title field query skips it
    assert "acupuncture-headaches" not in slugs(search(ix, "title:neck"))


def test_date_range_query(ix):
    got = set(slugs(search(ix, "published:[2025-01-01 to 2025-12-31]")))
    assert got == {"pelvic-health", "desk-ergonomics"}
    assert set(slugs(search(ix, "year:2019"))) == {"xss-test", "holiday-hours-2019"}


@pytest.mark.parametrize(
    "bad",
    ['"neck pain', "(neck", "neck)", "colour:red", "year:abc", "published:[xyz to]", "[2020 to"],
)
def test_malformed_query_is_a_clear_error(ix, bad):
    with pytest.raises(QuerySyntaxError) as info:
        search(ix, bad)
    message = str(info.value)
    assert message and "Traceback" not in message
    assert info.value.query == bad


# --- filters, facets, sort, pages ------------------------------------------------------------


def test_year_filter(ix):
    results = search(ix, "pain", year=2024)
    assert results.hits and all(h.published.year == 2024 for h in results.hits)
    assert set(results.facets["year"]) == {"2024"}


def test_since_until(ix):
    results = search(ix, "", since=date(2024, 1, 1), until=date(2024, 12, 31), sort="oldest")
    assert slugs(results) == ["dry-needling-neck-pain", "running-knee-pain", "concussion-return-to-play"]


def test_category_filter_is_exact_and_case_insensitive(ix):
    results = search(ix, "", category="sports injuries", per_page=20)
    assert set(slugs(results)) == {"running-knee-pain", "acl-rehab", "concussion-return-to-play", "tennis-elbow"}
    assert search(ix, "", category="physiotherapie").total == 1  # accents optional


def test_facets_count_all_matches_not_the_page(ix):
    results = search(ix, "pain", per_page=2)
    assert len(results.hits) == 2 and results.total > 2
    assert sum(results.facets["category"].values()) >= results.total - 1
    assert results.facets["category"]["Neck"] == 2
    everything = search(ix, "", per_page=1)
    assert everything.total == 20
    assert sum(everything.facets["year"].values()) == 19  # one post has no date
    assert everything.facets["year"]["2024"] == 3


@pytest.mark.parametrize(
    "query",
    ["neck AND NOT desk", "knee OR (sciatica AND NOT pain)", '"low back pain"', "needl*",
     "fasciitis~", "year:2024", "published:[2023 to]", "NOT neck", "", "neck ANDMAYBE desk",
     "physical therapy", "category:knee"],
)
def test_exact_total_matches_the_hits(ix, query):
    # the total comes from cached bitsets, the hits from Whoosh's scorer: they must agree
    results = search(ix, query, per_page=100)
    assert results.total == len(results.hits)
    assert sum(results.facets["year"].values()) == sum(1 for h in results.hits if h.published)


@pytest.mark.parametrize(
    "query", ["neck pain", "car accident", "physical therapy", "dry needling neck", "knee OR sciatica",
              "neck AND pain", "title:jaw tmj"],
)
def test_cached_impact_ranking_equals_whooshs(ix, query):
    from search import ranking
    from search.query import _SCORED_FIELDS, index_handle, parse_query

    handle = index_handle(ix)
    q = parse_query(handle.searcher.schema, query)
    plan = ranking.plan(q, _SCORED_FIELDS)
    assert plan is not None
    fast = ranking.top(handle.impacts.scores(plan, handle.searcher), 20)
    slow = [(hit.docnum, hit.score) for hit in handle.searcher.search(q, limit=20)]
    assert [d for d, _ in fast] == [d for d, _ in slow]
    assert [s for _, s in fast] == pytest.approx([s for _, s in slow])


def test_sort_by_date(ix):
    newest = search(ix, "pain", sort="newest", per_page=50)
    dates = [h.published for h in newest.hits if h.published]
    assert dates == sorted(dates, reverse=True)
    oldest = search(ix, "pain", sort="oldest", per_page=50)
    assert [h.url for h in oldest.hits if h.published] == [h.url for h in newest.hits if h.published][::-1]


def test_pagination(ix):
    all_hits = slugs(search(ix, "", sort="newest", per_page=20))
    pages = [slugs(search(ix, "", sort="newest", page=p, per_page=6)) for p in (1, 2, 3, 4)]
    assert sum(pages, []) == all_hits
    assert [len(p) for p in pages] == [6, 6, 6, 2]
    last = search(ix, "", page=9, per_page=6)
    assert last.hits == [] and last.total == 20 and last.pages == 4
    assert [h.rank for h in search(ix, "", sort="newest", page=2, per_page=6).hits] == list(range(7, 13))


def test_bad_options(ix):
    with pytest.raises(ValueError):
        search(ix, "neck", sort="random")
    with pytest.raises(ValueError):
        search(ix, "neck", per_page=0)
    with pytest.raises(ValueError):
        search(ix, "neck", page=0)


# --- snippets -----------------------------------------------------------------------------


def test_snippets_highlight_and_escape(ix):
    hit = search(ix, "posture").hits[0]
    assert hit.url.endswith("/xss-test/")
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert '<mark class="match term0">posture</mark>' in hit.snippet
    assert hit.title == "Posture Tips <script>alert(1)</script>"  # data as is; escaping is the display's job


def test_snippet_highlights_stemmed_and_synonym_matches(ix):
    hit = search(ix, "car accident").hits[0]
    assert ">motor</mark>" in hit.snippet and ">accident</mark>" in hit.snippet
    assert "needling</mark>" in search(ix, "needle").hits[0].snippet


def test_title_only_match_still_has_a_snippet(ix):
    hit = search(ix, "title:welcome").hits[0]
    assert hit.snippet.startswith("We will share exercise tips")


# --- related, suggestions -----------------------------------------------------------------


def test_related_posts(ix):
    found = related(ix, f"{SITE}/blog/running-knee-pain/", limit=3)
    slugs_ = [p.url.split("/")[-2] for p in found]
    assert f"{SITE}/blog/running-knee-pain/" not in [p.url for p in found]
    assert slugs_[0] == "acl-rehab"
    assert len(found) == 3 and found[0].score >= found[-1].score
    neck = [p.url.split("/")[-2] for p in related(ix, f"{SITE}/blog/dry-needling-neck-pain/")]
    assert "desk-ergonomics" in neck[:2]


def test_related_unknown_url(ix):
    with pytest.raises(PostNotFoundError, match="no post with URL"):
        related(ix, f"{SITE}/blog/nope/")


def test_prefix_suggestions(ix):
    assert suggest(ix, "neck pa")[0] == "neck pain"
    assert "physiotherapy" in suggest(ix, "physioth")
    assert suggest(ix, "") == []


# --- the index changing under a running searcher -------------------------------------------


def test_searcher_sees_new_commits(tmp_path):
    path = build(tmp_path / "ix", clinic_posts()[:3])
    assert search(path, "sciatica").total == 0
    with IndexWriter(path) as writer:
        writer.write_many(clinic_posts())
    assert slugs(search(path, "sciatica")) == ["sciatica"]
    close_searchers()


def test_non_post_records_never_match(tmp_path):
    from crawler.records import CrawlError, Teaser

    path = tmp_path / "ix"
    with IndexWriter(path) as writer:
        writer.write_many(clinic_posts()[:2])
        writer.write(Teaser(url=f"{SITE}/blog/x/", listing_url=f"{SITE}/blog/", title="Neck", position=0))
        writer.write(CrawlError(url=f"{SITE}/blog/neck/", reason="http_404"))
    assert search(path, "").total == 2
    assert search(path, "NOT whiplash").total == 1
    assert search(path, "url:http*").total == 2
    with pytest.raises(QueryBudgetError):  # every URL: a wildcard with no letters before the *
        search(path, "url:*")
    close_searchers()


# --- analysis pieces, alone -----------------------------------------------------------------


def test_analyzer_folds_stems_and_drops_stop_words():
    terms = [t.text for t in text_analyzer()("La physiothérapie of the Physiotherapists' clinics")]
    assert terms == ["physiotherapi", "physiotherapist", "clinic"]


def test_synonym_file_groups_and_extension(tmp_path):
    base = load_synonyms()
    assert base.alternatives(normalize_words("Physical Therapy")) == base.alternatives(("physio",))
    own = tmp_path / "clinic-synonyms.txt"
    own.write_text("# ours\nphysio, kinesiology\nshockwave, eswt\n", encoding="utf-8")
    merged = parse_synonyms(own.read_text(), into=parse_synonyms("physio, physiotherapy"))
    group = merged.alternatives(("kinesiolog",))
    assert "physiotherapy" in group and "kinesiology" in group
    assert merged.alternatives(("eswt",)) == ("shockwave", "eswt")


def test_clinic_synonym_file_via_env(tmp_path, monkeypatch):
    own = tmp_path / "syn.txt"
    own.write_text("shockwave, eswt\n", encoding="utf-8")
    monkeypatch.setenv("NEEDLE_SYNONYMS", str(own))
    path = build(tmp_path / "ix", [post("shock", "Shockwave Therapy", "Shockwave for tendons.",
                                        published="2024-01-01T09:00")])
    assert search(path, "ESWT").total == 1
    monkeypatch.delenv("NEEDLE_SYNONYMS")
    assert search(path, "ESWT").total == 0
    close_searchers()


def test_edit_distance_counts_a_swap_once():
    assert edit_distance("pian", "pain") == 1
    assert edit_distance("neck", "neck") == 0
    assert edit_distance("kitten", "sitting") == 3


def test_a_blank_query_lists_every_post_newest_first(ix):
    results = search(ix, "   ")
    assert results.sort == "newest"
    assert all(hit.score == 0.0 for hit in results.hits)
    dates = [hit.published for hit in results.hits if hit.published]
    assert dates == sorted(dates, reverse=True)


def test_fuzzy_distance_is_capped(ix):
    assert search(ix, "knee~9").total == search(ix, "knee~2").total


# --- the query budget (search.budget) --------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("*a*", "`*a*`: a wildcard needs at least 2 letters before the first *"),
        ("a*", "`a*`: a wildcard needs at least 2 letters before the first *"),
        ("?eck", "`?eck`: a wildcard needs at least 2 letters before the first ?"),
        ("*", "`*`: a wildcard needs at least 2 letters before the first *"),
        ("title:*", "`*`: a wildcard needs at least 2 letters before the first *"),
        ("neck~ knee~ hip~ pain~ back~", "5 wildcard, fuzzy or range terms"),
        ("ne* kn* hi* pa* ba*", "more than the 4 a search may have: use fewer"),
        (" ".join(f"w{i}" for i in range(33)), "the query has 33 words, more than the 32"),
        ("neck " * 41, "characters long, more than the 200 a search may have: shorten it"),
    ],
)
def test_a_query_over_budget_is_refused_with_what_to_do(ix, query, message):
    with pytest.raises(QueryBudgetError) as info:
        search(ix, query)
    assert message in str(info.value)
    assert isinstance(info.value, QuerySyntaxError) and info.value.query == query


def test_patterns_may_stand_for_a_bounded_number_of_words(ix):
    from search import Budget

    budget = Budget(max_expansion=3, max_scan=5, wildcard_prefix=1)
    with pytest.raises(QueryBudgetError, match=r"`pa\*` stands for more than 3 words of the index"):
        search(ix, "pa*", budget=budget)
    with pytest.raises(QueryBudgetError, match=r"narrow the range"):
        search(ix, "text:[a to m]", budget=budget)
    with pytest.raises(QueryBudgetError, match=r"`p\?i\*` would read more than 5 words of the index: "
                                               r"put more letters before the first \?"):
        search(ix, "text:p?i*", budget=budget)
    assert search(ix, "sciat*").total == 1  # within the budget: as before


def test_expanded_patterns_rank_and_highlight_as_before(ix):
    results = search(ix, "plantar fasc*")
    assert results.hits[0].url.endswith("/plantar-fasciitis/")
    assert ">fasciitis</mark>" in results.hits[0].snippet.lower()
    assert search(ix, "neck~1").total == search(ix, "neck~").total > 0
    assert search(ix, "knee~9").total == search(ix, "knee~2").total


def test_snippet_marks_a_bounded_number_of_terms():
    from search import snippets

    terms = frozenset(f"word{i:04d}" for i in range(5000))
    pattern = snippets._candidates(terms)
    assert pattern.pattern.count("|") < snippets.MAX_TERMS
    assert snippets.highlight("a word0001 here", terms)


def test_the_parser_cache_stays_bounded_across_commits_and_threads(tmp_path):
    import search.query as sq

    path = build(tmp_path / "ix", clinic_posts()[:3])
    sq.close_searchers()
    for i in range(30):
        with IndexWriter(path) as writer:
            writer.write(post(f"commit-{i}", f"Commit {i}", "Neck pain after a commit.",
                              published="2026-01-01T09:00"))
        # each thread opens its own searcher on the new commit, and parses with it
        threads = [threading.Thread(target=search, args=(path, f"neck pain {i}")) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert search(path, "neck").total == 31  # the 30 commits and the first post
    assert len(sq._parsers) <= 8  # one per schema and synonym map, not per thread and commit
    close_searchers()
