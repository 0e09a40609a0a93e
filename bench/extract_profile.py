"""CPU time of extraction per page, without a crawler: parse_page, page_kind, extract_*.

Generates bench/crawl.py's WordPress blog (seeded) into a temporary folder, picks a fixed
set of post and listing pages, and runs them the way the spider does: parse once, then
``page_kind`` and ``extract_post`` / ``extract_listing`` on the same Page. Times are
``time.process_time`` (CPU, so steadier than wall time on a shared machine), per page,
median over repeats.

    .venv/bin/python bench/extract_profile.py                 # figures
    .venv/bin/python bench/extract_profile.py --cprofile 25   # plus the top functions
    .venv/bin/python bench/extract_profile.py --dump out.json # every output, to diff two trees
    .venv/bin/python bench/extract_profile.py --stages        # a page's way through both processes

--stages follows each page as a crawl hands it over: the spider's fetch facts and the
pickled call (crawl process), unpickling and ``crawler.work.extract_any`` split by stage
(parsing, what the page is, main text, dates, metadata, validation and the content hash),
the pickled result (extraction worker), and unpickling and the exporter's JSON (crawl
process). CPU ms per page over the site's own mix of post and listing pages.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawl import generate_site  # noqa: E402

from crawler.extract import extract_listing, extract_post, page_kind, parse_page  # noqa: E402

ORIGIN = "http://127.0.0.1:8080"
# after the generated site's newest post (its "today" is 2026-11-25), as a crawl's fetch
# time is: an earlier one made the newest posts future-dated, undated, and sent them to
# htmldate's fallback, which no crawl of the site does (7 of the 60 posts timed)
FETCHED_AT = datetime(2026, 11, 30, tzinfo=timezone.utc)


def load_pages(posts: int, seed: int, n_posts: int, n_listings: int) -> list[tuple[str, bytes]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate_site(root, ORIGIN, posts, seed)
        files = sorted(p for p in (root / "blog").rglob("index.html"))
        post_files = [p for p in files if (p.parent / "index.html") == p and "/page/" not in str(p)
                      and "/category/" not in str(p) and not p.parent.name.isdigit() and p.parent.name != "blog"]
        listing_files = [p for p in files if p not in post_files]
        chosen = post_files[:: max(1, len(post_files) // n_posts)][:n_posts]
        chosen += listing_files[:: max(1, len(listing_files) // n_listings)][:n_listings]
        return [(ORIGIN + "/" + str(p.parent.relative_to(root)) + "/", p.read_bytes()) for p in chosen]


def run_once(pages, timings: dict[str, list[float]] | None = None, outputs: list | None = None) -> None:
    clock = time.process_time
    for url, body in pages:
        t0 = clock()
        page = parse_page(body, url, encoding="utf-8")
        t1 = clock()
        kind = page_kind(page, url)
        t2 = clock()
        if kind == "listing":
            result = extract_listing(page, url, fetched_at=FETCHED_AT, timezone="America/Edmonton")
            name = "extract_listing"
        elif kind == "post":
            result = extract_post(page, url, fetched_at=FETCHED_AT, timezone="America/Edmonton")
            name = "extract_post"
        else:
            result, name = None, "other"
        t3 = clock()
        if timings is not None:
            timings.setdefault("parse_page", []).append(t1 - t0)
            timings.setdefault("page_kind", []).append(t2 - t1)
            timings.setdefault(name, []).append(t3 - t2)
            timings.setdefault("total", []).append(t3 - t0)
        if outputs is not None:
            if name == "extract_post":
                data = result.model_dump(mode="json")
            elif name == "extract_listing":
                data = {"teasers": [t.model_dump(mode="json") for t in result.teasers],
                        "post_urls": result.post_urls, "next_pages": result.next_pages}
            else:
                data = None
            outputs.append({"url": url, "kind": kind, "result": data})


# crawler.extract's and crawler.work's module-level names, by stage: each is wrapped with a
# timer where it is looked up, so the stages add up without a profiler's overhead
_STAGES = {
    "parsing": [("crawler.work", "parse_page")],
    "page kind": [("crawler.work", "page_kind")],
    "main text": [("crawler.extract", n) for n in ("container", "read_text", "body_blocks", "teaser_group")],
    "dates": [("crawler.extract", "find_dates")],
    "metadata, links, contacts": [("crawler.extract", n) for n in (
        "page_meta", "post_title", "post_author", "card_elements", "post_summary", "post_images", "page_links",
        "post_terms", "page_language", "contact_facts")],
    "listing (whole)": [("crawler.work", "extract_listing")],
}


def _timed_stages(totals: dict[str, float]):
    """Install the stage timers; returns a function that removes them."""
    import importlib

    clock = time.process_time
    undo = []
    stack: list[float] = []  # a stage called inside another counts for the outer one only

    def wrap(stage, fn):
        def timed(*args, **kwargs):
            if stack:
                return fn(*args, **kwargs)
            stack.append(0.0)
            t0 = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                stack.pop()
                totals[stage] = totals.get(stage, 0.0) + clock() - t0
        return timed

    for stage, names in _STAGES.items():
        for module_name, name in names:
            module = importlib.import_module(module_name)
            fn = getattr(module, name)
            setattr(module, name, wrap(stage, fn))
            undo.append((module, name, fn))
    work = importlib.import_module("crawler.work")
    extract_any = work.extract_any

    def whole(*args, **kwargs):  # outside it, in extract_packed: the record's JSON
        t0 = clock()
        try:
            return extract_any(*args, **kwargs)
        finally:
            totals["_extract_any"] = clock() - t0
    work.extract_any = whole
    undo.append((work, "extract_any", extract_any))
    extract = importlib.import_module("crawler.extract")
    post_cls = extract.Post

    def build_post(**fields):  # Post(**fields): the record's validation
        t0 = clock()
        try:
            return post_cls(**fields)
        finally:
            totals["validation (Post)"] = totals.get("validation (Post)", 0.0) + clock() - t0
    extract.Post = build_post
    undo.append((extract, "Post", post_cls))
    hash_fn = post_cls.with_hash

    def with_hash(self):
        t0 = clock()
        try:
            return hash_fn(self)
        finally:
            totals["content hash (JSON + sha256)"] = totals.get("content hash (JSON + sha256)", 0.0) + clock() - t0
    post_cls.with_hash = with_hash
    undo.append((post_cls, "with_hash", hash_fn))

    def remove():
        for owner, name, fn in reversed(undo):
            setattr(owner, name, fn)
    return remove


def stages(pages, share_posts: float, repeats: int) -> None:
    """Each page as a crawl hands it over, split by stage, CPU ms per page."""
    import hashlib
    import pickle
    from functools import partial

    from crawler.records import FetchInfo
    from crawler.work import extract_packed, unpack

    clock = time.process_time
    per_kind: dict[str, dict[str, list[float]]] = {}
    for _ in range(repeats):
        for url, body in pages:
            totals: dict[str, float] = {}
            t0 = clock()
            fetched_at = datetime.now(timezone.utc)
            fetch = FetchInfo(status=200, requested_url=url, redirect_chain=[], fetched_at=fetched_at,
                              response_time_ms=12.5, bytes=len(body), content_type="text/html", encoding="utf-8",
                              etag=None, last_modified="Mon, 30 Nov 2026 10:00:00 GMT", depth=3,
                              referrer=ORIGIN + "/blog/", found_via="link", sitemap_lastmod=None,
                              body_sha256=hashlib.sha256(body).hexdigest()[:32])
            t1 = clock()
            call = partial(extract_packed, body, url, encoding="utf-8", selectors=None, fetched_at=fetched_at,
                           timezone="America/Edmonton", languages=["en", "fr"], fetch=fetch, x_robots_tag=[],
                           earliest_date="1995-01-01")
            sent = pickle.dumps(call, pickle.HIGHEST_PROTOCOL)
            t2 = clock()
            call = pickle.loads(sent)
            t3 = clock()
            remove = _timed_stages(totals)
            try:
                kind, record = call()  # as the worker: a post comes back as its JSON
            finally:
                remove()
            t4 = clock()
            inner = totals.pop("_extract_any")
            totals["record to JSON"] = (t4 - t3) - inner
            back = pickle.dumps((kind, record), pickle.HIGHEST_PROTOCOL)
            t5 = clock()
            kind, record = unpack(pickle.loads(back))
            t6 = clock()
            out = [record] if kind != "listing" else list(record.teasers)
            for item in out:
                item.model_dump_json()
            t7 = clock()
            row = {
                "crawl: fetch facts (FetchInfo, sha256)": t1 - t0,
                "crawl: pickle the call": t2 - t1,
                "worker: unpickle the call": t3 - t2,
                **{f"worker: {k}": v for k, v in totals.items()},
                "worker: rest of extraction": (t4 - t3) - sum(totals.values()),
                "worker: pickle the result": t5 - t4,
                "crawl: unpickle the result, JSON to record": t6 - t5,
                "crawl: exporter JSON": t7 - t6,
                "_bytes": len(sent) + len(back),
            }
            kind_rows = per_kind.setdefault(kind, {})
            for name, value in row.items():
                kind_rows.setdefault(name, []).append(value)
    names = list(dict.fromkeys(n for rows in per_kind.values() for n in rows if n != "_bytes"))
    mix = {"post": share_posts, "listing": 1 - share_posts}
    print(f"\nCPU ms per page by stage, mean over {repeats} passes ({', '.join(f'{len(v[names[0]]) // repeats} {k}' for k, v in per_kind.items())}); "
          f"'site mix' weighs posts {share_posts:.0%}, listings {1 - share_posts:.0%}")
    print(f"  {'stage':<46} " + " ".join(f"{k:>8}" for k in per_kind) + f" {'site mix':>9}")
    sums = {k: 0.0 for k in per_kind}
    for name in names:
        means = {k: statistics.fmean(v[name]) * 1000 if name in v else 0.0 for k, v in per_kind.items()}
        for k in means:
            sums[k] += means[k]
        mixed = sum(means.get(k, 0.0) * w for k, w in mix.items())
        print(f"  {name:<46} " + " ".join(f"{means[k]:8.2f}" for k in per_kind) + f" {mixed:9.2f}")
    mixed = sum(sums.get(k, 0.0) * w for k, w in mix.items())
    print(f"  {'total':<46} " + " ".join(f"{sums[k]:8.2f}" for k in per_kind) + f" {mixed:9.2f}")
    print("  pickled bytes each way (call + record), mean: " + ", ".join(
        f"{k} {statistics.fmean(v['_bytes']) / 1024:.0f} KiB" for k, v in per_kind.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=300, help="posts in the generated site (default 300)")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--sample-posts", type=int, default=60, help="post pages timed (default 60)")
    parser.add_argument("--sample-listings", type=int, default=20, help="listing pages timed (default 20)")
    parser.add_argument("--repeats", type=int, default=5, help="passes over the pages (default 5)")
    parser.add_argument("--cprofile", type=int, metavar="N", default=0, help="also print the top N functions")
    parser.add_argument("--dump", type=Path, metavar="FILE", help="write every page's output as JSON")
    parser.add_argument("--stages", action="store_true",
                        help="instead: each page's way through the crawl and the worker, by stage")
    args = parser.parse_args(argv)

    pages = load_pages(args.posts, args.seed, args.sample_posts, args.sample_listings)
    run_once(pages)  # warm the URL caches, as a crawl does after its first pages
    if args.stages:
        # the generated site's own mix: its posts and listing pages (bench/crawl.py's 2,000: 2,000 and 730)
        stages(pages, 2000 / 2730, args.repeats)
        return 0
    if args.dump:
        outputs: list = []
        run_once(pages, outputs=outputs)
        args.dump.write_text(json.dumps(outputs, indent=1, sort_keys=True))
        print(f"wrote {len(outputs)} outputs to {args.dump}")

    # per pass: the median page of each step; then the median over passes
    passes: dict[str, list[float]] = {}
    for _ in range(args.repeats):
        timings: dict[str, list[float]] = {}
        run_once(pages, timings)
        for name, values in timings.items():
            passes.setdefault(name + " median", []).append(statistics.median(values))
            passes.setdefault(name + " mean", []).append(statistics.fmean(values))
    kinds = {name: len(v) for name, v in timings.items()}
    print(f"{len(pages)} pages ({kinds.get('extract_post', 0)} posts, {kinds.get('extract_listing', 0)} listings, "
          f"{kinds.get('other', 0)} other); CPU ms per page, median of {args.repeats} passes")
    print(f"  {'step':<18} {'median page':>12} {'mean page':>10}")
    for name in ("parse_page", "page_kind", "extract_post", "extract_listing", "other", "total"):
        if name + " median" in passes:
            print(f"  {name:<18} {statistics.median(passes[name + ' median']) * 1000:12.2f}"
                  f" {statistics.median(passes[name + ' mean']) * 1000:10.2f}")

    if args.cprofile:
        prof = cProfile.Profile()
        prof.enable()
        run_once(pages)
        prof.disable()
        stats = pstats.Stats(prof)
        stats.sort_stats("cumulative").print_stats(args.cprofile)
        stats.sort_stats("tottime").print_stats(args.cprofile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
