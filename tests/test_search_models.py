"""The search module's results are plain dataclasses; the web API's pydantic models
(web.models) must describe them exactly, and search.models.to_json must write what
those models write."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from search import models
from web import models as web_models

CLASSES = ["WordMatch", "ScorePart", "Explanation", "SearchHit", "SearchResults", "RelatedPost"]


@pytest.mark.parametrize("name", CLASSES)
def test_the_web_models_have_the_results_fields_in_order_with_their_defaults(name):
    plain, web = getattr(models, name), getattr(web_models, name)
    fields = dataclasses.fields(plain)
    assert [f.name for f in fields] == list(web.model_fields)
    assert plain.__doc__ == web.__doc__ or not web.__doc__
    for f in fields:
        wf = web.model_fields[f.name]
        if f.default is not dataclasses.MISSING:
            assert wf.default == f.default, f.name
        elif f.default_factory is not dataclasses.MISSING:
            assert wf.default_factory() == f.default_factory(), f.name
        else:
            assert wf.is_required(), f.name
        # out of the JSON in both, or in neither
        assert bool(wf.exclude) == (not f.metadata.get("json", True)), f.name


DATES = [
    None,
    datetime(2024, 3, 12),
    datetime(2024, 3, 12, 8, 30, 5, 120000),
    datetime(2024, 3, 12, 8, 30, 5, 7),
    datetime(2024, 3, 12, tzinfo=timezone.utc),
    datetime(2024, 3, 12, 23, 59, tzinfo=timezone(timedelta(hours=-7))),
    datetime(2024, 3, 12, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2024, 3, 12, tzinfo=timezone(timedelta(hours=5, minutes=30, seconds=10))),
    datetime(2024, 3, 12, tzinfo=timezone(timedelta(seconds=-1))),
    datetime(1, 1, 1),
]


def _results(published) -> models.SearchResults:
    explain = models.Explanation(
        ranker="rules", rules={"words": 2, "proximity": 0},
        words=[models.WordMatch(word="knee", how="exact", terms=["knee"], fields=["title", "text"])],
        missing=["pain"], typo=True, corrected_from="kne pain", score=3.25,
        score_parts=[models.ScorePart(field="title", term="knee", how="exact", boost=4.0, score=3.25)],
    )
    hit = models.SearchHit(
        url="https://clinic.example/blog/é/", title="Knee « pain »", published=published, score=3.25,
        snippet="<mark>Knee</mark> &amp; you", spans=[("Knee", True), (" & you", False)],
        categories=["Knee"], tags=[], author=None, language="fr", rank=1, explain=explain,
    )
    return models.SearchResults(query="kne pain", query_used="knee pain", total=1, suggestion="knee pain",
                                hits=[hit], facets={"year": {"2024": 1}}, page=1, per_page=10)


@pytest.mark.parametrize("published", DATES)
def test_to_json_writes_what_the_web_models_write(published):
    results = _results(published)
    expected = web_models.SearchResults.model_validate(results, from_attributes=True).model_dump(mode="json")
    assert models.to_json(results) == expected
    assert "spans" not in models.to_json(results)["hits"][0]
    post = models.RelatedPost(url="https://clinic.example/blog/x/", published=published, score=1.5)
    assert models.to_json([post]) == [
        web_models.RelatedPost.model_validate(post, from_attributes=True).model_dump(mode="json")]


def test_the_package_exports_its_functions_even_after_their_modules_load():
    code = ("import search.suggest, search.related, search.query\n"
            "from search import related, suggest, search as run\n"
            "import search\n"
            "assert callable(related) and callable(suggest) and callable(run), (related, suggest)\n"
            "assert search.suggest is suggest and search.related is related\n"
            "from search import warmup\n"
            "assert warmup.__name__ == 'search.warmup'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_importing_the_package_imports_no_submodule():
    code = ("import sys, search\n"
            "loaded = sorted(m for m in sys.modules if m.startswith('search.') or m == 'pydantic')\n"
            "assert not loaded, loaded\n"
            "search.SearchResults\n"
            "assert 'search.query' not in sys.modules and 'pydantic' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)
