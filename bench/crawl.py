"""Crawl benchmark: Needle's full crawl of a generated 2,000-post clinic blog vs `scrapy bench`.

    .venv/bin/python bench/crawl.py                  # 2,000 posts, 3 runs, medians
    .venv/bin/python bench/crawl.py --posts 500 --runs 1 --keep /tmp/needle-bench
    .venv/bin/python bench/crawl.py --profile        # plus one crawl under cProfile
    .venv/bin/python bench/crawl.py --recrawl        # full crawl, then two conditional recrawls

One run:
  1. writes a deterministic WordPress-style clinic blog (seeded) to a folder, once
     (sample_site.generated);
  2. serves it with that module's static file server on 127.0.0.1 in a child process;
  3. crawls it with `python -m cli crawl URL --no-index -o OUT.jsonl` (NEEDLE_POLITE=0: no
     robots delay, no AutoThrottle, higher concurrency; extraction and validation as usual)
     in a child process, whose wall time and peak RSS come from os.wait4;
  4. runs `scrapy bench` in the same run as the reference rate of bare Scrapy on this machine.

Targets (the issue): Needle's pages/min >= 50% of `scrapy bench`'s, peak RSS <= 300 MB.

--recrawl instead measures the conditional recrawl, with an index (a temporary folder):
a full crawl of the generated site, a recrawl of the unchanged site, and a recrawl after 5 %
of the posts (seeded choice) were rewritten with a changed paragraph; wall time, CPU time,
bytes downloaded, pages, 304s, same-bytes skips and pages extracted side by side, each
recrawl as a share of the full crawl. Targets (the issue): unchanged recrawl wall <= 20 %,
CPU <= 10 %, bytes <= 10 % of the full crawl's; 5 %-edited recrawl CPU <= 20 %. It also
checks that `needle changes --format json` lists exactly the edited posts as "changed"
(exit 3 when not).
Exit status: 0 when every crawl ran and recorded every post, 1 when a crawl failed, 2 when
a crawl ran but recorded a different number of posts than the site has.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The site and its server live with the other sample sites; generate_site is imported by
# bench/extract_profile.py from here too.
from sample_site.generated import BLOG, StaticServer, edit_posts, generate_site  # noqa: E402

TARGET_RATIO = 0.50
TARGET_RSS_MB = 300.0


# --------------------------------------------------------------------------------------
# Measuring child processes
# --------------------------------------------------------------------------------------

@dataclass
class ChildResult:
    returncode: int
    wall_s: float
    cpu_s: float  # user + system
    peak_rss_mb: float
    timed_out: bool


def run_measured(cmd: list[str], *, cwd: Path, env: dict[str, str], stdout: Path, stderr: Path,
                 timeout: float) -> ChildResult:
    """Run cmd; its wall time and peak RSS (ru_maxrss from wait4, this child only)."""
    with stdout.open("wb") as out, stderr.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # its own session: the crawl and anything it started
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            kill()  # Ctrl-C here: the child is in its own session, so it would not get the signal
            proc.wait()
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, tell Popen
    cpu = usage.ru_utime + usage.ru_stime + (_reap_orphans(proc.pid) if _SUBREAPER else 0.0)
    return ChildResult(proc.returncode, wall, cpu,
                       usage.ru_maxrss / 1024, timed_out.is_set())  # ru_maxrss is in KiB on Linux


_SUBREAPER = False


def become_subreaper() -> bool:
    """Make this process the subreaper of what it starts (Linux prctl PR_SET_CHILD_SUBREAPER):
    a descendant orphaned by the crawl's exit (multiprocessing's forkserver, and through it the
    extraction worker) is reparented here, so run_measured can reap it and count its CPU."""
    global _SUBREAPER
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        _SUBREAPER = libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        _SUBREAPER = False
    return _SUBREAPER


def _reap_orphans(session: int, grace: float = 15.0) -> float:
    """Reap the processes of this session reparented to us; their user + system CPU (each
    with its own reaped descendants). One still running after `grace` seconds is killed."""
    total, deadline = 0.0, time.monotonic() + grace
    while True:
        orphans = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and int(fields[3]) == session:  # ppid, session
                orphans.append(int(entry.name))
        if not orphans:
            return total
        for pid in orphans:
            if time.monotonic() > deadline:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                reaped, _, usage = os.wait4(pid, os.WNOHANG)
            except ChildProcessError:
                continue
            if reaped:
                total += usage.ru_utime + usage.ru_stime
        time.sleep(0.05)


@dataclass
class NeedleRun:
    pages: int
    posts: int
    unique_posts: int
    teasers: int
    errors: int
    warnings: int
    elapsed_s: float  # spider open to close, from Scrapy's stats (as scrapy bench reports)
    wall_s: float  # the whole process, interpreter start to exit
    cpu_s: float
    server_cpu_s: float | None  # the static server's CPU time during the crawl
    peak_rss_mb: float
    finish_reason: str | None
    missing: int
    errors_by_reason: dict[str, int]

    @property
    def pages_per_min(self) -> float:
        return self.pages / self.elapsed_s * 60 if self.elapsed_s else 0.0


class CrawlFailed(Exception):
    pass


def needle_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SCRAPY_SETTINGS_MODULE", None)  # let scrapy.cfg in the repo name settings.py
    env["NEEDLE_POLITE"] = "0"  # local benchmark: no robots delay, no AutoThrottle, concurrency 64
    env["NEEDLE_PROGRESS"] = "off"
    env["PYTHONHASHSEED"] = "0"
    return env


def needle_cmd(python: str, url: str, out: Path, summary: Path) -> list[str]:
    return [python, "-m", "cli", "crawl", url, "--no-index", "-o", str(out), "--summary-json", str(summary),
            "-s", "LOG_LEVEL=CRITICAL"]


def run_needle(python: str, url: str, work: Path, tag: str, post_urls: set[str], timeout: float,
               server: "StaticServer") -> NeedleRun:
    out, summary_path = work / f"needle-{tag}.jsonl", work / f"needle-{tag}.summary.json"
    stdout, stderr = work / f"needle-{tag}.stdout", work / f"needle-{tag}.stderr"
    for path in (out, summary_path):
        path.unlink(missing_ok=True)
    server_cpu = server.cpu_s()
    child = run_measured(needle_cmd(python, url, out, summary_path), cwd=ROOT, env=needle_env(),
                         stdout=stdout, stderr=stderr, timeout=timeout)
    server_after = server.cpu_s()
    server_cpu = server_after - server_cpu if server_cpu is not None and server_after is not None else None
    if child.timed_out:
        raise CrawlFailed(f"needle crawl killed after {timeout:.0f} s (see {stderr})")
    if child.returncode != 0:
        tail = stderr.read_text(errors="replace").strip().splitlines()[-15:]
        raise CrawlFailed(f"needle crawl exited {child.returncode}:\n  " + "\n  ".join(tail))
    if not summary_path.exists():
        raise CrawlFailed(f"needle crawl wrote no summary ({summary_path})")
    summary = json.loads(summary_path.read_text())
    if not summary.get("pages"):
        raise CrawlFailed("needle crawl fetched no pages")

    posts: list[str] = []
    with out.open("rb") as lines:
        for line in lines:
            if b'"type":"post"' in line[:40]:  # records start with their type: cheap filter first
                posts.append(json.loads(line)["url"])
    return NeedleRun(
        pages=summary["pages"], posts=len(posts), unique_posts=len(set(posts)),
        teasers=summary.get("teasers", 0), errors=summary.get("errors", 0),
        warnings=sum(summary.get("warnings_by_kind", {}).values()),
        elapsed_s=summary.get("elapsed_s", 0.0), wall_s=child.wall_s, cpu_s=child.cpu_s,
        server_cpu_s=server_cpu, peak_rss_mb=child.peak_rss_mb,
        finish_reason=summary.get("finish_reason"), missing=len(post_urls - set(posts)),
        errors_by_reason=summary.get("errors_by_reason", {}),
    )


@dataclass
class ReferenceRun:
    pages: int
    elapsed_s: float
    peak_rss_mb: float

    @property
    def pages_per_min(self) -> float:
        return self.pages / self.elapsed_s * 60 if self.elapsed_s else 0.0


_STAT = r"'{}':\s*([0-9.]+)"


def run_reference(scrapy: str, work: Path, tag: str, seconds: int) -> ReferenceRun | None:
    """`scrapy bench` from a folder without scrapy.cfg, so Needle's settings stay out of it."""
    bench_dir = work / "scrapy-bench"
    bench_dir.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    stdout, stderr = work / f"reference-{tag}.stdout", work / f"reference-{tag}.stderr"
    child = run_measured([scrapy, "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}", "-s", "LOG_LEVEL=INFO"],
                         cwd=bench_dir, env=env, stdout=stdout, stderr=stderr, timeout=seconds + 60)
    log = stderr.read_text(errors="replace")
    # the final stats dump, not the once-a-second "Crawled N pages (at X pages/min)" lines
    dump = log.rpartition("Dumping Scrapy stats:")[2]
    pages = re.search(_STAT.format("response_received_count"), dump)
    elapsed = re.search(_STAT.format("elapsed_time_seconds"), dump)
    if child.returncode != 0 or not pages or not elapsed:
        print(f"  reference run failed (exit {child.returncode}); see {stderr}", file=sys.stderr)
        return None
    return ReferenceRun(int(pages.group(1)), float(elapsed.group(1)), child.peak_rss_mb)


# --------------------------------------------------------------------------------------
# Profiling (optional)
# --------------------------------------------------------------------------------------

_BUCKETS = [
    ("crawler/extract + selectors", ("/crawler/extract", "/crawler/selectors")),
    ("crawler/dates", ("/crawler/dates",)),
    ("crawler/urls", ("/crawler/urls",)),
    ("crawler/ other", ("/crawler/",)),
    ("dateparser", ("/dateparser/",)),
    ("pydantic", ("/pydantic/", "/pydantic_core/")),
    ("lxml / cssselect / parsel", ("/lxml/", "lxml.etree", "/cssselect/", "/parsel/", "<lxml")),
    ("w3lib / urllib", ("/w3lib/", "/urllib/", "/tldextract/")),
    ("scrapy", ("/scrapy/",)),
    ("twisted / asyncio", ("/twisted/", "/asyncio/")),
    ("json / regex / builtins", ("<built-in", "<method", "/json/", "/re/", "~")),
]


def profile(python: str, url: str, work: Path, top: int) -> None:
    """One more crawl under cProfile; own time grouped by package, then the top functions."""
    import pstats

    prof = work / "needle.prof"
    cmd = needle_cmd(python, url, work / "needle-profile.jsonl", work / "needle-profile.summary.json")
    cmd[1:1] = ["-m", "cProfile", "-o", str(prof)]
    child = run_measured(cmd, cwd=ROOT, env=needle_env(), stdout=work / "needle-profile.stdout",
                         stderr=work / "needle-profile.stderr", timeout=900)
    if child.returncode != 0 or not prof.exists():
        print(f"profile run failed (exit {child.returncode}); see {work / 'needle-profile.stderr'}")
        return
    stats = pstats.Stats(str(prof))
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_, _, tt, _, _) in raw.values()) or 1.0
    buckets: dict[str, float] = {}
    for (filename, _, _), (_, _, tt, _, _) in raw.items():
        name = next((b for b, keys in _BUCKETS if any(k in filename for k in keys)), "other")
        buckets[name] = buckets.get(name, 0.0) + tt
    print(f"\nProfile of one crawl ({total:.1f} s of own time in Python functions; wall {child.wall_s:.1f} s)")
    for name, tt in sorted(buckets.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<28} {tt:7.2f} s  {tt / total:6.1%}")
    print(f"\nTop {top} functions by cumulative time (the full profile: {prof})")
    stats.sort_stats("cumulative").print_stats(top)
    print(f"Top {top} functions by own time")
    stats.sort_stats("tottime").print_stats(top)


# --------------------------------------------------------------------------------------
# Recrawl (--recrawl): full crawl, unchanged recrawl, recrawl after 5 % of posts changed
# --------------------------------------------------------------------------------------

RECRAWL_TARGETS = {  # (crawl, figure): the largest share of the full crawl's figure
    ("unchanged", "wall_s"): 0.20, ("unchanged", "cpu_s"): 0.10, ("unchanged", "bytes"): 0.10,
    ("edited", "cpu_s"): 0.20,
}
EDIT_SHARE = 0.05


def machine_cpu_s() -> float | None:
    """Busy CPU seconds of the whole machine so far (/proc/stat: all but idle and iowait)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        ticks = [int(f) for f in fields[:8]]  # user nice system idle iowait irq softirq steal
        return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class RecrawlRun:
    name: str
    wall_s: float  # the crawl command, interpreter start to exit
    cpu_s: float  # user + system of the crawl command and its reaped descendants (os.wait4)
    machine_cpu_s: float | None  # every process on the machine over the same time (/proc/stat)
    server_cpu_s: float | None
    peak_rss_mb: float
    summary: dict

    def figure(self, key: str) -> float:
        if key == "wall_s":
            return self.wall_s
        if key == "cpu_s":
            return self.cpu_s
        if key == "machine_cpu_s":
            return self.machine_cpu_s if self.machine_cpu_s is not None else float("nan")
        if key == "bytes":
            return float(self.summary.get("bytes_downloaded", 0))
        return float(self.summary.get(key, 0))


def run_indexed(python: str, url: str, work: Path, index: Path, name: str, timeout: float,
                server: StaticServer) -> RecrawlRun:
    summary_path = work / f"recrawl-{name}.summary.json"
    stdout, stderr = work / f"recrawl-{name}.stdout", work / f"recrawl-{name}.stderr"
    summary_path.unlink(missing_ok=True)
    cmd = [python, "-m", "cli", "crawl", url, "--index", str(index), "--summary-json", str(summary_path),
           "-s", "LOG_LEVEL=CRITICAL"]
    server_before, machine_before = server.cpu_s(), machine_cpu_s()
    child = run_measured(cmd, cwd=ROOT, env=needle_env(), stdout=stdout, stderr=stderr, timeout=timeout)
    server_after, machine_after = server.cpu_s(), machine_cpu_s()
    if child.timed_out:
        raise CrawlFailed(f"needle crawl ({name}) killed after {timeout:.0f} s (see {stderr})")
    if child.returncode != 0 or not summary_path.exists():
        tail = stderr.read_text(errors="replace").strip().splitlines()[-15:]
        raise CrawlFailed(f"needle crawl ({name}) exited {child.returncode}:\n  " + "\n  ".join(tail))
    return RecrawlRun(
        name=name, wall_s=child.wall_s, cpu_s=child.cpu_s,
        machine_cpu_s=machine_after - machine_before if None not in (machine_before, machine_after) else None,
        server_cpu_s=server_after - server_before if None not in (server_before, server_after) else None,
        peak_rss_mb=child.peak_rss_mb, summary=json.loads(summary_path.read_text()),
    )


def changed_urls(python: str, index: Path) -> tuple[set[str], dict[str, int]]:
    """URLs `needle changes --format json` lists as "changed" in the latest crawl, and the
    count of every kind of change it lists."""
    proc = subprocess.run([python, "-m", "cli", "changes", "--index", str(index), "--format", "json"],
                          cwd=ROOT, env=needle_env(), capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise CrawlFailed(f"needle changes exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    rows = json.loads(proc.stdout or "[]")
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[row["change"]] = kinds.get(row["change"], 0) + 1
    return {row["url"] for row in rows if row["change"] == "changed"}, kinds


def recrawl_bench(args: argparse.Namespace, python: str, work: Path) -> int:
    import random

    subreaper = become_subreaper()
    site, index = work / "site", work / "index"
    if index.exists():
        shutil.rmtree(index)
    runs: list[RecrawlRun] = []
    loads: list[float] = []
    with StaticServer(site) as server:
        info, paths = generate_site(site, server.origin, args.posts, args.seed)
        url = server.origin + BLOG
        print(f"site: {info.posts} posts, {info.listing_pages} listing pages, {info.bytes / 2**20:.1f} MiB; "
              f"index {index}")
        loads.append(os.getloadavg()[0])
        runs.append(run_indexed(python, url, work, index, "full", args.timeout, server))
        print(f"  full crawl: {runs[-1].wall_s:.1f} s")
        loads.append(os.getloadavg()[0])
        runs.append(run_indexed(python, url, work, index, "unchanged", args.timeout, server))
        print(f"  unchanged recrawl: {runs[-1].wall_s:.1f} s")
        edited = sorted(random.Random(args.seed).sample(paths, max(1, round(len(paths) * EDIT_SHARE))))
        edit_posts(site, edited, "Update: our clinic has revised this article with the latest advice.")
        edited_urls = {server.origin + p for p in edited}
        loads.append(os.getloadavg()[0])
        runs.append(run_indexed(python, url, work, index, "edited", args.timeout, server))
        print(f"  recrawl after editing {len(edited)} posts: {runs[-1].wall_s:.1f} s")
        listed, kinds = changed_urls(python, index)

    full = runs[0]
    names = {"full": "full crawl", "unchanged": "unchanged", "edited": f"{len(edited)} edited"}
    rows = [
        ("wall time (s)", "wall_s", "{:.1f}"),
        ("CPU, crawl + children (s)", "cpu_s", "{:.1f}"),
        ("CPU, whole machine (s)", "machine_cpu_s", "{:.1f}"),
        ("bytes downloaded (MiB)", "bytes", "{:.2f}"),
        ("pages", "pages", "{:.0f}"),
        ("304 not modified", "not_modified", "{:.0f}"),
        ("same bytes (200)", "same_bytes", "{:.0f}"),
        ("pages extracted", "extracted", "{:.0f}"),
        ("posts recorded", "posts", "{:.0f}"),
    ]
    print(f"\nconditional recrawl, {args.posts} posts, NEEDLE_POLITE=0, with an index "
          f"(load average before each crawl: {', '.join(f'{x:.1f}' for x in loads)} on {os.cpu_count()} CPUs)")
    head = f"  {'':<27}" + "".join(f"{names[r.name]:>13}" for r in runs) + "   " + \
        "".join(f"{names[r.name] + ' / full':>24}" for r in runs[1:])
    print(head)
    missed = []
    for label, key, fmt in rows:
        values = [r.figure(key) / (2**20 if key == "bytes" else 1) for r in runs]
        line = f"  {label:<27}" + "".join(f"{fmt.format(v):>13}" for v in values) + "   "
        for r in runs[1:]:
            base = full.figure(key)
            share = r.figure(key) / base if base else float("nan")
            target = RECRAWL_TARGETS.get((r.name, key))
            note = ""
            if target is not None:
                ok = share <= target
                note = f" ({'ok' if ok else 'MISS'} <={target:.0%})"
                if not ok:
                    missed.append(f"{names[r.name]} {label}: {share:.1%} of full, target <= {target:.0%}")
            cell = "-" if key == "posts" or share != share else f"{share:.1%}" + note
            line += f"{cell:>24}"
        print(line)
    print("  CPU, crawl + children: user + system from os.wait4 of the crawl command and of its descendants "
          + ("(this process is their subreaper: the forkserver and extraction worker left behind at the crawl's "
             "exit are reaped here and counted). " if subreaper else
             "(no subreaper: descendants the crawl does not reap itself are NOT counted). ")
          + "CPU, whole machine: /proc/stat busy "
          "time over the same span (the static server and anything else running included); static server "
          "CPU: " + ", ".join(f"{r.server_cpu_s:.1f} s" if r.server_cpu_s is not None else "-" for r in runs))
    print("  index posts: " + "; ".join(f"{names[r.name]} {r.summary.get('index_posts', {})}" for r in runs))
    print("  peak RSS: " + ", ".join(f"{r.peak_rss_mb:.0f} MB" for r in runs)
          + "; crawl ids: " + ", ".join(str(r.summary.get("crawl_id")) for r in runs))

    ok_changes = listed == edited_urls
    print(f"\nneedle changes after the edit: {len(listed)} listed as changed, {len(edited_urls)} edited; "
          f"all kinds listed: {kinds}")
    if ok_changes:
        print("  changed URLs == edited URLs: yes")
    else:
        print(f"  changed URLs == edited URLs: NO (edited, not listed: {len(edited_urls - listed)}, "
              f"listed, not edited: {len(listed - edited_urls)}; e.g. "
              f"{sorted(edited_urls - listed)[:3]} {sorted(listed - edited_urls)[:3]})")
    if missed:
        print("\ntargets missed:\n  " + "\n  ".join(missed))
    else:
        print("\nall recrawl targets met")
    if args.keep:
        print(f"  site, index, summaries and logs: {work}")
    return 0 if ok_changes else 3


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------

def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=2000, help="posts in the generated blog (default 2000)")
    parser.add_argument("--runs", type=int, default=3, help="Needle crawls and reference runs (default 3)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="write the site, the records and the logs here and keep them")
    parser.add_argument("--seed", type=int, default=20261125, help="generator seed (same seed, same site)")
    parser.add_argument("--reference-seconds", type=int, default=10,
                        help="how long each `scrapy bench` runs (CLOSESPIDER_TIMEOUT, default 10)")
    parser.add_argument("--no-reference", action="store_true", help="skip `scrapy bench`")
    parser.add_argument("--profile", action="store_true", help="then one more crawl under cProfile")
    parser.add_argument("--timeout", type=float, default=600, help="kill a crawl after this many seconds")
    parser.add_argument("--recrawl", action="store_true",
                        help="instead: full crawl, unchanged recrawl and 5%%-edited recrawl, with an index")
    args = parser.parse_args(argv)

    # on SIGTERM unwind like Ctrl-C, so the server and the crawl in progress are killed too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bindir = Path(sys.executable).parent
    python, scrapy = sys.executable, str(bindir / "scrapy")
    if not Path(scrapy).exists():
        scrapy = shutil.which("scrapy") or "scrapy"

    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="needle-crawl-bench-"))
    site = work / "site"
    if site.exists():
        shutil.rmtree(site)  # a kept folder from an earlier run: same seed, fresh files
    site.mkdir(parents=True)
    if args.recrawl:
        try:
            return recrawl_bench(args, python, work)
        except CrawlFailed as exc:
            print(f"\nFAILED: {exc}", file=sys.stderr)
            return 1
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    needle_runs: list[NeedleRun] = []
    ref_runs: list[ReferenceRun] = []
    loads: list[float] = []
    try:
        with StaticServer(site) as server:
            info, _ = generate_site(site, server.origin, args.posts, args.seed)
            print(f"site: {info.posts} posts, {info.listing_pages} listing pages, "
                  f"{info.html_pages} pages under {BLOG} in all, {info.bytes / 2**20:.1f} MiB "
                  f"(post page {info.post_bytes / max(info.posts, 1) / 1024:.0f} KiB on average), "
                  f"written in {info.seconds:.1f} s")
            print(f"      {server.origin}{BLOG}  (folder {site})")
            print(f"{'run':>4} {'needle pages':>12} {'posts':>6} {'s':>6} {'pages/min':>9} {'peak RSS':>9}"
                  f" | {'reference pages/min':>19} {'ratio':>6} | {'load':>4}")
            for r in range(1, args.runs + 1):
                # other work on the machine slows both sides; the 1-minute load average shows it
                loads.append(os.getloadavg()[0])
                run = run_needle(python, server.origin + BLOG, work, str(r), info.post_urls, args.timeout, server)
                needle_runs.append(run)
                ref = None if args.no_reference else run_reference(scrapy, work, str(r), args.reference_seconds)
                if ref:
                    ref_runs.append(ref)
                ratio = f"{run.pages_per_min / ref.pages_per_min:6.2f}" if ref else "     -"
                print(f"{r:>4} {run.pages:>12} {run.posts:>6} {run.elapsed_s:>6.1f} {run.pages_per_min:>9.0f} "
                      f"{run.peak_rss_mb:>6.0f} MB | {ref.pages_per_min if ref else float('nan'):>19.0f} {ratio} | "
                      f"{loads[-1]:4.1f}", flush=True)
            if args.profile:
                profile(python, server.origin + BLOG, work, 30)
    except CrawlFailed as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    last = needle_runs[-1]
    needle_ppm = _median([r.pages_per_min for r in needle_runs])
    ref_ppm = _median([r.pages_per_min for r in ref_runs])
    ratio = needle_ppm / ref_ppm if ref_runs else float("nan")
    rss = _median([r.peak_rss_mb for r in needle_runs])
    print(f"\nmedians of {len(needle_runs)} runs ({args.posts} posts):")
    rows = [
        ("Needle pages/min (full extraction)", f"{needle_ppm:,.0f}", ""),
        ("Needle pages/s", f"{needle_ppm / 60:,.1f}", ""),
        ("Needle crawl time (spider open to close)", f"{_median([r.elapsed_s for r in needle_runs]):.1f} s", ""),
        ("Needle process wall time", f"{_median([r.wall_s for r in needle_runs]):.1f} s", ""),
        ("Needle CPU per page", f"{_median([r.cpu_s / r.pages * 1000 for r in needle_runs]):.1f} ms",
         "user + system, whole process"),
        ("static server CPU during the crawl",
         f"{_median([r.server_cpu_s for r in needle_runs if r.server_cpu_s is not None]):.1f} s", ""),
        ("scrapy bench pages/min (reference)", f"{ref_ppm:,.0f}" if ref_runs else "-", ""),
        ("ratio Needle / reference", f"{ratio:.2f}" if ref_runs else "-",
         ("target >= 0.50: " + ("met" if ratio >= TARGET_RATIO else "MISSED")) if ref_runs else ""),
        ("Needle peak RSS", f"{rss:.0f} MB",
         f"target <= 300 MB: {'met' if rss <= TARGET_RSS_MB else 'MISSED'}"),
    ]
    for name, value, note in rows:
        print(f"  {name:<42} {value:>10}  {note}")
    print(f"  last run: {last.pages} pages, {last.posts} posts ({last.unique_posts} distinct), "
          f"{last.teasers} teasers, {last.errors} crawl errors {last.errors_by_reason or ''}, "
          f"{last.warnings} warnings, finish reason {last.finish_reason}")
    if args.keep:
        print(f"  records, summaries and logs: {work}")
    if max(loads, default=0) > 1.0:
        print(f"  note: the load average reached {max(loads):.1f} on {os.cpu_count()} CPUs before a run: other "
              "processes shared the machine, so absolute rates are low; the ratio, measured under the same "
              "load in alternation, is the steadier figure")

    short = [r for r in needle_runs if r.missing or r.posts != args.posts]
    if short:
        print(f"\nINCOMPLETE: a crawl recorded {short[0].posts} posts, {short[0].missing} of the site's "
              f"{args.posts} missing", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
