"""Crawl benchmark: Needle's full crawl of a generated 2,000-post clinic blog beside a bare
Scrapy spider crawling the same site in the same run.

    .venv/bin/python bench/crawl.py                  # 2,000 posts, 3 runs of each, medians
    .venv/bin/python bench/crawl.py --posts 500 --runs 1 --keep /tmp/needle-bench
    .venv/bin/python bench/crawl.py --runs 0 --profile   # one crawl, both processes under cProfile
    .venv/bin/python bench/crawl.py --recrawl        # full crawl, then two conditional recrawls

One run:
  1. writes a deterministic WordPress-style clinic blog (seeded) to a folder, once
     (sample_site.generated);
  2. serves it with that module's static file server on 127.0.0.1 in a child process;
  3. crawls it with `python -m cli crawl URL --no-index -o OUT.jsonl` (NEEDLE_POLITE=0: no
     robots delay, no AutoThrottle, higher concurrency; extraction and validation as usual)
     in a child process;
  4. then crawls it with a bare Scrapy spider (bare_spider_main: every link under /blog/
     once, url and <title>, Needle's concurrency, Scrapy's defaults otherwise) from a folder
     without scrapy.cfg; the two alternate, run after run, so both see the same load.
  For each crawl: pages/s (pages over spider open to close, from Scrapy's stats), the
  machine's busy CPU from /proc/stat over the crawl command's life per page and as the
  share of all cores, the same from the crawl's own processes (the crawl, the extraction
  worker it started, reaped here as their subreaper, and the static server), peak RSS.
  `--scrapy-bench` adds `scrapy bench` as a second reference.

Targets (the issue): Needle >= 0.6x the bare spider's pages/s; machine CPU <= 12 ms a page;
cores >= 85 % busy; crawl peak RSS <= 300 MB.

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

TARGET_RATIO = 0.60  # Needle's pages/s over the bare Scrapy spider's, same site, same run
TARGET_CPU_MS = 12.0  # machine CPU per crawled page
TARGET_BUSY = 0.85  # of all cores, during the crawl
TARGET_RSS_MB = 300.0


# --------------------------------------------------------------------------------------
# Measuring child processes
# --------------------------------------------------------------------------------------

@dataclass
class ChildResult:
    returncode: int
    wall_s: float
    cpu_s: float  # user + system, with the reaped descendants' when this process is their subreaper
    peak_rss_mb: float  # the child itself
    timed_out: bool
    machine_cpu_s: float | None = None  # busy CPU of the whole machine over the same span (/proc/stat)
    descendants_peak_rss_mb: float = 0.0  # the largest reaped descendant (the extraction worker)
    span_s: float = 0.0  # start to the last descendant reaped: the span machine_cpu_s covers
    descendants_cpu_s: float = 0.0  # of cpu_s, the reaped descendants' (the extraction worker's)


def run_measured(cmd: list[str], *, cwd: Path, env: dict[str, str], stdout: Path, stderr: Path,
                 timeout: float) -> ChildResult:
    """Run cmd; its wall time and peak RSS (ru_maxrss from wait4, this child only)."""
    with stdout.open("wb") as out, stderr.open("wb") as err:
        machine_before = machine_cpu_s()
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
    orphans_cpu, orphans_rss = _reap_orphans(proc.pid) if _SUBREAPER else (0.0, 0.0)
    # the orphans (forkserver, worker) outlive the crawl by a moment: the machine's busy time
    # is read after they are reaped, so it covers them too
    span = time.perf_counter() - started
    machine_after = machine_cpu_s()
    machine = machine_after - machine_before if None not in (machine_before, machine_after) else None
    cpu = usage.ru_utime + usage.ru_stime + orphans_cpu
    return ChildResult(proc.returncode, wall, cpu, usage.ru_maxrss / 1024,  # ru_maxrss is in KiB on Linux
                       timed_out.is_set(), machine, orphans_rss / 1024, span, orphans_cpu)


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


def _reap_orphans(session: int, grace: float = 15.0) -> tuple[float, float]:
    """Reap the processes of this session reparented to us; their user + system CPU (each
    with its own reaped descendants) and the largest peak RSS (KiB). One still running after
    `grace` seconds is killed."""
    total, rss, deadline = 0.0, 0.0, time.monotonic() + grace
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
            return total, rss
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
                rss = max(rss, float(usage.ru_maxrss))
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
    cpu_s: float  # the crawl command and its reaped descendants (forkserver, extraction worker)
    server_cpu_s: float | None  # the static server's CPU time during the crawl
    peak_rss_mb: float  # the crawl process
    finish_reason: str | None
    missing: int
    errors_by_reason: dict[str, int]
    machine_cpu_s: float | None = None  # /proc/stat busy time over span_s
    span_s: float = 0.0
    worker_peak_rss_mb: float = 0.0
    worker_cpu_s: float = 0.0  # of cpu_s: forkserver and extraction worker

    @property
    def pages_per_min(self) -> float:
        return self.pages / self.elapsed_s * 60 if self.elapsed_s else 0.0

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.elapsed_s if self.elapsed_s else 0.0


class CrawlFailed(Exception):
    pass


EXTRACT_WORKERS: str | None = None  # --workers: NEEDLE_EXTRACT_WORKERS for Needle's crawls


def needle_env() -> dict[str, str]:
    env = dict(os.environ)
    if EXTRACT_WORKERS is not None:
        env["NEEDLE_EXTRACT_WORKERS"] = EXTRACT_WORKERS
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
        machine_cpu_s=child.machine_cpu_s, span_s=child.span_s, worker_peak_rss_mb=child.descendants_peak_rss_mb,
        worker_cpu_s=child.descendants_cpu_s,
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
# The bare-Scrapy reference: the same site, the same concurrency, nothing of Needle's
# --------------------------------------------------------------------------------------

@dataclass
class BareRun:
    pages: int
    items: int
    elapsed_s: float  # spider open to close, from Scrapy's stats
    wall_s: float
    cpu_s: float  # the spider's process, user + system (os.wait4)
    machine_cpu_s: float | None
    span_s: float
    server_cpu_s: float | None
    peak_rss_mb: float

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.elapsed_s if self.elapsed_s else 0.0


def needle_concurrency(python: str) -> tuple[int, int]:
    """CONCURRENT_REQUESTS and its per-domain value of Needle's benchmark crawl (NEEDLE_POLITE=0)."""
    out = subprocess.run([python, "-c", "import settings; print(settings.CONCURRENT_REQUESTS, "
                                        "settings.CONCURRENT_REQUESTS_PER_DOMAIN)"],
                         cwd=ROOT, env=needle_env(), capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), int(out[1])


def bare_spider_main(url: str, out: Path, concurrency: int, per_domain: int) -> int:
    """The reference crawl, in its own process: a bare Scrapy spider that follows every
    link under the blog's folder once (a seen-set of its own, query and fragment dropped)
    and yields url and <title>.
    Run from a folder without scrapy.cfg and given its settings whole, so nothing of
    Needle's (middlewares, pipelines, settings.py) is loaded."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    prefix = url.rstrip("/") + "/"

    class BareBlogSpider(scrapy.Spider):
        name = "bare_blog"

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seen = {url}

        async def start(self):
            yield scrapy.Request(url)

        def parse(self, response):
            yield {"url": response.url, "title": response.css("title::text").get()}
            for href in response.css("a::attr(href)").getall():
                # the site is static: a query (?replytocom=) names the same page, as Needle reads it
                link = response.urljoin(href).partition("#")[0].partition("?")[0]
                if link.startswith(prefix) and link not in self.seen:
                    self.seen.add(link)
                    yield scrapy.Request(link)

    settings = {
        "CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": per_domain,
        "DOWNLOAD_DELAY": 0, "ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "CRITICAL",  # as Needle's crawl here
        "FEEDS": {str(out / "bare.jsonl"): {"format": "jsonlines", "overwrite": True}},
    }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareBlogSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    (out / "bare.stats.json").write_text(json.dumps({
        "pages": stats.get("response_received_count", 0), "items": stats.get("item_scraped_count", 0),
        "elapsed_s": stats.get("elapsed_time_seconds", 0.0),
    }))
    return 0


def run_bare(python: str, url: str, work: Path, tag: str, timeout: float, server: StaticServer,
             concurrency: tuple[int, int]) -> BareRun:
    folder = work / f"bare-{tag}"  # no scrapy.cfg here or above it
    folder.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    env["PYTHONHASHSEED"] = "0"
    server_before = server.cpu_s()
    child = run_measured([python, str(Path(__file__).resolve()), "--bare-spider", url, "--bare-out", str(folder),
                          "--bare-concurrency", f"{concurrency[0]},{concurrency[1]}"],
                         cwd=folder, env=env, stdout=folder / "stdout", stderr=folder / "stderr", timeout=timeout)
    server_after = server.cpu_s()
    stats_path = folder / "bare.stats.json"
    if child.returncode != 0 or not stats_path.exists():
        tail = (folder / "stderr").read_text(errors="replace").strip().splitlines()[-15:]
        raise CrawlFailed(f"bare Scrapy crawl exited {child.returncode}:\n  " + "\n  ".join(tail))
    stats = json.loads(stats_path.read_text())
    return BareRun(
        pages=stats["pages"], items=stats["items"], elapsed_s=stats["elapsed_s"], wall_s=child.wall_s,
        cpu_s=child.cpu_s, machine_cpu_s=child.machine_cpu_s, span_s=child.span_s,
        server_cpu_s=server_after - server_before if None not in (server_before, server_after) else None,
        peak_rss_mb=child.peak_rss_mb,
    )


# --------------------------------------------------------------------------------------
# Profiling (optional)
# --------------------------------------------------------------------------------------

# own time of each function, by the first entry that matches its file (crawl process first)
_BUCKETS = [
    ("extraction: parsing (page, decode)", ("/crawler/page.py", "/crawler/decode.py", "lxml.html", "<lxml")),
    ("extraction: main text, trafilatura's", ("/trafilatura/", "/justext/")),
    ("extraction: main text, Needle's container", ("/crawler/content.py", "/crawler/text.py")),
    ("extraction: dates", ("/crawler/dates", "/dateparser/", "/htmldate/", "/dateutil/", "/regex/")),
    ("extraction: selectors, page kind, listings",
     ("/crawler/matching.py", "/crawler/selectors.py", "/crawler/kind.py", "/crawler/listings.py")),
    ("extraction: metadata, links, contacts",
     ("/crawler/metadata.py", "/crawler/bylines.py", "/crawler/links.py", "/crawler/contacts.py",
      "/crawler/pages.py", "/crawler/urls.py", "/crawler/extract.py", "/courlan/", "/tld")),
    ("records: pydantic (validation, JSON)", ("/pydantic/", "/pydantic_core/", "/crawler/records.py")),
    ("serialisation to/from the worker", ("/multiprocessing/", "/concurrent/futures/", "pickle", "_pickle",
                                          "/crawler/work.py")),
    ("spider, pipelines, exporter (Needle)", ("/crawler/",)),
    ("lxml / parsel (Scrapy's selectors)", ("/lxml/", "lxml.etree", "/cssselect/", "/parsel/")),
    ("w3lib / urllib", ("/w3lib/", "/urllib/", "/tldextract/")),
    ("Scrapy", ("/scrapy/",)),
    ("Twisted / asyncio / selectors", ("/twisted/", "/asyncio/", "/selectors.py", "select.epoll")),
    ("json / re / builtins", ("<built-in", "<method", "/json/", "/re/", "~")),
]  # "json / re / builtins" and "other": counted for their callers where the profile knows them

# the extraction worker profiles itself when it starts from this hook (the forkserver imports
# sitecustomize from PYTHONPATH, and the workers it forks inherit the patched Process.run)
_WORKER_HOOK = """import os
_dir = os.environ.get("BENCH_WORKER_PROFILE_DIR")
if _dir:
    import multiprocessing.process as _process
    _run = _process.BaseProcess.run

    def _profiled_run(self):
        import cProfile
        import time
        profile = cProfile.Profile(time.process_time)  # CPU: time waiting for pages is not work
        profile.enable()
        try:
            return _run(self)
        finally:
            profile.disable()
            profile.dump_stats(os.path.join(_dir, "worker-%d.prof" % os.getpid()))

    _process.BaseProcess.run = _profiled_run
"""


_GENERIC = ("json / re / builtins", "other")


def _buckets(stats) -> tuple[float, dict[str, float]]:
    """Own time by stage. A builtin's or the standard library's own time (a regex, a
    str method, lxml's C calls) goes to the stage of the function that called it."""
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_, _, tt, _, _) in raw.values()) or 1.0

    def bucket_of(func) -> str:
        filename, _, name = func
        where = f"{filename}:{name}"
        return next((b for b, keys in _BUCKETS if any(k in where for k in keys)), "other")

    buckets: dict[str, float] = {}
    for func, (_, _, tt, _, callers) in raw.items():
        own = bucket_of(func)
        if own not in _GENERIC or not callers:
            buckets[own] = buckets.get(own, 0.0) + tt
            continue
        by_caller = {caller: data[2] for caller, data in callers.items()}  # this func's own time per caller
        share = sum(by_caller.values()) or 1.0
        for caller, caller_tt in by_caller.items():
            bucket = bucket_of(caller)
            buckets[bucket] = buckets.get(bucket, 0.0) + tt * caller_tt / share
    return total, buckets


def profile(python: str, url: str, work: Path, top: int) -> None:
    """One more crawl, the crawl process and the extraction worker each under cProfile: own
    time by stage, in ms per crawled page, for each process; then the top functions."""
    import pstats

    prof, hook = work / "needle.prof", work / "profile-hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(_WORKER_HOOK)
    for old in hook.glob("worker-*.prof"):
        old.unlink()
    env = needle_env()
    env["BENCH_WORKER_PROFILE_DIR"] = str(hook)
    env["PYTHONPATH"] = str(hook) + os.pathsep + env.get("PYTHONPATH", "")
    summary_path = work / "needle-profile.summary.json"
    cmd = needle_cmd(python, url, work / "needle-profile.jsonl", summary_path)
    # python -m cProfile times by the wall clock, which counts the reactor's waits as work
    cmd[1:3] = ["-c", "import cProfile, runpy, sys, time\n"
                      "profile = cProfile.Profile(time.process_time)\n"
                      "sys.argv[0] = 'cli'\n"
                      "profile.enable()\n"
                      "try:\n    runpy.run_module('cli', run_name='__main__', alter_sys=True)\n"
                      f"finally:\n    profile.disable()\n    profile.dump_stats({str(prof)!r})\n"]
    child = run_measured(cmd, cwd=ROOT, env=env, stdout=work / "needle-profile.stdout",
                         stderr=work / "needle-profile.stderr", timeout=900)
    if child.returncode != 0 or not prof.exists():
        print(f"profile run failed (exit {child.returncode}); see {work / 'needle-profile.stderr'}")
        return
    pages = json.loads(summary_path.read_text()).get("pages") or 1
    processes = [("crawl process", pstats.Stats(str(prof)))]
    workers = sorted(hook.glob("worker-*.prof"))
    if workers:
        processes.append((f"extraction worker{'s' if len(workers) > 1 else ''}",
                          pstats.Stats(*map(str, workers))))
    else:
        print("  (no worker profile: extraction ran in the crawl process, or the worker did not exit cleanly)")
    print(f"\nProfile of one crawl, {pages} pages (cProfile's own CPU time; it slows Python calls, so the "
          f"split matters, not the sum; wall {child.wall_s:.1f} s, CPU of every process {child.cpu_s:.1f} s)")
    for name, stats in processes:
        total, buckets = _buckets(stats)
        print(f"  {name}: {total:.1f} s, {total / pages * 1000:.2f} ms per page")
        for bucket, tt in sorted(buckets.items(), key=lambda kv: -kv[1]):
            print(f"    {bucket:<42} {tt / pages * 1000:6.2f} ms  {tt / total:6.1%}")
    for name, stats in processes:
        print(f"\n{name}: top {top} functions by cumulative time (profiles: {prof}, {hook})")
        stats.sort_stats("cumulative").print_stats(top)
        print(f"{name}: top {top} functions by own time")
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


def _own(run: "NeedleRun | BareRun") -> float:
    return run.cpu_s + (run.server_cpu_s or 0.0)


def _per_page(cpu: float | None, pages: int, width: int = 9) -> str:
    return f"{cpu / pages * 1000:>{width - 3}.1f} ms" if cpu is not None and pages else f"{'-':>{width}}"


def _busy(cpu: float | None, span: float, cores: int) -> str:
    return f"{cpu / (span * cores):>5.0%}" if cpu is not None and span else f"{'-':>5}"


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
    parser.add_argument("--workers", metavar="N",
                        help="NEEDLE_EXTRACT_WORKERS for Needle's crawls (default: the setting's own)")
    parser.add_argument("--scrapy-bench", action="store_true",
                        help="also run `scrapy bench` after each pair of crawls (a second reference)")
    parser.add_argument("--bare-spider", metavar="URL", help=argparse.SUPPRESS)  # the reference's own process
    parser.add_argument("--bare-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bare-concurrency", default="64,64", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help="then one more crawl under cProfile")
    parser.add_argument("--timeout", type=float, default=600, help="kill a crawl after this many seconds")
    parser.add_argument("--recrawl", action="store_true",
                        help="instead: full crawl, unchanged recrawl and 5%%-edited recrawl, with an index")
    args = parser.parse_args(argv)
    if args.bare_spider:
        total, per_domain = (int(x) for x in args.bare_concurrency.split(","))
        return bare_spider_main(args.bare_spider, args.bare_out, total, per_domain)

    global EXTRACT_WORKERS
    EXTRACT_WORKERS = args.workers
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
    bare_runs: list[BareRun] = []
    ref_runs: list[ReferenceRun] = []
    loads: list[tuple[float, float]] = []  # 1-minute load average before Needle's and the bare crawl
    cores = os.cpu_count() or 1
    subreaper = become_subreaper()
    concurrency = needle_concurrency(python)
    try:
        with StaticServer(site) as server:
            info, _ = generate_site(site, server.origin, args.posts, args.seed)
            url = server.origin + BLOG
            print(f"site: {info.posts} posts, {info.listing_pages} listing pages, "
                  f"{info.html_pages} pages under {BLOG} in all, {info.bytes / 2**20:.1f} MiB "
                  f"(post page {info.post_bytes / max(info.posts, 1) / 1024:.0f} KiB on average), "
                  f"written in {info.seconds:.1f} s")
            print(f"      {url}  (folder {site}); concurrency {concurrency[0]} ({concurrency[1]} per site) "
                  f"for both crawlers; {cores} CPUs")
            print(f"{'':>4} {'Needle':-^52} | {'bare Scrapy':-^45} |")
            print(f"{'run':>4} {'pages':>6} {'pages/s':>8} {'CPU/page':>9} {'own':>6} {'busy':>5} {'own':>5} "
                  f"{'RSS':>7} | {'pages':>6} {'pages/s':>8} {'CPU/page':>9} {'own':>6} {'busy':>5} {'own':>5} | "
                  f"{'ratio':>5} | {'load':>9}")
            for r in range(1, args.runs + 1):
                # alternate, so both crawlers see the same load; the 1-minute load average shows it
                load_needle = os.getloadavg()[0]
                run = run_needle(python, url, work, str(r), info.post_urls, args.timeout, server)
                needle_runs.append(run)
                load_bare = os.getloadavg()[0]
                bare = run_bare(python, url, work, str(r), args.timeout, server, concurrency)
                bare_runs.append(bare)
                loads.append((load_needle, load_bare))
                ref = run_reference(scrapy, work, str(r), args.reference_seconds) if args.scrapy_bench else None
                if ref:
                    ref_runs.append(ref)
                print(f"{r:>4} {run.pages:>6} {run.pages_per_s:>8.1f} {_per_page(run.machine_cpu_s, run.pages)} "
                      f"{_per_page(_own(run), run.pages, 6)} {_busy(run.machine_cpu_s, run.span_s, cores)} "
                      f"{_busy(_own(run), run.span_s, cores)} {run.peak_rss_mb:>4.0f} MB | "
                      f"{bare.pages:>6} {bare.pages_per_s:>8.1f} {_per_page(bare.machine_cpu_s, bare.pages)} "
                      f"{_per_page(_own(bare), bare.pages, 6)} {_busy(bare.machine_cpu_s, bare.span_s, cores)} "
                      f"{_busy(_own(bare), bare.span_s, cores)} | {run.pages_per_s / bare.pages_per_s:5.2f} | "
                      f"{load_needle:4.1f} {load_bare:4.1f}"
                      + (f" | scrapy bench {ref.pages_per_min / 60:.0f} pages/s" if ref else ""), flush=True)
            if args.profile:
                profile(python, url, work, 30)
    except CrawlFailed as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    if not needle_runs:  # --runs 0 --profile: the profile alone
        return 0
    last = needle_runs[-1]
    n_rate, b_rate = _median([r.pages_per_s for r in needle_runs]), _median([r.pages_per_s for r in bare_runs])
    ratio = _median([n.pages_per_s / b.pages_per_s for n, b in zip(needle_runs, bare_runs)])
    n_cpu = _median([r.machine_cpu_s / r.pages * 1000 for r in needle_runs if r.machine_cpu_s is not None])
    b_cpu = _median([r.machine_cpu_s / r.pages * 1000 for r in bare_runs if r.machine_cpu_s is not None])
    n_own = _median([_own(r) / r.pages * 1000 for r in needle_runs])
    b_own = _median([_own(r) / r.pages * 1000 for r in bare_runs])
    n_busy = _median([r.machine_cpu_s / (r.span_s * cores) for r in needle_runs if r.machine_cpu_s is not None])
    b_busy = _median([r.machine_cpu_s / (r.span_s * cores) for r in bare_runs if r.machine_cpu_s is not None])
    n_own_busy = _median([_own(r) / (r.span_s * cores) for r in needle_runs])
    b_own_busy = _median([_own(r) / (r.span_s * cores) for r in bare_runs])
    rss = _median([r.peak_rss_mb for r in needle_runs])

    # the machine's CPU beyond the crawl's own processes: other people's work, which /proc/stat
    # counts (the load average cannot tell: the crawl's own processes keep it near the cores)
    measured = [r for r in needle_runs + bare_runs if r.machine_cpu_s]
    others = _median([max(r.machine_cpu_s - _own(r), 0) / r.machine_cpu_s for r in measured]) if measured else 0.0
    shared = others > 0.05

    def verdict(ok: bool, machine: bool = False) -> str:
        return ("met" if ok else "MISSED") + (f" (other processes used {others:.0%} of the machine's CPU "
                                              "during the runs: it counts here)" if machine and shared else "")

    print(f"\nmedians of {len(needle_runs)} runs ({args.posts} posts; load average before the runs "
          f"{min(min(x) for x in loads):.1f}-{max(max(x) for x in loads):.1f} on {cores} CPUs):")
    print(f"  {'':<44} {'Needle':>10} {'bare Scrapy':>12}")
    rows = [
        ("pages", f"{last.pages}", f"{bare_runs[-1].pages}", ""),
        ("pages/s (spider open to close)", f"{n_rate:.1f}", f"{b_rate:.1f}", ""),
        ("ratio Needle / bare Scrapy (median of runs)", f"{ratio:.2f}", "",
         f"target >= {TARGET_RATIO:.2f}: {verdict(ratio >= TARGET_RATIO)}"),
        ("machine CPU per page (/proc/stat)", f"{n_cpu:.1f} ms", f"{b_cpu:.1f} ms",
         f"target <= {TARGET_CPU_MS:.0f} ms: {verdict(n_cpu <= TARGET_CPU_MS, True)}"),
        ("own CPU per page (crawl + worker + server)", f"{n_own:.1f} ms", f"{b_own:.1f} ms", ""),
        ("  of which the crawl process", f"{_median([(r.cpu_s - r.worker_cpu_s) / r.pages * 1000 for r in needle_runs]):.1f} ms",
         f"{_median([r.cpu_s / r.pages * 1000 for r in bare_runs]):.1f} ms", ""),
        ("  the extraction worker (and forkserver)", f"{_median([r.worker_cpu_s / r.pages * 1000 for r in needle_runs]):.1f} ms", "", ""),
        ("  the static server", f"{_median([(r.server_cpu_s or 0) / r.pages * 1000 for r in needle_runs]):.1f} ms",
         f"{_median([(r.server_cpu_s or 0) / r.pages * 1000 for r in bare_runs]):.1f} ms", ""),
        ("cores busy (/proc/stat)", f"{n_busy:.0%}", f"{b_busy:.0%}",
         f"target >= {TARGET_BUSY:.0%}: {verdict(n_busy >= TARGET_BUSY, True)}"),
        ("cores busy by the crawl's own processes", f"{n_own_busy:.0%}", f"{b_own_busy:.0%}", ""),
        ("peak RSS, crawl process", f"{rss:.0f} MB", f"{_median([r.peak_rss_mb for r in bare_runs]):.0f} MB",
         f"target <= {TARGET_RSS_MB:.0f} MB: {verdict(rss <= TARGET_RSS_MB)}"),
        ("peak RSS, extraction worker", f"{_median([r.worker_peak_rss_mb for r in needle_runs]):.0f} MB", "", ""),
        ("process wall time", f"{_median([r.wall_s for r in needle_runs]):.1f} s",
         f"{_median([r.wall_s for r in bare_runs]):.1f} s", ""),
    ]
    if ref_runs:
        rows.append(("scrapy bench pages/s (second reference)", "", f"{_median([r.pages_per_min for r in ref_runs]) / 60:.0f}",
                     "its own tiny pages, not this site"))
    for name, a, b, note in rows:
        print(f"  {name:<44} {a:>10} {b:>12}  {note}")
    print(f"  last run: {last.pages} pages, {last.posts} posts ({last.unique_posts} distinct), "
          f"{last.teasers} teasers, {last.errors} crawl errors {last.errors_by_reason or ''}, "
          f"{last.warnings} warnings, finish reason {last.finish_reason}; bare Scrapy {bare_runs[-1].items} items")
    print("  CPU per page and cores busy are over each crawl command's life (start-up included), until "
          "its last descendant is reaped; /proc/stat counts every process on the machine, 'own' only the crawl's "
          "processes " + ("(crawl, forkserver, extraction worker: reaped here as their subreaper)" if subreaper
                          else "(NO subreaper: the worker's CPU is missing)") + " and the static server")
    if args.keep:
        print(f"  records, summaries and logs: {work}")
    if shared:
        print(f"  note: other processes used {others:.0%} of the machine's CPU during the runs (median), so "
              "/proc/stat figures include their work and rates are low; the own-process CPU and the ratio of "
              "alternated runs are the steadier figures")
    elif measured:
        print(f"  other processes used {others:.0%} of the machine's CPU during the runs (median): the load "
              f"average (up to {max(max(x) for x in loads):.1f}) was the crawls' own")

    short = [r for r in needle_runs if r.missing or r.posts != args.posts]
    if short:
        print(f"\nINCOMPLETE: a crawl recorded {short[0].posts} posts, {short[0].missing} of the site's "
              f"{args.posts} missing", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
