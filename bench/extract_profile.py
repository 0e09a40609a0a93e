"""CPU time of extraction per page, without a crawler: parse_page, page_kind, extract_*.

Generates bench/crawl.py's WordPress blog (seeded) into a temporary folder, picks a fixed
set of post and listing pages, and runs them the way the spider does: parse once, then
``page_kind`` and ``extract_post`` / ``extract_listing`` on the same Page. Times are
``time.process_time`` (CPU, so steadier than wall time on a shared machine), per page,
median over repeats.

    .venv/bin/python bench/extract_profile.py                 # figures
    .venv/bin/python bench/extract_profile.py --cprofile 25   # plus the top functions
    .venv/bin/python bench/extract_profile.py --dump out.json # every output, to diff two trees
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
FETCHED_AT = datetime(2026, 1, 15, tzinfo=timezone.utc)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=300, help="posts in the generated site (default 300)")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--sample-posts", type=int, default=60, help="post pages timed (default 60)")
    parser.add_argument("--sample-listings", type=int, default=20, help="listing pages timed (default 20)")
    parser.add_argument("--repeats", type=int, default=5, help="passes over the pages (default 5)")
    parser.add_argument("--cprofile", type=int, metavar="N", default=0, help="also print the top N functions")
    parser.add_argument("--dump", type=Path, metavar="FILE", help="write every page's output as JSON")
    args = parser.parse_args(argv)

    pages = load_pages(args.posts, args.seed, args.sample_posts, args.sample_listings)
    run_once(pages)  # warm the URL caches, as a crawl does after its first pages
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
