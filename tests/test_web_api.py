"""The JSON API, through a real uvicorn server on 127.0.0.1 over a real on-disk index."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from click.testing import CliRunner

from cli import main
from indexer.writer import IndexWriter
from search.query import close_searchers
from test_index import ROOT, SITE, build, clinic_posts, post
from web.app import create_app


@contextmanager
def serve(index_dir: Path, **options):
    """``create_app(index_dir, **options)`` served by uvicorn on 127.0.0.1, on a free
    port, in a thread; stopped (within 10 s) on exit. Yields the base URL."""
    config = uvicorn.Config(create_app(index_dir, **options), host="127.0.0.1", port=0,
                            log_level="warning", ws="none", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        close_searchers()


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    return build(tmp_path_factory.mktemp("web") / "index")


@pytest.fixture(scope="module")
def api(ix):
    with serve(ix) as base, httpx.Client(base_url=base, timeout=10) as client:
        yield client


def cli_json(ix: Path, *args: str) -> dict:
    result = CliRunner().invoke(main, ["search", *args, "--index", str(ix), "--json"],
                                catch_exceptions=False)
    return json.loads(result.output)


def slugs(data: dict) -> list[str]:
    return [h["url"].removeprefix(f"{SITE}/blog/").strip("/") for h in data["hits"]]


# --- /api/search answers what `needle search --json` prints --------------------------------


@pytest.mark.parametrize(
    ("params", "cli_args"),
    [
        ({"q": "posture"}, ["posture"]),
        ({"q": "pain", "year": 2024, "sort": "newest", "page": 2, "per_page": 1},
         ["pain", "--year", "2024", "--sort", "newest", "--page", "2", "--per-page", "1"]),
        ({"q": "", "since": "2022-01-01", "until": "2023-12-31", "sort": "oldest"},
         ["", "--since", "2022-01-01", "--until", "2023-12-31", "--sort", "oldest"]),
        ({"q": "plantar fasciitus"}, ["plantar fasciitus"]),
        ({"q": "épaule", "category": "physiotherapie"}, ["épaule", "--category", "physiotherapie"]),
    ],
)
def test_search_json_is_the_cli_json(api, ix, params, cli_args):
    response = api.get("/api/search", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    data = response.json()
    # both print the search module's SearchResults model
    assert data["sort"] == params.get("sort", "relevance")
    assert data == cli_json(ix, *cli_args)
    assert data["hits"] or data["total"] == 0


def test_explain(api, ix):
    explained = api.get("/api/search", params={"q": "neck pain", "explain": "1"}).json()
    assert explained == cli_json(ix, "neck pain", "--explain")
    first = explained["hits"][0]["explain"]
    assert first["ranker"] == "rules" and first["rules"]["words"] == 2
    assert [w["word"] for w in first["words"]] == ["neck", "pain"]
    assert first["score"] == pytest.approx(explained["hits"][0]["score"])
    assert {"field", "term", "how", "boost", "score"} <= set(first["score_parts"][0])
    # words are counted per post: a post with one of them says which it lacks
    one = [h["explain"] for h in explained["hits"] if h["explain"]["rules"]["words"] == 1]
    assert one and all(e["missing"] for e in one)
    plain = api.get("/api/search", params={"q": "neck pain"}).json()
    assert [h["url"] for h in plain["hits"]] == [h["url"] for h in explained["hits"]]
    assert all(h["explain"] is None for h in plain["hits"])
    recent = api.get("/api/search", params={"q": "neck pain", "recency": "1"}).json()
    assert recent == cli_json(ix, "neck pain", "--recency")
    bad = api.get("/api/search", params={"q": "neck", "explain": "maybe"})
    assert bad.status_code == 400 and "explain: Input should be a valid boolean" in bad.json()["error"]


def test_search_highlights_and_escapes(api):
    data = api.get("/api/search", params={"q": "posture"}).json()
    hit = data["hits"][0]
    assert hit["url"] == f"{SITE}/blog/xss-test/"
    assert "<script>" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]
    assert ">posture</mark>" in hit["snippet"]
    assert hit["title"] == "Posture Tips <script>alert(1)</script>"  # JSON carries data; pages escape it


def test_did_you_mean(api):
    data = api.get("/api/search", params={"q": "plantar fasciitus"}).json()
    assert data["suggestion"] == data["query_used"] == "plantar fasciitis"
    assert slugs(data)[0] == "plantar-fasciitis"


def test_filters_and_facets(api):
    everything = api.get("/api/search", params={"per_page": 1}).json()
    assert everything["total"] == 20
    assert everything["facets"]["year"]["2024"] == 3
    assert sum(everything["facets"]["year"].values()) == 19  # one post has no date
    in_2024 = api.get("/api/search", params={"q": "pain", "year": 2024}).json()
    assert in_2024["hits"] and all(h["published"].startswith("2024") for h in in_2024["hits"])
    assert set(in_2024["facets"]["year"]) == {"2024"}
    sports = api.get("/api/search", params={"category": "SPORTS injuries", "per_page": 20}).json()
    assert set(slugs(sports)) == {"running-knee-pain", "acl-rehab", "concussion-return-to-play", "tennis-elbow"}
    dated = api.get("/api/search", params={"since": "2025-01-01", "until": "2025-12-31"}).json()
    assert set(slugs(dated)) == {"pelvic-health", "desk-ergonomics"}
    facets = api.get("/api/facets", params={"q": "pain"}).json()
    assert facets == api.get("/api/search", params={"q": "pain"}).json()["facets"]
    assert facets["category"]["Neck"] == 2


def test_blank_form_fields_mean_no_filter(api):
    # what a plain HTML form sends when its date fields are left empty
    data = api.get("/api/search?q=neck&year=&since=&until=&category=").json()
    assert data["total"] == api.get("/api/search", params={"q": "neck"}).json()["total"] > 0


def test_sort_and_pages(api):
    whole = slugs(api.get("/api/search", params={"sort": "newest", "per_page": 20}).json())
    pages = [api.get("/api/search", params={"sort": "newest", "page": p, "per_page": 6}).json()
             for p in (1, 2, 3, 4)]
    assert sum((slugs(p) for p in pages), []) == whole
    assert [h["rank"] for h in pages[1]["hits"]] == list(range(7, 13))
    dates = [h["published"] for h in pages[0]["hits"] if h["published"]]
    assert dates == sorted(dates, reverse=True)


def test_suggest(api):
    assert api.get("/api/suggest", params={"q": "neck pa"}).json()[0] == "neck pain"
    assert "physiotherapy" in api.get("/api/suggest", params={"q": "physioth"}).json()
    assert api.get("/api/suggest", params={"q": ""}).json() == []
    assert len(api.get("/api/suggest", params={"q": "p", "limit": 3}).json()) == 3


def test_related(api):
    found = api.get("/api/related", params={"url": f"{SITE}/blog/running-knee-pain/", "limit": 3}).json()
    assert [p["url"] for p in found][0] == f"{SITE}/blog/acl-rehab/"
    assert len(found) == 3 and set(found[0]) >= {"url", "title", "published", "score", "categories"}
    missing = api.get("/api/related", params={"url": f"{SITE}/blog/nope/"})
    assert missing.status_code == 404
    assert missing.json() == {"error": f"no post with URL {SITE}/blog/nope/ in the index"}


def test_health(api, ix):
    data = api.get("/api/health").json()
    assert data["status"] == "ok" and data["posts"] == 20 and data["generation"] >= 1
    assert data["size_bytes"] == sum(f.stat().st_size for f in ix.iterdir() if f.is_file())
    tocs = [f.stat().st_mtime for f in ix.glob("*.toc")]
    from datetime import datetime

    assert abs(datetime.fromisoformat(data["last_update"]).timestamp() - max(tocs)) < 1e-3


def test_openapi(api):
    spec = api.get("/openapi.json").json()
    assert {"/api/search", "/api/suggest", "/api/related", "/api/facets", "/api/health"} <= set(spec["paths"])
    assert "/" not in spec["paths"]  # the page is not part of the API
    assert "SearchResults" in spec["components"]["schemas"]
    params = {p["name"]: p for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert params["q"]["schema"]["maxLength"] == 200
    assert params["per_page"]["schema"]["maximum"] == 50


# --- bad input: 400 with a message, never a 500 ---------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('q="neck pain', "unbalanced quote"),
        ("q=(neck", "unbalanced parenthesis"),
        ("q=colour:red", "unknown field 'colour'"),
        ("q=" + "a" * 201, "q: String should have at most 200 characters"),
        ("q=neck%00", "control characters"),
        ("q=pain&page=99", "page 99 is past the last page"),
        ("page=0", "page: Input should be greater than or equal to 1"),
        ("page=abc", "page: Input should be a valid integer"),
        ("per_page=500", "per_page: Input should be less than or equal to 50"),
        ("since=2024-13-01", "since: Input should be a valid date"),
        ("until=yesterday", "until: Input should be a valid date"),
        ("since=2025-01-01&until=2024-01-01", "since (2025-01-01) is after until (2024-01-01)"),
        ("year=abc", "year: Input should be a valid integer"),
        ("year=20245", "year: Input should be less than or equal to 2999"),
        ("sort=random", "sort: Input should be 'relevance', 'newest' or 'oldest'"),
    ],
)
def test_bad_input_is_400(api, query, message):
    response = api.get(f"/api/search?{query}")
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert "Traceback" not in response.text


def test_bad_suggest_and_related_input(api):
    assert api.get("/api/suggest", params={"q": "x" * 201}).status_code == 400
    response = api.get("/api/related")
    assert response.status_code == 400 and response.json() == {"error": "url: Field required"}


def test_unknown_route_and_method(api):
    assert api.get("/api/nope").json() == {"error": "Not Found"}
    response = api.post("/api/search", json={"q": "neck"})
    assert response.status_code == 405 and "error" in response.json()


def test_no_cors_unless_configured(api):
    response = api.get("/api/search", params={"q": "neck"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_no_endpoint_writes_to_the_index(api, ix):
    def snapshot():
        return {f.name: (f.stat().st_size, f.stat().st_mtime_ns) for f in ix.iterdir()}

    before = snapshot()
    for path, params in [("/api/search", {"q": "neck"}), ("/api/facets", {}), ("/api/suggest", {"q": "ne"}),
                         ("/api/related", {"url": f"{SITE}/blog/sciatica/"}), ("/api/health", {}), ("/", {"q": "x"})]:
        assert api.get(path, params=params).status_code == 200
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert api.request(method, "/api/search").status_code == 405
    assert snapshot() == before


# --- the index changing under a running server ------------------------------------------------


def test_server_sees_new_commit_without_restart(tmp_path):
    path = build(tmp_path / "ix", clinic_posts()[:3])
    with serve(path) as base, httpx.Client(base_url=base, timeout=10) as client:
        assert client.get("/api/search", params={"q": "sciatica"}).json()["total"] == 0
        generation = client.get("/api/health").json()["generation"]
        with IndexWriter(path) as writer:
            writer.write_many(clinic_posts())
        data = client.get("/api/search", params={"q": "sciatica"}).json()
        assert slugs(data) == ["sciatica"]
        health = client.get("/api/health").json()
        assert health["posts"] == 20 and health["generation"] > generation


def test_readers_keep_answering_while_a_writer_commits(tmp_path):
    path = build(tmp_path / "ix", clinic_posts()[:5])
    statuses: list[int] = []
    totals: list[int] = []
    writing = threading.Event()
    writing.set()
    answered = threading.Semaphore(0)

    with serve(path) as base:
        def read() -> None:
            with httpx.Client(base_url=base, timeout=10) as client:
                first = True
                while writing.is_set():
                    response = client.get("/api/search", params={"q": "pain", "per_page": 50})
                    statuses.append(response.status_code)
                    if response.status_code == 200:
                        totals.append(response.json()["total"])
                    if first:
                        answered.release()
                        first = False

        readers = [threading.Thread(target=read) for _ in range(3)]
        for r in readers:
            r.start()
        try:
            for _ in readers:  # every reader has seen the index before the first commit
                answered.acquire(timeout=10)
            for i in range(6):
                with IndexWriter(path) as writer:
                    writer.write(post(f"load-{i}", f"Load Test {i}", "Neck pain and back pain, again.",
                                      published="2026-01-01T09:00"))
        finally:
            writing.clear()
            for r in readers:
                r.join(10)
        with httpx.Client(base_url=base, timeout=10) as client:
            final = client.get("/api/search", params={"q": "pain", "per_page": 50}).json()["total"]
    assert statuses and set(statuses) == {200}
    assert final == max(totals + [final]) and final > min(totals)


# --- `needle serve` ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_needle_serve_with_cors(ix):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--index", str(ix), "--port", str(port),
         "--cors-origin", "https://www.clinic.example", "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stdout.read()
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "needle serve did not answer"
            time.sleep(0.1)
        ours = httpx.get(f"{base}/api/search", params={"q": "neck"},
                         headers={"Origin": "https://www.clinic.example"})
        assert ours.headers["access-control-allow-origin"] == "https://www.clinic.example"
        theirs = httpx.get(f"{base}/api/search", params={"q": "neck"}, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in theirs.headers
        preflight = httpx.options(f"{base}/api/search", headers={
            "Origin": "https://www.clinic.example", "Access-Control-Request-Method": "GET"})
        assert preflight.status_code == 200 and "GET" in preflight.headers["access-control-allow-methods"]
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        proc.stdout.close()


def test_needle_serve_without_index(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "none")])
    assert result.exit_code == 3
    assert "no index at" in result.output


def test_missing_index_is_503_not_500(tmp_path):
    with serve(tmp_path / "no-index") as base, httpx.Client(base_url=base, timeout=10) as client:
        for path in ("/api/health", "/api/search?q=neck", "/api/suggest?q=ne"):
            response = client.get(path)
            assert response.status_code == 503
            assert response.json()["error"].startswith("no index at")
        page = client.get("/", params={"q": "neck"})
        assert page.status_code == 503 and "no index at" in page.text and "<form" in page.text
