"""Start-up: how long a short `needle` command takes from the shell, beside the same job
done by a script that calls the libraries directly.

    .venv/bin/python bench/startup.py                 # 10 rounds
    .venv/bin/python bench/startup.py --rounds 20

Every figure is the wall time of a whole child process (interpreter start, imports, work,
exit), as a person at a prompt or a script calling `needle` in a loop sees it, with the
child's CPU time (user + system) beside it: on a machine other jobs share, CPU moves much
less with the load than wall time. The rows
run in rounds, one of each per round, so load from other jobs falls on all of them alike:

- python: ``python -c pass``, the interpreter's own floor;
- needle --help;
- needle search: ``needle search Q --index DIR`` on an index of ``--posts`` generated
  posts (bench/corpus.py), a different query each time; reference: a script that opens
  the same index with plain Whoosh and prints the top 10 titles for the same query;
- needle extract: ``needle extract PAGE --url U`` for each saved page in tests/pages/
  (one process per page); reference: a script that runs trafilatura (main text and
  metadata) and htmldate on the same page.

The children read compiled bytecode, as an installed Needle does after its first run: they
cache it in a folder of their own (PYTHONPYCACHEPREFIX, written by one untimed round), even
where PYTHONDONTWRITEBYTECODE is set, which would have Needle's modules compiled from source
at every start while the libraries' come compiled. ``--no-bytecode-cache`` keeps the
environment as it is.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

PAGES = sorted((ROOT / "tests" / "pages").glob("*.html"))

WHOOSH_SEARCH = """
import sys
from whoosh import index
from whoosh.qparser import MultifieldParser, OrGroup
ix = index.open_dir(sys.argv[1], indexname="MAIN")
with ix.searcher() as s:
    q = MultifieldParser(["title", "text"], ix.schema, group=OrGroup).parse(sys.argv[2])
    for hit in s.search(q, limit=10):
        print(hit.get("title"))
"""

LIBRARY_EXTRACT = """
import sys
import htmldate, trafilatura
html = open(sys.argv[1], "rb").read()
print(trafilatura.extract(html, url=sys.argv[2], with_metadata=True, output_format="json"))
print(htmldate.find_date(html, url=sys.argv[2]))
"""


def needle_cmd() -> list[str]:
    script = Path(sys.executable).with_name("needle")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one child process."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed, _children_cpu() - cpu


def build_index(path: Path, posts: int) -> None:
    from corpus import generate_posts

    from indexer.rebuild import rebuild

    rebuild(path, generate_posts(posts), procs=1)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="rounds of every row (default 10)")
    parser.add_argument("--posts", type=int, default=200, help="posts in the searched index (default 200)")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="run the children in this environment as it is (see above)")
    args = parser.parse_args()

    from corpus import generate_queries

    needle = needle_cmd()
    queries = generate_queries(args.rounds)
    times: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="needle-startup-") as tmp:
        index = Path(tmp) / "index"
        build_index(index, args.posts)
        env = None
        if not args.no_bytecode_cache:
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "bytecode")
        for r in range(-1 if env else 0, args.rounds):  # round -1: untimed, writes the bytecode
            q = queries[r % len(queries)]
            rows = {
                "python -c pass": [[sys.executable, "-c", "pass"]],
                "needle --help": [[*needle, "--help"]],
                "needle search": [[*needle, "search", q, "--index", str(index)]],
                "  bare Whoosh search script": [[sys.executable, "-c", WHOOSH_SEARCH, str(index), q]],
                "needle extract (per page)": [
                    [*needle, "extract", str(p), "--url", f"https://clinic.example/blog/{p.stem}/"] for p in PAGES],
                "  trafilatura + htmldate script (per page)": [
                    [sys.executable, "-c", LIBRARY_EXTRACT, str(p), f"https://clinic.example/blog/{p.stem}/"]
                    for p in PAGES],
            }
            for name, cmds in rows.items():
                if r < 0:
                    timed(cmds[0], env)
                    continue
                for cmd in cmds:
                    wall, cpu = timed(cmd, env)
                    times.setdefault(name, []).append(wall)
                    cpus.setdefault(name, []).append(cpu)

    load = os.getloadavg()[0]
    print(f"start-up, {args.rounds} rounds, {len(PAGES)} saved pages, {args.posts}-post index; "
          f"load average {load_before:.2f} -> {load:.2f} on {os.cpu_count()} CPUs; "
          f"bytecode {'as the environment has it' if env is None else 'cached'}")
    print(f"{'command':45} {'n':>4} {'mean s':>8} {'median s':>9} {'p95 s':>7} {'CPU mean s':>11} {'CPU median s':>13}")
    for name, values in times.items():
        print(f"{name:45} {len(values):4} {statistics.mean(values):8.3f} {statistics.median(values):9.3f} "
              f"{pct(values, 95):7.3f} {statistics.mean(cpus[name]):11.3f} {statistics.median(cpus[name]):13.3f}")
    ratios = [("needle search", "  bare Whoosh search script"),
              ("needle extract (per page)", "  trafilatura + htmldate script (per page)")]
    for ours, ref in ratios:
        print(f"{ours}: {statistics.mean(times[ours]) / statistics.mean(times[ref]):.2f}x the reference's mean wall, "
              f"{statistics.mean(cpus[ours]) / statistics.mean(cpus[ref]):.2f}x its mean CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
