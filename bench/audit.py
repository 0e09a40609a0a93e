"""Content audit speed on a 2,000-post index, link checks excluded.

    .venv/bin/python bench/audit.py                 # 2,000 posts, median of 3
    .venv/bin/python bench/audit.py --posts 10000 --runs 1

Posts come from bench/corpus.py (~600 words of Zipf-distributed clinic text each) and are
given what the audit reads on a real crawl: footer contacts on every page, old phone
numbers and hours in some bodies, dated wording, in-body links (some to pages the crawl
recorded as broken or redirected), copied posts (near-duplicates), listing teasers and
sitemap entries. Timed: reading every record from the index (``load_records``) and the
audit itself; the issue's target is under 10 s for 2,000 posts.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from corpus import SITE, generate_posts  # noqa: E402

from crawler.records import (  # noqa: E402
    ContactFacts, CrawlError, DateCandidate, DateKind, DateSource, Link, Redirect, SitemapEntry,
    Teaser,
)

FOOTER = ContactFacts(phones=["+1-780-555-0142"], addresses=["4410 97 Street NW, Edmonton"],
                      hours=["Monday–Friday 7:00 am – 8:00 pm"], copyright_year=2026)
DATED = ["New for {y}! Book your assessment today.", "Gift cards are $60 until December 31, {y}.",
         "Join our upcoming open house this spring.", "Relieve tension this April with massage."]


def records(count: int, seed: int = 11) -> list:
    rng = random.Random(seed)
    posts = generate_posts(count)
    out: list = []
    for i, post in enumerate(posts):
        post.contacts = FOOTER
        year = post.published.year
        extra = []
        if i % 10 == 0:
            extra.append("Call us at (780) 555-0187 to book.")
            post.body_contacts = ContactFacts(phones=["+1-780-555-0187"])
        if i % 7 == 0:
            extra.append(rng.choice(DATED).format(y=year))
        if i % 25 == 1:  # a copied post with a new intro: a near-duplicate of the previous
            post.body = "A fresh introduction for this topic. " + posts[i - 1].body
        post.body = " ".join([post.body, *extra])
        post.word_count = len(post.body.split())
        post.links = [Link(href=f"{SITE}/blog/page-{rng.randrange(count)}/", text="related",
                           internal=True) for _ in range(3)]
        post.links.append(Link(href=f"https://guidelines.example/{i % 50}", text="guideline",
                               internal=False))
        post.date_candidates = [DateCandidate(kind=DateKind.PUBLISHED, value=post.published,
                                              source=DateSource.TEXT, raw=str(post.published))]
        out.append(post)
        out.append(Teaser(url=post.url, listing_url=f"{SITE}/blog?page={i // 10}",
                          title=post.title, published=post.published, position=i % 10))
        lastmod = post.published + timedelta(days=400 if i % 30 == 0 else 0)
        out.append(SitemapEntry(url=post.url, lastmod=lastmod, sitemap_url=f"{SITE}/sitemap.xml"))
    for j in range(0, count, 40):
        out.append(CrawlError(url=f"{SITE}/blog/page-{j}/", reason="http_404", status=404))
        out.append(Redirect(url=f"{SITE}/blog/page-{j + 1}/", target=f"{SITE}/blog/new-{j}/",
                            statuses=[301]))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from indexer.store import load_records
    from indexer.rebuild import rebuild
    from reports.audit import AuditThresholds, audit

    with tempfile.TemporaryDirectory(prefix="needle-bench-audit-") as tmp:
        index = Path(tmp) / "index"
        rebuild(index, records(args.posts))
        totals, audits = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            loaded = load_records(index)
            mid = time.perf_counter()
            report = audit(loaded, as_of=date(2026, 11, 25), thresholds=AuditThresholds())
            end = time.perf_counter()
            totals.append(end - start)
            audits.append(end - mid)
        total, only = statistics.median(totals), statistics.median(audits)
        print(f"posts: {len(report.posts)}  flagged: {len(report.flagged)}  "
              f"findings: {sum(len(p.findings) for p in report.posts)}")
        print(f"by signal: {report.by_signal()}")
        print(f"load + audit: {total:.2f} s (median of {args.runs})  "
              f"audit alone: {only:.2f} s  {len(report.posts) / total:.0f} posts/s")
        print("target: < 10 s for 2,000 posts:", "met" if total < 10 else "NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
