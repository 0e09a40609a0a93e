"""Ten clinics from one sites file, crawled by one worker and by two sharing a Redis
frontier, with the politeness each clinic actually saw.

    .venv/bin/python bench/ten_sites.py [--sites 10] [--posts 200] [--workers 1,2]

Generates ten clinic blogs (sample_site.generated, one seed each) and serves each on its
own loopback address (127.0.0.2, 127.0.0.3, ...): Scrapy keys its download slots by host
name without the port, so ten sites on 127.0.0.1 would share one slot, where ten clinics
are ten hosts. Writes one TOML sites file: most clinics on the default politeness
(NEEDLE_POLITE on: robots.txt, AutoThrottle, DOWNLOAD_DELAY 0.25 s, 4 at a time), a few
with a slower per-site setting (delay 0.5 s, 2 at a time), as a small clinic's host might
ask. Starts its own redis-server on a free loopback port and runs `needle crawl --sites
FILE --redis URL` as 1 worker, then 2, each drained by `needle index --from-redis`.

Prints the totals (pages, posts recorded, wall, pages/s, load average) and, per host from
the server's own request log (the time each request line arrived): requests, mean rate,
the most requests in any 1-second window, and the smallest gap between two request starts,
beside the host's setting. Checks that every post of every site was fetched once and
recorded once (the workers' -o files) and is in the index.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
import threading
import time
from bisect import bisect_left
from collections import Counter
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.redis_crawl import run_shared_crawl, start_redis  # noqa: E402
from sample_site.generated import BLOG, generate_site  # noqa: E402

DEFAULT_DELAY = 0.25  # settings.py's DOWNLOAD_DELAY with NEEDLE_POLITE on
SCRAPY_HTTP = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"
SLOW = {"delay": 0.5, "concurrency": 2}  # the per-site setting of every third clinic


class LoggedHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Scrapy expects of a real server
    timeout = 30
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".html": "text/html; charset=utf-8",
                      ".xml": "application/xml", ".txt": "text/plain; charset=utf-8"}

    def parse_request(self) -> bool:
        # the request line and headers are in: the moment the crawler's request started, for the server
        started = time.monotonic()
        ok = super().parse_request()
        self.server.log.append((started, getattr(self, "path", "")))  # type: ignore[attr-defined]
        return ok

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


class ClinicServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: str, directory: Path):
        super().__init__((address, 0), partial(LoggedHandler, directory=str(directory)))
        self.log: list[tuple[float, str]] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a crawler closing a keep-alive connection is not an error

    @property
    def origin(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def loopback_addresses(count: int) -> list[str]:
    """127.0.0.2 ... : all of 127.0.0.0/8 answers on Linux; say so plainly where it does not."""
    addresses = [f"127.0.0.{n}" for n in range(2, 2 + count)]
    for address in addresses:
        try:
            with socket.socket() as probe:
                probe.bind((address, 0))
        except OSError as exc:
            raise SystemExit(f"cannot listen on {address} ({exc}): this bench needs 127.0.0.0/8 on loopback")
    return addresses


def sites_toml(servers: list[ClinicServer]) -> str:
    lines = []
    for n, server in enumerate(servers, 1):
        lines += ["[[site]]", f'label = "Clinic {n}"', f'start = ["{server.origin}{BLOG}"]']
        if n % 3 == 0:
            lines += [f"delay = {SLOW['delay']}", f"concurrency = {SLOW['concurrency']}"]
        lines.append("")
    return "\n".join(lines)


def setting(n: int) -> float:
    """The delay the sites file promises clinic n (1-based)."""
    return SLOW["delay"] if n % 3 == 0 else DEFAULT_DELAY


def observed(log: list[tuple[float, str]]) -> dict:
    starts = sorted(t for t, _ in log)
    span = starts[-1] - starts[0] if len(starts) > 1 else 0.0
    window = max(bisect_left(starts, t + 1.0) - i for i, t in enumerate(starts)) if starts else 0
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    return {"requests": len(starts), "span_s": span, "mean_rps": (len(starts) - 1) / span if span else 0.0,
            "max_1s": window, "min_gap_s": min(gaps) if gaps else None, "gaps": gaps}


def hosts_at_once(logs: list[list[tuple[float, str]]]) -> float:
    """How many hosts were asked for a page in the same second, on average over the crawl."""
    start = min(t for log in logs for t, _ in log)
    seconds: dict[int, set[int]] = {}
    for n, log in enumerate(logs):
        for t, _ in log:
            seconds.setdefault(int(t - start), set()).add(n)
    return sum(map(len, seconds.values())) / len(seconds)


def crawl(sites_file: Path, redis_url: str, work: Path, workers: int, env: dict, extra: list[str]) -> dict:
    index = work / f"index-{workers}"
    outs = [work / f"records-{workers}-{k}.jsonl" for k in range(workers)]
    summaries = [work / f"summary-{workers}-{k}.json" for k in range(workers)]
    wall = run_shared_crawl([["--sites", str(sites_file), "-o", str(out), "--summary-json", str(summary),
                              "-s", "LOG_LEVEL=ERROR", *extra] for out, summary in zip(outs, summaries)],
                            redis_url, index, env)
    from indexer.store import load_posts

    recorded = Counter(row["url"] for out in outs for row in map(json.loads, out.read_text().splitlines())
                       if row["type"] == "post")
    pages = [json.loads(s.read_text())["pages"] for s in summaries]
    return {"wall_s": wall, "pages": sum(pages), "per_worker": pages, "recorded": recorded,
            "indexed": {p.url for p in load_posts(index)}, "load": os.getloadavg()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", default="1,2", help="the runs, as worker counts (default 1,2)")
    parser.add_argument("--per-worker-pace", action="store_true",
                        help="Scrapy's own HTTP handler: each worker keeps each host's delay alone, as before "
                             "the shared pace (crawler/polite.py)")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args()
    runs = [int(w) for w in args.workers.split(",")]

    env = dict(os.environ, NEEDLE_PROGRESS="off")
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    env.pop("NEEDLE_POLITE", None)  # the default politeness is what is measured
    results = []
    extra = ["-s", "DOWNLOAD_HANDLERS=" + json.dumps(dict.fromkeys(("http", "https"), SCRAPY_HTTP))] \
        if args.per_worker_pace else []
    with tempfile.TemporaryDirectory(prefix="needle-bench-ten-") as tmp:
        work = Path(tmp)
        servers = []
        redis, redis_url = start_redis(work)
        try:
            expected: dict[str, set[str]] = {}
            for n, address in enumerate(loopback_addresses(args.sites), 1):
                folder = work / f"clinic-{n}"
                folder.mkdir()
                servers.append(ClinicServer(address, folder))
                _, paths = generate_site(folder, servers[-1].origin, args.posts, args.seed + n)
                expected[servers[-1].origin] = {servers[-1].origin + p for p in paths}
            sites_file = work / "sites.toml"
            sites_file.write_text(sites_toml(servers), encoding="utf-8")
            for workers in runs:
                for server in servers:
                    server.log.clear()
                result = crawl(sites_file, redis_url, work, workers, env, extra)
                result["workers"] = workers
                result["hosts"] = [observed(list(s.log)) for s in servers]
                result["hosts_at_once"] = hosts_at_once([list(s.log) for s in servers])
                # each worker fetches robots.txt, the sitemaps and its start pages itself; a post, once
                result["fetched_twice"] = sum(1 for s in servers for path, k in Counter(p for _, p in s.log).items()
                                              if k > 1 and s.origin + path in expected[s.origin])
                results.append(result)
        finally:
            for server in servers:
                server.stop()
            redis.terminate()
            redis.wait(10)

    every = set().union(*expected.values())
    print(f"{args.sites} generated clinics x {args.posts} posts, one sites file, default politeness "
          f"(delay {DEFAULT_DELAY} s, AutoThrottle) and every third clinic at delay {SLOW['delay']} s, "
          f"{SLOW['concurrency']} at a time; {os.cpu_count()} cores; pace: "
          f"{'per worker (Scrapy alone)' if args.per_worker_pace else 'shared through Redis'}")
    print("\n| workers | pages | posts recorded | wall s | pages/s | hosts asked in a second | every post once "
          "| load average |")
    print("|---|---|---|---|---|---|---|---|")
    ok = True
    for r in results:
        once = (set(r["recorded"]) == every and max(r["recorded"].values()) == 1 and r["indexed"] == every
                and r["fetched_twice"] == 0)
        ok &= once
        print(f"| {r['workers']} | {r['pages']} ({' + '.join(map(str, r['per_worker']))}) | "
              f"{sum(r['recorded'].values())} of {len(every)} | {r['wall_s']:.1f} | {r['pages'] / r['wall_s']:.1f} | "
              f"{r['hosts_at_once']:.1f} of {len(servers)} | "
              f"{'yes' if once else 'NO'} | {' '.join(f'{x:.1f}' for x in r['load'])} |")
    print("\nPer host, from the server's log (request starts): mean req/s over the host's crawl, "
          "the most requests in any 1 s window, the smallest gap between two starts, "
          "and the gaps shorter than the host's delay (shorter than 0.9 times it).")
    header = "| host | setting |" + "".join(f" {r['workers']}w mean/s | {r['workers']}w max in 1 s | "
                                             f"{r['workers']}w min gap ms | {r['workers']}w gaps < delay |"
                                             for r in results)
    print("\n" + header)
    print("|---" * (2 + 4 * len(results)) + "|")
    for n, server in enumerate(servers, 1):
        d = setting(n)
        row = f"| {server.server_address[0]} | {d} s ({1 / d:.0f}/s) |"
        for r in results:
            h = r["hosts"][n - 1]
            short = sum(1 for g in h["gaps"] if g < d)
            shorter = sum(1 for g in h["gaps"] if g < 0.9 * d)
            row += (f" {h['mean_rps']:.2f} | {h['max_1s']} | {h['min_gap_s'] * 1000:.0f} | "
                    f"{short} ({shorter}) of {len(h['gaps'])} |")
        print(row)
    if args.json:
        args.json.write_text(json.dumps([{k: v for k, v in r.items() if k not in ("recorded", "indexed")}
                                         | {"hosts": [{k: v for k, v in h.items() if k != "gaps"} for h in r["hosts"]]}
                                         for r in results], indent=1), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
