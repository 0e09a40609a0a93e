"""Relevance of site search on judged queries: Needle beside bare Whoosh BM25F.

    .venv/bin/python bench/relevance.py                  # crawl the sample site, judge both
    .venv/bin/python bench/relevance.py --index DIR      # an index already crawled from it
    .venv/bin/python bench/relevance.py --show           # also each query's top 10, graded
    .venv/bin/python bench/relevance.py --ablation       # also Needle with each ranking rule off

The judged queries (qrels, ``bench/qrels/sample.toml``) were written from the sample site's
posts; a post is named by its URL path, so the servers' ports do not matter. The sample
site is served on 127.0.0.1 (``sample_site.server``) and crawled with ``needle crawl``
into a temporary index, as ``./scripts/demo`` and the tests do. Both engines then answer
every query over the same posts:

- needle: ``search.search`` as the CLI and web call it (typo correction included);
- whoosh: bare Whoosh, the same analysis (lowercase, accent folding, stop words, English
  stemming) over the post's seven text fields, ``qparser.MultifieldParser`` with the same
  field boosts as bench/index_search.py, OR group, BM25F: no Needle code.

Measures (top 10; a post not judged counts as grade 0):

- NDCG@10: gains 2^grade - 1, discounted by log2(rank + 1), over the ideal order of the
  judged grades;
- MRR: 1 / the rank of the first post of grade 1 or more (0 when none is in the top 10);
- P@5: the share of the top 5 with grade 1 or more;
- all-words violations: pairs where a post containing fewer of the query's distinct words
  (stems, a one-word synonym standing for its word) ranks above a judged-relevant post
  containing all of them (counted strictly: also when the first matches in its title).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import tomllib
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

QRELS = ROOT / "bench" / "qrels" / "sample.toml"
K = 10
# the sample site's own server is on loopback: no politeness delays, short timeouts (the
# planted slow page fails fast), as tests/conftest.py crawls it
CRAWL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "false", "DOWNLOAD_DELAY": "0", "DOWNLOAD_TIMEOUT": "4", "RETRY_TIMES": "0",
}
KINDS = ("one word", "two words", "description", "synonym", "typo", "question")


def load_qrels(path: Path) -> list[dict]:
    with path.open("rb") as f:
        return tomllib.load(f)["query"]


# --- the index --------------------------------------------------------------------------


def crawl_sample_site(workdir: Path) -> Path:
    """Serve the sample site on 127.0.0.1, crawl it with ``needle crawl``; the index."""
    from sample_site.server import SampleSite

    index = workdir / "index"
    with SampleSite(mode="process", slow_seconds=9) as site:
        cmd = [sys.executable, "-m", "cli", "crawl", *site.urls.values(), "--index", str(index),
               "-o", str(workdir / "records.jsonl")]
        for name, value in CRAWL_SETTINGS.items():
            cmd += ["-s", f"{name}={value}"]
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return index


def build_bare_whoosh(posts, path: Path):
    """A plain Whoosh index of the posts and its query runner (url list for a query)."""
    from index_search import BOOSTS, _fields, _whoosh_schema
    from whoosh import index, qparser

    path.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(path), _whoosh_schema())
    with ix.writer() as writer:
        for post in posts:
            writer.add_document(url=post.url, **_fields(post))
    searcher = ix.searcher()
    parser = qparser.MultifieldParser(list(BOOSTS), searcher.schema, fieldboosts=BOOSTS,
                                      group=qparser.OrGroup)

    def run(q: str) -> list[str]:
        return [hit["url"] for hit in searcher.search(parser.parse(q), limit=K)]

    return run


def needle_runner(index: Path, rules: tuple[str, ...] | None = None, recency: bool = False):
    """Needle's search; ``rules``: the ranking rules to apply (default: Needle's own);
    ``recency``: with the recency tie-break."""
    from search import close_searchers, ranking, search

    def run(q: str) -> list[str]:
        saved = ranking.RULES
        if rules is not None:
            ranking.RULES = rules
            close_searchers()  # no cached results of other rules
        try:
            return [hit.url for hit in search(index, q, per_page=K, recency=recency).hits]
        finally:
            ranking.RULES = saved

    return run


# --- measures ---------------------------------------------------------------------------


def path_of(url: str) -> str:
    return urlsplit(url).path


def ndcg(ranked: list[str], judged: dict[str, int], k: int = K) -> float:
    dcg = sum((2 ** judged.get(p, 0) - 1) / math.log2(i + 2) for i, p in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def mrr(ranked: list[str], judged: dict[str, int], k: int = K) -> float:
    for i, p in enumerate(ranked[:k]):
        if judged.get(p, 0) >= 1:
            return 1 / (i + 1)
    return 0.0


def precision(ranked: list[str], judged: dict[str, int], k: int = 5) -> float:
    return sum(1 for p in ranked[:k] if judged.get(p, 0) >= 1) / k


class WordCheck:
    """Which of a query's distinct words a post contains (title and text), as the index
    reads them: stems, a one-word synonym standing for its word."""

    def __init__(self, posts):
        from indexer.analysis import normalize_words

        self.normalize = normalize_words
        self.terms: dict[str, set[str]] = {}
        for post in posts:
            text = " ".join([post.title or "", post.summary or "", post.body,
                             *(h.text for h in post.headings), *post.categories, *post.tags,
                             *(t for img in post.images for t in (img.alt, img.caption) if t)])
            self.terms[path_of(post.url)] = set(normalize_words(text))

    def words(self, q: str) -> list[list[tuple[str, ...]]]:
        """Each distinct word of ``q`` (stop words dropped, stemmed) as the alternatives
        that stand for it: itself, and every entry of a synonym group whose entry the
        run of typed words it belongs to is (each alternative a tuple of stems, all needed)."""
        from indexer.analysis import STOP_WORDS, load_synonyms

        synonyms = load_synonyms()
        stems = [t for w in q.replace("?", " ").split() if w.lower() not in STOP_WORDS
                 for t in self.normalize(w)]
        out: dict[str, list[tuple[str, ...]]] = {}
        i = 0
        while i < len(stems):
            for n in range(min(synonyms.longest, len(stems) - i), 0, -1):
                group = synonyms.alternatives(tuple(stems[i:i + n]))
                if group or n == 1:
                    break
            run = stems[i:i + n]
            alts = [self.normalize(entry) for entry in group or ()]
            for stem in run:
                out.setdefault(stem, [(stem,)]).extend(alts)
            i += n
        return list(out.values())

    def count(self, path: str, words: list[list[tuple[str, ...]]]) -> int:
        have = self.terms.get(path, set())
        return sum(1 for alts in words if any(all(t in have for t in alt) for alt in alts))

    def violations(self, q: str, ranked: list[str], judged: dict[str, int]) -> list[tuple[str, str]]:
        """(higher, lower) pairs breaking the all-words rule in ``ranked``."""
        words = self.words(q)
        n = len(words)
        if n < 2:
            return []
        out = []
        for j, low in enumerate(ranked):
            if judged.get(low, 0) < 1 or self.count(low, words) < n:
                continue
            for high in ranked[:j]:
                if self.count(high, words) < n:
                    out.append((high, low))
        return out


def evaluate(name: str, run, qrels: list[dict], check: WordCheck) -> dict:
    rows = []
    for item in qrels:
        ranked = [path_of(u) for u in run(item["q"])]
        judged = item["judged"]
        rows.append({
            "q": item["q"], "kind": item["kind"], "ranked": ranked,
            "ndcg": ndcg(ranked, judged), "mrr": mrr(ranked, judged), "p5": precision(ranked, judged),
            "violations": check.violations(item["q"], ranked, judged),
        })
    return {"engine": name, "rows": rows}


def summarise(result: dict) -> dict[str, dict[str, float]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in result["rows"]:
        groups["all"].append(row)
        groups[row["kind"]].append(row)
    return {
        kind: {
            "n": len(rows),
            "ndcg": sum(r["ndcg"] for r in rows) / len(rows),
            "mrr": sum(r["mrr"] for r in rows) / len(rows),
            "p5": sum(r["p5"] for r in rows) / len(rows),
            "violations": sum(len(r["violations"]) for r in rows),
        }
        for kind, rows in groups.items()
    }


def print_table(results: list[dict]) -> None:
    sums = [summarise(r) for r in results]
    names = [r["engine"] for r in results]
    print(f"| queries | n | {' | '.join(f'{n} NDCG@10 | {n} MRR | {n} P@5' for n in names)} |")
    print("|---|---:|" + "---:|" * (3 * len(names)))
    for kind in ("all", *KINDS):
        if kind not in sums[0]:
            continue
        cells = " | ".join(f"{s[kind]['ndcg']:.3f} | {s[kind]['mrr']:.3f} | {s[kind]['p5']:.3f}" for s in sums)
        label = "**all**" if kind == "all" else kind
        print(f"| {label} | {sums[0][kind]['n']} | {cells} |")
    print()
    for name, s in zip(names, sums):
        print(f"{name}: all-words violations (a post with fewer of the words above a relevant "
              f"post with all of them): {s['all']['violations']}")


def print_details(results: list[dict], qrels: list[dict]) -> None:
    for i, item in enumerate(qrels):
        print(f"\n{item['q']!r} ({item['kind']})")
        for result in results:
            row = result["rows"][i]
            grades = " ".join(str(item["judged"].get(p, 0)) for p in row["ranked"])
            print(f"  {result['engine']:7} ndcg {row['ndcg']:.3f}  grades {grades}")
            for high, low in row["violations"]:
                print(f"           violation: {high} above {low}")
        if results:
            for rank, p in enumerate(results[0]["rows"][i]["ranked"], 1):
                print(f"     {rank:2} [{item['judged'].get(p, 0)}] {p}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--qrels", type=Path, default=QRELS)
    ap.add_argument("--index", type=Path, help="a Needle index of the sample site (default: crawl it now)")
    ap.add_argument("--show", action="store_true", help="print each query's top 10 and grades")
    ap.add_argument("--ablation", action="store_true",
                    help="also measure Needle with each ranking rule left out, and with none")
    ap.add_argument("--json", type=Path, help="also write every query's figures to this file")
    args = ap.parse_args()

    from indexer.store import load_posts

    qrels = load_qrels(args.qrels)
    with tempfile.TemporaryDirectory(prefix="needle-relevance-") as tmp:
        index = args.index or crawl_sample_site(Path(tmp))
        posts = load_posts(index)
        check = WordCheck(posts)
        missing = {p for item in qrels for p in item["judged"]} - set(check.terms)
        if missing:
            sys.exit(f"judged posts the index does not hold: {sorted(missing)}")
        whoosh = build_bare_whoosh(posts, Path(tmp) / "whoosh")
        results = [evaluate("needle", needle_runner(index), qrels, check),
                   evaluate("whoosh", whoosh, qrels, check)]
        variants = []
        if args.ablation:
            from search import ranking

            rules = ranking.ALL_RULES
            subsets = [("no rules (BM25F only)", ())]
            subsets += [(" + ".join(rules[:i]), rules[:i]) for i in range(1, len(rules) + 1)]
            subsets += [(f"all but {r}", tuple(x for x in rules if x != r)) for r in rules]
            subsets += [(f"only {r}", (r,)) for r in rules[1:]]
            for name, subset in subsets:
                variants.append((name, subset, evaluate(name, needle_runner(index, subset), qrels, check)))
            name = "Needle's rules + recency tie-break"
            variants.insert(0, (name, None, evaluate(name, needle_runner(index, recency=True), qrels, check)))
    print(f"{len(qrels)} judged queries, {len(posts)} posts ({args.qrels.relative_to(ROOT)})\n")
    print_table(results)
    if variants:
        print(f"\nRanking rules (Needle's: {', '.join(ranking.RULES)}), NDCG@10 overall and per kind:\n")
        print("| rules | all | " + " | ".join(KINDS) + " | violations |")
        print("|---|---:|" + "---:|" * len(KINDS) + "---:|")
        for name, _, result in [("Needle's rules", None, results[0]), *variants]:
            s = summarise(result)
            print(f"| {name} | {s['all']['ndcg']:.4f} | "
                  + " | ".join(f"{s[k]['ndcg']:.4f}" for k in KINDS) + f" | {s['all']['violations']} |")
    if args.show:
        print_details(results, qrels)
    if args.json:
        args.json.write_text(json.dumps({"summary": {r["engine"]: summarise(r) for r in results},
                                         "results": results}, indent=1))


if __name__ == "__main__":
    main()
