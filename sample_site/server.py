"""Serve the three sample clinic blogs and the outbound stand-in on 127.0.0.1.

Each site has its own port, so each has its own robots.txt and sitemap at its root.
``SampleSite()`` runs the servers in daemon threads of this process (the demo);
``SampleSite(mode="process")`` runs ``python -m sample_site serve --print-urls`` in a child
process (the crawl tests: the server must not share the crawler's reactor or GIL).

Every site also answers ``GET /__requests__`` with the JSON list of paths it has served,
so a test can check what a crawl fetched (robots.txt obeyed, tracking links deduped).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from urllib.request import urlopen

from sample_site.description import SITES, TZ
from sample_site.model import SiteSpec
from sample_site.render import Response, not_found, render_outbound, render_site

SITE_KEYS = tuple(SITES)  # ("builder", "wp", "plain")
OUTBOUND_KEY = "outbound"
REQUEST_LOG_PATH = "/__requests__"
DEFAULT_SLOW_SECONDS = 6.0
STARTUP_TIMEOUT = 20.0  # the child imports pydantic and renders ~180 pages
STOP_TIMEOUT = 5.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a stuck slow request never blocks shutdown
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], key: str, slow_seconds: float,
                 stopping: threading.Event):
        super().__init__(address, _Handler)
        self.key = key
        self.routes: dict[str, Response] = {}
        self.slow_seconds = slow_seconds
        self.stopping = stopping
        self.served: list[str] = []
        self.served_lock = threading.Lock()

    def handle_error(self, request, client_address) -> None:
        # Clients that hang up mid-response (timeouts are planted) are expected; stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "SampleClinic/1.0"
    sys_version = ""

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _lookup(self) -> Response:
        parts = urlsplit(self.path)
        routes = self.server.routes
        full = parts.path + (f"?{parts.query}" if parts.query else "")
        if full in routes:
            return routes[full]
        if parts.path in routes:
            return routes[parts.path]
        return not_found(self.server.key if self.server.key in SITES else None)

    def _respond(self, send_body: bool) -> None:
        if urlsplit(self.path).path == REQUEST_LOG_PATH:
            with self.server.served_lock:
                body = json.dumps(self.server.served).encode()
            response = Response(200, [("Content-Type", "application/json")], body)
        else:
            with self.server.served_lock:
                self.server.served.append(self.path)
            response = self._lookup()
        if response.slow and self.server.stopping.wait(self.server.slow_seconds):
            return  # shutting down: drop the connection
        try:
            self.send_response(response.status)
            for key, value in response.headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if send_body:
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class SampleSite:
    """The sample clinic sites on 127.0.0.1, as a context manager.

    ``urls[key]`` is each blog's start URL (keys ``builder``, ``wp``, ``plain``);
    ``base[key]`` is scheme://host:port for those and for ``outbound``.
    """

    def __init__(self, mode: Literal["thread", "process"] = "thread",
                 slow_seconds: float = DEFAULT_SLOW_SECONDS, port_base: int | None = None,
                 host: str = "127.0.0.1"):
        if mode not in ("thread", "process"):
            raise ValueError(f"mode must be 'thread' or 'process', not {mode!r}")
        self.mode = mode
        self.slow_seconds = slow_seconds
        self.port_base = port_base
        self.host = host
        self.base: dict[str, str] = {}
        self.urls: dict[str, str] = {}
        self.started_at: datetime | None = None
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._proc: subprocess.Popen | None = None

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> "SampleSite":
        if self.mode == "thread":
            self._start_threads()
        else:
            self._start_process()
        return self

    def stop(self) -> None:
        if self.mode == "thread":
            self._stopping.set()
            for server in self._servers:
                server.shutdown()
                server.server_close()
            for thread in self._threads:
                thread.join(STOP_TIMEOUT)
            self._servers.clear()
            self._threads.clear()
        elif self._proc is not None:
            self._stop_process()

    def edit(self, key: str, spec: SiteSpec) -> None:
        """Serve ``spec`` as site ``key`` from now on (thread mode): a test edits a blog
        between two crawls, as its editors would."""
        if self.mode != "thread":
            raise RuntimeError("a site is edited in thread mode only")
        server = next(s for s in self._servers if s.key == key)
        server.routes = render_site(spec, self.base[key], self.base[OUTBOUND_KEY], self.started_at)

    def __enter__(self) -> "SampleSite":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _start_threads(self) -> None:
        keys = (*SITE_KEYS, OUTBOUND_KEY)
        for n, key in enumerate(keys):
            port = self.port_base + n if self.port_base else 0
            server = _Server((self.host, port), key, self.slow_seconds, self._stopping)
            self._servers.append(server)
            self.base[key] = f"http://{self.host}:{server.server_address[1]}"
        self.started_at = datetime.now(TZ)
        outbound = self.base[OUTBOUND_KEY]
        for server in self._servers:
            if server.key == OUTBOUND_KEY:
                server.routes = render_outbound(outbound)
            else:
                server.routes = render_site(server.key, self.base[server.key], outbound,
                                            self.started_at)
        # blogs only: a crawl of every start URL must not wander into the outbound stand-in
        self.urls = {key: self.base[key] + SITES[key].blog_path for key in SITE_KEYS}
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                      name=f"sample-site-{server.key}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _start_process(self) -> None:
        cmd = [sys.executable, "-m", "sample_site", "serve", "--print-urls",
               "--slow-seconds", str(self.slow_seconds), "--host", self.host]
        if self.port_base:
            cmd += ["--port-base", str(self.port_base)]
        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      stdin=subprocess.DEVNULL, cwd=root, env=env, text=True)
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self._proc.stdout.readline()),
                                  daemon=True)
        reader.start()
        reader.join(STARTUP_TIMEOUT)
        if not line or not line[0].strip():
            self._stop_process()
            raise RuntimeError("sample site process did not report its URLs")
        info = json.loads(line[0])
        self.base, self.urls = info["base"], info["urls"]
        self.started_at = datetime.fromisoformat(info["started_at"])

    def _stop_process(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(STOP_TIMEOUT)
        if proc.stdout:
            proc.stdout.close()

    # -- queries -------------------------------------------------------------------------

    def served_paths(self, key: str) -> list[str]:
        """Paths (with query) the site has served so far, in order."""
        with urlopen(self.base[key] + REQUEST_LOG_PATH, timeout=5) as response:
            return json.loads(response.read())

    def info(self) -> dict:
        return {"base": self.base, "urls": self.urls,
                "started_at": self.started_at.isoformat() if self.started_at else None}


def serve_forever(site: SampleSite, print_urls: bool) -> None:
    """Run until SIGTERM/SIGINT; print the URLs first (JSON on one line, or for people)."""
    import signal

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with site:
        if print_urls:
            print(json.dumps(site.info()), flush=True)
        else:
            for key, url in site.urls.items():
                print(f"{key:9} {url}", flush=True)
            print("Ctrl-C stops.", flush=True)
        try:
            while not done.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
