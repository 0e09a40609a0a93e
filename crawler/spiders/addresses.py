"""What the spider makes of the addresses, dates and headers it is given: scopes, hosts,
schemes, a sitemap's <lastmod>, the site's time zone, error records' URLs."""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from typing import Any
from urllib.parse import quote, urljoin, urlsplit
from zoneinfo import ZoneInfo

from scrapy.http import Response

from crawler.urls import WEB_SCHEMES, canonicalize

MAX_QUOTED = 300  # characters of a bad entry's text kept in its error record


def shortened(text: str) -> str:
    """A bad entry's text as its error record quotes it."""
    return text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED] + "…"


def is_sitemap(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith((".xml", ".xml.gz")) and "sitemap" in path.rsplit("/", 1)[-1]


def scope_of(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    folder = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
    return f"{parts.scheme}://{parts.netloc}{folder}"


def w3c_date(text: str, zone: tzinfo | None) -> tuple[datetime | None, bool]:
    """A sitemap <lastmod> (W3C datetime); a bare date is midnight in the site's zone.

    Returns the value and whether it needed the site's zone but none was known (zone is
    None: a bad NEEDLE_TIMEZONE), in which case it is read as UTC."""
    text = text.strip()
    if not text:
        return None, False
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None, False
    if value.tzinfo is None:
        return value.replace(tzinfo=zone or timezone.utc), zone is None
    return value, False


def site_zone(name: str | None) -> tuple[tzinfo | None, str | None]:
    """The NEEDLE_TIMEZONE zone, or (None, what is wrong with the name)."""
    if not name or name.upper() == "UTC":
        return timezone.utc, None
    try:
        return ZoneInfo(name), None
    except Exception as exc:  # ZoneInfoNotFoundError, ValueError, OSError on odd names
        return None, f"{name!r} is not a known time zone ({type(exc).__name__})"


def web_address(text: str, base: str | None = None) -> tuple[str | None, str]:
    """(the absolute http(s) URL, "") for a sitemap address, else (None, what is wrong).

    A sitemap <loc> must be absolute; a robots.txt Sitemap: line is resolved against
    base, as Scrapy does."""
    text = text.strip()
    if not text:
        return None, "is empty"
    try:
        url = urljoin(base, text) if base else text
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when out of range
    except ValueError as exc:
        return None, f"is not a URL ({exc})"
    if not parts.scheme:
        return None, "is not an absolute URL"
    if parts.scheme.lower() not in WEB_SCHEMES:
        return None, f"is not a web address ({parts.scheme}:)"
    if not parts.hostname or any(c.isspace() or ord(c) < 32 for c in parts.netloc):
        return None, "has no usable host"
    return url, ""


def netloc(url: str) -> str:
    """The host[:port] of a URL as canonicalize spells it (lower case, no default port)."""
    try:
        return urlsplit(canonicalize(url)).netloc
    except ValueError:  # a malformed address (http://[oops/): none
        return ""


def import_path(cls: type) -> str:
    """A class's import path: component settings are keyed so (DOWNLOADER_MIDDLEWARES_BASE
    is, and a class key would not replace a path key)."""
    return f"{cls.__module__}.{cls.__qualname__}"


def scheme_of(text: str) -> str:
    """The scheme of a URL as written, lower-case ("" when there is none or it is no URL)."""
    try:
        return urlsplit(text.strip()).scheme.lower()
    except ValueError:
        return ""


def splittable(text: str) -> str:
    """text as a record's url: as written, unless urlsplit rejects it (http://[oops/), then
    with the characters at fault percent-encoded; downstream code splits record URLs."""
    try:
        urlsplit(text)
        return text
    except ValueError:
        return quote(text, safe="/:?#&=%@!$'()*+,;~")


def x_robots(response: Response) -> list[str]:
    """Directives of every X-Robots-Tag header, lower-cased."""
    return [
        d.strip().lower()
        for h in response.headers.getlist(b"X-Robots-Tag")
        for d in h.decode("latin-1").split(",")
        if d.strip()
    ]


def header(headers: Any, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None
