"""Extraction quality on real-world pages, beside the libraries made for each job.

Two public evaluation sets of saved web pages, from sites nobody on the team wrote
(not bundled: clone the repositories and point at their tests/ folders):

* trafilatura's ``tests/evaldata.json`` + ``tests/eval/``: for each page, snippets the
  main text must contain and snippets (navigation, footers, comments) it must not.
  Needle's title + body is scored beside ``trafilatura.extract``.
* htmldate's ``tests/eval_default.json`` + ``tests/eval/``: each page's publication date.
  Needle's ``published`` is scored beside ``htmldate.find_date``.

    python bench/eval_extraction.py --trafilatura ~/src/trafilatura/tests \\
                                    --htmldate ~/src/htmldate/tests [--limit N]

Prints precision/recall/F1 and accuracy for the text, date accuracy, crash counts, and
CPU time per page for each side.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from crawler.extract import extract_post

# The sets are mostly German, English and French news and blogs.
LANGUAGES = ["de", "en", "fr"]
FETCHED_AT = datetime(2024, 1, 1, tzinfo=timezone.utc)
TZ = ZoneInfo("Europe/Berlin")


def _cases(folder: Path, index_name: str, limit: int | None):
    index = json.loads((folder / index_name).read_text(encoding="utf-8"))
    n = 0
    for url, case in index.items():
        for sub in ("eval", "cache"):
            path = folder / sub / case["file"]
            if path.exists():
                yield url, case, path.read_bytes()
                n += 1
                break
        if limit and n >= limit:
            return


def _needle(html: bytes, url: str):
    start = time.process_time()
    try:
        post = extract_post(html, url, fetched_at=FETCHED_AT, timezone=TZ.key, languages=LANGUAGES)
    except Exception:  # a crash is a result here, counted
        return None, time.process_time() - start
    return post, time.process_time() - start


def eval_text(folder: Path, limit: int | None) -> None:
    import trafilatura

    scores = {"needle": [0, 0, 0, 0], "trafilatura": [0, 0, 0, 0]}  # tp fn fp tn
    cpu = {"needle": [], "trafilatura": []}
    crashes = {"needle": 0, "trafilatura": 0}
    pages = 0
    for url, case, html in _cases(folder, "evaldata.json", limit):
        pages += 1
        post, spent = _needle(html, url)
        cpu["needle"].append(spent)
        if post is None:
            crashes["needle"] += 1
        ours = f"{post.title or ''}\n{post.body}" if post else ""
        start = time.process_time()
        try:
            theirs = trafilatura.extract(html.decode("utf-8", "replace"), url=url, include_comments=False) or ""
        except Exception:
            crashes["trafilatura"] += 1
            theirs = ""
        cpu["trafilatura"].append(time.process_time() - start)
        for name, text in (("needle", ours), ("trafilatura", theirs)):
            s = scores[name]
            for snippet in case.get("with", []):
                s[0 if snippet in text else 1] += 1
            for snippet in case.get("without", []):
                s[2 if snippet in text else 3] += 1
    print(f"main text: {pages} pages (trafilatura's evaluation set)")
    print(f"  {'':12} {'precision':>9} {'recall':>7} {'F1':>6} {'accuracy':>9} {'crashes':>8} {'CPU ms/page':>12}")
    for name, (tp, fn, fp, tn) in scores.items():
        precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        accuracy = (tp + tn) / max(tp + tn + fp + fn, 1)
        ms = statistics.median(cpu[name]) * 1000
        print(f"  {name:12} {precision:9.3f} {recall:7.3f} {f1:6.3f} {accuracy:9.3f} {crashes[name]:8} {ms:12.1f}")


def eval_dates(folder: Path, limit: int | None) -> None:
    from htmldate import find_date

    results = {"needle": [0, 0, 0], "htmldate": [0, 0, 0]}  # right, wrong, none
    cpu = {"needle": [], "htmldate": []}
    crashes = {"needle": 0, "htmldate": 0}
    pages = 0
    for url, case, html in _cases(folder, "eval_default.json", limit):
        pages += 1
        post, spent = _needle(html, url)
        cpu["needle"].append(spent)
        if post is None:
            crashes["needle"] += 1
        # the day as the site's readers see it (Needle keeps the instant; the sets give the day)
        ours = post.published.astimezone(TZ).date().isoformat() if post and post.published else None
        start = time.process_time()
        try:
            theirs = find_date(html.decode("utf-8", "replace"), url=url, original_date=True,
                               extensive_search=False)
        except Exception:
            crashes["htmldate"] += 1
            theirs = None
        cpu["htmldate"].append(time.process_time() - start)
        for name, got in (("needle", ours), ("htmldate", theirs)):
            results[name][0 if got == case["date"] else 2 if got is None else 1] += 1
    print(f"publication date: {pages} pages (htmldate's evaluation set)")
    print(f"  {'':12} {'right':>7} {'wrong':>6} {'none':>5} {'accuracy':>9} {'crashes':>8} {'CPU ms/page':>12}")
    for name, (right, wrong, none) in results.items():
        ms = statistics.median(cpu[name]) * 1000
        print(f"  {name:12} {right:7} {wrong:6} {none:5} {right / max(pages, 1):9.3f} {crashes[name]:8} {ms:12.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trafilatura", type=Path, help="trafilatura's tests/ folder")
    parser.add_argument("--htmldate", type=Path, help="htmldate's tests/ folder")
    parser.add_argument("--limit", type=int, help="at most this many pages per set")
    args = parser.parse_args()
    if not args.trafilatura and not args.htmldate:
        parser.error("give --trafilatura DIR and/or --htmldate DIR")
    if args.trafilatura:
        eval_text(args.trafilatura, args.limit)
    if args.htmldate:
        eval_dates(args.htmldate, args.limit)


if __name__ == "__main__":
    main()
