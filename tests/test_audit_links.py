"""The audit's link checker against real servers on 127.0.0.1 only."""

from __future__ import annotations

import json
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


# -- the address guard, deadlines and bad URLs ------------------------------------------------

PRIVATE_URLS = [
    "http://127.0.0.2/", "http://localhost:1/", "http://[::1]/", "http://10.0.0.5/",
    "http://172.16.0.1/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/", "http://[fc00::1]/", "http://[fd00:ec2::254]/", "http://[fe80::1]/",
    "http://0.0.0.0/", "http://[::]/", "http://224.0.0.1/", "http://[ff02::1]/",
    "http://[::ffff:10.0.0.5]/", "http://[64:ff9b::a9fe:a9fe]/", "http://2130706433/",
    "http://metadata.google.internal/computeMetadata/v1/", "http://metadata/", "http://db.internal/",
]


@pytest.fixture
def no_connections(monkeypatch):
    """Every connection the checker would open, recorded and failed instead."""
    import httpcore

    opened: list[tuple[str, int]] = []

    async def connect_tcp(self, host, port, *args, **kwargs):
        opened.append((host, port))
        raise httpcore.ConnectError("the test allows no connection")

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", connect_tcp)
    return opened


def test_private_addresses_are_refused_before_any_connection(no_connections, tmp_path):
    cache = tmp_path / "c.json"
    got = check_links(PRIVATE_URLS, timeout=3, allow_hosts=[], private_hosts=[], cache_path=cache)
    assert no_connections == []
    for url in PRIVATE_URLS:
        assert not got[url].ok and not got[url].checked, url
        assert got[url].reason.startswith("refused: "), (url, got[url].reason)
    assert got["http://10.0.0.5/"].reason == "refused: private address 10.0.0.5"
    assert got["http://169.254.169.254/latest/meta-data/"].reason == \
        "refused: private address 169.254.169.254"
    assert got["http://2130706433/"].reason == "refused: private address 127.0.0.1"
    assert "169.254.169.254" in got["http://[64:ff9b::a9fe:a9fe]/"].reason  # NAT64 of it
    assert got["http://metadata.google.internal/computeMetadata/v1/"].reason == \
        "refused: metadata host metadata.google.internal"
    assert not cache.exists() or json.loads(cache.read_text()) == {}  # decided afresh each time


def test_the_sites_host_and_the_allow_list_may_be_private(head_refusing_server):
    url = f"{head_refusing_server}/a"
    port = head_refusing_server.rsplit(":", 1)[1]

    def state(**trust):
        return check_links([url], timeout=3, allow_hosts=[], **{"private_hosts": [], **trust})[url]

    assert state().reason == "refused: private address 127.0.0.1" and _HeadRefused.seen == []
    assert state(site_hosts={"127.0.0.1"}).ok
    assert state(private_hosts=[f"127.0.0.1:{port}"]).ok
    assert state(private_hosts=["127.0.0.1:1"]).reason.startswith("refused")
    # a host NEEDLE_AUDIT_LINK_HOSTS names is one the operator chose: it may be private
    assert check_links([url], timeout=3, allow_hosts={f"127.0.0.1:{port}"}, private_hosts=[])[url].ok


def test_the_setting_is_read_from_the_environment(monkeypatch):
    import importlib

    import settings

    monkeypatch.setenv("NEEDLE_AUDIT_LINK_ALLOW_HOSTS", "wiki.clinic.internal, 10.0.0.5:8080,")
    monkeypatch.setenv("NEEDLE_AUDIT_LINK_PHASE_TIMEOUT", "42")
    try:
        fresh = importlib.reload(settings)
        assert fresh.NEEDLE_AUDIT_LINK_ALLOW_HOSTS == ["wiki.clinic.internal", "10.0.0.5:8080"]
        assert fresh.NEEDLE_AUDIT_LINK_PHASE_TIMEOUT == 42
    finally:
        monkeypatch.undo()
        importlib.reload(settings)


def test_a_redirect_into_a_private_address_is_refused(head_refusing_server):
    seen: list[str] = []

    class Private(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_HEAD(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    class Redirecting(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_HEAD(self) -> None:
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.2:{private.server_address[1]}{self.path}")
            self.send_header("Content-Length", "0")
            self.end_headers()

    private = ThreadingHTTPServer(("127.0.0.2", 0), Private)
    public = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (private, public)]
    for t in threads:
        t.start()
    try:
        url = f"http://127.0.0.1:{public.server_address[1]}/hop"
        got = check_links([url], timeout=3, allow_hosts=[], private_hosts=[],
                          site_hosts={"127.0.0.1"})[url]
        assert seen == [] and not got.checked
        assert got.reason == (f"refused: private address 127.0.0.2 (after a redirect to "
                              f"http://127.0.0.2:{private.server_address[1]}/hop)")
        got = check_links([url], timeout=3, allow_hosts=[], private_hosts=["127.0.0.2"],
                          site_hosts={"127.0.0.1"})[url]
        assert seen == ["/hop"] and got.ok and got.status == 302
    finally:
        for s in (private, public):
            s.shutdown()
            s.server_close()


def test_one_private_address_among_public_ones_is_refused(no_connections, monkeypatch):
    import reports.links as links

    async def resolve(host, port):
        return ["8.8.8.8", "2606:4700::1111", "127.0.0.2"]

    monkeypatch.setattr(links, "resolve", resolve)
    got = check_links(["http://mixed.test/a"], timeout=3, allow_hosts=[], private_hosts=[])
    assert got["http://mixed.test/a"].reason == "refused: private address 127.0.0.2"
    assert no_connections == []


def test_the_connection_goes_to_the_address_that_was_checked(head_refusing_server, monkeypatch):
    import reports.links as links

    port = int(head_refusing_server.rsplit(":", 1)[1])
    asked: list[str] = []

    async def resolve(host, port):
        asked.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(links, "resolve", resolve)
    url = f"http://intranet.test:{port}/a"
    got = check_links([url], timeout=3, allow_hosts=[], private_hosts=["intranet.test"])
    # the system resolver knows no intranet.test: the socket went to the address checked,
    # looked up once per connection (the server closes each), never again behind the check
    assert got[url].ok and _HeadRefused.seen == ["HEAD /a", "GET /a"]
    assert asked == ["intranet.test"] * len(_HeadRefused.seen)


def test_address_classification():
    from ipaddress import ip_address

    from reports.links import address_refusal

    for public in ("8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"):
        assert address_refusal(ip_address(public)) is None, public
    for private in ("100.127.255.255", "198.18.0.1", "240.0.0.1", "255.255.255.255",
                    "2001:db8::1", "2002:a00:1::", "ff0e::1", "224.0.1.1"):
        assert address_refusal(ip_address(private)), private


class _Dripping(BaseHTTPRequestHandler):
    """Sends its status line and a header one byte every 0.1 s, for 30 s at most or until
    told to stop: a per-read timeout never fires."""

    stop = threading.Event()

    def log_message(self, *args) -> None:
        pass

    def do_HEAD(self) -> None:
        try:
            for byte in b"HTTP/1.1 200 OK\r\nX-Drip: " + b"a" * 275:
                if self.stop.wait(0.1):
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        except OSError:
            pass


@pytest.mark.timeout(60)
def test_a_dripping_server_meets_the_per_link_and_the_phase_deadline():
    _Dripping.stop = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Dripping)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        start = time.monotonic()
        got = check_links([f"{base}/one"], timeout=1, allow_hosts={"127.0.0.1"})
        assert got[f"{base}/one"].reason == "timeout" and time.monotonic() - start < 5
        urls = [f"{base}/{i}" for i in range(5)]
        start = time.monotonic()
        got = check_links(urls, timeout=60, phase_timeout=1, allow_hosts={"127.0.0.1"})
        assert time.monotonic() - start < 8
        assert {s.reason for s in got.values()} == {
            "not checked: the link checks ran out of time (1 s)"}
        assert not any(s.checked for s in got.values())
    finally:
        _Dripping.stop.set()
        server.shutdown()
        server.server_close()


def test_any_failure_of_a_url_is_its_result(head_refusing_server):
    urls = {
        "http://xn--zz.example/": "invalid_url",
        "http://[oops/": "invalid_url",
        "http://127.0.0.1:99999/": "invalid_url",
        f"https://{head_refusing_server.split('//', 1)[1]}/": "tls_error",
    }
    got = check_links(list(urls), timeout=3, allow_hosts=[], private_hosts=[],
                      site_hosts={"127.0.0.1"})
    assert {u: s.reason for u, s in got.items()} == urls


def test_a_damaged_cache_entry_is_checked_again(head_refusing_server, tmp_path):
    cache = tmp_path / "linkcache.json"
    url = f"{head_refusing_server}/a"
    cache.write_text(json.dumps({url: {"checked_at": "yesterday"}}))
    assert check_links([url], timeout=3, cache_path=cache, allow_hosts={"127.0.0.1"})[url].ok
    cache.write_text(json.dumps(["not", "a", "cache"]))
    assert check_links([url], timeout=3, cache_path=cache, allow_hosts={"127.0.0.1"})[url].ok
