"""A report beside the same report over an earlier crawl: each finding new, still open or
fixed, the score and its change, and the score over the last crawls.

Each audit or SEO report run saves its findings and score in the crawl history
(``indexer.history``), under the crawl the index holds the results of; a later run compares
with a saved one. A finding is the same finding when it names the same page and the same
check: its evidence may move (a post a month older is still the same old_post).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from indexer.history import HISTORY_FILE, History

TREND_RUNS = 12  # saved runs the trend chart shows


class CompareError(ValueError):
    """--compare names a crawl with no saved run of this report."""


@dataclass(frozen=True)
class Comparison:
    crawl: int  # the crawl this report is of
    against: int  # the crawl compared with
    against_started: str
    score: float
    score_before: float
    states: dict[tuple[str, str], str]  # (url, check) -> new | open
    fixed: list[dict]  # the earlier run's findings no longer found: url, check, evidence
    trend: list[dict] = field(default_factory=list)  # crawl, started, score, findings

    def state(self, url: str, check: str) -> str:
        return self.states.get((url, check), "new")

    @property
    def change(self) -> float:
        return self.score - self.score_before

    @property
    def counts(self) -> dict[str, int]:
        states = list(self.states.values())
        return {"new": states.count("new"), "open": states.count("open"), "fixed": len(self.fixed)}

    def line(self) -> str:
        """One line for a terminal: what moved since the crawl compared with."""
        c = self.counts
        return (f"compared with crawl {self.against} ({self.against_started[:10]}): {c['new']} new, "
                f"{c['open']} still open, {c['fixed']} fixed; score {self.score_before:g} → "
                f"{self.score:g} ({self.change:+g})")

    def as_dict(self) -> dict:
        return {"crawl": self.crawl, "against": self.against, "against_started": self.against_started,
                "score": self.score, "score_before": self.score_before, "change": self.change,
                "counts": self.counts, "fixed": self.fixed, "trend": self.trend}


def trend_chart(comparison: Comparison | None, title: str):
    """The score over the saved runs as an inline SVG (safe markup), or None."""
    if comparison is None or len(comparison.trend) < 2:
        return None
    from markupsafe import Markup

    from reports.charts import line_chart_svg

    # line_chart_svg escapes its own text
    return Markup(line_chart_svg([(f"crawl {t['crawl']}", t["score"]) for t in comparison.trend], title))


def compare(current: list[dict], earlier: list[dict]) -> tuple[dict[tuple[str, str], str], list[dict]]:
    """(state of each current finding, the earlier findings no longer found)."""
    before = {(f["url"], f["check"]) for f in earlier}
    now = {(f["url"], f["check"]) for f in current}
    states = {key: "open" if key in before else "new" for key in now}
    fixed = [f for f in earlier if (f["url"], f["check"]) not in now]
    return states, fixed


def save_and_compare(index: Path, kind: str, *, findings: list[dict], score: float, as_of: date,
                     against: int | None = None) -> Comparison | None:
    """Save this run (``findings``: url, check, evidence) under the index's latest crawl,
    and compare it with the run saved for ``against`` (default: the latest earlier
    complete crawl with one, else the latest earlier crawl with one). None when there is
    nothing to compare with. Raises CompareError when ``against`` has no saved run."""
    if not (Path(index) / HISTORY_FILE).is_file():
        if against is not None:
            raise CompareError(f"no crawl history in {index}: nothing to compare with")
        return None
    with History(index) as history:
        crawl = history.latest_crawl()
        if crawl is None:
            return None
        try:
            history.save_report(kind, crawl, as_of=as_of, score=score, findings=findings)
            saved = True
        except sqlite3.Error:  # a read-only index folder: compare all the same
            saved = False
        runs = history.saved_reports(kind)
    earlier = [r for r in runs if r["crawl"] < crawl]
    if against is not None:
        chosen = next((r for r in runs if r["crawl"] == against), None)
        if chosen is None:
            saved = ", ".join(str(r["crawl"]) for r in runs) or "none"
            raise CompareError(f"no {kind} was saved for crawl {against} (saved for crawls: {saved}); "
                               f"each {kind} run saves its findings for the latest crawl")
    else:
        complete = [r for r in earlier if r["complete"]]
        chosen = (complete or earlier or [None])[-1]
        if chosen is None:
            return None
    states, fixed = compare(findings, json.loads(chosen["findings"]))
    trend = [{"crawl": r["crawl"], "started": r["started"], "score": r["score"],
              "findings": len(json.loads(r["findings"]))} for r in runs[-TREND_RUNS:]]
    if not saved:  # this run is not among the saved ones: show it last all the same
        trend = [t for t in trend if t["crawl"] != crawl][-(TREND_RUNS - 1):] + [
            {"crawl": crawl, "started": "", "score": score, "findings": len(findings)}]
    return Comparison(crawl=crawl, against=chosen["crawl"], against_started=chosen["started"], score=score,
                      score_before=chosen["score"], states=states, fixed=fixed, trend=trend)
