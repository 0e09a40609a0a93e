"""Benchmark: write the SEO report (JSON + HTML) over a 2,000-post index.

    .venv/bin/python bench/seo.py [--posts 2000] [--runs 3]

Builds a real Whoosh index under bench/out/ from bench/corpus.py's generated posts, made
to look crawled: head fields (title tag, description, canonical, Open Graph, JSON-LD) with
a realistic share of faults, links between posts, teasers on listing pages, sitemap
entries with lastmod, a few crawl errors and redirects. Then times, per run, what
`needle seo --format json` and `--format html` do: read every record from the index,
run every check, render and write both files, wall and CPU (``time.process_time``,
steadier on a shared machine). Prints the median of the runs with the load average, and
the reference from the same runs: reading the records alone (target under 10 s).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def crawled_records(count: int, seed: int = 11) -> list:
    from corpus import SITE, generate_posts

    from crawler.records import (
        CrawlError, FetchInfo, Heading, Link, PageMeta, Redirect, SitemapEntry, Teaser,
    )

    rng = random.Random(seed)
    posts = generate_posts(count)
    records: list = []
    page_size = 10
    for i, post in enumerate(posts):
        listing = f"{SITE}/blog/" if i < page_size else f"{SITE}/blog/page/{i // page_size + 1}/"
        title = post.title or ""
        fault = rng.random()
        post.meta = PageMeta(
            title_tag=None if fault < 0.02 else f"{title} | Clinic Physio",
            meta_description=None if fault < 0.05 else (post.summary or "")[:170],
            canonical=post.url if fault > 0.03 else f"{SITE}/blog/",
            robots=["noindex"] if 0.05 < fault < 0.06 else ["index", "follow"],
            open_graph={"og:title": title, "og:description": "x", "og:image": "x",
                        "og:url": post.url, "og:type": "article"},
            twitter={"twitter:card": "summary"},
            jsonld_types=["BlogPosting"],
            jsonld_article_fields=["headline", "datePublished", "author", "image"]
            + (["dateModified"] if fault > 0.1 else []),
            h1_count=1, html_lang="en",
        )
        post.headings = [Heading(level=1, text=title), *post.headings]
        others = rng.sample(range(count), 3)
        post.links = [Link(href=posts[j].url, internal=True) for j in others]
        post.links.append(Link(href=f"{SITE}/blog/gone-{i % 50}", internal=True))
        post.fetch = FetchInfo(status=200, response_time_ms=rng.uniform(50, 900),
                               bytes=rng.randint(20_000, 120_000), depth=2 + i // page_size // 5,
                               found_via="link", referrer=listing, sitemap_lastmod=post.published)
        records.append(post)
        records.append(Teaser(url=post.url, listing_url=listing, title=title, position=i % page_size))
        records.append(SitemapEntry(url=post.url, lastmod=post.published,
                                    sitemap_url=f"{SITE}/sitemap.xml"))
    for k in range(50):
        if k % 2:
            records.append(CrawlError(url=f"{SITE}/blog/gone-{k}", reason="http_404", status=404,
                                      referrer=posts[k].url))
        else:
            records.append(Redirect(url=f"{SITE}/blog/gone-{k}", target=posts[k].url,
                                    chain=[f"{SITE}/blog/gone-{k}"], statuses=[301]))
    return records


def build_index(path: Path, count: int) -> None:
    from indexer.rebuild import rebuild

    if path.exists():
        shutil.rmtree(path)
    rebuild(path, crawled_records(count), procs=2)


def write_reports(index: Path, out: Path) -> tuple[int, int, tuple[float, float]]:
    """Write both reports; (pages, findings, (wall, CPU) of reading the records)."""
    from indexer.store import load_records
    from reports.seo import seo_report
    from reports.seo_render import to_html, to_json
    from reports.seo_thresholds import SeoThresholds

    wall, cpu = time.perf_counter(), time.process_time()
    records = load_records(index)
    load = (time.perf_counter() - wall, time.process_time() - cpu)
    report = seo_report(records, thresholds=SeoThresholds())
    (out / "seo.json").write_text(to_json(report), encoding="utf-8")
    (out / "seo.html").write_text(to_html(report), encoding="utf-8")
    return len(report.pages), len(report.findings), load


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="reuse bench/out/seo-index-N if present")
    args = ap.parse_args()

    out = ROOT / "bench" / "out" / f"seo-{args.posts}"
    index = out / "index"
    out.mkdir(parents=True, exist_ok=True)
    if not (args.keep and index.exists()):
        t0 = time.perf_counter()
        build_index(index, args.posts)
        print(f"built a {args.posts}-post index in {time.perf_counter() - t0:.1f} s")
    print(f"load average (1, 5, 15 min) {_load()}, {os.cpu_count()} cores")
    walls, cpus, loads = [], [], []
    for run in range(args.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        pages, findings, load = write_reports(index, out)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        loads.append(load)
        print(f"run {run + 1}: {walls[-1]:.2f} s wall, {cpus[-1]:.2f} s CPU (load_records "
              f"{load[0]:.2f} / {load[1]:.2f}; {pages} pages, {findings} findings)  "
              f"load average {_load()}")
    mb = {p.name: p.stat().st_size / 1e6 for p in (out / "seo.json", out / "seo.html")}
    print(f"SEO report (load + checks + JSON + HTML): {statistics.median(walls):.2f} s wall, "
          f"{statistics.median(cpus):.2f} s CPU (median of {args.runs}; load average {_load()}; "
          f"target < 10 s); json {mb['seo.json']:.1f} MB, html {mb['seo.html']:.1f} MB")
    load_wall = statistics.median(w for w, _ in loads)
    load_cpu = statistics.median(c for _, c in loads)
    print(f"reference, same runs: load_records alone {load_wall:.2f} s wall, {load_cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
