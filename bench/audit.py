"""Content audit speed on a 2,000-post index, link checks excluded.

    .venv/bin/python bench/audit.py                 # 2,000 posts, median of 3
    .venv/bin/python bench/audit.py --posts 10000 --runs 1
    .venv/bin/python bench/audit.py --profile 25    # and one more run's top 25 functions

Posts come from bench/corpus.py (~600 words of Zipf-distributed clinic text each) and are
given what the audit reads on a real crawl: footer contacts on every page, old phone
numbers and hours in some bodies, dated wording, in-body links (some to pages the crawl
recorded as broken or redirected), copied posts (near-duplicates), listing teasers and
sitemap entries. Timed per run, wall and CPU (``time.process_time``: this process's own
work, steadier than the wall clock on a shared machine): reading every record from the
index (``load_records``) and the audit itself. Printed: the median of the runs, the load
average beside every figure, and the reference from the same runs: reading the records
alone, the part the audit cannot go below. Issue 15's target: load + audit <= 3 s.
"""

from __future__ import annotations

import argparse
import os
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


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="then profile one more run (CPU) and print its top N functions")
    args = parser.parse_args()

    from indexer.store import load_records
    from indexer.rebuild import rebuild
    from reports.audit import AuditThresholds, audit

    def run(index: Path) -> tuple:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        loaded = load_records(index)
        wall1, cpu1 = time.perf_counter(), time.process_time()
        report = audit(loaded, as_of=date(2026, 11, 25), thresholds=AuditThresholds())
        wall2, cpu2 = time.perf_counter(), time.process_time()
        return report, (wall1 - wall0, cpu1 - cpu0), (wall2 - wall1, cpu2 - cpu1)

    with tempfile.TemporaryDirectory(prefix="needle-bench-audit-") as tmp:
        index = Path(tmp) / "index"
        rebuild(index, records(args.posts))
        print(f"{args.posts}-post index built; load average (1, 5, 15 min) {_load()}, "
              f"{os.cpu_count()} cores")
        loads, audits, totals = [], [], []
        for n in range(args.runs):
            report, load, only = run(index)
            total = (load[0] + only[0], load[1] + only[1])
            loads.append(load)
            audits.append(only)
            totals.append(total)
            print(f"run {n + 1}: load + audit {total[0]:.2f} s wall, {total[1]:.2f} s CPU "
                  f"(load_records {load[0]:.2f} / {load[1]:.2f}, audit {only[0]:.2f} / "
                  f"{only[1]:.2f})  load average {_load()}")

        def median(pairs: list, i: int) -> float:
            return statistics.median(p[i] for p in pairs)

        print(f"posts: {len(report.posts)}  flagged: {len(report.flagged)}  "
              f"findings: {sum(len(p.findings) for p in report.posts)}")
        print(f"by signal: {report.by_signal()}")
        wall, cpu = median(totals, 0), median(totals, 1)
        print(f"load + audit: {wall:.2f} s wall, {cpu:.2f} s CPU (median of {args.runs}; "
              f"load average {_load()})  {len(report.posts) / wall:.0f} posts/s")
        print(f"  the audit alone: {median(audits, 0):.2f} s wall, {median(audits, 1):.2f} s CPU")
        print(f"reference, same runs: load_records alone {median(loads, 0):.2f} s wall, "
              f"{median(loads, 1):.2f} s CPU")
        verdict = {True: "met", False: "NOT met"}
        print(f"target (issue 15): load + audit <= 3 s: {verdict[wall <= 3]} on the wall clock, "
              f"{verdict[cpu <= 3]} in CPU")
        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile(time.process_time)
            profile.runcall(run, index)
            print("\nprofile of one more run (load + audit, CPU; cProfile adds its own overhead):")
            pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
