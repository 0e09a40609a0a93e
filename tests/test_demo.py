"""The README's main command, `needle demo`, end to end: serve, crawl, search, audit, SEO."""

from __future__ import annotations

from conftest import run_needle

from crawler.records import Post, parse_record
from sample_site.description import SITES


def test_demo_runs_the_whole_job_offline(tmp_path):
    workdir = tmp_path / "demo"
    proc = run_needle("demo", "--dir", str(workdir), timeout=300)
    out = proc.stdout
    for step in ("1. Crawl", "2. Search", "3. Content audit", "4. SEO report"):
        assert step in out
    records = [parse_record(line) for line in (workdir / "records.jsonl").read_text().splitlines()]
    posts = [r for r in records if isinstance(r, Post)]
    assert len(posts) == sum(len(site.posts) for site in SITES.values())
    # the French post answers the French query, accents or not
    assert "La douleur lombaire et la chiropratique" in out
    for report in ("audit.html", "seo.html"):
        html = (workdir / report).read_text()
        assert html.startswith("<!DOCTYPE html>") or html.lstrip().lower().startswith("<!doctype html>")
    assert "needle serve --index" in out


def test_demo_refuses_a_folder_it_did_not_make(tmp_path):
    foreign = tmp_path / "checkout"
    (foreign / ".git").mkdir(parents=True)
    (foreign / "notes.txt").write_text("mine")
    proc = run_needle("demo", "--dir", str(foreign), check=False, timeout=60)
    assert proc.returncode == 2
    assert "was not made by `needle demo`" in proc.stderr
    assert sorted(p.name for p in foreign.iterdir()) == [".git", "notes.txt"]
    assert (foreign / "notes.txt").read_text() == "mine"


def test_demo_replaces_only_its_own_folders(tmp_path):
    from cli.demo import DEMO_MARKER, _replace_demo_dir

    workdir = tmp_path / "demo"
    _replace_demo_dir(workdir)  # new: made, and marked
    (workdir / "records.jsonl").write_text("old run")
    _replace_demo_dir(workdir)  # marked: emptied for the next run
    assert sorted(p.name for p in workdir.iterdir()) == [DEMO_MARKER]
    empty = tmp_path / "empty"
    empty.mkdir()
    _replace_demo_dir(empty)
    assert (empty / DEMO_MARKER).is_file()
