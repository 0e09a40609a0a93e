"""URL normalisation: one spelling per page, so dedupe and the index key agree.

``canonicalize`` drops fragments and tracking parameters, lower-cases scheme and host,
removes default ports and sorts the query (w3lib), and keeps meaningful parameters
such as ``?page=2`` or ``?p=123``. The path is left as the site spells it (a trailing
slash can be meaningful to the server).
"""

from __future__ import annotations

import fnmatch
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

DEFAULT_TRACKING_PARAMS: tuple[str, ...] = (
    "utm_*", "gclid", "fbclid", "mc_cid", "mc_eid", "msclkid", "ref", "_ga", "yclid",
    "igshid", "spm", "replytocom", "_hsenc", "_hsmi", "hsctatracking", "dclid", "twclid",
    "wbraid", "gbraid", "mkt_tok", "vero_id", "oly_enc_id", "oly_anon_id", "_gl",
)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "sms:", "callto:", "about:", "#")


@lru_cache(maxsize=32)
def _tracking_matcher(params: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(fnmatch.translate(p.lower()) for p in params))


def canonicalize(url: str, tracking_params: list[str] | tuple[str, ...] | None = None) -> str:
    """Return the canonical spelling of ``url``.

    ``tracking_params`` are query names to drop, ``*`` as a wildcard (``utm_*``);
    by default settings.NEEDLE_TRACKING_PARAMS plus a few well-known trackers.
    """
    return _canonicalize(url.strip(), tuple(tracking_params) if tracking_params else DEFAULT_TRACKING_PARAMS)


# the same navigation links appear on every page of a site: worth caching
@lru_cache(maxsize=65536)
def _canonicalize(url: str, tracking_params: tuple[str, ...]) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    netloc = host
    if parts.port and _DEFAULT_PORTS.get(scheme) != parts.port:
        netloc = f"{host}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = parts.query
    if query:
        drop = _tracking_matcher(tracking_params)
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, v) for k, v in pairs if not drop.fullmatch(k.lower())])
    path = parts.path or ("/" if netloc else "")
    return canonicalize_url(urlunsplit((scheme, netloc, path, query, "")), keep_fragments=False)


def resolve(href: str, base: str) -> str | None:
    """Absolute canonical URL of a link, or None for non-navigational hrefs."""
    href = (href or "").strip()
    # An absolute href does not depend on the page, and a root-relative one depends
    # only on the site: menus and sidebars repeat on every page, so one cache entry each.
    if href.startswith(("http://", "https://")):
        base = ""
    elif href.startswith("/") and not href.startswith("//"):
        base = _origin(base)
    return _resolve(href, base)


@lru_cache(maxsize=1024)
def _origin(base: str) -> str:
    """``scheme://netloc/`` of a page URL: the base of its root-relative links."""
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}/"


@lru_cache(maxsize=65536)
def _resolve(href: str, base: str) -> str | None:
    if not href or href.lower().startswith(_SKIP_SCHEMES):
        return None
    try:
        absolute = urljoin(base, href)
        if urlsplit(absolute).scheme not in ("http", "https"):
            return None
        return canonicalize(absolute)
    except ValueError:  # malformed IPv6 netloc and kin
        return None


def site_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL (host lower-case, default port dropped)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "https"
    host = (parts.hostname or "").rstrip(".")
    if parts.port and _DEFAULT_PORTS.get(scheme) != parts.port:
        host = f"{host}:{parts.port}"
    return f"{scheme}://{host}"


def _bare_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").rstrip(".")
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=65536)
def is_internal(href: str, site: str) -> bool:
    """True when ``href`` (absolute or relative) points into ``site``.

    ``www.`` and the scheme are ignored: http://www.x.com and https://x.com are one site.
    """
    href = (href or "").strip()
    if href.lower().startswith(_SKIP_SCHEMES):
        return False
    host = _bare_host(urljoin(site if "://" in site else f"https://{site}", href))
    return bool(host) and host == _bare_host(site if "://" in site else f"https://{site}")


def in_scope(url: str, scope_prefix: str) -> bool:
    """True when ``url`` is on the scope's site and under its path.

    A scope of ``https://clinic.ca/blog`` takes ``/blog``, ``/blog/`` and ``/blog/x`` but
    not ``/blogroll``.
    """
    if not is_internal(url, scope_prefix):
        return False
    path = urlsplit(url).path or "/"
    prefix = urlsplit(scope_prefix).path or "/"
    if prefix.endswith("/"):
        return path.startswith(prefix) or path == prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


WEB_SCHEMES = ("http", "https")


def _host_and_port(url: str) -> tuple[str, int | None] | None:
    """(host without a leading "www.", port or None for the scheme's default) of a web
    address, or None when it is no http(s) address with a host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in WEB_SCHEMES or not host:
        return None
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    return (host[4:] if host.startswith("www.") else host), port


def same_site(a: str, b: str) -> bool:
    """True when two web addresses are one site as far as a site's own moves go.

    The moves real sites make to their canonical address are http -> https and the bare
    domain <-> www: the host may differ by a leading ``www.`` and the scheme by the
    ``s``. A port is part of the site unless it is the scheme's default (http://x.ca and
    https://x.ca:443 are one site, x.ca:8080 is another: another server, often another
    application). Other subdomains are other sites.
    """
    here, there = _host_and_port(a), _host_and_port(b)
    return here is not None and here == there
