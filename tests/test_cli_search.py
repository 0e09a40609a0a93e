"""`needle index`, `needle search`, `needle related` through the click commands."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cli import main
from indexer.store import load_posts
from search.query import close_searchers
from test_index import ROOT, SITE, build, clinic_posts


@pytest.fixture(autouse=True)
def _close_searchers():
    yield
    close_searchers()


@pytest.fixture
def ix(tmp_path):
    return build(tmp_path / "index")


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def test_search_table(ix):
    result = run("search", "dry needling neck", "--index", ix)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Dry Needling for Neck Pain" in out
    assert "2024-03-12" in out
    assert f"{SITE}/blog/dry-needling-neck-pain/" in out
    assert "posts match" in out and "By year:" in out
    assert "<mark" not in out  # highlighting is styling in a terminal, not HTML


def test_search_json(ix):
    result = run("search", "posture", "--index", ix, "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert set(data) >= {"total", "suggestion", "hits", "facets"}
    hit = data["hits"][0]
    assert set(hit) >= {"url", "title", "published", "score", "snippet"}
    assert hit["url"] == f"{SITE}/blog/xss-test/"
    assert "<script>" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]
    assert data["suggestion"] is None


def test_search_options(ix):
    result = run("search", "pain", "--index", ix, "--json", "--year", "2024", "--sort", "newest",
                 "--per-page", "1", "--page", "2")
    data = json.loads(result.output)
    assert data["page"] == 2 and len(data["hits"]) == 1
    assert data["hits"][0]["published"].startswith("2024")
    result = run("search", "", "--index", ix, "--json", "--since", "2025-01-01", "--until", "2025-12-31",
                 "--category", "ergonomics")
    assert [h["url"] for h in json.loads(result.output)["hits"]] == [f"{SITE}/blog/desk-ergonomics/"]


def test_did_you_mean(ix):
    result = run("search", "plantar fasciitus", "--index", ix)
    assert "plantar fasciitis" in result.output and "Showing results for" in result.output
    data = json.loads(run("search", "plantar fasciitus", "--index", ix, "--json").output)
    assert data["suggestion"] == "plantar fasciitis"


def test_no_results_exit_1(ix):
    result = run("search", "zzqqxx", "--index", ix)
    assert result.exit_code == 1
    assert "No posts match" in result.output


def test_malformed_query_exit_2_without_traceback(ix):
    result = run("search", '"neck pain', "--index", ix)
    assert result.exit_code == 2
    assert "unbalanced quote" in result.output
    assert "Traceback" not in result.output


def test_missing_index_exit_3(tmp_path):
    result = run("search", "neck", "--index", tmp_path / "none")
    assert result.exit_code == 3
    assert "no index at" in result.output


def test_index_location_order(ix, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # NEEDLE_INDEX env is used when --index is absent...
    result = run("search", "whiplash", "--json", env={"NEEDLE_INDEX": str(ix)})
    assert json.loads(result.output)["total"] >= 1
    # ...and --index wins over it
    result = run("search", "whiplash", "--index", tmp_path / "other", env={"NEEDLE_INDEX": str(ix)})
    assert result.exit_code == 3 and "other" in result.output


def test_related(ix):
    result = run("related", f"{SITE}/blog/running-knee-pain/", "--index", ix, "--json", "--limit", "2")
    assert result.exit_code == 0
    urls = [p["url"] for p in json.loads(result.output)]
    assert len(urls) == 2 and f"{SITE}/blog/acl-rehab/" in urls
    table = run("related", f"{SITE}/blog/running-knee-pain/", "--index", ix)
    assert "ACL Reconstruction Rehab Timeline" in table.output
    missing = run("related", f"{SITE}/blog/nope/", "--index", ix)
    assert missing.exit_code == 2 and "no post with URL" in missing.output


def test_index_command_builds_updates_and_prunes(tmp_path):
    posts = clinic_posts()
    export = tmp_path / "posts.jsonl"
    export.write_text("".join(p.model_dump_json() + "\n" for p in posts), encoding="utf-8")
    target = tmp_path / "ix"
    result = run("index", export, "--index", target, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["added"] == 20
    again = json.loads(run("index", export, "--index", target, "--json").output)
    assert again["unchanged"] == 20 and again["added"] == 0
    export.write_text("".join(p.model_dump_json() + "\n" for p in posts[:15]), encoding="utf-8")
    partial = json.loads(run("index", export, "--index", target, "--json").output)
    assert partial["removed"] == 0 and len(load_posts(target)) == 20
    complete = json.loads(run("index", export, "--index", target, "--complete", "--json").output)
    assert complete["posts"]["missing"] == 5 and complete["removed"] == 0 and len(load_posts(target)) == 20
    # missing from a second complete run in a row: removed
    complete = json.loads(run("index", export, "--index", target, "--complete", "--json").output)
    assert complete["removed"] == 5 and complete["removed_posts"] == {"missing": 5}
    assert len(load_posts(target)) == 15


def test_index_command_reports_bad_lines_and_keeps_posts(tmp_path):
    export = tmp_path / "posts.jsonl"
    good = clinic_posts()[0].model_dump_json()
    export.write_text(good + "\n{not json\n", encoding="utf-8")
    target = build(tmp_path / "ix")
    result = run("index", export, "--index", target, "--complete")
    assert result.exit_code == 1
    assert "posts.jsonl:2" in result.output
    assert len(load_posts(target)) == 20  # a broken export never prunes


def test_index_rebuild(tmp_path):
    export = tmp_path / "posts.jsonl"
    export.write_text("".join(p.model_dump_json() + "\n" for p in clinic_posts()[:4]), encoding="utf-8")
    target = build(tmp_path / "ix")
    result = run("index", export, "--index", target, "--rebuild")
    assert result.exit_code == 0, result.output
    assert len(load_posts(target)) == 4


@pytest.mark.parametrize(
    "args",
    [("search", "posture"), ("related", f"{SITE}/blog/dry-needling-neck-pain/")],
)
def test_format_json_is_what_json_prints(ix, args):
    as_json = run(*args, "--index", ix, "--json")
    as_format = run(*args, "--index", ix, "--format", "json")
    assert as_json.exit_code == as_format.exit_code == 0
    assert as_json.output == as_format.output and json.loads(as_format.output)


@pytest.mark.parametrize("command", ["search", "related", "index", "crawl", "extract", "serve"])
def test_every_command_lists_its_exit_codes(command):
    out = run(command, "--help").output
    assert "Exit codes: 0 success;" in out and "2 usage error" in out


def test_a_missing_or_outdated_index_is_the_same_error_everywhere(tmp_path):
    from indexer.writer import IndexNotFoundError, IndexOutdatedError

    for command in (("search", "neck"), ("related", f"{SITE}/blog/x/"), ("serve",)):
        result = CliRunner().invoke(main, [*command, "--index", str(tmp_path / "none")])
        assert result.exit_code == 3
        assert result.output.strip() == f"Error: {IndexNotFoundError(tmp_path / 'none')}"
    assert issubclass(IndexOutdatedError, IndexNotFoundError)  # so index_required says it too


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_search_imports_only_what_a_search_needs(ix, fmt):
    """`needle search` is a short command people run often: it loads neither pydantic (the
    results are plain dataclasses), nor the crawler's record models, nor rich (plain text)."""
    code = ("import sys\n"
            "from cli import main\n"
            "try:\n"
            "    main(sys.argv[1:])\n"
            "finally:\n"
            "    print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code, "search", "neck pain", "--index", str(ix), "--format", fmt],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Neck" in done.stdout
    loaded = set(done.stderr.split())
    assert "search.query" in loaded and "whoosh" in loaded  # it did search
    assert not loaded & {"pydantic", "pydantic_core", "crawler", "crawler.records", "search.related", "rich"}


def test_snippets_wrap_at_the_width_keeping_marked_words_whole():
    from cli.search import wrap_spans

    def style(text, code):
        return f"[{text}]"

    spans = [("… the ", False), ("knee", True), (", and knee ", False), ("pain", True),
             ("-free running, every day of the week …", False)]
    lines = wrap_spans(spans, 30, style, indent="  ")
    assert all(len(line.replace("[", "").replace("]", "")) <= 30 for line in lines)
    assert " ".join(line.strip() for line in lines) == (
        "… the [knee], and knee [pain]-free running, every day of the week …")
    assert wrap_spans(spans, 30, lambda text, code: text, indent="") == [
        "… the knee, and knee pain-free", "running, every day of the week", "…"]


def test_table_has_no_escape_codes_when_piped(ix):
    out = run("search", "neck pain", "--index", ix, "--explain").output
    assert "\x1b[" not in out
    assert "rules: words" in out and "  1. " in out
