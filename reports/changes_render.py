"""`needle changes --format html`: the crawl history's changes as one self-contained page."""

from __future__ import annotations

from collections import Counter

from indexer.changes import summary
from reports.render import render_page


def to_html(rows: list[dict], *, scope: str, site: str | None = None) -> str:
    """``rows`` as History.changes returns them; ``scope`` says which crawls they cover."""
    shown = [{**row, "what": summary(row["fields"]) or row["reason"] or "",
              "excerpt": (row["fields"].get("body") or {}).get("excerpt")} for row in rows]
    counts = Counter(row["change"] for row in rows)
    return render_page("changes.html", rows=shown, counts=dict(sorted(counts.items())), scope=scope, site=site)
