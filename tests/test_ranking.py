"""The ranking rules (search.ranking) on small purpose-built indexes: a real Whoosh index
on disk, built by the project's writer. Each test also checks that BM25F alone orders the
posts the other way, so it is the rule that puts the right post first."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from search import close_searchers, ranking, search
from test_index import build, post

FILLER = ("Our clinic team sees patients of every age for sports injuries, work strain and "
          "everyday aches, and we explain every step of the treatment plan. ")


@pytest.fixture(autouse=True)
def _fresh():
    close_searchers()
    yield
    close_searchers()


def titles(results) -> list[str]:
    return [h.title for h in results.hits]


def bm25f_only(ix, query: str, monkeypatch) -> list[str]:
    """The order without any ranking rule (BM25F over title and text only)."""
    with monkeypatch.context() as m:
        m.setattr(ranking, "RULES", ())
        close_searchers()
        out = titles(search(ix, query, per_page=20))
    close_searchers()
    return out


def test_posts_with_every_word_come_first(tmp_path, monkeypatch):
    ix = build(tmp_path / "ix", [
        post("pain-relief", "Pain Relief That Lasts",
             "Pain that lingers deserves care. Pain after a fall, pain at night, pain at work: "
             "we ease pain with exercise.", published="2024-01-01T09:00"),
        post("running", "Running Well",
             FILLER * 3 + "Runners often feel the knee ache on hills, and that pain settles with "
             "strength work.", published="2024-01-02T09:00"),
        post("jaw", "Jaw Pain", "Jaw pain and clicking, eased by gentle exercises.",
             published="2024-01-03T09:00"),
    ])
    assert bm25f_only(ix, "knee pain", monkeypatch)[0] != "Running Well"
    results = search(ix, "knee pain")
    assert titles(results)[0] == "Running Well"
    assert results.total == 3  # the other posts still match, below it


def test_synonyms_count_for_the_words_they_stand_for(tmp_path):
    # "car crash" is a synonym entry: a post about a motor vehicle accident has both words
    ix = build(tmp_path / "ix", [
        post("car-care", "Car Seats and Your Car", "A car seat set up well, car after car. "
             "Sit back in the car.", published="2024-01-01T09:00"),
        post("mva", "After the Collision",
             FILLER * 3 + "Recovery after a motor vehicle accident takes patience.",
             published="2024-01-02T09:00"),
    ])
    results = search(ix, "car crash", explain=True)
    assert titles(results)[0] == "After the Collision"
    assert results.hits[0].explain.rules["words"] == 2
    assert [w.how for w in results.hits[0].explain.words] == ["synonym", "synonym"]
    assert results.hits[1].explain.rules["words"] == 1 and results.hits[1].explain.missing == ["crash"]


def test_phrase_above_scattered_words(tmp_path, monkeypatch):
    ix = build(tmp_path / "ix", [
        post("scattered", "Recovery Notes",
             "Bath time matters. " + FILLER + "Ice helps swelling. " + FILLER
             + "A warm bath, then ice.", published="2024-01-01T09:00"),
        post("together", "After Training",
             FILLER * 2 + "An ice bath after a long run eases sore legs.", published="2024-01-02T09:00"),
    ])
    assert bm25f_only(ix, "ice bath", monkeypatch)[0] == "Recovery Notes"
    results = search(ix, "ice bath", explain=True)
    assert titles(results) == ["After Training", "Recovery Notes"]
    assert results.hits[0].explain.phrase and not results.hits[1].explain.phrase


def test_pages_follow_one_order(tmp_path):
    # proximity reorders a window of the best posts: the same window on every page
    posts = [
        post(f"p{i}", f"Post {i}", FILLER * (i % 3 + 1) + ("An ice bath helps. " if i % 2 else
             "Ice first. " + FILLER + "A bath later. "), published=f"2024-01-{i + 1:02d}T09:00")
        for i in range(14)
    ]
    ix = build(tmp_path / "ix", posts)
    whole = [h.url for h in search(ix, "ice bath", per_page=14).hits]
    paged = [h.url for page in (1, 2, 3, 4, 5) for h in search(ix, "ice bath", page=page, per_page=3).hits]
    assert paged == whole and len(set(whole)) == 14


def test_title_above_body(tmp_path):
    ix = build(tmp_path / "ix", [
        post("body", "What We Treat", FILLER + "Shockwave, shockwave and more shockwave: "
             "we use shockwave for stubborn tendons.", published="2024-01-01T09:00"),
        post("title", "Shockwave Therapy", FILLER + "Pulses of sound ease stubborn tendons.",
             published="2024-01-02T09:00"),
    ])
    results = search(ix, "shockwave", explain=True)
    assert titles(results) == ["Shockwave Therapy", "What We Treat"]
    assert results.hits[0].explain.rules["attribute"] == 1
    assert results.hits[1].explain.rules["attribute"] == 0


def test_exact_word_above_its_typo_neighbours(tmp_path):
    # indexed first, so an order by post number (Whoosh's fuzzy terms all score alike)
    # would put the misspelt post first
    ix = build(tmp_path / "ix", [
        post("misspelt", "Heel Care", "Plantar fasciitus, fasciitus again: heel pain in the morning.",
             published="2024-01-01T09:00"),
        post("exact", "Heel Notes", "Plantar fasciitis causes heel pain in the morning.",
             published="2024-01-02T09:00"),
    ])
    results = search(ix, "fasciitis~2", explain=True)
    assert titles(results) == ["Heel Notes", "Heel Care"]
    assert [w.how for w in results.hits[0].explain.words] == ["exact"]
    assert [w.how for w in results.hits[1].explain.words] == ["typo"]
    assert results.hits[1].explain.typo


def test_recency_breaks_near_ties_only(tmp_path):
    ix = build(tmp_path / "ix", [
        post("old", "Knee Pain Basics", "Knee pain eases with strength work.", published="2019-05-01T09:00"),
        post("new", "Knee Pain Guide", "Knee pain eases with strength work, daily.",
             published="2025-05-01T09:00"),
        post("far", "Knee Exercises", FILLER * 4 + "Knee.", published="2026-01-01T09:00"),
    ])
    plain = titles(search(ix, "knee pain"))
    assert plain[:2] == ["Knee Pain Basics", "Knee Pain Guide"]  # a little shorter
    recent = titles(search(ix, "knee pain", recency=True))
    assert recent[:2] == ["Knee Pain Guide", "Knee Pain Basics"]
    # a newer post with fewer of the words, or a much lower score, stays below
    assert recent[-1] == plain[-1] == "Knee Exercises"


def test_snippet_shows_the_passage_with_the_most_distinct_words(tmp_path):
    # the first passage has three terms for one word (physio and its synonyms), the
    # last one two words
    ix = build(tmp_path / "ix", [
        post("physio", "Clinic Notes", "Physiotherapy, physiotherapists and physio sessions. "
             + FILLER * 3 + "Physio for a sore knee works.", published="2024-01-01T09:00"),
    ])
    hit = search(ix, "physio knee").hits[0]
    marked = [text.lower() for text, is_match in hit.spans if is_match]
    assert "knee" in marked and "physio" in marked
    assert "physiotherapists" not in marked


def test_explain_names_words_fields_synonyms_and_score_parts(tmp_path):
    ix = build(tmp_path / "ix", [
        post("physio", "Physiotherapy for Runners", "Physiotherapy keeps runners on the road.",
             published="2024-01-01T09:00"),
        post("other", "Massage", "Massage eases sore runners.", published="2024-01-02T09:00"),
    ])
    results = search(ix, "physio runners", explain=True)
    first = results.hits[0].explain
    assert results.hits[0].title == "Physiotherapy for Runners"
    assert first.ranker == "rules" and first.rules["words"] == 2
    by_word = {w.word: w for w in first.words}
    assert by_word["physio"].how == "synonym" and "physiotherapi" in by_word["physio"].terms
    assert by_word["runners"].how == "exact" and by_word["runners"].fields == ["title", "text"]
    assert first.synonym and not first.typo and first.missing == []
    assert first.score == pytest.approx(results.hits[0].score)
    assert first.score == pytest.approx(sum(p.score for p in first.score_parts))
    second = results.hits[1].explain
    assert second.rules["words"] == 1 and second.missing == ["physio"]
    # not asked for: no explanation
    assert all(h.explain is None for h in search(ix, "physio runners").hits)


def test_explain_of_a_corrected_query_and_of_a_phrase(tmp_path):
    ix = build(tmp_path / "ix", [
        post("concussion", "Concussion Care", "Concussion recovery, step by step.",
             published="2024-01-01T09:00", summary="Concussion recovery for athletes."),
    ])
    corrected = search(ix, "concusion", explain=True)
    assert corrected.query_used == "concussion"
    assert corrected.hits[0].explain.corrected_from == "concusion" and corrected.hits[0].explain.typo
    phrase = search(ix, '"concussion recovery"', explain=True)
    assert phrase.hits[0].explain.ranker == "whoosh" and phrase.hits[0].explain.score > 0


def test_a_question_mark_ends_a_question(tmp_path):
    ix = build(tmp_path / "ix", [
        post("hurt", "Does Dry Needling Hurt", "Most people feel a brief ache; it does not hurt much.",
             published="2024-01-01T09:00"),
        post("other", "Dry Needling", "Dry needling releases trigger points.", published="2024-01-02T09:00"),
    ])
    results = search(ix, "does dry needling hurt?", explain=True)
    assert titles(results)[0] == "Does Dry Needling Hurt"
    assert "hurt" in [w.word for w in results.hits[0].explain.words]
    # inside a word it is still a wildcard
    assert search(ix, "hu?t").total == 1


def test_needle_search_explain_in_a_child_process(tmp_path):
    from conftest import run_needle

    ix = build(tmp_path / "ix", [
        post("running", "Running Well", FILLER + "Runners feel the knee ache; the pain settles.",
             published="2024-01-02T09:00"),
        post("pain", "Pain Relief", "Pain, pain and pain.", published="2024-01-01T09:00"),
    ])
    table = run_needle("search", "knee pain", "--index", str(ix), "--explain").stdout
    assert "rules: words 2" in table and "rules: words 1" in table
    assert "knee: exact (knee) in text" in table and "missing: knee" in table
    assert "BM25F" in table
    data = json.loads(run_needle("search", "knee pain", "--index", str(ix), "--explain",
                                 "--format", "json").stdout)
    assert [h["explain"]["rules"]["words"] for h in data["hits"]] == [2, 1]
    assert data["hits"][0]["explain"]["words"][0] == {
        "word": "knee", "how": "exact", "terms": ["knee"], "fields": ["text"]}
    plain = json.loads(run_needle("search", "knee pain", "--index", str(ix), "--json").stdout)
    assert all(h["explain"] is None for h in plain["hits"])
    help_text = run_needle("search", "--help").stdout
    assert "--explain" in help_text and "--recency" in help_text


PRUNING_QUERIES = [
    "knee pain", "neck pain exercise", "physio", "physical therapy back", "car crash",
    "motor vehicle accident neck", "dry needling", "fasciitus~ heel", "title:knee pain",
    "knee OR hip", "pain", "pelvic floor after pregnancy", "concussion return to sport",
    "heel pain year:2024", "ice bath", "zzzz knee",
]


@pytest.mark.parametrize("whole", [0, 512])
def test_pruned_ranking_is_the_full_ranking(tmp_path, monkeypatch, whole):
    """search.pruning's best posts (every tier of more than the posts wanted read in
    impact order when ``whole`` is 0, a posting a round) are those of scoring every post:
    the same hits, scores, totals and facets, on every page, with filters and the recency
    tie-break."""
    from search import proximity, pruning
    from test_index import clinic_posts

    ix = build(tmp_path / "ix", clinic_posts())
    monkeypatch.setattr(proximity, "WINDOW", 2)  # fewer posts wanted than the tiers hold
    monkeypatch.setattr(pruning, "SCORE_WHOLE", whole)
    monkeypatch.setattr(pruning, "ROUND", 1)
    monkeypatch.setattr(pruning, "GIVE_UP", 10.0)
    monkeypatch.setattr(ranking, "ORDER_PREFIX", 1)  # the highest impact first, then all
    used = []
    real = pruning.best
    ordered = []
    real_order = ranking.Impacts.order
    monkeypatch.setattr(ranking.Impacts, "order",
                        lambda self, *a, **kw: ordered.append(a[1:]) or real_order(self, *a, **kw))

    def counted(*args, **kwargs):
        found = real(*args, **kwargs)
        used.append(found is not None)
        return found

    def run(prune: bool) -> list:
        close_searchers()
        monkeypatch.setattr(pruning, "best", counted if prune else (lambda *a, **k: None))
        return [asdict(search(ix, q, per_page=per_page, page=page, recency=recency, explain=True, **filters))
                for q in PRUNING_QUERIES
                for per_page, page in ((1, 1), (1, 2), (3, 2), (10, 1))
                for recency in (False, True)
                for filters in ({}, {"category": "Sports Injuries"})]

    assert run(True) == run(False)
    assert all(used) and len(used) > 100  # every one of these queries took the pruned path
    assert bool(ordered) == (whole == 0)  # and read postings in impact order
