"""`needle audit` through the click command, on the crawled sample site's index."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil

import pytest
from click.testing import CliRunner

from cli import main
from sample_site.description import SITES

from conftest import CrawlResult, run_needle


@pytest.fixture(scope="module")
def index(site_crawl: CrawlResult, tmp_path_factory):
    # a copy: link checks write their cache into the index folder
    target = tmp_path_factory.mktemp("audit-cli") / "index"
    shutil.copytree(site_crawl.index, target)
    return target


@pytest.fixture(scope="module")
def facts(tmp_path_factory):
    # an override: a current team member said to have left, a former one said to be back
    path = tmp_path_factory.mktemp("facts") / "facts.json"
    path.write_text(json.dumps({"staff": list(SITES["builder"].clinic.former_staff),
                                "former_staff": ["Marcus Chen"]}))
    return path


def run(*args, env=None):
    return CliRunner().invoke(main, ["audit", *map(str, args)], env=env, catch_exceptions=False)


def audit_json(index, *extra):
    result = run("--index", index, "--format", "json", "--as-of", "2026-11-25",
                 "--no-check-links", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_json_is_a_ranked_list_of_posts_with_findings(index, sample_site):
    rows = audit_json(index)
    posts = [r for r in rows if r["scope"] == "post"]
    assert posts and all({"url", "title", "score", "findings"} <= set(r) for r in rows)
    assert [r["score"] for r in posts] == sorted((r["score"] for r in posts), reverse=True)
    for row in rows:
        assert row["findings"]
        for f in row["findings"]:
            assert {"signal", "evidence", "action"} <= set(f)
    sciatica = SITES["plain"].post_url(sample_site.base["plain"], "sciatica-relief")
    row = next(r for r in posts if r["url"] == sciatica)
    assert {"old_post", "stale_phone", "stale_address"} == {f["signal"] for f in row["findings"]}
    sites = [r for r in rows if r["scope"] == "site"]
    assert {f["signal"] for r in sites for f in r["findings"]} >= {"copyright_past", "no_author"}


def test_link_checks_use_the_crawl_then_check_the_rest(index, sample_site, monkeypatch):
    import settings

    # only the outbound stand-in: the blogs' request logs belong to the crawl tests (and
    # settings.py was imported before this test could set NEEDLE_AUDIT_LINK_HOSTS)
    monkeypatch.setattr(settings, "NEEDLE_AUDIT_LINK_HOSTS",
                        [sample_site.base["outbound"].split("//", 1)[1].rstrip("/")])
    env = None
    mva = SITES["builder"].post_url(sample_site.base["builder"], "motor-vehicle-accident-recovery")

    def mva_findings(*flags):
        result = run("--index", index, "--format", "json", "--as-of", "2026-11-25",
                     "--link-timeout", "3", *flags, env=env)
        assert result.exit_code == 0, result.output
        return {f["signal"]: f for f in next(r for r in json.loads(result.output)
                                               if r["url"] == mva)["findings"]}

    out = sample_site.base["outbound"].rstrip("/")
    offline = mva_findings("--no-check-links")
    assert f"{out}/old-study" not in offline["broken_link"]["related"]  # crawl-known only
    checked = mva_findings("--check-links")
    assert {f"{out}/old-study", f"{out}/gone-study"} <= set(checked["broken_link"]["related"])
    assert f"{out}/moved" in checked["redirected_link"]["related"]
    assert (index / "linkcache.json").exists()


def test_csv_has_one_row_per_finding(index):
    result = run("--index", index, "--format", "csv", "--as-of", "2026-11-25", "--no-check-links")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and set(rows[0]) >= {"rank", "url", "title", "score", "signal", "evidence", "action"}
    assert {r["signal"] for r in rows} >= {"old_post", "past_time_reference", "near_duplicate"}
    assert rows[0]["rank"] == "1"


def test_table_with_output_file(index, tmp_path):
    result = run("--index", index, "--as-of", "2026-11-25", "--no-check-links", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert "Content audit as of 2026-11-25" in result.output
    out = tmp_path / "audit.txt"
    assert run("--index", index, "--as-of", "2026-11-25", "--no-check-links", "-o", out).exit_code == 0
    assert "stale_phone" in out.read_text(encoding="utf-8")


def test_html_output_file(index, tmp_path):
    out = tmp_path / "audit.html"
    result = run("--index", index, "--format", "html", "-o", out, "--as-of", "2026-11-25",
                 "--no-check-links")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count('<svg class="chart"') == 3
    assert "http://" not in page.split("<body>")[0]  # nothing fetched from elsewhere


def test_as_of_moves_the_audit_in_time(index):
    def old_count(as_of):
        rows = audit_json(index, "--as-of", as_of)
        return sum(1 for r in rows for f in r["findings"] if f["signal"] == "old_post")

    assert old_count("2020-01-01") < old_count("2026-11-25") < old_count("2030-01-01")


def test_thresholds_by_flag_and_by_setting(index):
    def signal_count(signal, *extra, env=None):
        result = run("--index", index, "--format", "json", "--as-of", "2026-11-25",
                     "--no-check-links", *extra, env=env)
        return sum(1 for r in json.loads(result.output) for f in r["findings"]
                   if f["signal"] == signal)

    assert signal_count("old_post") > 0
    assert signal_count("old_post", "--max-age-months", "1000") == 0
    assert signal_count("thin") > 0 and signal_count("thin", "--thin-words", "0") == 0
    assert signal_count("copyright_past", "--copyright-years", "50") == 0
    assert signal_count("near_duplicate", "--duplicate-similarity", "1") == 0
    # at 0.5 "Return to Running After Injury" joins the two running-injury posts
    assert 0 < signal_count("topic_overlap") < signal_count("topic_overlap", "--topic-similarity", "0.5")
    # the setting, read when settings.py is imported: a fresh process
    proc = run_needle("audit", "--index", str(index), "--format", "json", "--as-of", "2026-11-25",
                      "--no-check-links", env={**os.environ, "NEEDLE_AUDIT_THIN_WORDS": "0"})
    assert not [f for r in json.loads(proc.stdout) for f in r["findings"] if f["signal"] == "thin"]


def test_clinic_facts_file(index, facts, sample_site):
    def departed(*extra):
        return {r["url"] for r in audit_json(index, *extra)
                for f in r["findings"] if f["signal"] == "staff_departed"}

    def url(slug):
        return SITES["builder"].post_url(sample_site.base["builder"], slug)

    # without a file the team page tells who has left
    learned = departed()
    assert url("spring-open-house-2024") in learned
    assert url("massage-therapy-stress-relief") not in learned
    overridden = departed("--clinic-facts", facts)
    assert url("spring-open-house-2024") not in overridden
    assert url("massage-therapy-stress-relief") in overridden


def test_bad_as_of_is_a_usage_error(index):
    result = run("--index", index, "--as-of", "25/11/2026")
    assert result.exit_code == 2
    assert "--as-of" in result.output and "YYYY-MM-DD" in result.output


def test_bad_facts_file_is_a_usage_error(index, tmp_path):
    bad = tmp_path / "facts.json"
    bad.write_text("{not json")
    result = run("--index", index, "--clinic-facts", bad, "--no-check-links")
    assert result.exit_code == 2 and "--clinic-facts" in result.output


def test_missing_index_exits_3(tmp_path):
    result = run("--index", tmp_path / "nowhere", "--no-check-links")
    assert result.exit_code == 3 and "no index" in result.output
