"""The audit's history signals: crawl a real blog several times while editing it, then
audit; what changed between the crawls, and how the shown dates moved, is reported."""

from __future__ import annotations

import json
from datetime import date

from blogsite import BlogSite
from test_changes import crawl

from conftest import run_needle

SECTION = ("Since this post was written, a new review of the evidence changed what we advise: "
           "start with two short sessions of guided exercise a day and add load slowly over six weeks.")


def signals(index) -> dict[str, dict[str, str]]:
    """post URL -> {signal: evidence} of the audit as of today."""
    proc = run_needle("audit", "--index", str(index), "--no-check-links", "--as-of", date.today().isoformat(),
                      "--format", "json", "--no-compare", timeout=120)
    return {row["url"]: {f["signal"]: f["evidence"] for f in row["findings"]}
            for row in json.loads(proc.stdout) if row["scope"] == "post"}


def test_history_signals_follow_the_edits_across_crawls(tmp_path):
    index = tmp_path / "index"
    history_signals = {"edited_not_redated", "redated_not_edited", "often_edited"}
    with BlogSite(posts=4) as site:
        crawl(site, index)
        first = signals(index)
        site.added[1] = [SECTION]  # rewritten, date left as it was
        site.dates[2] = date(2026, 10, 1)  # date moved, text untouched
        site.added[3] = [SECTION]  # rewritten and re-dated: nothing to say
        site.dates[3] = date(2026, 10, 2)
        crawl(site, index)
        second = signals(index)
        for n in range(1, 4):  # post 4 rewritten in three crawls in a row
            site.added[4] = [f"Revision {n}. {SECTION}"]
            crawl(site, index)
        last = signals(index)

    assert not any(history_signals & set(found) for found in first.values())  # one crawl: no history
    assert history_signals & set(second[site.post_url(1)]) == {"edited_not_redated"}
    assert "still shows published 2024-01-08" in second[site.post_url(1)]["edited_not_redated"]
    assert history_signals & set(second[site.post_url(2)]) == {"redated_not_edited"}
    assert "moved from 2024-01-15 to 2026-10-01" in second[site.post_url(2)]["redated_not_edited"]
    assert not history_signals & set(second[site.post_url(3)])
    assert "edited_not_redated" in last[site.post_url(4)], last[site.post_url(4)]
    assert last[site.post_url(4)]["often_edited"].startswith("edited 3 times in 30 days")
    assert "often_edited" not in last[site.post_url(1)]  # edited once
