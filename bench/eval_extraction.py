"""Extraction quality on real-world pages, beside the libraries made for each job.

Public evaluation sets of saved web pages from sites nobody on the team wrote. None is
bundled (nor to be copied into this repository): check the repositories out elsewhere
and point at them.

* ``--trafilatura DIR`` (trafilatura's ``tests/``): ``evaldata.json`` + ``eval/``/``cache/``.
  Per page, snippets the main text must contain and snippets (navigation, footers,
  comments) it must not: Needle's body beside ``trafilatura.extract`` (neither holds the
  title, which is scored on its own; Needle's title + body is printed too). Most pages
  also have their title, author and date: Needle's beside ``trafilatura.bare_extraction``
  (metadata) and ``htmldate.find_date`` (date).
* ``--htmldate DIR`` (htmldate's ``tests/``): ``eval_default.json`` (``eval/``, ``cache/``)
  and ``eval_mediacloud_2020.json`` (``test_set/``), each page's publication day: Needle's
  ``published`` beside ``htmldate.find_date``.
* ``--aeb DIR`` (scrapinghub/article-extraction-benchmark's checkout): ``ground-truth.json``
  + ``html/*.html.gz``, each page's article body; scored as that benchmark scores it
  (4-word shingles, precision/recall averaged per page): Needle's body beside
  ``trafilatura.extract``.

    python bench/eval_extraction.py --trafilatura ~/src/trafilatura/tests \\
        --htmldate ~/src/htmldate/tests --aeb ~/src/article-extraction-benchmark [--limit N]

Prints, per set, Needle beside the library for each field the set has gold for, crash
counts and CPU time per page, then one Markdown table of every set (``--markdown``).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.extract import extract_post  # noqa: E402

# The sets are mostly German, English and French news and blogs.
LANGUAGES = ["de", "en", "fr"]
FETCHED_AT = datetime(2024, 1, 1, tzinfo=timezone.utc)
TZ = ZoneInfo("Europe/Berlin")

SUMMARY: list[tuple[str, str, str, str]] = []  # set, measure, needle, library
DUMP: list[dict] = []  # per page, with --dump: what each side said beside the gold


def _timed(fn, *args, **kwargs):
    start = time.process_time()
    try:
        result = fn(*args, **kwargs)
    except Exception:  # a crash is a result here, counted
        result = CRASH
    return result, time.process_time() - start


CRASH = object()


def _needle(html: bytes, url: str):
    return _timed(extract_post, html, url, fetched_at=FETCHED_AT, timezone=TZ.key, languages=LANGUAGES)


def _digest(post) -> str | None:
    """The whole record's JSON, hashed: two trees' dumps agree on it only when every
    field of every record is the same (the other dump fields are what the scores read)."""
    return hashlib.sha256(post.model_dump_json().encode()).hexdigest() if post else None


def _day(post) -> str | None:
    """The publication day as the page writes it, which is what the sets and htmldate give:
    Needle keeps the instant with the offset the page wrote (a New York post of
    22:28-05:00 is of the 8th, not of the 9th in Berlin); a date written without an offset
    is local to TZ."""
    return post.published.date().isoformat() if post and post.published else None


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f}" if values else "-"


# --------------------------------------------------------------------------- scoring

def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


_NAME_JOINERS = {"and", "und", "et", "y", "&"}


def author_key(text: str | None) -> Counter:
    """An author line as a bag of words: names joined by ';', ',' or 'and' in any order."""
    words = re.findall(r"\w+", (text or "").casefold())
    return Counter(w for w in words if w not in _NAME_JOINERS)


def title_key(text: str | None) -> str:
    return " ".join(re.findall(r"\w+", (text or "").casefold()))


_TOKEN = re.compile(r"\w+", re.UNICODE)


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def shingle_scores(true: str, pred: str) -> tuple[float, float, float]:
    """article-extraction-benchmark's per-page (tp, fp, fn) over 4-word shingles, normalised."""
    t, p = _shingles(true), _shingles(pred)
    tp = fp = fn = 0.0
    for key in set(t) | set(p):
        tp += min(t[key], p[key])
        fp += max(0, p[key] - t[key])
        fn += max(0, t[key] - p[key])
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def _aeb_metrics(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    def precision(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    p = statistics.mean([precision(*r) for r in rows if r[0] + r[1] > 0] or [0])
    r = statistics.mean([recall(*r) for r in rows if r[0] + r[2] > 0] or [0])
    return p, r, 2 * p * r / max(p + r, 1e-9)


def _prf(tp: int, fn: int, fp: int) -> tuple[float, float, float]:
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return p, r, 2 * p * r / max(p + r, 1e-9)


# --------------------------------------------------------------------------- sets

def _cases(folder: Path, index_name: str, subdirs: tuple[str, ...], limit: int | None):
    index = json.loads((folder / index_name).read_text(encoding="utf-8"))
    n = 0
    for url, case in index.items():
        for sub in subdirs:
            path = folder / sub / case["file"]
            if path.exists():
                yield url, case, path.read_bytes()
                n += 1
                break
        if limit and n >= limit:
            return


def eval_trafilatura(folder: Path, limit: int | None) -> None:
    """trafilatura's set: text snippets, and title/author/date where the set has them."""
    import trafilatura
    from htmldate import find_date

    name = "trafilatura"
    # tp fn fp; Needle's body beside trafilatura's text (neither has the title), and
    # Needle's title + body as scored before the title was measured on its own
    text = {"needle": [0, 0, 0], "trafilatura": [0, 0, 0], "needle title+body": [0, 0, 0]}
    fields = {f: {"needle": 0, "trafilatura": 0, "htmldate": 0, "htmldate extensive": 0, "n": 0}
              for f in ("title", "author", "date")}
    cpu = {"needle": [], "trafilatura": []}
    crashes = Counter()
    pages = 0
    for url, case, html in _cases(folder, "evaldata.json", ("eval", "cache"), limit):
        pages += 1
        post, spent = _needle(html, url)
        cpu["needle"].append(spent)
        if post is CRASH:
            crashes["needle"] += 1
            post = None
        ours = post.body if post else ""
        titled = f"{post.title or ''}\n{post.body}" if post else ""
        theirs, spent = _timed(trafilatura.extract, html.decode("utf-8", "replace"), url=url,
                               include_comments=False)
        cpu["trafilatura"].append(spent)
        if theirs is CRASH:
            crashes["trafilatura"] += 1
        theirs = theirs if isinstance(theirs, str) else ""
        for who, got in (("needle", _norm(ours)), ("trafilatura", _norm(theirs)),
                         ("needle title+body", _norm(titled))):
            for snippet in case.get("with", []):
                text[who][0 if _norm(snippet) in got else 1] += 1
            for snippet in case.get("without", []):
                text[who][2] += _norm(snippet) in got
        row = {"set": name, "url": url, "needle_record": _digest(post), "needle_title": post.title if post else None,
               "needle_author": post.author if post else None, "needle_date": _day(post),
               "needle_date_source": post.published_source.value if post and post.published_source else None,
               "gold_title": case.get("title"), "gold_author": case.get("author"), "gold_date": case.get("date"),
               "missed": [s for s in case.get("with", []) if _norm(s) not in _norm(ours)],
               "leaked": [s for s in case.get("without", []) if _norm(s) in _norm(ours)]}
        DUMP.append(row)
        if not any(case.get(f) for f in fields):
            continue
        doc, _ = _timed(trafilatura.bare_extraction, html, url=url, with_metadata=True)
        doc = None if doc is CRASH else doc
        if case.get("title"):
            fields["title"]["n"] += 1
            gold = title_key(case["title"])
            fields["title"]["needle"] += title_key(post.title if post else None) == gold
            fields["title"]["trafilatura"] += title_key(getattr(doc, "title", None)) == gold
        if case.get("author"):
            fields["author"]["n"] += 1
            gold_author = author_key("; ".join(case["author"]) if isinstance(case["author"], list)
                                     else case["author"])
            fields["author"]["needle"] += author_key(post.author if post else None) == gold_author
            fields["author"]["trafilatura"] += author_key(getattr(doc, "author", None)) == gold_author
        if case.get("date"):
            fields["date"]["n"] += 1
            fields["date"]["needle"] += _day(post) == case["date"]
            fields["date"]["trafilatura"] += getattr(doc, "date", None) == case["date"]
            found, _ = _timed(find_date, html.decode("utf-8", "replace"), url=url, original_date=True,
                              extensive_search=False)
            fields["date"]["htmldate"] += found == case["date"]
            deep, _ = _timed(find_date, html.decode("utf-8", "replace"), url=url, original_date=True,
                             extensive_search=True)
            fields["date"]["htmldate extensive"] += deep == case["date"]
            row["htmldate_date"] = found if isinstance(found, str) else None
        row.update(traf_title=getattr(doc, "title", None), traf_author=getattr(doc, "author", None),
                   traf_date=getattr(doc, "date", None))
    print(f"{name}: {pages} pages (trafilatura's evaluation set)")
    print(f"  main text         {'precision':>9} {'recall':>7} {'F1':>6} {'crashes':>8} {'CPU ms/page':>12}")
    scores = {}
    for who, (tp, fn, fp) in text.items():
        scores[who] = _prf(tp, fn, fp)
        p, r, f1 = scores[who]
        print(f"  {who:17} {p:9.3f} {r:7.3f} {f1:6.3f} {crashes[who.split()[0]]:8} "
              f"{_ms(cpu[who.split()[0]]):>12}")
    SUMMARY.append((f"{name} ({pages})", "body P / R / F1", "{:.3f} / {:.3f} / {:.3f}".format(*scores["needle"]),
                    "{:.3f} / {:.3f} / {:.3f} trafilatura".format(*scores["trafilatura"])))
    for field, counts in fields.items():
        n = counts["n"]
        if not n:
            continue
        others = ["trafilatura", "htmldate", "htmldate extensive"] if field == "date" else ["trafilatura"]
        line = "  ".join(f"{who} {counts[who] / n:.3f}" for who in others)
        print(f"  {field:13} on {n} pages: needle {counts['needle'] / n:.3f}  {line}")
        SUMMARY.append((f"{name} ({n})", f"{field} accuracy", f"{counts['needle'] / n:.3f}",
                        ", ".join(f"{counts[who] / n:.3f} {who}" for who in others)))


def eval_dates(folder: Path, index_name: str, subdirs: tuple[str, ...], label: str, limit: int | None) -> None:
    from htmldate import find_date

    # htmldate as the target is set (fast), and its extensive search, which Needle's
    # last fallback also runs, for the record
    results = {"needle": [0, 0, 0], "htmldate": [0, 0, 0], "htmldate extensive": [0, 0, 0]}  # right, wrong, none
    cpu = {"needle": [], "htmldate": [], "htmldate extensive": []}
    crashes = Counter()
    pages = 0
    for url, case, html in _cases(folder, index_name, subdirs, limit):
        pages += 1
        post, spent = _needle(html, url)
        cpu["needle"].append(spent)
        if post is CRASH:
            crashes["needle"] += 1
            post = None
        theirs, spent = _timed(find_date, html.decode("utf-8", "replace"), url=url, original_date=True,
                               extensive_search=False)
        cpu["htmldate"].append(spent)
        if theirs is CRASH:
            crashes["htmldate"] += 1
            theirs = None
        deep, spent = _timed(find_date, html.decode("utf-8", "replace"), url=url, original_date=True,
                             extensive_search=True)
        cpu["htmldate extensive"].append(spent)
        deep = None if deep is CRASH else deep
        DUMP.append({"set": label, "url": url, "needle_record": _digest(post),
                     "gold_date": case["date"], "needle_date": _day(post),
                     "needle_date_source": post.published_source.value if post and post.published_source else None,
                     "htmldate_date": theirs})
        for who, got in (("needle", _day(post)), ("htmldate", theirs), ("htmldate extensive", deep)):
            results[who][0 if got == case["date"] else 2 if got is None else 1] += 1
    print(f"{label}: {pages} pages, publication date")
    print(f"  {'':18} {'right':>7} {'wrong':>6} {'none':>5} {'accuracy':>9} {'crashes':>8} {'CPU ms/page':>12}")
    for who, (right, wrong, none) in results.items():
        print(f"  {who:18} {right:7} {wrong:6} {none:5} {right / max(pages, 1):9.3f} {crashes[who]:8} "
              f"{_ms(cpu[who]):>12}")
    SUMMARY.append((f"{label} ({pages})", "date accuracy", f"{results['needle'][0] / max(pages, 1):.3f}",
                    f"{results['htmldate'][0] / max(pages, 1):.3f} htmldate "
                    f"({results['htmldate extensive'][0] / max(pages, 1):.3f} extensive)"))


def eval_aeb(folder: Path, limit: int | None) -> None:
    """article-extraction-benchmark: whole article bodies, 4-word shingles."""
    import trafilatura

    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    rows = {"needle": [], "trafilatura": []}
    cpu = {"needle": [], "trafilatura": []}
    crashes = Counter()
    for n, (key, case) in enumerate(sorted(truth.items())):
        if limit and n >= limit:
            break
        html = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
        post, spent = _needle(html, case["url"])
        cpu["needle"].append(spent)
        if post is CRASH:
            crashes["needle"] += 1
            post = None
        theirs, spent = _timed(trafilatura.extract, html.decode("utf-8", "replace"), url=case["url"],
                               include_comments=False)
        cpu["trafilatura"].append(spent)
        if theirs is CRASH:
            crashes["trafilatura"] += 1
        theirs = theirs if isinstance(theirs, str) else ""
        rows["needle"].append(shingle_scores(case.get("articleBody", ""), post.body if post else ""))
        DUMP.append({"set": "aeb", "url": case["url"], "file": key, "needle": rows["needle"][-1],
                     "needle_record": _digest(post)})
        rows["trafilatura"].append(shingle_scores(case.get("articleBody", ""), theirs))
        DUMP[-1]["trafilatura"] = rows["trafilatura"][-1]
    pages = len(rows["needle"])
    print(f"aeb: {pages} pages (article-extraction-benchmark), body by 4-word shingles")
    print(f"  {'':12} {'precision':>9} {'recall':>7} {'F1':>6} {'crashes':>8} {'CPU ms/page':>12}")
    scores = {}
    for who in rows:
        scores[who] = _aeb_metrics(rows[who])
        p, r, f1 = scores[who]
        print(f"  {who:12} {p:9.3f} {r:7.3f} {f1:6.3f} {crashes[who]:8} {_ms(cpu[who]):>12}")
    SUMMARY.append((f"article-extraction-benchmark ({pages})", "body P / R / F1",
                    "{:.3f} / {:.3f} / {:.3f}".format(*scores["needle"]),
                    "{:.3f} / {:.3f} / {:.3f} trafilatura".format(*scores["trafilatura"])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trafilatura", type=Path, help="trafilatura's tests/ folder")
    parser.add_argument("--htmldate", type=Path, help="htmldate's tests/ folder")
    parser.add_argument("--aeb", type=Path, help="article-extraction-benchmark's checkout")
    parser.add_argument("--limit", type=int, help="at most this many pages per set")
    parser.add_argument("--dump", type=Path, help="write every page's results here (JSON lines)")
    args = parser.parse_args()
    if not (args.trafilatura or args.htmldate or args.aeb):
        parser.error("give --trafilatura DIR, --htmldate DIR and/or --aeb DIR")
    if args.trafilatura:
        eval_trafilatura(args.trafilatura, args.limit)
    if args.htmldate:
        eval_dates(args.htmldate, "eval_default.json", ("eval", "cache"), "htmldate", args.limit)
        if (args.htmldate / "eval_mediacloud_2020.json").exists():
            eval_dates(args.htmldate, "eval_mediacloud_2020.json", ("test_set",), "htmldate mediacloud 2020",
                       args.limit)
    if args.aeb:
        eval_aeb(args.aeb, args.limit)
    print()
    print("| set (pages) | measure | Needle | library |")
    print("|---|---|---|---|")
    for row in SUMMARY:
        print("| " + " | ".join(row) + " |")
    if args.dump:
        args.dump.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in DUMP), encoding="utf-8")


if __name__ == "__main__":
    main()
