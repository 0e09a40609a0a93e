"""The audit's link checker against real servers on 127.0.0.1 only."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reports.links import check_links


class _HeadRefused(BaseHTTPRequestHandler):
    """Answers HEAD with 405 (as some CDNs do) and GET with 200; counts requests."""

    seen: list[str] = []

    def log_message(self, *args) -> None:
        pass

    def do_HEAD(self) -> None:
        self.seen.append(f"HEAD {self.path}")
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self.seen.append(f"GET {self.path}")
        if self.path.startswith("/slow"):
            time.sleep(2)
        status = 404 if self.path.startswith("/missing") else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


@pytest.fixture
def head_refusing_server():
    _HeadRefused.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HeadRefused)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_outbound_statuses_and_redirects(sample_site, tmp_path):
    out = sample_site.base["outbound"].rstrip("/")
    urls = [f"{out}/guidelines/running", f"{out}/old-study", f"{out}/gone-study", f"{out}/moved"]
    got = check_links(urls, timeout=3, cache_path=tmp_path / "c.json", allow_hosts={"127.0.0.1"})
    assert got[f"{out}/guidelines/running"].ok and not got[f"{out}/guidelines/running"].final_url
    assert (got[f"{out}/old-study"].ok, got[f"{out}/old-study"].reason) == (False, "http_404")
    assert got[f"{out}/gone-study"].reason == "http_410"
    moved = got[f"{out}/moved"]
    assert moved.ok and moved.status == 301 and moved.final_url == f"{out}/guidelines/whiplash"


def test_timeouts_and_refused_connections(head_refusing_server):
    slow = f"{head_refusing_server}/slow"
    refused = f"http://127.0.0.1:{_closed_port()}/page"
    got = check_links([slow, refused], timeout=0.5, allow_hosts={"127.0.0.1"})
    assert got[slow].reason == "timeout"
    assert got[refused].reason == "connect_error" and not got[refused].ok


def test_get_where_head_is_refused(head_refusing_server):
    got = check_links([f"{head_refusing_server}/a", f"{head_refusing_server}/missing"],
                      timeout=3, allow_hosts={"127.0.0.1"})
    assert got[f"{head_refusing_server}/a"].ok
    assert got[f"{head_refusing_server}/missing"].reason == "http_404"
    assert sorted(_HeadRefused.seen) == ["GET /a", "GET /missing", "HEAD /a", "HEAD /missing"]


def test_cache_is_reused_within_its_ttl(head_refusing_server, tmp_path):
    cache = tmp_path / "linkcache.json"
    url = f"{head_refusing_server}/a"
    check_links([url], timeout=3, cache_path=cache, allow_hosts={"127.0.0.1"})
    first = len(_HeadRefused.seen)
    assert cache.exists() and first == 2
    again = check_links([url], timeout=3, cache_path=cache, allow_hosts={"127.0.0.1"})
    assert again[url].ok and len(_HeadRefused.seen) == first  # nothing re-fetched
    check_links([url], timeout=3, cache_path=cache, ttl_hours=0, allow_hosts={"127.0.0.1"})
    assert len(_HeadRefused.seen) == first + 2  # expired: checked again


def test_bounds_and_host_allow_list(head_refusing_server):
    urls = [f"{head_refusing_server}/{i}" for i in range(5)] + ["https://example.org/x", "mailto:a@b"]
    got = check_links(urls, timeout=3, max_links=3, allow_hosts={"127.0.0.1"})
    assert sorted(got) == sorted(urls[:3])
    netloc = head_refusing_server.split("//", 1)[1]
    other = f"http://127.0.0.1:{_closed_port()}/x"
    assert sorted(check_links([urls[0], other], timeout=3, allow_hosts={netloc})) == [urls[0]]
