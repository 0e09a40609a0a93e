"""A sites file: the clinics one crawl covers, each with its own options.

Two forms. A plain text file, one start URL a line (``#`` starts a comment), always works.
A TOML file gives each site a table::

    [[site]]
    label = "Downtown Physio"                      # how reports and `needle sites` name it
    start = ["https://downtownphysio.example/blog/"]
    hosts = ["www.downtownphysio.example"]         # other hosts of the same site (www, a blog subdomain)
    timezone = "America/Edmonton"                  # for dates written without a zone
    max_pages = 800                                # this site's page limit
    delay = 1.0                                    # seconds between requests to it
    concurrency = 2                                # requests in flight to it
    selectors = { title = "h1.entry-title", date = ".post-date" }  # where generic extraction errs

The file is checked whole before anything is crawled: a bad entry names its site and field.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


SELECTOR_FIELDS = frozenset({"title", "body", "date", "author"})  # as NEEDLE_SITE_SELECTORS takes them


class SitesFileError(ValueError):
    """The sites file cannot be read, or an entry is wrong (the message names which)."""


def _http_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) address")
    return value.strip()


class SiteConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = None
    start: Annotated[list[str], Field(min_length=1)]
    hosts: list[str] = Field(default_factory=list)
    timezone: str | None = None
    max_pages: Annotated[int, Field(gt=0)] | None = None
    delay: Annotated[float, Field(ge=0)] | None = None
    concurrency: Annotated[int, Field(gt=0)] | None = None
    selectors: dict[str, str] = Field(default_factory=dict)

    @field_validator("start", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("start")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        return [_http_url(v) for v in value]

    @field_validator("hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        out = []
        for host in value:
            host = host.strip().lower()
            if not host or "/" in host or " " in host:
                raise ValueError(f"{host!r} is not a host name (e.g. www.clinic.example)")
            out.append(host)
        return out

    @field_validator("selectors")
    @classmethod
    def _selectors(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = set(value) - SELECTOR_FIELDS
        if unknown:
            raise ValueError(f"{sorted(unknown)[0]!r} is not one of {', '.join(sorted(SELECTOR_FIELDS))}")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"{value!r} is not a time zone name (e.g. America/Edmonton)") from None
        return value

    def all_hosts(self) -> list[str]:
        """Every host (host[:port]) of this site: its start pages' and its other hosts."""
        return list(dict.fromkeys([*(urlsplit(u).netloc.lower() for u in self.start), *self.hosts]))

    def name(self) -> str:
        return self.label or urlsplit(self.start[0]).netloc


def load_sites(path: Path) -> list[SiteConfig]:
    """The sites of a TOML file (``[[site]]`` tables) or of a plain list of start URLs."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SitesFileError(f"{path}: cannot read it ({exc})") from None
    if path.suffix.lower() == ".toml" or text.lstrip().startswith("[["):
        return _from_toml(path, text)
    sites = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            sites.append(SiteConfig(start=[line]))
        except ValidationError as exc:
            raise SitesFileError(f"{path}, line {number}: {_reason(exc)}") from None
    if not sites:
        raise SitesFileError(f"{path}: no start URL in it")
    return _distinct(path, sites)


def _from_toml(path: Path, text: str) -> list[SiteConfig]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SitesFileError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(data) - {"site"}
    if unknown:
        raise SitesFileError(f"{path}: unknown table {sorted(unknown)[0]!r} (sites are [[site]] tables)")
    entries = data.get("site")
    if not isinstance(entries, list) or not entries:
        raise SitesFileError(f"{path}: no [[site]] table in it")
    sites = []
    for number, entry in enumerate(entries, 1):
        label = entry.get("label") if isinstance(entry, dict) else None
        where = f"{path}, site {number}" + (f" ({label!r})" if isinstance(label, str) else "")
        try:
            sites.append(SiteConfig.model_validate(entry))
        except ValidationError as exc:
            raise SitesFileError(f"{where}: {_reason(exc)}") from None
    return _distinct(path, sites)


def _reason(exc: ValidationError) -> str:
    """The first problem, as "field: message"."""
    error = exc.errors()[0]
    field = ".".join(str(p) for p in error["loc"] if not isinstance(p, int)) or "entry"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "not a site option (label, start, hosts, timezone, max_pages, delay, concurrency, selectors)"
    return f"{field}: {message}"


def _distinct(path: Path, sites: list[SiteConfig]) -> list[SiteConfig]:
    """Two entries may not claim one host: which options would its pages get?"""
    owner: dict[str, str] = {}
    for site in sites:
        for host in site.all_hosts():
            if host in owner and owner[host] != site.name():
                raise SitesFileError(f"{path}: host {host!r} is in two sites ({owner[host]!r} and {site.name()!r})")
            owner[host] = site.name()
    return sites


def _slot_key(host: str) -> str:
    """Scrapy's download slot for ``host[:port]``: the host name without port or brackets
    (``[2001:db8::1]:8080`` -> ``2001:db8::1``), as the downloader keys its slots."""
    return urlsplit(f"//{host}").hostname or host


def slot_delays(settings) -> dict[str, float]:
    """Each host's own delay, from the DOWNLOAD_SLOTS ``crawl_settings`` wrote (Scrapy
    settings in): the floor below which neither AutoThrottle nor a shared pace may go."""
    return {host: float(slot["delay"]) for host, slot in settings.getdict("DOWNLOAD_SLOTS").items()
            if "delay" in slot}


def crawl_settings(sites: list[SiteConfig]) -> dict:
    """The Scrapy settings a crawl of ``sites`` runs with: the per-site options (read by
    the spider as NEEDLE_SITES), selectors by host, and each host's politeness as a
    download slot of its own."""
    slots: dict[str, dict] = {}
    selectors: dict[str, dict[str, str]] = {}
    for site in sites:
        for host in site.all_hosts():
            slot = {k: v for k, v in (("delay", site.delay), ("concurrency", site.concurrency)) if v is not None}
            if slot:
                slots[_slot_key(host)] = slot
            if site.selectors:
                selectors[host] = site.selectors
    out: dict = {"NEEDLE_SITES": [site.model_dump() for site in sites]}
    if slots:
        out["DOWNLOAD_SLOTS"] = slots
    if selectors:
        out["NEEDLE_SITE_SELECTORS"] = selectors
    return out
