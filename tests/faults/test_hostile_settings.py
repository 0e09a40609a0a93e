"""Malformed settings: parsed once, a clear error naming the variable, never failing open."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from blogsite import BlogSite
from conftest import LOCAL_CRAWL_SETTINGS, ROOT, run_needle

from crawler.records import parse_record


def env(**values: str) -> dict[str, str]:
    return {**os.environ, **values}


def test_a_bad_number_stops_every_command_with_a_clear_error(tmp_path):
    bad = env(NEEDLE_AUDIT_MAX_LINKS="500links")
    for args in (["search", "knee", "--index", str(tmp_path / "ix")],
                 ["audit", "--index", str(tmp_path / "ix")],
                 ["index", str(tmp_path / "none.jsonl"), "--index", str(tmp_path / "ix")]):
        proc = run_needle(*args, check=False, env=bad, timeout=60)
        assert proc.returncode == 2, args
        assert "NEEDLE_AUDIT_MAX_LINKS='500links': expected a whole number" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "ix").exists()


def test_the_server_refuses_to_start_on_a_bad_setting(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = run_needle("serve", "--index", str(tmp_path / "ix"), "--port", str(port), check=False,
                      env=env(NEEDLE_AUDIT_MAX_LINKS="500links"), timeout=60)
    assert proc.returncode == 2 and "NEEDLE_AUDIT_MAX_LINKS" in proc.stderr


def test_an_unknown_boolean_is_an_error_not_off(tmp_path):
    proc = run_needle("search", "knee", "--index", str(tmp_path), check=False,
                      env=env(NEEDLE_POLITE="maybe"), timeout=60)
    assert proc.returncode == 2 and "NEEDLE_POLITE='maybe': expected yes or no" in proc.stderr


def test_polite_y_means_polite_robots_txt_obeyed(tmp_path):
    out = tmp_path / "records.jsonl"
    with BlogSite(posts=4) as site:
        site.robots_extra.append("Disallow: /blog/post-2/")
        args = ["crawl", site.url, "--no-index", "-o", str(out)]
        # politeness's delays off for speed; robots.txt obedience left to NEEDLE_POLITE
        for name, value in LOCAL_CRAWL_SETTINGS.items():
            args += ["-s", f"{name}={value}"]
        run_needle(*args, env=env(NEEDLE_POLITE="y"), timeout=120)
        served = list(site.served)
    assert "/blog/post-2/" not in served
    posts = {r.url for r in map(parse_record, out.read_text().splitlines()) if r.type == "post"}
    assert posts == {site.post_url(n) for n in (1, 3, 4)}


def _crawl_behind_robots(tmp_path, runner: str, environ: dict[str, str], *sets: str) -> tuple[list[str], set[str]]:
    """Crawl a 4-post blog whose robots.txt disallows post 2: (paths served, posts recorded)."""
    out = tmp_path / "records.jsonl"
    overrides = [f"{name}={value}" for name, value in LOCAL_CRAWL_SETTINGS.items()] + list(sets)
    with BlogSite(posts=4) as site:
        site.robots_extra.append("Disallow: /blog/post-2/")
        if runner == "needle":
            args = ["crawl", site.url, "--no-index", "-o", str(out)]
            for item in overrides:
                args += ["-s", item]
            run_needle(*args, env=environ, timeout=120)
        else:
            args = [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"start_url={site.url}",
                    "-O", str(out), "-s", "LOG_LEVEL=WARNING", "-s", "NEEDLE_EXTRACT_WORKERS=0"]
            for item in overrides:
                args += ["-s", item]
            proc = subprocess.run(args, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)
            assert proc.returncode == 0, proc.stderr
        served = list(site.served)
        urls = {n: site.post_url(n) for n in range(1, 5)}
    posts = {r.url for r in map(parse_record, out.read_text().splitlines()) if r.type == "post"}
    return served, {n for n, url in urls.items() if url in posts}


@pytest.mark.parametrize("runner", ["needle", "scrapy"])
def test_polite_off_on_the_command_line_switches_robots_txt_off(tmp_path, runner):
    # settings.py reads NEEDLE_POLITE from the environment when imported; `-s` comes later
    polite = {k: v for k, v in os.environ.items() if k != "NEEDLE_POLITE"}
    served, posts = _crawl_behind_robots(tmp_path, runner, polite, "NEEDLE_POLITE=0")
    assert "/blog/post-2/" in served
    assert posts == {1, 2, 3, 4}


def test_polite_on_the_command_line_wins_over_the_environment(tmp_path):
    served, posts = _crawl_behind_robots(tmp_path, "needle", env(NEEDLE_POLITE="0"), "NEEDLE_POLITE=1")
    assert "/blog/post-2/" not in served
    assert posts == {1, 3, 4}


def test_a_setting_given_beside_polite_off_keeps_its_value(tmp_path):
    polite = {k: v for k, v in os.environ.items() if k != "NEEDLE_POLITE"}
    served, posts = _crawl_behind_robots(tmp_path, "needle", polite, "NEEDLE_POLITE=0", "ROBOTSTXT_OBEY=true")
    assert "/blog/post-2/" not in served
    assert posts == {1, 3, 4}


def test_a_mistyped_time_zone_is_an_error_not_utc(tmp_path):
    with BlogSite(posts=2) as site:
        proc = run_needle("crawl", site.url, "--no-index", check=False,
                          env=env(NEEDLE_TIMEZONE="Europe/Pariss"), timeout=60)
        again = run_needle("crawl", site.url, "--no-index", "--timezone", "Europe/Pariss",
                           check=False, timeout=60)
        served = list(site.served)
    assert proc.returncode == 2 and "NEEDLE_TIMEZONE='Europe/Pariss': expected a time zone name" in proc.stderr
    assert again.returncode == 2 and "not a time zone name" in again.stderr
    assert served == []  # refused before anything was fetched
