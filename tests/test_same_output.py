"""The sample-site crawl, the audit and the SEO report give what they gave before a change
that should not alter behaviour (a refactoring): compared with a fixture made before it.

The fixture holds the records (fetch times, response times and the sample servers' ports
taken out) and the audit's and SEO report's JSON as of a fixed day. After a change that is
meant to alter output, make it again and review the diff:

    NEEDLE_WRITE_FIXTURE=1 ./scripts/test tests/test_same_output.py
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import crawl, run_needle

FIXTURE = Path(__file__).parent / "fixtures" / "same_output.json"
AS_OF = "2026-06-01"
# facts of one fetch, not of the page; the content and body hashes cover the servers' ports
VOLATILE = {"fetched_at", "response_time_ms", "elapsed_s", "duration_ms", "content_hash", "body_sha256"}


# the sample site dates some posts relative to when it is fetched ("3 days ago")
RECENT = re.compile(r"\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:[+-]\d{2}:\d{2}|Z)?)?")


def _recent(match: re.Match) -> str:
    try:
        day = date.fromisoformat(match.group(0)[:10])
    except ValueError:
        return match.group(0)
    return "RECENT" if abs((day - date.today()).days) <= 60 else match.group(0)


def _scrub(value: Any, roots: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {_scrub(k, roots): _scrub(v, roots) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        items = [_scrub(v, roots) for v in value]
        # rows sorted by URL come in the order of the servers' (random) ports
        if items and all(isinstance(v, dict) for v in items):
            items.sort(key=lambda v: json.dumps(v, sort_keys=True))
        return items
    if isinstance(value, str):
        for name, root in roots.items():
            value = value.replace(root, "{" + name + "}")
        return RECENT.sub(_recent, re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", value))
    return value


@pytest.fixture
def own_sample_site():
    """A sample site of this test's own: the audit's link checks would otherwise show in
    the request log that other tests read from the shared one."""
    from sample_site.server import SampleSite

    with SampleSite(mode="process", slow_seconds=9) as site:
        yield site


def test_records_and_findings_are_the_same_as_before(own_sample_site, tmp_path):
    sample_site = own_sample_site
    # one request at a time: which page first links to a post (its referrer) is then fixed
    result = crawl(list(sample_site.urls.values()), tmp_path, settings={"CONCURRENT_REQUESTS": "1"})
    roots = {name: root.rstrip("/") for name, root in sample_site.base.items()}
    records = sorted(
        (_scrub(json.loads(line), roots) for line in result.output.read_text().splitlines() if line.strip()),
        key=lambda r: json.dumps(r, sort_keys=True),
    )
    reports = {}
    for name in ("audit", "seo"):
        out = tmp_path / f"{name}.json"
        args = [name, "--index", str(result.index), "--format", "json", "-o", str(out)]
        if name == "audit":
            args += ["--as-of", AS_OF]
        run_needle(*args, timeout=300)
        reports[name] = _scrub(json.loads(out.read_text()), roots)
    now = {"records": records, **reports}
    if os.environ.get("NEEDLE_WRITE_FIXTURE"):
        FIXTURE.parent.mkdir(exist_ok=True)
        FIXTURE.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip("fixture written")
    before = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for part in ("records", "audit", "seo"):
        assert now[part] == before[part], f"{part} differ from the fixture"
