"""Index build rate and query latency: Needle vs bare Whoosh vs tantivy-py.

    .venv/bin/python bench/index_search.py --posts 2000 --runs 3
    .venv/bin/python bench/index_search.py --posts 50000

Each engine builds and queries in its own processes (build, then query), so peak RSS is
separable. Every engine indexes the same generated posts (bench/corpus.py) in the same
text fields (title, summary, headings, captions, body; body stored) with the same
analysis (lowercase, accent folding, stop words, English stemming) and answers the same
200 queries of 1-3 clinic words, OR-ed over those fields with the same boosts, taking
the top 10 with a highlighted body snippet each.

- needle: ``indexer.rebuild.rebuild`` (all cores) and ``search.search`` (also exact total,
  facets by year and category, suggestion check; result cache cleared before each query)
- needle-nofacets: the same with ``facets=False``
- needle-warm: the same as needle, with the background warm-up ``needle serve`` runs
  (``search.warmup``: the commonest words' impacts and bitsets) started when the index is
  opened; "cold first" is measured while it runs, then the 200 queries start once it has
  finished ("warm-up s" says how long it took)
- needle-cold: the same as needle, but every query starts without the caches Needle keeps
  per index generation (term impacts, match bitsets, facet sets): what the first queries
  after each commit cost, without warm-up

"CPU p50/p95" are the querying thread's CPU time per query, beside the wall times: on a
machine other jobs share they move much less with the load.

``--needle-index DIR`` queries an existing Needle index of the same generated posts (e.g.
bench/out/web-index-50000, which bench/web.py keeps) instead of building one; its build
columns are then empty.
- whoosh: the same analyzers in a plain Whoosh schema, no Needle code
- tantivy: tantivy-py with an equivalent analyzer (simple tokenizer, lowercase, ASCII
  folding, English stop words, English stemmer)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

ENGINES = ("needle", "whoosh", "tantivy")
BOOSTS = {"title": 4.0, "headings": 2.0, "category": 2.0, "tag": 2.0, "summary": 1.5, "captions": 1.2, "body": 1.0}


def _rss_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"rss_mb": round(own, 1), "children_rss_mb": round(children, 1)}


def _size_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def _fields(post) -> dict:
    return {
        "title": post.title or "",
        "summary": post.summary or "",
        "headings": "\n".join(h.text for h in post.headings),
        "captions": "\n".join(i.alt or "" for i in post.images),
        "body": post.body,
        "category": ", ".join(post.categories),
        "tag": ", ".join(post.tags),
    }


# --- build ------------------------------------------------------------------------------


def build(engine: str, posts, path: Path, procs: int) -> None:
    if engine.startswith("needle"):
        from indexer.rebuild import rebuild

        rebuild(path, posts, procs=procs)
    elif engine == "whoosh":
        from whoosh import index

        ix = index.create_in(str(path), _whoosh_schema())
        kwargs = {"procs": procs, "multisegment": True} if procs > 1 else {}
        writer = ix.writer(limitmb=256, **kwargs)
        for post in posts:
            writer.add_document(url=post.url, **_fields(post))
        writer.commit()
    else:
        import tantivy

        ix = tantivy.Index(_tantivy_schema(), path=str(path))
        _tantivy_register(ix)
        writer = ix.writer(heap_size=256_000_000, num_threads=procs)
        for post in posts:
            writer.add_document(tantivy.Document(url=post.url, **_fields(post)))
        writer.commit()
        writer.wait_merging_threads()


def _whoosh_analyzer():
    from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
    from whoosh.lang.stopwords import stoplists
    from whoosh.support.charset import accent_map

    return (
        RegexTokenizer(r"\w+(?:\.\w+)*") | LowercaseFilter() | CharsetFilter(accent_map)
        | StopFilter(stoplist=stoplists["en"] | stoplists["fr"], minsize=2)
        | StemFilter(lang="en", cachesize=100_000)
    )


def _whoosh_schema():
    from whoosh.fields import ID, TEXT, Schema

    a = _whoosh_analyzer()
    return Schema(
        url=ID(stored=True, unique=True), title=TEXT(analyzer=a, stored=True),
        summary=TEXT(analyzer=a), headings=TEXT(analyzer=a), captions=TEXT(analyzer=a),
        body=TEXT(analyzer=a, stored=True), category=TEXT(analyzer=a), tag=TEXT(analyzer=a),
    )


def _tantivy_schema():
    import tantivy

    b = tantivy.SchemaBuilder()
    b.add_text_field("url", stored=True, tokenizer_name="raw")
    for name in BOOSTS:
        b.add_text_field(name, stored=name in ("title", "body"), tokenizer_name="clinic")
    return b.build()


def _tantivy_register(ix) -> None:
    import tantivy

    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stopword("english")).filter(tantivy.Filter.stemmer("english"))
        .build()
    )
    ix.register_tokenizer("clinic", analyzer)


# --- query ------------------------------------------------------------------------------


def make_runner(engine: str, path: Path):
    """Open the index; return run(query) -> list of (url, snippet) for the top 10."""
    if engine.startswith("needle"):
        import search.query as sq

        from search import cache, warmup

        facets = engine != "needle-nofacets"
        cold = engine == "needle-cold"
        warmer = warmup.start(path) if engine == "needle-warm" else None

        def run(q):
            sq._results_cache.clear()  # every query does its full work
            if cold:
                cache.clear()
                handle = sq.index_handle(path)
                handle.shared = cache.generation(handle.path, handle.generation)
            r = sq.search(path, q, per_page=10, facets=facets)
            return [(h.url, h.snippet) for h in r.hits]

        run.warmer = warmer
        return run
    if engine == "whoosh":
        from whoosh import index, qparser
        from whoosh.highlight import ContextFragmenter, Highlighter, HtmlFormatter

        searcher = index.open_dir(str(path)).searcher()
        parser = qparser.MultifieldParser(list(BOOSTS), searcher.schema, fieldboosts=BOOSTS, group=qparser.OrGroup)
        hl = Highlighter(fragmenter=ContextFragmenter(maxchars=240, surround=70),
                         formatter=HtmlFormatter(tagname="mark", between=" … "))

        def run(q):
            results = searcher.search(parser.parse(q), limit=10)
            return [(h["url"], hl.highlight_hit(h, "body", top=2)) for h in results]

        return run
    import tantivy

    ix = tantivy.Index.open(str(path))
    _tantivy_register(ix)
    searcher = ix.searcher()
    schema = ix.schema

    def run(q):
        query = ix.parse_query(q, default_field_names=list(BOOSTS), field_boosts=BOOSTS)
        result = searcher.search(query, 10, count=True)
        gen = tantivy.SnippetGenerator.create(searcher, query, schema, "body")
        out = []
        for _score, address in result.hits:
            doc = searcher.doc(address)
            out.append((doc["url"][0], gen.snippet_from_doc(doc).to_html()))
        return out

    return run


def query_phase(engine: str, path: Path) -> dict:
    from corpus import generate_queries

    queries = generate_queries(200)
    t0 = time.perf_counter()
    run = make_runner(engine, path)
    first = run(queries[0])
    cold_ms = (time.perf_counter() - t0) * 1000
    assert first, "the first query found nothing"
    warm = {}
    warmer = getattr(run, "warmer", None)
    if warmer is not None:
        assert warmer.wait(timeout=600), "the warm-up did not finish"
        warm = {"warmup_s": round(time.perf_counter() - t0, 2)}
        warmer.stop()
    latencies, cpu = [], []
    for q in queries:
        t, c = time.perf_counter(), time.thread_time()
        run(q)
        latencies.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    latencies.sort()
    cpu.sort()

    def pct(p, values=latencies):
        return round(values[min(len(values) - 1, int(p / 100 * len(values)))], 2)

    # CPU time of the querying thread: on a machine other jobs share, wall times swing
    # with the load; CPU time much less (the warm-up thread is not counted)
    return {"cold_first_ms": round(cold_ms, 1), "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
            "cpu_p50_ms": pct(50, cpu), "cpu_p95_ms": pct(95, cpu), **warm, **_rss_mb()}


def build_phase(engine: str, path: Path, posts_count: int, procs: int) -> dict:
    from corpus import generate_posts

    posts = generate_posts(posts_count)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu0 = _cpu_s()
    t = time.perf_counter()
    build(engine, posts, path, procs)
    seconds = time.perf_counter() - t
    cpu = _cpu_s() - cpu0
    return {"build_s": round(seconds, 2), "posts_per_s": round(posts_count / seconds, 1),
            "cpu_ms_per_post": round(cpu / posts_count * 1000, 3),
            "size_mb": _size_mb(path), "corpus_rss_mb": round(base_rss, 1), **_rss_mb()}


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (both engines' writer
    processes are children it waits for): on a shared machine, posts per CPU second
    compare the engines where posts per wall second swing with the other jobs."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


# --- driver -----------------------------------------------------------------------------


def _profile_writers(engine: str, out: Path) -> None:
    """cProfile each writer process of the build, one stats file per process in ``out``
    (read them with ``python -m pstats``). Needle's writers are fresh interpreters
    started by indexer.rebuild; bare Whoosh's are forked multiprocessing tasks."""
    out.mkdir(parents=True, exist_ok=True)
    if engine.startswith("needle"):
        import indexer.rebuild as rb

        rb._WORKER_MAIN = rb._WORKER_MAIN.replace(
            "worker_main(spec)",
            "import cProfile, os; cProfile.run('worker_main(spec)', "
            f"{str(out / (engine + '-'))!r} + str(os.getpid()) + '.prof')")
    elif engine == "whoosh":
        import cProfile

        from whoosh import multiproc

        run = multiproc.SubWriterTask.run

        def profiled(self):
            cProfile.runctx("run(self)", globals(), {"run": run, "self": self},
                            str(out / f"whoosh-{os.getpid()}.prof"))

        multiproc.SubWriterTask.run = profiled


def child(args) -> None:
    path = Path(args.dir)
    if args.child == "build":
        if args.profile:
            _profile_writers(args.engine, Path(args.profile))
        out = build_phase(args.engine, path, args.posts, args.procs)
    else:
        out = query_phase(args.engine, path)
    print(json.dumps(out))


def _child(phase: str, engine: str, path: Path, posts: int, procs: int, profile: Path | None = None) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", phase, "--engine", engine, "--dir", str(path),
         "--posts", str(posts), "--procs", str(procs)] + (["--profile", str(profile)] if profile else []),
        capture_output=True, text=True, check=False,
    )
    if proc.returncode:
        raise SystemExit(f"{engine} {phase} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=1, help="repeat and report medians")
    ap.add_argument("--procs", type=int, default=2, help="writer processes/threads for builds")
    ap.add_argument("--engines", default="needle,needle-nofacets,needle-warm,needle-cold,whoosh,tantivy")
    ap.add_argument("--needle-index", type=Path,
                    help="query this existing Needle index (same generated posts) instead of building one")
    ap.add_argument("--json", help="also write the raw figures to this file")
    ap.add_argument("--build-only", action="store_true", help="build each engine's index, skip the queries")
    ap.add_argument("--profile", type=Path,
                    help="cProfile every writer process of the builds into this folder (one .prof each)")
    ap.add_argument("--child", choices=("build", "query"), help=argparse.SUPPRESS)
    ap.add_argument("--engine", help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return

    engines = args.engines.split(",")
    raw: dict[str, list[dict]] = {e: [] for e in engines}
    work = Path(tempfile.mkdtemp(prefix="needle-bench-"))
    try:
        for run in range(args.runs):
            built: dict[str, Path] = {}
            for engine in engines:
                kind = "needle" if engine.startswith("needle") else engine
                if kind == "needle" and args.needle_index and kind not in built:
                    built[kind] = args.needle_index.resolve()
                    build_fig = {}
                elif kind not in built:
                    path = work / f"{kind}-{run}"
                    path.mkdir()
                    b = _child("build", kind, path, args.posts, args.procs, args.profile)
                    built[kind] = path
                    build_fig = b
                else:
                    firsts = [raw[e][-1]["build"] for e in engines if e.startswith("needle") and raw[e]]
                    build_fig = firsts[0] if firsts else {}
                q = {} if args.build_only else _child("query", engine, built[kind], args.posts, args.procs)
                raw[engine].append({"build": build_fig, "query": q})
                print(f"run {run + 1} {engine}: {json.dumps(build_fig)} {json.dumps(q)}", file=sys.stderr)
            for kind, path in built.items():
                if not (kind == "needle" and args.needle_index):
                    shutil.rmtree(path)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def med(engine, phase, key):
        values = [r[phase].get(key) for r in raw[engine] if r[phase].get(key) is not None]
        return statistics.median(values) if values else float("nan")

    print(f"\n{args.posts} posts, {args.runs} run(s), medians; builds with {args.procs} processes/threads; "
          f"{os.cpu_count()} CPUs; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    header = f"{'engine':<16}{'build posts/s':>14}{'posts/CPU s':>12}{'size MB':>9}{'build RSS MB':>14}" \
             f"{'cold first ms':>15}{'warm-up s':>11}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}" \
             f"{'CPU p50':>9}{'CPU p95':>9}{'query RSS MB':>14}"
    print(header)
    for e in engines:
        build_rss = med(e, "build", "rss_mb")
        kids = med(e, "build", "children_rss_mb")
        rss = f"{build_rss:.0f}" + (f"+{kids:.0f}" if kids and kids > 1 else "")
        cpu_ms = med(e, 'build', 'cpu_ms_per_post')
        print(f"{e:<16}{med(e, 'build', 'posts_per_s'):>14.0f}{1000 / cpu_ms if cpu_ms else float('nan'):>12.0f}{med(e, 'build', 'size_mb'):>9.1f}{rss:>14}"
              f"{med(e, 'query', 'cold_first_ms'):>15.1f}{med(e, 'query', 'warmup_s'):>11.2f}{med(e, 'query', 'p50_ms'):>9.2f}"
              f"{med(e, 'query', 'p95_ms'):>9.2f}{med(e, 'query', 'p99_ms'):>9.2f}"
              f"{med(e, 'query', 'cpu_p50_ms'):>9.2f}{med(e, 'query', 'cpu_p95_ms'):>9.2f}"
              f"{med(e, 'query', 'rss_mb'):>14.0f}")
    if "whoosh" in engines and any(e.startswith("needle") for e in engines) and not args.needle_index:
        needle = next(e for e in engines if e.startswith("needle"))
        print(f"build, Needle / bare Whoosh (both {args.procs} writer processes fed by the main one): "
              f"{med(needle, 'build', 'posts_per_s') / med('whoosh', 'build', 'posts_per_s'):.2f}x posts/s, "
              f"{med('whoosh', 'build', 'cpu_ms_per_post') / med(needle, 'build', 'cpu_ms_per_post'):.2f}x "
              "posts per CPU second")
    if args.json:
        Path(args.json).write_text(json.dumps({"posts": args.posts, "runs": raw}, indent=2))


if __name__ == "__main__":
    main()
