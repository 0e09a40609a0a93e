"""A small clinic blog on 127.0.0.1 whose behaviour a fault test changes between crawls.

Runs in a thread of the test process (the crawl under test runs in a child process).
The test edits the attributes, then crawls again:

    with BlogSite(posts=8) as site:
        site.status["/blog/post-3/"] = 503   # answer 503 instead of the page
        site.unlisted.add(5)                  # no longer linked nor in the sitemap
        site.redirects["/blog/post-2/"] = "/blog/post-4/"
        site.sitemap_extra.append("http://127.0.0.1:99999/x/")  # a raw <loc>
        site.lastmod = "2024-05-01"                  # a raw <lastmod> on every post's entry
        site.lastmods["/blog/post-2/"] = "2026-11-30T10:00:00Z"  # one post's own
        site.wrong_304 = True                        # 304 to every conditional GET, as a bad cache does
        site.sitemap_index = ["sitemap-more.xml"]     # /sitemap.xml becomes an index of these
        site.robots_extra.append("Sitemap: http://[oops")  # raw lines before robots.txt's own
        site.raw["/sitemap-x.xml.gz"] = (200, {"Content-Type": "application/gzip"}, gz)  # served as is
        site.host_redirects["clinic.test"] = "http://www.clinic.test:8080"  # every path, by Host
        site.phone = "(780) 555-0199"                 # /contact/ shows it (linked from every page)
        site.staff = ["Dr. Sarah Chen, PT"]           # /team/ lists them (linked from every page)

``BlogSite(host="www.clinic.test")`` names itself so in its URLs (it still listens on
127.0.0.1): a crawl reaches such names through LoopbackResolver (``RESOLVER``), which
resolves every name under .test, and localhost, to 127.0.0.1, and no other name, so a
crawl under test never asks a DNS server. ``hits`` lists (Host header, path) of every
request, ``starts`` (time.monotonic() as it came in, path).

Posts are /blog/post-N/ (N from 1), each with a title, a JSON-LD date and a body; the
front page /blog/ links every listed post; /sitemap.xml lists them too. With
``sitemap_index`` set, /sitemap.xml is a sitemap index: its raw <loc>s, then
/sitemap-posts.xml, which lists the posts.
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.abstract import isIPAddress
from twisted.internet.error import DNSLookupError

RESOLVER = "blogsite.LoopbackResolver"  # TWISTED_DNS_RESOLVER for a crawl of these sites

TOPICS = ["knee", "shoulder", "ankle", "posture", "sciatica", "tendon", "neck", "hip", "jaw", "wrist"]


def post_html(n: int, site: "BlogSite") -> str:
    topic = TOPICS[n % len(TOPICS)]
    day = site.dates.get(n) or date(2024, 1, 1) + timedelta(days=7 * n)
    edition = site.edition.get(n, 0)
    title = site.titles.get(n) or f"Post {n}: {topic} care"
    alt = site.alts.get(n, f"{topic} exercise with a physiotherapist")
    archive = '<p><a href="/blog/archive/">More in the archive</a></p>' if site.archive else ""
    body = " ".join(
        f"<p>Paragraph {p} about {topic} pain and physiotherapy for post {n}, edition {edition if p == 0 else 0}. "
        f"Gentle exercise, manual therapy and patience help most patients recover.</p>"
        for p in range(4)
    ) + "".join(f"<p>{text}</p>" for text in site.added.get(n, []))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<meta name="description" content="What helps {topic} pain, post {n}.">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "BlogPosting",
"headline": "{title}", "datePublished": "{day.isoformat()}T09:00:00+00:00"}}</script>
</head><body><header><a href="/blog/">Blog</a>{site.nav()}</header>
<main><article><h1>{title}</h1>
<figure><img src="/img/post-{n}.jpg" alt="{alt}"><figcaption>Exercise {n}</figcaption></figure>
<p class="date"><time datetime="{day.isoformat()}">{day:%B %d, %Y}</time></p>
{body}{archive}</article></main><footer>Clinic, 1 Main Street</footer></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:
        site = self.server.site
        path = urlsplit(self.path).path
        host_header = self.headers.get("Host", "")
        with site.lock:
            site.served.append(path)
            site.hits.append((host_header, path))
            site.starts.append((time.monotonic(), path))
        host = urlsplit(f"//{host_header}").hostname or ""
        if host in site.host_redirects:
            query = urlsplit(self.path).query
            return self._redirect(site.host_redirects[host].rstrip("/") + path + (f"?{query}" if query else ""))
        if path in site.raw:
            status, headers, body = site.raw[path]
            return self._send_bytes(status, headers, body)
        if path in site.status:
            return self._send(site.status[path], "<html><body>unavailable</body></html>")
        if path in site.redirects:
            return self._redirect(site.redirects[path])
        if path == "/robots.txt":
            extra = "".join(f"{line}\n" for line in site.robots_extra)
            return self._send(200, f"User-agent: *\nAllow: /\n{extra}Sitemap: {site.root}/sitemap.xml\n",
                              "text/plain")
        if path == "/sitemap.xml" and site.sitemap and site.sitemap_index is not None:
            locs = [*site.sitemap_index, f"{site.root}/sitemap-posts.xml"]
            entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
            return self._send(200, '<?xml version="1.0" encoding="UTF-8"?>'
                              f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
                              "</sitemapindex>", "application/xml")
        if site.sitemap and path == ("/sitemap.xml" if site.sitemap_index is None else "/sitemap-posts.xml"):
            def lastmod(loc: str) -> str:
                if not loc.startswith(site.root + "/blog/post-"):
                    return ""
                raw = site.lastmods.get(loc[len(site.root):], site.lastmod)
                return f"<lastmod>{raw}</lastmod>" if raw is not None else ""

            locs = [f"{site.root}/blog/post-{n}/" for n in site.listed()] + site.sitemap_extra
            urls = "".join(f"<url><loc>{loc}</loc>{lastmod(loc)}</url>" for loc in locs)
            return self._send(200, '<?xml version="1.0" encoding="UTF-8"?>'
                              f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
                              "application/xml")
        if path == "/contact/" and site.phone is not None:
            return self._send(200, "<!doctype html><html lang=\"en\"><head><title>Contact us</title></head><body>"
                              f"<header><a href=\"/blog/\">Blog</a>{site.nav()}</header><main><h1>Contact us</h1>"
                              f"<p>Call us at {site.phone} to book. We are at 1 Main Street.</p></main></body></html>")
        if path == "/team/" and site.staff is not None:
            people = "".join(f"<h2>{name}</h2><p>Physiotherapist</p>" for name in site.staff)
            return self._send(200, "<!doctype html><html lang=\"en\"><head><title>Our team</title></head><body>"
                              f"<header><a href=\"/blog/\">Blog</a>{site.nav()}</header><main><h1>Our team</h1>"
                              f"{people}</main></body></html>")
        if path == "/blog/archive/" and site.archive:
            links = "".join(f'<li><a href="/blog/post-{n}/">Post {n}</a></li>' for n in site.archive)
            return self._send(200, f"<!doctype html><html lang=\"en\"><head><title>Archive</title></head>"
                              f"<body><h1>Archive</h1><ul>{links}</ul></body></html>")
        if path == "/blog/":
            links = "".join(f'<li><a href="/blog/post-{n}/">Post {n}</a></li>' for n in site.listed())
            return self._send(200, f"<!doctype html><html lang=\"en\"><head><title>Blog</title></head>"
                              f"<body><h1>Blog</h1><ul>{links}</ul></body></html>")
        if path.startswith("/blog/post-") and path.endswith("/"):
            try:
                n = int(path[len("/blog/post-"):-1])
            except ValueError:
                n = 0
            if 1 <= n <= site.posts and n not in site.deleted:
                return self._post(n, site)
        return self._send(404, "<html><body>not found</body></html>")

    def _post(self, n: int, site: "BlogSite") -> None:
        """A post, with the validators a real server sends, answering a conditional GET
        whose ETag still matches with 304 (unless ``site.conditional`` is off)."""
        if site.delay:
            time.sleep(site.delay)
        body = post_html(n, site).encode("utf-8")
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        asked = self.headers.get("If-None-Match")
        if site.conditional and (asked == etag or (site.wrong_304 and asked)):
            with site.lock:
                site.not_modified.append(self.path)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return None
        headers = {"Content-Type": "text/html; charset=utf-8", "ETag": etag}
        if site.conditional:
            headers["Last-Modified"] = "Mon, 01 Jan 2024 09:00:00 GMT"
        return self._send_bytes(200, headers, body)

    def _send(self, status: int, text: str, content_type: str = "text/html; charset=utf-8") -> None:
        self._send_bytes(status, {"Content-Type": content_type}, text.encode("utf-8"))

    def _send_bytes(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the crawler hung up on a large body
            pass

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class LoopbackResolver(CachingThreadedResolver):
    """Scrapy's resolver for a crawl of test sites: every name under .test, and localhost,
    is 127.0.0.1; an address is itself; any other name fails without asking DNS."""

    def getHostByName(self, name: str, timeout=()) -> defer.Deferred:  # noqa: N802 - Twisted's name
        if isIPAddress(name):
            return defer.succeed(name)
        if name == "localhost" or name.endswith(".test"):
            return defer.succeed("127.0.0.1")
        return defer.fail(DNSLookupError(f"{name}: not a test host (LoopbackResolver)"))


class BlogSite:
    def __init__(self, posts: int = 8, *, sitemap: bool = True, host: str = "127.0.0.1"):
        self.posts = posts
        self.sitemap = sitemap
        self.host = host  # the name in the site's own URLs
        self.status: dict[str, int] = {}  # path -> status to answer instead
        self.redirects: dict[str, str] = {}  # path -> Location
        self.unlisted: set[int] = set()  # still served, but linked from nowhere
        self.deleted: set[int] = set()  # answer 404, linked from nowhere
        self.edition: dict[int, int] = {}  # bump to change a post's text
        self.titles: dict[int, str] = {}  # a post's new title
        self.dates: dict[int, date] = {}  # a post's new publication day
        self.alts: dict[int, str] = {}  # its image's new alt text
        self.added: dict[int, list[str]] = {}  # paragraphs added at the end of a post
        self.archive: list[int] = []  # posts on /blog/archive/, which only posts link to
        self.conditional = True  # ETag / If-None-Match -> 304, as real servers do
        self.not_modified: list[str] = []  # paths answered 304
        self.sitemap_extra: list[str] = []
        self.lastmod: str | None = None  # raw <lastmod> of every post's sitemap entry
        self.lastmods: dict[str, str] = {}  # path -> raw <lastmod> of that post's entry
        self.wrong_304 = False
        self.delay = 0.0  # seconds before each post is answered (a slow site keeps a crawl going)  # answer 304 to every conditional GET, changed or not
        self.sitemap_index: list[str] | None = None  # raw <loc>s: /sitemap.xml becomes an index
        self.robots_extra: list[str] = []  # raw lines, before robots.txt's own Sitemap: line
        self.raw: dict[str, tuple[int, dict[str, str], bytes]] = {}  # path -> (status, headers, body)
        self.host_redirects: dict[str, str] = {}  # Host name -> root URL: 301 there, path kept
        self.phone: str | None = None  # with a phone, /contact/ is served and linked
        self.staff: list[str] | None = None  # with staff, /team/ is served and linked
        self.served: list[str] = []
        self.hits: list[tuple[str, str]] = []  # (Host header, path)
        self.starts: list[tuple[float, str]] = []  # (time.monotonic() as the request came in, path)
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def root(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.root}/blog/"

    def post_url(self, n: int) -> str:
        return f"{self.root}/blog/post-{n}/"

    def listed(self) -> list[int]:
        return [n for n in range(1, self.posts + 1) if n not in self.unlisted and n not in self.deleted]

    def nav(self) -> str:
        """The header's links to the site pages being served."""
        return ((' <a href="/contact/">Contact</a>' if self.phone is not None else "")
                + (' <a href="/team/">Team</a>' if self.staff is not None else ""))

    def __enter__(self) -> "BlogSite":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
