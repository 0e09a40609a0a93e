"""A polite, guarded link checker for the audit: HEAD first, GET where HEAD is refused, a
few requests per host at a time, a deadline per link and one for all of them, a cap on
links, and a cache on disk with a TTL so a second audit re-checks nothing still fresh.

The crawl already knows about the internal links it followed (its CrawlError and Redirect
records); ``reports.crawl_facts.links_to_check`` leaves only the rest for this module.

The links come from crawled pages, so anyone who can publish a page decides where they
point. The checker therefore never contacts a private address (loopback, RFC 1918,
link-local and the cloud metadata address, CGNAT, unique-local and link-local IPv6,
unspecified, multicast, reserved) nor a metadata host name, unless the host is trusted:
the crawled sites' own hosts, the hosts ``allow_hosts`` names (NEEDLE_AUDIT_LINK_HOSTS),
and ``private_hosts`` (NEEDLE_AUDIT_LINK_ALLOW_HOSTS: a clinic on an intranet). Every
connection, the first and the one after each redirect, goes through ``GuardedBackend``:
the host name is resolved once, every address it resolves to is checked, and the socket
is opened to a checked address, so a DNS answer that changes between the check and the
connect (rebinding) is never used. Redirects are followed hop by hop (at most ``MAX_REDIRECTS``); environment
proxies are ignored (a proxy would hide the target's address from the check).

Whatever goes wrong with one URL (a refusal, an invalid or IDNA-broken address, TLS, a
server that drips its headers, any exception) becomes that URL's ``LinkState``; the
audit always gets a result for every link and always finishes.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import socket
import tempfile
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from reports.crawl_facts import LinkState

# Servers that refuse HEAD say so with these; the GET that follows reads no body.
HEAD_REFUSED = {403, 405, 501}
MAX_REDIRECTS = 10
# Host names of cloud metadata services; "*.internal" names are private by definition.
METADATA_HOSTS = frozenset({"metadata", "metadata.google.internal", "metadata.goog",
                            "instance-data", "instance-data.ec2.internal"})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Seconds the tasks of a link-check phase that ran out of time get to wind down.
_WIND_DOWN = 5.0


class LinkRefused(Exception):
    """The checker would not connect: the text is the link's reason ("refused: ...")."""


def address_refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why the checker may not connect to ``ip`` ("private address 10.0.0.5"), or None
    for a public address. IPv4 inside IPv6 (mapped, NAT64, 6to4, Teredo) is judged by
    the IPv4 address it carries."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None:
            return f"private address {inner} (as {ip})" if address_refusal(inner) else None
    if ip.is_multicast or ip.is_unspecified or ip.is_loopback or ip.is_link_local \
            or ip.is_private or not ip.is_global:
        return f"private address {ip}"
    return None


def name_refusal(host: str) -> str | None:
    """Why a host name is refused before it is even resolved, or None."""
    if host in METADATA_HOSTS:
        return f"metadata host {host}"
    if host.endswith(".internal"):
        return f"internal host name {host}"
    return None


def _norm_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii")  # the form the connection sees
    except UnicodeError:
        return host


class HostPolicy:
    """The hosts that may be contacted even on a private address: host names or
    host:port entries ("intranet.clinic", "10.0.0.5:8080", "[fd00::1]:80")."""

    def __init__(self, trusted: Iterable[str] = ()):
        self.entries = {_norm_host(e) for e in trusted if e and e.strip()}

    def trusts(self, host: str, port: int | None) -> bool:
        host = _norm_host(host)
        return bool({host, f"{host}:{port}", f"[{host}]:{port}"} & self.entries)


async def resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host``, in the resolver's order. The lookup runs in a daemon
    thread: a resolver that hangs is abandoned by the deadlines and never keeps the
    process alive."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()

    def settle(result, error) -> None:
        if not future.done():
            future.set_exception(error) if error else future.set_result(result)

    def lookup() -> None:
        try:
            result, error = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM), None
        except Exception as exc:  # handed to the awaiting task
            result, error = None, exc
        try:
            loop.call_soon_threadsafe(settle, result, error)
        except RuntimeError:
            pass  # the loop is gone: nobody waits any more

    threading.Thread(target=lookup, name="needle-dns", daemon=True).start()
    infos = await future
    return list(dict.fromkeys(info[4][0] for info in infos))


async def checked_addresses(host: str, port: int, policy: HostPolicy) -> list[str]:
    """The addresses the checker may connect to for host:port, every one of them
    checked; LinkRefused when the name or any address is private and the host is not
    trusted."""
    import httpcore

    name = _norm_host(host).strip("[]")
    trusted = policy.trusts(name, port)
    if not trusted and (why := name_refusal(name)):
        raise LinkRefused(f"refused: {why}")
    try:
        addresses = [str(ipaddress.ip_address(name))]
    except ValueError:
        try:
            addresses = await resolve(name, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"name resolution failed: {exc}") from exc
    if not addresses:
        raise httpcore.ConnectError(f"name resolution failed: no address for {name}")
    if not trusted:
        for address in addresses:
            if why := address_refusal(ipaddress.ip_address(address)):
                raise LinkRefused(f"refused: {why}")
    return addresses


def _guarded_backend_class():
    import httpcore

    class GuardedBackend(httpcore.AsyncNetworkBackend):
        """httpcore's network backend with the address check in front of every
        connection; the socket is opened to the checked address itself."""

        def __init__(self, policy: HostPolicy):
            self.policy = policy
            self.inner = httpcore.AnyIOBackend()

        async def connect_tcp(self, host, port, timeout=None, local_address=None,
                              socket_options=None):
            if not 0 < port < 65536:
                raise ValueError(f"port {port} is out of range")
            error: Exception | None = None
            for address in await checked_addresses(host, port, self.policy):
                try:
                    return await self.inner.connect_tcp(
                        address, port, timeout=timeout, local_address=local_address,
                        socket_options=socket_options)
                except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                    error = exc  # the next address, as a browser would
            assert error is not None
            raise error

        async def connect_unix_socket(self, path, timeout=None, socket_options=None):
            raise LinkRefused("refused: unix socket")

        async def sleep(self, seconds: float) -> None:
            await self.inner.sleep(seconds)

    return GuardedBackend


def guarded_transport(policy: HostPolicy, *, concurrency: int):
    """An httpx transport whose every connection goes through GuardedBackend."""
    import httpcore
    import httpx

    transport = httpx.AsyncHTTPTransport(trust_env=False)
    if not isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool):
        # never check links through a pool the guard is not part of
        raise RuntimeError("this httpx version keeps its connection pool elsewhere; "
                           "the link checker's address guard cannot be installed")
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=max(concurrency, 1) * 2, max_keepalive_connections=concurrency,
        network_backend=_guarded_backend_class()(policy))
    return transport


def _reason_for(exc: BaseException) -> str:
    import httpx

    if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        return _reason_for(exc.exceptions[0])  # a task group's failure: its first cause
    if isinstance(exc, LinkRefused):
        return str(exc)
    if isinstance(exc, httpx.TooManyRedirects):
        return "redirect_loop"
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if any(s in text for s in ("name or service", "nodename", "getaddrinfo", "name resolution",
                                   "no address associated", "temporary failure in name")):
            return "dns"
        if any(s in text for s in ("ssl", "tls", "certificate", "handshake")):
            return "tls_error"
        return "connect_error"
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol, UnicodeError, ValueError)):
        return "invalid_url"  # idna.IDNAError is a UnicodeError
    if isinstance(exc, httpx.DecodingError):
        return "decoding_error"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "protocol_error"
    return type(exc).__name__.lower()


class LinkCache:
    """URL -> LinkState (with checked_at) in one JSON file; entries past the TTL are ignored."""

    def __init__(self, path: Path | None, ttl: timedelta):
        self.path, self.ttl = path, ttl
        self.entries: dict[str, dict] = {}
        if path and path.exists():
            try:
                entries = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                entries = {}  # a damaged cache is only a cold cache
            self.entries = entries if isinstance(entries, dict) else {}

    def get(self, url: str, now: datetime) -> LinkState | None:
        entry = self.entries.get(url)
        if not entry:
            return None
        try:
            checked = datetime.fromisoformat(entry["checked_at"])
            if now - checked > self.ttl:
                return None
            return LinkState.model_validate(entry["state"])
        except (KeyError, TypeError, ValueError):
            return None  # a damaged entry is checked again

    def put(self, state: LinkState, now: datetime) -> None:
        self.entries[state.url] = {"checked_at": now.isoformat(), "state": state.model_dump()}

    def save(self) -> bool:
        """Write the cache; False (with a warning) where it cannot be written, e.g. a
        read-only index folder: the audit stands, the next one checks these links again."""
        if not self.path:
            return False
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # write then rename: an interrupted audit never leaves half a cache
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".linkcache-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.entries, fh, indent=0, sort_keys=True)
            os.replace(tmp, self.path)
            return True
        except OSError as exc:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            logging.getLogger("needle.audit").warning(
                "link checks not cached (%s: %s); the next audit checks these links again",
                self.path, exc.strerror or exc)
            return False


async def _fetch(client, method: str, url: str):
    """One request, its redirects followed hop by hop; the body is never read.
    Returns (last response, statuses of the redirects)."""
    import httpx

    request = client.build_request(method, url)
    statuses: list[int] = []
    for hop in range(MAX_REDIRECTS + 1):
        try:
            response = await client.send(request, stream=True)
        except LinkRefused as exc:
            if hop:
                raise LinkRefused(f"{exc} (after a redirect to {request.url})") from None
            raise
        await response.aclose()
        if response.next_request is None:
            return response, statuses
        statuses.append(response.status_code)
        request = response.next_request
    raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects", request=request)


async def _check_one(client, url: str, deadline: float) -> LinkState:
    """Check ``url`` within ``deadline`` seconds in all (connect, headers, every
    redirect, the GET after a refused HEAD). Never raises."""
    try:
        async with asyncio.timeout(deadline):
            response, statuses = await _fetch(client, "HEAD", url)
            if response.status_code in HEAD_REFUSED:
                response, statuses = await _fetch(client, "GET", url)
        final = str(response.url)
        status = response.status_code
    except LinkRefused as exc:
        return LinkState(url=url, ok=False, checked=False, reason=_reason_for(exc))
    except Exception as exc:  # any failure of one URL is that URL's result
        return LinkState(url=url, ok=False, reason=_reason_for(exc))
    redirected = final if statuses and final != url else None
    if status >= 400:
        return LinkState(url=url, ok=False, status=status, reason=f"http_{status}",
                         final_url=redirected)
    first = statuses[0] if statuses else status
    return LinkState(url=url, ok=True, status=first, final_url=redirected)


def _host_key(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


async def _check_all(urls: list[str], *, timeout: float, per_host: int, concurrency: int,
                     user_agent: str, policy: HostPolicy, phase_timeout: float
                     ) -> dict[str, LinkState]:
    import httpx

    hosts: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(per_host))
    overall = asyncio.Semaphore(concurrency)
    out: dict[str, LinkState] = {}

    async with httpx.AsyncClient(transport=guarded_transport(policy, concurrency=concurrency),
                                 follow_redirects=False, trust_env=False, timeout=timeout,
                                 headers={"User-Agent": user_agent}) as client:
        async def run(url: str) -> None:
            async with overall, hosts[_host_key(url)]:
                out[url] = await _check_one(client, url, timeout)

        tasks = [asyncio.create_task(run(u)) for u in urls]
        _, pending = await asyncio.wait(tasks, timeout=phase_timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=_WIND_DOWN)
    for url in urls:
        if url not in out:
            out[url] = LinkState(url=url, ok=False, checked=False,
                                 reason=f"not checked: the link checks ran out of time "
                                        f"({phase_timeout:g} s)")
    return out


@dataclass(frozen=True)
class LinkCheckOptions:
    """How the audit checks links. The defaults are those of settings.py's
    NEEDLE_AUDIT_LINK_* knobs; the CLI passes the settings in, reports never read them."""

    timeout: float = 10.0  # seconds for one link's whole check, redirects included
    phase_timeout: float = 300.0  # seconds for all of them
    per_host: int = 2
    concurrency: int = 8
    max_links: int = 500
    ttl_hours: int = 24 * 7  # how long a cached result stays fresh
    # when not empty, only links to these hosts (or host:port) are checked
    allow_hosts: tuple[str, ...] = ()
    # hosts that may be contacted on a private address (a clinic's intranet)
    private_hosts: tuple[str, ...] = ()
    user_agent: str = "needle"


def check_links(urls: Iterable[str], *, timeout: float | None = None, per_host: int | None = None,
                concurrency: int | None = None, max_links: int | None = None,
                cache_path: Path | None = None, ttl_hours: int | None = None,
                allow_hosts: Iterable[str] | None = None,
                private_hosts: Iterable[str] | None = None, site_hosts: Iterable[str] = (),
                phase_timeout: float | None = None, user_agent: str | None = None,
                options: LinkCheckOptions = LinkCheckOptions()) -> dict[str, LinkState]:
    """Check ``urls`` (deduplicated, http/https only, at most ``max_links``), reusing fresh
    cache entries. Every argument left None is taken from ``options``.

    ``allow_hosts``: when not empty, only links to these hosts (or host:port) are checked.
    ``private_hosts`` and ``site_hosts`` (the crawled sites' hosts) may be contacted on a
    private address, as may the hosts ``allow_hosts`` names; any other host on one is
    refused. ``timeout`` bounds each link's whole check, ``phase_timeout`` all of them
    together.
    """
    o = options
    timeout = timeout if timeout is not None else o.timeout
    per_host = per_host or o.per_host
    concurrency = concurrency or o.concurrency
    max_links = max_links if max_links is not None else o.max_links
    ttl = timedelta(hours=ttl_hours if ttl_hours is not None else o.ttl_hours)
    phase_timeout = phase_timeout if phase_timeout is not None else o.phase_timeout
    allowed = set(allow_hosts if allow_hosts is not None else o.allow_hosts)
    private = private_hosts if private_hosts is not None else o.private_hosts
    user_agent = user_agent or o.user_agent
    policy = HostPolicy([*allowed, *private, *site_hosts])

    wanted, invalid = [], {}
    for url in dict.fromkeys(urls):
        if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
            continue
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:  # "http://[oops/": unparseable, so not on any allowed host
            if not allowed:
                wanted.append(url)
                invalid[url] = LinkState(url=url, ok=False, reason="invalid_url")
            continue
        # an allowed entry is a host name or a host:port
        if not allowed or host in allowed or parts.netloc in allowed:
            wanted.append(url)
    wanted = wanted[:max_links]

    now = datetime.now(timezone.utc)
    cache = LinkCache(cache_path, ttl)
    results = {u: invalid[u] for u in wanted if u in invalid}
    results.update({u: s for u in wanted if u not in results
                    and (s := cache.get(u, now)) is not None})
    todo = [u for u in wanted if u not in results]
    if todo:
        fresh = asyncio.run(_check_all(todo, timeout=timeout, per_host=per_host,
                                       concurrency=concurrency,
                                       user_agent=user_agent,
                                       policy=policy, phase_timeout=phase_timeout))
        for state in fresh.values():
            if state.checked:  # a refusal or a skip is decided afresh every time
                cache.put(state, now)
        results.update(fresh)
        cache.save()
    return {u: results[u] for u in wanted}
