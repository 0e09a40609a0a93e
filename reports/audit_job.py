"""The audit as a use case: load an index's records, check the links the crawl did not
fetch (with the cache beside the index), and audit them. The CLI and the demo call this;
every setting comes in as an argument.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from indexer.history import HISTORY_FILE, History
from reports.audit import audit
from reports.audit_model import AuditReport, AuditThresholds, ClinicFacts
from reports.crawl_facts import crawled_hosts, links_to_check, load_index_records, of_site
from reports.links import LinkCheckOptions

LINK_CACHE = "linkcache.json"  # beside the index: a second audit re-checks nothing fresh


def audit_index(index: Path, *, as_of: date, thresholds: AuditThresholds | None = None,
                facts: ClinicFacts | None = None,
                links: LinkCheckOptions | None = None, site: str | None = None) -> AuditReport:
    """Audit the posts of the index at ``index`` as of ``as_of``. ``links`` None: no link
    checks (the crawl's own failures and redirects still count). ``site``: only that
    site's records (a host, or scheme://host)."""
    records = load_index_records(index)
    if site:
        records = of_site(records, site)
    link_results = None
    if links is not None:
        from reports.links import check_links

        urls = links_to_check(records)
        if urls:
            # the crawled sites' own hosts may be on private addresses (an intranet)
            link_results = check_links(urls, options=links, site_hosts=crawled_hosts(records),
                                       cache_path=Path(index) / LINK_CACHE)
    return audit(records, as_of=as_of, thresholds=thresholds, facts=facts,
                 link_results=link_results, edits=recorded_edits(index))


def recorded_edits(index: Path) -> dict[str, list[dict]]:
    """Each post's changes from the crawl history beside the index (none without one)."""
    if not (Path(index) / HISTORY_FILE).is_file():
        return {}
    try:
        with History(index) as history:
            return history.post_edits()
    except sqlite3.Error:  # an unreadable history takes the history signals, not the audit
        return {}
